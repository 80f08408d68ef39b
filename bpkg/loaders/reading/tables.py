"""Tables (CSV or XLSX, header in the first row) read with problems naming file, row and column.

A table is read once to check it and report its problems (``read_table``), then again for its rows
(``Table.rows``), which come one at a time; a file that changed in between is a problem. A CSV table can also be
read once, its rows handed on as they are read (``scan_csv``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from bpkg.loaders.limits import DEFAULT_LIMITS, Limits
from bpkg.loaders.problems import Loc, Problems, shorten
from bpkg.loaders.reading.bounded import CHANGED, Stop, check_text, file_stamp, open_text, size_ok
from bpkg.loaders.reading.cells import BadCell, Records, cell_text
from bpkg.loaders.reading.csv_rows import csv_records


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a table: cell values by column (``None`` for an empty cell).

    ``bad`` rows had a cell that could not be read (its problem is reported); they are not validated further.
    """

    loc: Loc
    cells: dict[str, str | None]
    bad: bool = False


@dataclass(slots=True)
class Table:
    """A table as read: its header, whether the header is sound (``ok``) and whether every row was read
    (``complete``: no limit or damage stopped the reader). The rows are not kept: ``rows`` reads them again."""

    columns: list[str]
    path: Path
    name: str
    limits: Limits
    stamp: tuple[int, int]
    header_cells: int = 0
    ok: bool = True
    complete: bool = True
    sheet: str | None = None  # the worksheet read, for a workbook

    def rows(self, problems: Problems) -> Iterator[Row]:
        """The data rows, one at a time, as they were read the first time (whose problems are reported then,
        not again). A file that changed since is a problem, and the rows stop there."""
        try:
            if file_stamp(self.path) == self.stamp:
                quiet = Problems(0)
                with _records(self.path, self.name, quiet, self.limits, self.sheet) as opened:
                    if opened is not None and next(opened[0], None) is not None:  # the header
                        yield from _data_rows(replace(self), opened[0], quiet, _is_csv(self.path))
                        return
        except Exception as exc:  # whatever it is, the file is not the one read before
            problems.add(Loc(self.name), "", f"{CHANGED} ({exc.__class__.__name__})")
            return
        problems.add(Loc(self.name), "", CHANGED)


def column_letter(number: int) -> str:
    """A spreadsheet's name for its ``number``-th column (1: A, 26: Z, 27: AA), as a workbook shows it."""
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters


def _column_name(columns: list[str], index: int) -> str:
    return columns[index] if index < len(columns) and columns[index] else f"column {column_letter(index + 1)}"


def _header(path: Path, name: str, records: Records, problems: Problems, limits: Limits) -> Table | None:
    try:
        first = next(records, None)
    except Stop:
        return None
    if first is None:
        problems.add(Loc(name), "", "the file is empty (no header row)")
        return None
    header_line, raw_header = first
    columns: list[str] = []
    bad_header: set[int] = set()
    for i, cell in enumerate(raw_header, start=1):
        if isinstance(cell, BadCell):
            problems.add(Loc(name, f"row {header_line}"), f"column {i}", cell.reason)
            bad_header.add(i)
        columns.append((cell_text(cell) if not isinstance(cell, BadCell) else None) or "")
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        problems.add(Loc(name, f"row {header_line}"), "", "the header row is empty")
        return None
    table = Table(columns, path, name, limits, file_stamp(path), header_cells=len(raw_header))
    seen: set[str] = set()
    for i, col in enumerate(columns, start=1):
        if not col:
            if i not in bad_header:
                problems.add(Loc(name, f"row {header_line}"), f"column {i}", "the header cell is empty")
            table.ok = False
        elif col in seen:
            problems.add(Loc(name, f"row {header_line}"), col, "the column appears twice in the header")
            table.ok = False
        seen.add(col)
    return table


def _is_csv(path: Path) -> bool:
    return path.suffix.lower() == ".csv"


def _data_rows(table: Table, records: Records, problems: Problems, text: bool = False) -> Iterator[Row]:
    """The rows after the header, bounded by ``max_cells``; ``table.complete`` is False when reading stopped.
    ``text``: every cell is a string (a CSV file's), read by ``_text_row``."""
    limits = table.limits
    cells = table.header_cells
    name, columns = table.name, table.columns
    make = _text_row if text else _row
    try:
        for line, raw in records:
            cells += len(raw)
            if cells > limits.max_cells:
                reason = f"the table has more than {limits.max_cells} cells; {limits.hint('max_cells')}"
                problems.add(Loc(table.name, f"row {line}"), "", reason)
                raise Stop
            row = make(name, columns, line, raw, problems)
            if row is not None:
                yield row
    except Stop:
        table.complete = False


