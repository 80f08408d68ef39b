"""Readers for YAML, CSV and XLSX that report problems with file, row/line and field."""

from __future__ import annotations

import csv
import datetime as dt
import io
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from openpyxl import load_workbook

from loaders.problems import Loc, Problems

LINE_KEY = "__line__"


@dataclass(frozen=True, slots=True)
class Row:
    """One data row of a table: cell values by column (``None`` for an empty cell)."""

    loc: Loc
    cells: dict[str, str | None]


@dataclass(frozen=True, slots=True)
class Table:
    columns: list[str]
    rows: list[Row]


def read_text(path: Path, problems: Problems, name: str) -> str | None:
    """The file's text, or ``None`` (with a problem) when it is empty or not UTF-8."""
    data = path.read_bytes()
    if not data.strip():
        problems.add(Loc(name), "", "the file is empty")
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


class _LineLoader(yaml.SafeLoader):
    """A safe loader that records the line of every mapping under ``__line__``."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping = loader.construct_mapping(node, deep=True)
    mapping[LINE_KEY] = node.start_mark.line + 1
    return mapping


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
# Dates stay text: "2019-02-20" is a fact as the source wrote it, not a datetime.
_LineLoader.yaml_implicit_resolvers = {
    key: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def read_yaml(path: Path, problems: Problems, name: str) -> Any:
    """Parsed YAML with ``__line__`` on every mapping, or ``None`` (with a problem)."""
    text = read_text(path, problems, name)
    if text is None:
        return None
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problems.add(Loc(name, where), "", f"not valid YAML: {getattr(exc, 'problem', exc)}")
        return None


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


def _table(name: str, records: Iterable[tuple[int, list[object]]], problems: Problems) -> Table | None:
    iterator = iter(records)
    first = next(iterator, None)
    if first is None:
        problems.add(Loc(name), "", "the file is empty (no header row)")
        return None
    header_line, raw_header = first
    columns = [(_cell_text(c) or "").strip() for c in raw_header]
    while columns and not columns[-1]:
        columns.pop()
    ok = True
    if not columns:
        problems.add(Loc(name, f"row {header_line}"), "", "the header row is empty")
        return None
    seen: set[str] = set()
    for i, col in enumerate(columns, start=1):
        if not col:
            problems.add(Loc(name, f"row {header_line}"), f"column {i}", "the header cell is empty")
            ok = False
        elif col in seen:
            problems.add(Loc(name, f"row {header_line}"), col, "the column appears twice in the header")
            ok = False
        seen.add(col)
    rows: list[Row] = []
    for line, raw in iterator:
        values = [_cell_text(v) for v in raw]
        if all(v is None for v in values):
            continue
        if len(values) > len(columns) and any(v is not None for v in values[len(columns) :]):
            problems.add(
                Loc(name, f"row {line}"),
                "",
                f"malformed row: {len(values)} fields but the header has {len(columns)} columns",
            )
            continue
        values = values[: len(columns)]
        values += [None] * (len(columns) - len(values))
        rows.append(Row(Loc(name, f"row {line}"), dict(zip(columns, values, strict=True))))
    return Table(columns, rows) if ok else None


def _csv_records(text: str, name: str, problems: Problems) -> list[tuple[int, list[object]]]:
    records: list[tuple[int, list[object]]] = []
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header_len: int | None = None
    try:
        for fields in reader:
            line = reader.line_num
            if header_len is None:
                header_len = len(fields)
            elif fields and len(fields) < header_len:
                problems.add(
                    Loc(name, f"row {line}"),
                    "",
                    f"malformed row: {len(fields)} fields but the header has {header_len} columns",
                )
                continue
            records.append((line, list(fields)))
    except csv.Error as exc:
        problems.add(Loc(name, f"row {reader.line_num}"), "", f"malformed CSV: {exc}")
    return records


def read_table(path: Path, problems: Problems, name: str) -> Table | None:
    """A CSV or XLSX table (first sheet, header in the first row), or ``None`` with problems."""
    suffix = path.suffix.lower()
    if suffix == ".csv":
        text = read_text(path, problems, name)
        if text is None:
            return None
        return _table(name, _csv_records(text, name, problems), problems)
    if suffix == ".xlsx":
        if path.stat().st_size == 0:
            problems.add(Loc(name), "", "the file is empty")
            return None
        try:
            book = load_workbook(path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
            problems.add(Loc(name), "", f"not a readable XLSX workbook ({exc.__class__.__name__})")
            return None
        try:
            sheet = book.worksheets[0]
            records: list[tuple[int, list[object]]] = [
                (i, list(r)) for i, r in enumerate(sheet.iter_rows(values_only=True), start=1)
            ]
        finally:
            book.close()
        return _table(name, records, problems)
    problems.add(Loc(name), "", f"unsupported table format '{suffix}'; use .csv or .xlsx")
    return None
