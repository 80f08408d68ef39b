"""Readers for YAML, CSV and XLSX that report problems with file, row/line and field.

Every reader is bounded by ``Limits`` (file size, rows, cells, nesting) and streams where it can, so that
a hostile file costs at most what the limits allow, and ends in problems, never in an exception.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import warnings
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.etree.ElementTree import iterparse

import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from yaml.composer import Composer
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from loaders.limits import DEFAULT_LIMITS, Limits
from loaders.problems import Loc, Problems, excerpt, shorten

LINE_KEY = "__line__"


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
    """A table as read. ``ok``: the header is sound; ``complete``: every row was read (no limit or damage
    stopped the reader). Rows are kept either way, so that a caller can tell which ids the file holds."""

    columns: list[str]
    rows: list[Row] = field(default_factory=list)
    ok: bool = True
    complete: bool = True


class _Stop(Exception):
    """Reading a file stops here; the reason is already a problem."""


# -- bytes and text ------------------------------------------------------------------------------


def _size_ok(path: Path, problems: Problems, name: str, limits: Limits) -> bool:
    """Whether the file is within ``max_file_bytes`` and not empty (a problem when not)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return False
    if size > limits.max_file_bytes:
        problems.add(Loc(name), "", f"the file is {size} bytes; {limits.hint('max_file_bytes')}")
        return False
    if size == 0:
        problems.add(Loc(name), "", "the file is empty")
        return False
    return True


def read_bytes(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> bytes | None:
    """The file's bytes, or ``None`` (with a problem) when it is empty, too big or cannot be read."""
    if not _size_ok(path, problems, name, limits):
        return None
    try:
        with path.open("rb") as fh:
            data = fh.read(limits.max_file_bytes + 1)  # the size may have changed since stat()
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return None
    if len(data) > limits.max_file_bytes:
        problems.add(Loc(name), "", f"the file is over {limits.max_file_bytes} bytes; {limits.hint('max_file_bytes')}")
        return None
    if not data.strip():
        problems.add(Loc(name), "", "the file is empty")
        return None
    return data


def read_text(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> str | None:
    """The file's text, or ``None`` (with a problem) when it is empty, too big or not UTF-8."""
    data = read_bytes(path, problems, name, limits)
    if data is None:
        return None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        problems.add(
            Loc(name, f"line {line}"),
            "",
            f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} at offset {exc.start}); save it as UTF-8",
        )
        return None


# -- YAML ----------------------------------------------------------------------------------------


class _Refused(yaml.MarkedYAMLError):
    """Something dataset YAML may not use (anchors, aliases, tags), or a limit: parsing stops here."""


class _Line:
    """The line of a YAML node: all a dataset needs of PyYAML's marks, at a fraction of their memory."""

    __slots__ = ("line",)

    def __init__(self, line: int) -> None:
        self.line = line

    def __str__(self) -> str:
        return f"line {self.line + 1}"


_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"


class _Checks:
    """What dataset YAML may hold, checked while it is composed (a mixin for the loaders below).

    Refuses anchors and aliases (a few hundred bytes of aliases can stand for billions of values),
    explicit tags (``!!binary`` and the like), nesting deeper than ``max_depth`` and more than
    ``max_cells`` values. Duplicate and non-text keys are collected as ``issues`` by the mapping
    constructor instead of the last one winning.
    """

    limits: Limits
    depth: int
    count: int
    issues: list[tuple[int, str, str]]  # (line, field, reason)
    lines: dict[int, _Line]

    def _start_checks(self, limits: Limits) -> None:
        self.limits = limits
        self.depth = 0
        self.count = 0
        self.issues = []
        self.lines = {}

    def compose_node(self, parent: yaml.Node | None, index: int) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        mark = event.start_mark
        if isinstance(event, yaml.AliasEvent):
            reason = (
                f"aliases (*{shorten(str(event.anchor), 40)}) are not allowed in dataset files; write the value out"
            )
            raise _Refused(None, None, reason, mark)
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            reason = f"anchors (&{shorten(str(anchor), 40)}) are not allowed in dataset files; remove it"
            raise _Refused(None, None, reason, mark)
        tag = getattr(event, "tag", None)
        if tag not in (None, "!", _STR_TAG):
            raise _Refused(None, None, f"YAML tags ({shorten(str(tag), 40)}) are not allowed in dataset files", mark)
        self.count += 1
        if self.count > self.limits.max_cells:
            reason = f"the file holds more than {self.limits.max_cells} values; {self.limits.hint('max_cells')}"
            raise _Refused(None, None, reason, mark)
        self.depth += 1
        try:
            if self.depth > self.limits.max_depth:
                reason = (
                    f"lists and mappings are nested more than {self.limits.max_depth} deep; "
                    f"{self.limits.hint('max_depth')}"
                )
                raise _Refused(None, None, reason, mark)
            node: yaml.Node | None = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1
        if node is not None:
            line = node.start_mark.line
            node.start_mark = node.end_mark = self.lines.get(line) or self.lines.setdefault(line, _Line(line))
        return node