def _row(name: str, columns: list[str], line: int, raw: list[object], problems: Problems) -> Row | None:
    loc = Loc(name, f"row {line}")
    bad = False
    values: list[str | None] = []
    for i, value in enumerate(raw):
        if isinstance(value, BadCell):
            problems.add(loc, _column_name(columns, i), value.reason)
            bad = True
            values.append(None)
        else:
            values.append(cell_text(value))
    if not bad and all(v is None for v in values):
        return None
    if len(values) > len(columns) and any(v is not None for v in values[len(columns) :]):
        problems.add(loc, "", f"malformed row: {len(values)} fields but the header has {len(columns)} columns")
        return None
    values = values[: len(columns)]
    values += [None] * (len(columns) - len(values))
    return Row(loc, dict(zip(columns, values, strict=True)), bad=bad)


def _text_row(name: str, columns: list[str], line: int, raw: list[Any], problems: Problems) -> Row | None:
    """``_row`` for cells that are all strings (no ``BadCell``; ``cell_text`` of a string is the string stripped, or
    ``None`` when that is empty), without a check per cell of what each one is."""
    values: list[str | None] = [value.strip() or None for value in raw]
    if not any(values):
        return None
    width = len(columns)
    if len(values) > width:
        if any(values[width:]):
            reason = f"malformed row: {len(values)} fields but the header has {width} columns"
            problems.add(Loc(name, f"row {line}"), "", reason)
            return None
        del values[width:]
    elif len(values) < width:
        values += [None] * (width - len(values))
    return Row(Loc(name, f"row {line}"), dict(zip(columns, values, strict=True)))


@contextmanager
def _records(
    path: Path,
    name: str,
    problems: Problems,
    limits: Limits,
    sheet: str | None = None,
    columns: frozenset[str] = frozenset(),
) -> Iterator[tuple[Records, str | None] | None]:
    """The records of a CSV file or of a workbook's sheet (``pick_sheet``), streamed, with the sheet's title;
    ``None`` (with a problem) when the workbook cannot be opened or no sheet can be chosen."""
    if path.suffix.lower() == ".csv":
        with open_text(path) as fh:
            yield csv_records(fh, name, problems, limits), None
        return
    # openpyxl is imported when a workbook is read, not when the package is (0.3 s of a server's start).
    from bpkg.loaders.reading.xlsx_rows import workbook_records

    with workbook_records(path, name, problems, limits, sheet, columns) as opened:
        yield opened


def read_table(
    path: Path,
    problems: Problems,
    name: str,
    limits: Limits = DEFAULT_LIMITS,
    *,
    sheet: str | None = None,
    columns: frozenset[str] = frozenset(),
) -> Table | None:
    """A CSV or XLSX table (header in the first row), or ``None`` with problems.

    For a workbook, ``sheet`` names the worksheet to read; without it, see ``pick_sheet`` (``columns`` are
    those whose presence in a sheet's first row makes it a candidate). Every row is read and its problems
    reported, but rows are not kept: ``Table.rows`` reads them again.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if not check_text(path, problems, name, limits):
            return None
    elif suffix == ".xlsx":
        from bpkg.loaders.reading.xlsx_rows import check_zip

        if not size_ok(path, problems, name, limits) or not check_zip(path, name, problems, limits):
            return None
    else:
        problems.add(Loc(name), "", f"unsupported table format '{shorten(suffix, 20)}'; use .csv or .xlsx")
        return None
    try:
        with _records(path, name, problems, limits, sheet, columns) as opened:
            if opened is None:
                return None
            records, title = opened
            table = _header(path, name, records, problems, limits)
            if table is not None:
                table.sheet = title
                for _ in _data_rows(table, records, problems, suffix == ".csv"):
                    pass
            return table
    except Exception as exc:
        if suffix == ".xlsx":  # damaged XML, bad coordinates, odd cell types ...
            reason = f"the workbook is damaged ({exc.__class__.__name__}: {shorten(str(exc), 120)})"
        elif isinstance(exc, OSError | UnicodeDecodeError):
            reason = CHANGED
        else:
            raise
        problems.add(Loc(name), "", reason)
        return None


def scan_csv(
    path: Path, problems: Problems, name: str, limits: Limits, start: Callable[[Table], Callable[[Row], None] | None]
) -> Table | None:
    """``read_table`` of a CSV file that reads it once: the same table and problems, and each data row handed, as it
    is read, to the function ``start`` returns for the table (``start`` is called once the header is read; when it
    returns ``None`` the rows are only checked). ``Table.rows`` can still read the rows again.

    A row's reading problems are reported before it is handed on, but the rows after it are read later: a caller
    that wants every reading problem of the file before the problems it finds in the rows keeps its own apart.
    """
    if not check_text(path, problems, name, limits):
        return None
    try:
        with open_text(path) as fh:
            records = csv_records(fh, name, problems, limits)
            table = _header(path, name, records, problems, limits)
            if table is not None:
                take = start(table)
                for row in _data_rows(table, records, problems, text=True):
                    if take is not None:
                        take(row)
            return table
    except (OSError, UnicodeDecodeError):  # the file changed since ``check_text`` read it
        problems.add(Loc(name), "", CHANGED)
        return None
