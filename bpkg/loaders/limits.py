"""Bounds on what one dataset may hold, so that a hostile or broken file fails fast and cleanly.

Every limit has a default and an environment variable that overrides it (documented in
docs/dataset-format.md, "Limits"). A file over a limit is a problem like any other: it names the file,
the row or line where reading stopped, the limit and the variable that raises it.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Final

from bpkg.graph_schema.dates import FIRST_YEAR, LAST_YEAR

ENV_PREFIX: Final = "BPKG_"


@dataclass(frozen=True, slots=True)
class Limits:
    """Upper bounds on a dataset; the field ``max_rows`` is overridden by ``BPKG_MAX_ROWS``, and so on."""

    max_files: int = 100
    """Files listed in the manifest."""
    max_dataset_bytes: int = 64_000_000
    """Size of all listed files together (workbooks counted unzipped)."""
    max_file_bytes: int = 10_000_000
    """Size of one file on disk (the manifest included)."""
    max_unpacked_bytes: int = 32_000_000
    """XLSX: size of the parts of one workbook once unzipped."""
    max_rows: int = 50_000
    """Rows of one table, counting the header and empty rows (the last row number read)."""
    max_cells: int = 500_000
    """Cells of one table (each row as wide as its last cell), or values and lists in one YAML file."""
    max_string_chars: int = 10_000
    """Characters of one cell or YAML value."""
    max_depth: int = 20
    """Nesting of lists and mappings in a YAML file."""
    max_problems: int = 200
    """Problems listed; any more are counted, not listed."""
    min_year: int = FIRST_YEAR
    """The first year a date (``when``, ``updated``, ``reviewed``) may name."""
    max_year: int = LAST_YEAR
    """The last year a date may name."""

    @staticmethod
    def env_name(field: str) -> str:
        return ENV_PREFIX + field.upper()

    def hint(self, field: str) -> str:
        """``the limit is 50000 (BPKG_MAX_ROWS)``: for messages."""
        return f"the limit is {getattr(self, field)} ({self.env_name(field)})"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> tuple[Limits, list[str]]:
        """The defaults with any ``BPKG_MAX_*`` overrides, and a reason for each variable that is not valid."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        errors: list[str] = []
        for field in dataclasses.fields(cls):
            name = cls.env_name(field.name)
            text = env.get(name)
            if text is None or not text.strip():
                continue
            try:
                number = int(text.strip().replace("_", ""))
            except ValueError:
                number = 0
            if number < 1:
                errors.append(f"{name} must be a whole number of at least 1 (got {text.strip()[:40]!r})")
                continue
            values[field.name] = number
        low, high = values.get("min_year", FIRST_YEAR), values.get("max_year", LAST_YEAR)
        if not low <= high <= 9999:
            errors.append(
                f"{cls.env_name('min_year')} ({low}) must not be after {cls.env_name('max_year')} ({high}), "
                "and years have four digits"
            )
            values.pop("min_year", None)
            values.pop("max_year", None)
        return cls(**values), errors


DEFAULT_LIMITS: Final = Limits()