class _PyLoader(_Checks, yaml.SafeLoader):
    """The checks on PyYAML's pure-Python parser."""

    def __init__(self, stream: str, limits: Limits) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_checks(limits)


_LOADERS: list[type[Any]] = [_PyLoader]
if yaml.__with_libyaml__:  # pragma: no branch - PyYAML's wheels bundle libyaml
    from yaml._yaml import CParser

    class _CLoader(_Checks, Composer, CParser, SafeConstructor, Resolver):
        """The checks on libyaml's parser (about three times faster); composing stays in Python."""

        def __init__(self, stream: str, limits: Limits) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_checks(limits)

    _LOADERS.insert(0, _CLoader)


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        line = key_node.start_mark.line + 1
        if key_node.tag == _MERGE_TAG:
            loader.issues.append((line, "<<", "merge keys (<<) are not allowed in dataset files; write the keys out"))
            continue
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str):
            loader.issues.append((line, "", f"a key must be text (got {excerpt(key)}); quote it"))
            continue
        if key == LINE_KEY:
            loader.issues.append((line, key, "this key is reserved; use another name"))
            continue
        if key in first_line:
            reason = f"duplicate key (first given at line {first_line[key]}); a key may appear once in a mapping"
            loader.issues.append((line, key, reason))
            continue
        first_line[key] = line
        mapping[key] = loader.construct_object(value_node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


def _construct_int(loader: Any, node: yaml.ScalarNode) -> int:
    try:
        return int(loader.construct_yaml_int(node))
    except ValueError as exc:  # more digits than Python converts
        raise _Refused(None, None, "the number has too many digits", node.start_mark) from exc


for _loader in _LOADERS:
    _loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
    # Dates stay text: "2019-02-20" is a fact as the source wrote it, not a datetime.
    _loader.yaml_implicit_resolvers = {
        key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
        for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
    }


def read_yaml(
    path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS, loader: type[Any] | None = None
) -> Any:
    """Parsed YAML with ``__line__`` on every mapping, or ``None`` (with a problem).

    Duplicate keys and other issues that do not stop parsing are reported, and the document is still
    returned (with the first of duplicate keys), so that the rest of the file is checked too.
    """
    text = read_text(path, problems, name, limits)
    if text is None:
        return None
    kind = loader or _LOADERS[0]
    parser: Any = None
    try:
        parser = kind(text, limits)  # the pure-Python reader checks the characters here
        doc = parser.get_single_data()
    except yaml.reader.ReaderError as exc:
        # The pure-Python reader counts characters; libyaml counts bytes of UTF-8.
        before = text[: exc.position] if kind is _PyLoader else text.encode()[: exc.position].decode(errors="ignore")
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        problems.add(
            Loc(name, f"line {before.count(chr(10)) + 1}"),
            "",
            f"not valid YAML: the control character U+{char:04X} is not allowed in a YAML file",
        )
        return None
    except _Refused as exc:
        mark = exc.problem_mark
        problems.add(Loc(name, f"line {mark.line + 1}" if mark else ""), "", str(exc.problem))
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc)
        if "nesting depth" in problem:  # libyaml's own bound (1000) can be met before ours, while scanning ahead
            reason = f"lists and mappings are nested more than {limits.max_depth} deep; {limits.hint('max_depth')}"
        else:
            reason = f"not valid YAML: {shorten(problem, 200)}"
        problems.add(Loc(name, where), "", reason)
        return None
    except RecursionError:  # not expected with max_depth; kept so that no input ends in a traceback
        problems.add(Loc(name), "", f"lists and mappings are nested too deep; {limits.hint('max_depth')}")
        return None
    finally:
        if parser is not None:
            parser.dispose()
    assert parser is not None  # the loader was built before any return above
    for line, key, reason in parser.issues:
        problems.add(Loc(name, f"line {line}"), key, reason)
    if doc is None:
        problems.add(Loc(name), "", "the file has no content (only comments or blank lines)")
    return doc


# -- tables --------------------------------------------------------------------------------------


