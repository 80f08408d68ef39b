"""The application: settings, CLI, read-side store, services, API, visualisation."""

import bpkg.loaders.xlsx_env  # noqa: F401 (first: before anything imports openpyxl)
