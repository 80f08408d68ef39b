"""Workbook records: a zip-bomb check, the choice of a worksheet, and its rows streamed from the sheet's XML
(bounded by ``max_rows`` and ``max_cells``; a damaged sheet is a problem, never a silent drop)."""

from __future__ import annotations

import warnings
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser

from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems, excerpt, shorten
from bpkg.loaders.reading.bounded import Stop
from bpkg.loaders.reading.cells import BadCell, Records, cell_text


def check_zip(path: Path, name: str, problems: Problems, limits: Limits) -> bool:
    """Refuse a workbook whose parts unzip to more than ``max_unpacked_bytes`` (a zip bomb) before opening it."""
    try:
        with zipfile.ZipFile(path) as archive:
            unpacked = sum(info.file_size for info in archive.infolist())
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        problems.add(Loc(name), "", f"not a readable XLSX workbook ({exc.__class__.__name__})")
        return False
    if unpacked > limits.max_unpacked_bytes:
        problems.add(
            Loc(name),
            "",
            f"the workbook unzips to {unpacked} bytes; {limits.hint('max_unpacked_bytes')}",
        )
        return False
    return True


def _row_number(text: str | None, previous: int) -> int:
    if text is None:
        return previous + 1
    try:
        return int(text)
    except ValueError:
        number = float(text)  # some writers put "5.0"; anything else is a damaged workbook
        if not number.is_integer():
            raise
        return int(number)


def _next_row(text: str | None, previous: int, name: str, problems: Problems, limits: Limits) -> int:
    """The number of the row that starts after row ``previous``; a row out of order or past ``max_rows`` is a
    problem, and reading stops there."""
    number = _row_number(text, previous)
    loc = Loc(name, f"row {number}")
    if number <= previous:
        problems.add(
            loc,
            "",
            f"row {number} comes again after row {previous} in the workbook; the file is damaged "
            "(open and save it again in a spreadsheet program)",
        )
        raise Stop
    if number > limits.max_rows:
        problems.add(
            loc,
            "",
            f"the sheet goes on past row {limits.max_rows}; {limits.hint('max_rows')} "
            "(delete the rows after your data if they are empty)",
        )
        raise Stop
    return number


def _row_values(cells: dict[int, object]) -> list[object]:
    """A row's values by column, up to its last cell that holds a value."""
    width = max((c for c, v in cells.items() if v is not None), default=0)
    values: list[object] = [None] * width
    for column, value in cells.items():
        if column <= width:
            values[column - 1] = value
    return values


def sheet_records(
    sheet: Any, name: str, problems: Problems, limits: Limits
) -> Generator[tuple[int, list[object]], None, None]:
    """Rows of a read-only worksheet as ``(row number, values)``, streamed from the sheet's XML.

    The sheet's declared size (``<dimension>``) is never used: some writers leave it stale, and openpyxl
    would then stop at the declared last row. Rows are read to the real last row, bounded by
    ``max_rows`` (a row number, so a gap of empty rows counts) and ``max_cells``; a row that comes twice
    or out of order, which openpyxl would drop silently, is a problem.
    """
    sheet.reset_dimensions()
    book = sheet.parent
    with sheet._get_source() as src:
        # openpyxl's own cell decoder (shared strings, numbers, dates, booleans, inline strings).
        parser = WorkSheetParser(
            src,
            sheet._shared_strings,
            data_only=True,
            epoch=book.epoch,
            date_formats=book._date_formats,
            timedelta_formats=book._timedelta_formats,
        )
        sheet_data: Any = None
        current = 0  # number of the row being read; 0 outside a row
        previous = 0
        elements = 0
        cells: dict[int, object] = {}
        # ElementTree with expat >= 2.4 refuses entity expansion bombs and never fetches external entities.
        for event, element in iterparse(src, events=("start", "end")):  # noqa: S314
            tag = element.tag
            if event == "start":
                if tag == DATA_TAG:
                    sheet_data = element
                elif tag == ROW_TAG:
                    number = _next_row(element.get("r"), previous, name, problems, limits)
                    if previous == 0 and number > 1:
                        yield 1, []  # the header is row 1: a missing row 1 is an empty header
                    parser.row_counter, parser.col_counter = number, 0
                    current, previous, cells = number, number, {}
                elif tag == CELL_TAG:
                    elements += 1
                    if elements > limits.max_cells:
                        problems.add(
                            Loc(name, f"row {current}"),
                            "",
                            f"the sheet has more than {limits.max_cells} cells; {limits.hint('max_cells')}",
                        )
                        raise Stop
                continue
            if tag == CELL_TAG and current:
                column, value = _cell_value(parser, element)
                element.clear()
                if column in cells:
                    problems.add(
                        Loc(name, f"row {current}"),
                        "",
                        f"cell {get_column_letter(column)}{current} comes twice in the workbook; the file is "
                        "damaged (open and save it again in a spreadsheet program)",
                    )
                    raise Stop
                cells[column] = value
            elif tag == ROW_TAG and current:
                yield current, _row_values(cells)
                current, cells = 0, {}
                if sheet_data is not None:
                    sheet_data.clear()  # what has been read is not kept
                else:
                    element.clear()