class _BadCell:
    """A cell that cannot be read as a value (a spreadsheet error, a formula with no saved result)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def _cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None


def _column_name(columns: list[str], index: int) -> str:
    return columns[index] if index < len(columns) and columns[index] else f"column {get_column_letter(index + 1)}"


def _table(name: str, records: Iterable[tuple[int, list[object]]], problems: Problems, limits: Limits) -> Table | None:
    iterator = iter(records)
    try:
        first = next(iterator, None)
    except _Stop:
        return None
    if first is None:
        problems.add(Loc(name), "", "the file is empty (no header row)")
        return None
    header_line, raw_header = first
    columns: list[str] = []
    bad_header: set[int] = set()
    for i, cell in enumerate(raw_header, start=1):
        if isinstance(cell, _BadCell):
            problems.add(Loc(name, f"row {header_line}"), f"column {i}", cell.reason)
            bad_header.add(i)
        columns.append((_cell_text(cell) if not isinstance(cell, _BadCell) else None) or "")
    while columns and not columns[-1]:
        columns.pop()
    if not columns:
        problems.add(Loc(name, f"row {header_line}"), "", "the header row is empty")
        return None
    table = Table(columns)
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
    cells = len(raw_header)
    try:
        for line, raw in iterator:
            cells += len(raw)
            if cells > limits.max_cells:
                reason = f"the table has more than {limits.max_cells} cells; {limits.hint('max_cells')}"
                problems.add(Loc(name, f"row {line}"), "", reason)
                raise _Stop
            table.rows.extend(_row(name, columns, line, raw, problems))
    except _Stop:
        table.complete = False
    return table


def _row(name: str, columns: list[str], line: int, raw: list[object], problems: Problems) -> Iterator[Row]:
    loc = Loc(name, f"row {line}")
    bad = False
    values: list[str | None] = []
    for i, value in enumerate(raw):
        if isinstance(value, _BadCell):
            problems.add(loc, _column_name(columns, i), value.reason)
            bad = True
            values.append(None)
        else:
            values.append(_cell_text(value))
    if not bad and all(v is None for v in values):
        return
    if len(values) > len(columns) and any(v is not None for v in values[len(columns) :]):
        problems.add(loc, "", f"malformed row: {len(values)} fields but the header has {len(columns)} columns")
        return
    values = values[: len(columns)]
    values += [None] * (len(columns) - len(values))
    yield Row(loc, dict(zip(columns, values, strict=True)), bad=bad)


def _csv_records(text: str, name: str, problems: Problems, limits: Limits) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header_len: int | None = None
    count = 0
    try:
        for fields in reader:
            line = reader.line_num
            count += 1
            if count > limits.max_rows:
                reason = f"the table has more than {limits.max_rows} rows; {limits.hint('max_rows')}"
                problems.add(Loc(name, f"row {line}"), "", reason)
                raise _Stop
            if header_len is None:
                header_len = len(fields)
            elif fields and len(fields) < header_len:
                problems.add(
                    Loc(name, f"row {line}"),
                    "",
                    f"malformed row: {len(fields)} fields but the header has {header_len} columns",
                )
                continue
            yield line, list(fields)
    except csv.Error as exc:
        problems.add(Loc(name, f"row {reader.line_num}"), "", f"malformed CSV: {shorten(str(exc), 200)}")
        raise _Stop from None


def _check_zip(path: Path, name: str, problems: Problems, limits: Limits) -> bool:
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


def _sheet_records(sheet: Any, name: str, problems: Problems, limits: Limits) -> Iterator[tuple[int, list[object]]]:
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
                    number = _row_number(element.get("r"), previous)
                    loc = Loc(name, f"row {number}")
                    if number <= previous:
                        problems.add(
                            loc,
                            "",
                            f"row {number} comes again after row {previous} in the workbook; the file is damaged "
                            "(open and save it again in a spreadsheet program)",
                        )
                        raise _Stop
                    if number > limits.max_rows:
                        problems.add(
                            loc,
                            "",
                            f"the sheet goes on past row {limits.max_rows}; {limits.hint('max_rows')} "
                            "(delete the rows after your data if they are empty)",
                        )
                        raise _Stop
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
                        raise _Stop
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
                    raise _Stop
                cells[column] = value
            elif tag == ROW_TAG and current:
                width = max((c for c, v in cells.items() if v is not None), default=0)
                values: list[object] = [None] * width
                for column, value in cells.items():
                    if column <= width:
                        values[column - 1] = value
                yield current, values
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
        return column, _BadCell(f"the cell holds the spreadsheet error {excerpt(value)}; enter a value")
    if value is None and element.find(FORMULA_TAG) is not None and element.find(VALUE_TAG) is None:
        return column, _BadCell(
            "the cell holds a formula with no saved result (the program that wrote the file did not compute "
            "it); open and save the workbook in a spreadsheet program, or enter the value"
        )
    return column, value


def _read_xlsx(path: Path, problems: Problems, name: str, limits: Limits) -> Table | None:
    if not _size_ok(path, problems, name, limits) or not _check_zip(path, name, problems, limits):
        return None
    with warnings.catch_warnings():
        # openpyxl warns about parts it does not support; they do not matter for the values read here.
        warnings.simplefilter("ignore")
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # a damaged workbook raises many kinds of errors
            problems.add(Loc(name), "", f"not a readable XLSX workbook ({exc.__class__.__name__})")
            return None
        try:
            if not book.worksheets:
                problems.add(Loc(name), "", "the workbook has no worksheet")
                return None
            return _table(name, _sheet_records(book.worksheets[0], name, problems, limits), problems, limits)
        except Exception as exc:  # damaged XML, bad coordinates, odd cell types ...
            problems.add(Loc(name), "", f"the workbook is damaged ({exc.__class__.__name__}: {shorten(str(exc), 120)})")
            return None
        finally:
            book.close()


def read_table(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> Table | None:
    """A CSV or XLSX table (first sheet, header in the first row), or ``None`` with problems."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = read_text(path, problems, name, limits)
        if text is None:
            return None
        return _table(name, _csv_records(text, name, problems, limits), problems, limits)
    if suffix == ".xlsx":
        return _read_xlsx(path, problems, name, limits)
    problems.add(Loc(name), "", f"unsupported table format '{shorten(suffix, 20)}'; use .csv or .xlsx")
    return None
