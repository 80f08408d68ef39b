"""Writing tables as CSV and XLSX for analysts, safe to open in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from typing import Final

from bpkg.app.graphml_safe import xml_text

Cell = str | int | float | None
CSV_MEDIA_TYPE: Final = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE: Final = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# A cell starting with one of these is run as a formula by spreadsheets (CSV injection): quote it. The
# fullwidth forms count too (some spreadsheet programs fold them to ASCII when they read a CSV file), and so
# does a start hidden behind spaces (an import that trims them would otherwise unmask it).
_FORMULA_START: Final = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_BLANKS: Final = " \u00a0\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u202f\u205f\u3000"


def safe(value: Cell) -> Cell:
    """A cell that a spreadsheet shows as text: no formula start, and no character a workbook cannot hold
    (validation refuses them in datasets; a table built otherwise still writes, with U+FFFD in their place)."""
    if isinstance(value, str):
        value = xml_text(value)
        if value.lstrip(_BLANKS).startswith(_FORMULA_START):
            return "'" + value
    return value


def to_csv(header: Sequence[str], rows: Sequence[Sequence[Cell]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe(h) for h in header])
    writer.writerows([["" if c is None else safe(c) for c in row] for row in rows])
    # A BOM lets spreadsheet programs recognise UTF-8 (country and project names are not all ASCII).
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


Sheet = tuple[str, Sequence[str], Sequence[Sequence[Cell]]]
"""A further sheet of a workbook: its title, header and rows."""


def to_xlsx(
    title: str,
    header: Sequence[str],
    rows: Sequence[Sequence[Cell]],
    notes: Sequence[tuple[str, str]] = (),
    more: Sequence[Sheet] = (),
) -> bytes:
    """One sheet holding the table (bold header, frozen first row and columns), the sheets of ``more`` (bold
    header, frozen first row), and an ``about`` sheet."""
    # openpyxl is imported when a workbook is written, not when the service is (0.3 s of a server's start).
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = title[:31]
    sheet.append([safe(h) for h in header])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([safe(c) for c in row])
    sheet.freeze_panes = "C2"
    for name, more_header, more_rows in more:
        extra = book.create_sheet(name[:31])
        extra.append([safe(h) for h in more_header])
        for cell in extra[1]:
            cell.font = Font(bold=True)
        for row in more_rows:
            extra.append([safe(c) for c in row])
        extra.freeze_panes = "A2"
    if notes:
        about = book.create_sheet("about")
        for key, value in notes:
            about.append([safe(key), safe(value)])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def unique_headers(names: Sequence[tuple[str, str]]) -> list[str]:
    """Human-readable column headers from (name, id) pairs; the id is added where a name repeats."""
    seen: dict[str, int] = {}
    for name, _ in names:
        seen[name] = seen.get(name, 0) + 1
    return [name if seen[name] == 1 else f"{name} [{node_id}]" for name, node_id in names]
