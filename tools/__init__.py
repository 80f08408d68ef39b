"""Developer tools: the dataset builder and its curated tables (not part of the installed package)."""

import bpkg.loaders.xlsx_env  # noqa: F401 (first: before anything imports openpyxl)