def _cell_value(parser: WorkSheetParser, element: Any) -> tuple[int, object]:
    cell = parser.parse_cell(element)
    column = int(cell["column"])
    if column < 1:
        raise ValueError(f"column {column}")
    value: object = cell["value"]
    if cell["data_type"] == "e":
        return column, BadCell(f"the cell holds the spreadsheet error {excerpt(value)}; enter a value")
    if value is None and element.find(FORMULA_TAG) is not None and element.find(VALUE_TAG) is None:
        return column, BadCell(
            "the cell holds a formula with no saved result (the program that wrote the file did not compute "
            "it); open and save the workbook in a spreadsheet program, or enter the value"
        )
    return column, value


def _holds_rows(sheet: Any, name: str, limits: Limits) -> bool:
    """Whether a worksheet has a row with a value in it, read only as far as the first such row. A sheet that
    cannot be read to its end within the limits counts as holding rows (it cannot be shown to be empty)."""
    try:
        with closing(sheet_records(sheet, name, Problems(0), limits)) as records:
            return any(any(v is not None for v in values) for _, values in records)
    except Exception:  # damaged or over the limits: not shown to be empty
        return True


def _header_names(sheet: Any, name: str, limits: Limits) -> frozenset[str]:
    """The column names in a worksheet's first row (empty when it has none or cannot be read)."""
    try:
        with closing(sheet_records(sheet, name, Problems(0), limits)) as records:
            line, values = next(records, (0, []))
    except Exception:  # a damaged sheet is no candidate
        return frozenset()
    if line != 1:
        return frozenset()
    return frozenset(t for v in values if not isinstance(v, BadCell) and (t := cell_text(v)))


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"'{shorten(t, 60)}'" for t in titles)


def pick_sheet(
    book: Any, name: str, problems: Problems, limits: Limits, sheet: str | None, columns: frozenset[str]
) -> Any:
    """The worksheet to read, or ``None`` with a problem naming the workbook's sheets.

    The sheet named in the manifest when there is one; otherwise the one visible sheet whose first row holds
    the ``columns`` the file's format needs (a README sheet beside the plan is no candidate), or the only
    visible sheet. A hidden sheet that holds rows, or several candidate sheets, is refused rather than
    guessed: reading the wrong sheet would drop the visible rows without a word.
    """
    sheets = list(book.worksheets)
    titles = [ws.title for ws in sheets]
    if not sheets:
        problems.add(Loc(name), "", "the workbook has no worksheet")
        return None
    if sheet is not None:
        for ws in sheets:
            if ws.title == sheet:
                return ws
        problems.add(
            Loc(name), "sheet", f"the workbook has no sheet '{shorten(sheet, 60)}'; its sheets are {_quoted(titles)}"
        )
        return None
    visible = [ws for ws in sheets if ws.sheet_state == "visible"]
    hidden = [ws.title for ws in sheets if ws.sheet_state != "visible" and _holds_rows(ws, name, limits)]
    if hidden:
        problems.add(
            Loc(name),
            "sheet",
            f"the workbook has hidden sheet(s) holding rows ({_quoted(hidden)}) besides the visible "
            f"{_quoted([ws.title for ws in visible]) or 'none'}; name the sheet to read with 'sheet:' in the "
            "manifest's entry for this file, or delete the hidden sheet",
        )
        return None
    if len(visible) == 1:
        return visible[0]
    candidates = [ws for ws in visible if columns and columns <= _header_names(ws, name, limits)]
    if len(candidates) == 1:
        return candidates[0]
    if candidates:
        reason = f"several visible sheets could be the table ({_quoted([ws.title for ws in candidates])})"
    elif visible:
        reason = (
            f"no visible sheet has the columns {', '.join(sorted(columns))} in its first row "
            f"(visible sheets: {_quoted([ws.title for ws in visible])})"
        )
    else:
        reason = f"the workbook has no visible sheet (sheets: {_quoted(titles)})"
    problems.add(
        Loc(name), "sheet", f"{reason}; name the sheet to read with 'sheet:' in the manifest's entry for this file"
    )
    return None


@contextmanager
def workbook_records(
    path: Path,
    name: str,
    problems: Problems,
    limits: Limits,
    sheet: str | None = None,
    columns: frozenset[str] = frozenset(),
) -> Iterator[tuple[Records, str | None] | None]:
    """The records of a workbook's sheet (``pick_sheet``), streamed, with the sheet's title; ``None`` (with a
    problem) when the workbook cannot be opened or no sheet can be chosen."""
    # The file is opened here so that it is closed here, also when openpyxl fails half-way through opening it.
    with warnings.catch_warnings(), path.open("rb") as fh:
        # openpyxl warns about parts it does not support; they do not matter for the values read here.
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(fh, read_only=True, data_only=True)
        except Exception as exc:  # a damaged workbook raises many kinds of errors
            problems.add(Loc(name), "", f"not a readable XLSX workbook ({exc.__class__.__name__})")
            book = None
        if book is None:
            yield None
            return
        try:
            chosen = pick_sheet(book, name, problems, limits, sheet, columns)
            if chosen is None:
                yield None
            else:
                yield sheet_records(chosen, name, problems, limits), chosen.title
        finally:
            book.close()
