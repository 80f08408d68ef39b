"""Readers for YAML, CSV and XLSX that report problems with file, row/line and field.

Every reader is bounded by ``Limits`` (file size, rows, cells, nesting), so that a hostile file costs at
most what the limits allow, and ends in problems, never in an exception. Files are streamed, never held
whole: a table's rows (``read_table``, then ``Table.rows``) and the items of a YAML graph file's lists
(``read_graph_yaml``, then ``GraphYaml.items``) come one at a time. A file is read first to check it and
report its problems, then again for its content; a file that changed in between is a problem.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import warnings
import zipfile
from collections.abc import Generator, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, TextIO
from xml.etree.ElementTree import iterparse

import yaml
from openpyxl import load_workbook
from openpyxl.utils.cell import get_column_letter
from openpyxl.worksheet._reader import CELL_TAG, DATA_TAG, FORMULA_TAG, ROW_TAG, VALUE_TAG, WorkSheetParser
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from bpkg.loaders.limits import DEFAULT_LIMITS, Limits
from bpkg.loaders.problems import Loc, Problems, excerpt, shorten

LINE_KEY = "__line__"


def listed(value: str) -> list[str]:
    """A cell listing values separated by ``;`` (empty parts dropped)."""
    return [part.strip() for part in value.split(";") if part.strip()]


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
            if _stamp(self.path) == self.stamp:
                quiet = Problems(0)
                with _records(self.path, self.name, quiet, self.limits, self.sheet) as opened:
                    if opened is not None and next(opened[0], None) is not None:  # the header
                        yield from _data_rows(replace(self), opened[0], quiet)
                        return
        except Exception as exc:  # whatever it is, the file is not the one read before
            problems.add(Loc(self.name), "", f"{_CHANGED} ({exc.__class__.__name__})")
            return
        problems.add(Loc(self.name), "", _CHANGED)


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


_CHUNK: Final = 1 << 20
_CHANGED: Final = "the file changed while it was being read; check the dataset again"


def _stamp(path: Path) -> tuple[int, int]:
    """Size and modification time: a file is read more than once, and must be the same file each time."""
    info = path.stat()
    return info.st_size, info.st_mtime_ns


def check_text(path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS) -> bool:
    """Whether the file is within ``max_file_bytes``, not empty and UTF-8 (a problem when not).

    The file is read in chunks and its text dropped as it goes: readers then stream it (a 10 MB file held as
    text costs 10 to 40 MB). The problems are those of ``read_text``.
    """
    if not _size_ok(path, problems, name, limits):
        return False
    decoder = codecs.getincrementaldecoder("utf-8-sig")()
    size = 0
    content = False
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(_CHUNK):
                size += len(chunk)
                if size > limits.max_file_bytes:
                    reason = f"the file is over {limits.max_file_bytes} bytes; {limits.hint('max_file_bytes')}"
                    problems.add(Loc(name), "", reason)
                    return False
                content = content or bool(chunk.strip())
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
    except OSError as exc:
        problems.add(Loc(name), "", f"the file cannot be read ({exc.strerror or exc.__class__.__name__})")
        return False
    except UnicodeDecodeError:
        return read_text(path, problems, name, limits) is not None  # says where, from the whole file (within the limit)
    if not content:
        problems.add(Loc(name), "", "the file is empty")
        return False
    return True


def _open_text(path: Path) -> TextIO:
    """The file's text as a stream (checked by ``check_text`` first); line ends are kept as they are."""
    return path.open(encoding="utf-8-sig", newline="")


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

    ``walk`` reads a document one item of its top-level lists at a time (see ``read_graph_yaml``).
    """

    limits: Limits
    depth: int
    count: int
    issues: list[tuple[int, str, str]]  # (line, field, reason)
    lines: dict[int, _Line]
    # What ``walk`` found: the document's shape ("mapping", "list", "value" or None: no content), the line and
    # keys of a top-level mapping, and what its lists hold ("list", "empty" or "other": not a list).
    top: str | None
    top_line: int
    top_keys: list[str]
    top_lists: dict[str, str]
    failure: yaml.YAMLError | None  # the first error met while constructing (raised once composing is done)

    def _start_checks(self, limits: Limits) -> None:
        self.limits = limits
        self.depth = 0
        self.count = 0
        self.issues = []
        self.lines = {}
        self.top = None
        self.top_line = 1
        self.top_keys = []
        self.top_lists = {}
        self.failure = None

    def _check_event(self, event: Any) -> None:
        """Refuse what a node may not be (an alias, an anchor, a tag, one value too many)."""
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

    def _deeper(self, mark: Any) -> None:
        self.depth += 1
        if self.depth > self.limits.max_depth:
            reason = (
                f"lists and mappings are nested more than {self.limits.max_depth} deep; {self.limits.hint('max_depth')}"
            )
            raise _Refused(None, None, reason, mark)

    def compose_node(self, parent: yaml.Node | None, index: int | None) -> yaml.Node | None:
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        self._check_event(event)
        try:
            self._deeper(event.start_mark)
            node: yaml.Node | None = super().compose_node(parent, index)  # type: ignore[misc]
        finally:
            self.depth -= 1
        if node is not None:
            line = node.start_mark.line
            node.start_mark = node.end_mark = self.lines.get(line) or self.lines.setdefault(line, _Line(line))
        return node

    # -- one item at a time ---------------------------------------------------------------------
    def _event(self) -> Any:
        return self.get_event()  # type: ignore[attr-defined]

    def _next_is(self, kind: type[yaml.Event]) -> bool:
        return bool(self.check_event(kind))  # type: ignore[attr-defined]

    def _plain(self, kind: type[yaml.Event]) -> Any:
        """The next event if it starts a list or mapping (``kind``) with no tag, else ``None``."""
        event: Any = self.peek_event()  # type: ignore[attr-defined]
        return event if isinstance(event, kind) and getattr(event, "tag", None) in (None, "!") else None

    def _construct(self, node: yaml.Node | None) -> Any:
        """The value of ``node`` (nothing of it is kept by the loader). An error is kept for later, as if the
        whole document had been composed before it was constructed: a composing error comes first."""
        if self.failure is not None:
            return None
        try:
            return self.construct_object(node, deep=True)  # type: ignore[attr-defined]
        except yaml.YAMLError as exc:
            self.failure = exc
            return None
        finally:
            self.constructed_objects: dict[Any, Any] = {}
            self.recursive_objects: dict[Any, Any] = {}

    def walk(self, want: str | None) -> Iterator[Any]:
        """Read the document, holding one item of a top-level list at a time.

        With ``want`` ``None`` everything is checked and constructed (``issues`` and the ``top...`` fields are
        filled in) and nothing is yielded; with ``want`` ``"nodes"`` the items of the top-level ``nodes`` list
        are yielded, and nothing else is constructed. The checks, issues and errors are those of composing
        and constructing the whole document, in the same order.
        """
        self._event()  # stream start
        if self._next_is(yaml.StreamEndEvent):
            self._event()
            return
        self._event()  # document start
        if start := self._plain(yaml.MappingStartEvent):
            self.top = "mapping"
            yield from self._walk_mapping(start, want)
        elif start := self._plain(yaml.SequenceStartEvent):
            self.top = "list"
            yield from self._walk_list(start, want is None, False)
        else:
            value = self._construct(self.compose_node(None, None))
            self.top = None if value is None and self.failure is None else "value"
        self._event()  # document end
        if not self._next_is(yaml.StreamEndEvent):
            event = self._event()
            raise ComposerError(
                "expected a single document in the stream", None, "but found another document", event.start_mark
            )
        self._event()
        if self.failure is not None:
            raise self.failure

    def _walk_list(self, start: Any, construct: bool, give: bool) -> Iterator[Any]:
        self._check_event(start)
        self._deeper(start.start_mark)
        self._event()
        while not self._next_is(yaml.SequenceEndEvent):
            node = self.compose_node(None, None)
            if construct:
                value = self._construct(node)
                if give:
                    yield value
            self.lines.clear()
        self._event()
        self.depth -= 1

    def _walk_mapping(self, start: Any, want: str | None) -> Iterator[Any]:
        self._check_event(start)
        self._deeper(start.start_mark)
        self._event()
        self.top_line = start.start_mark.line + 1
        first_line: dict[str, int] = {}
        while not self._next_is(yaml.MappingEndEvent):
            key = _mapping_key(self, self.compose_node(None, None), first_line, top=True)
            if key is not None:
                self.top_keys.append(key)
            if start := self._plain(yaml.SequenceStartEvent):
                if key in _LISTS:
                    self.top_lists[key] = "list"
                yield from self._walk_list(start, key is not None and want in (None, key), key == want)
            else:
                node = self.compose_node(None, None)
                if key is not None and want is None:
                    value = self._construct(node)
                    if key in _LISTS:
                        self.top_lists[key] = "other" if value else "empty"
            self.lines.clear()
        self._event()
        self.depth -= 1


_LISTS: Final = ("nodes", "relationships")


class _PyLoader(_Checks, yaml.SafeLoader):
    """The checks on PyYAML's pure-Python parser."""

    def __init__(self, stream: Any, limits: Limits) -> None:
        yaml.SafeLoader.__init__(self, stream)
        self._start_checks(limits)


_LOADERS: list[type[Any]] = [_PyLoader]
if yaml.__with_libyaml__:  # pragma: no branch - PyYAML's wheels bundle libyaml
    from yaml._yaml import CParser

    class _CLoader(_Checks, Composer, CParser, SafeConstructor, Resolver):
        """The checks on libyaml's parser (about three times faster); composing stays in Python."""

        def __init__(self, stream: Any, limits: Limits) -> None:
            CParser.__init__(self, stream)
            Composer.__init__(self)
            SafeConstructor.__init__(self)
            Resolver.__init__(self)
            self._start_checks(limits)

    _LOADERS.insert(0, _CLoader)


def _mapping_key(loader: Any, key_node: Any, first_line: dict[str, int], top: bool = False) -> str | None:
    """The key of one pair of a mapping, or ``None`` (with an issue) when it cannot be one. ``top``: a key
    of the top-level mapping, read by ``walk``."""
    line = key_node.start_mark.line + 1
    if key_node.tag == _MERGE_TAG:
        loader.issues.append((line, "<<", "merge keys (<<) are not allowed in dataset files; write the keys out"))
        return None
    key = loader._construct(key_node) if top else loader.construct_object(key_node, deep=True)
    if not isinstance(key, str):
        loader.issues.append((line, "", f"a key must be text (got {excerpt(key)}); quote it"))
        return None
    if key == LINE_KEY:
        loader.issues.append((line, key, "this key is reserved; use another name"))
        return None
    if key in first_line:
        reason = f"duplicate key (first given at line {first_line[key]}); a key may appear once in a mapping"
        loader.issues.append((line, key, reason))
        return None
    first_line[key] = line
    return key


def _construct_mapping(loader: Any, node: yaml.MappingNode) -> dict[Any, Any]:
    mapping: dict[Any, Any] = {}
    first_line: dict[str, int] = {}
    for key_node, value_node in node.value:
        key = _mapping_key(loader, key_node, first_line)
        if key is not None:
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


def _line_at(path: Path, position: int, chars: bool) -> int:
    """The line of a position in the file's text: in characters (PyYAML's reader), or in bytes of its UTF-8
    without a byte-order mark (libyaml's)."""
    if chars:
        with _open_text(path) as fh:
            return fh.read(position).count("\n") + 1
    with path.open("rb") as fh:
        if fh.read(3) != codecs.BOM_UTF8:
            fh.seek(0)
        return fh.read(position).count(b"\n") + 1


def _parse(path: Path, problems: Problems, name: str, limits: Limits, kind: type[Any], body: Any) -> Any:
    """``body(parser)`` on a parser of the file's text, or ``_FAILED`` with a problem for what stopped it."""
    try:
        with _open_text(path) as fh:
            parser = None
            try:
                parser = kind(fh, limits)  # the pure-Python reader checks the first characters here
                return parser, body(parser)
            finally:
                if parser is not None:
                    parser.dispose()
    except yaml.reader.ReaderError as exc:
        char = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1] or "\0")
        problems.add(
            Loc(name, f"line {_line_at(path, exc.position, kind is _PyLoader)}"),
            "",
            f"not valid YAML: the control character U+{char:04X} is not allowed in a YAML file",
        )
    except _Refused as exc:
        mark = exc.problem_mark
        problems.add(Loc(name, f"line {mark.line + 1}" if mark else ""), "", str(exc.problem))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = str(getattr(exc, "problem", None) or exc)
        if "nesting depth" in problem:  # libyaml's own bound (1000) can be met before ours, while scanning ahead
            reason = f"lists and mappings are nested more than {limits.max_depth} deep; {limits.hint('max_depth')}"
        else:
            reason = f"not valid YAML: {shorten(problem, 200)}"
        problems.add(Loc(name, where), "", reason)
    except RecursionError:  # not expected with max_depth; kept so that no input ends in a traceback
        problems.add(Loc(name), "", f"lists and mappings are nested too deep; {limits.hint('max_depth')}")
    except (OSError, UnicodeDecodeError):
        problems.add(Loc(name), "", _CHANGED)
    return _FAILED


_FAILED: Final = object()


def read_yaml(
    path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS, loader: type[Any] | None = None
) -> Any:
    """Parsed YAML with ``__line__`` on every mapping, or ``None`` (with a problem).

    Duplicate keys and other issues that do not stop parsing are reported, and the document is still
    returned (with the first of duplicate keys), so that the rest of the file is checked too.
    """
    if not check_text(path, problems, name, limits):
        return None
    found = _parse(path, problems, name, limits, loader or _LOADERS[0], lambda parser: parser.get_single_data())
    if found is _FAILED:
        return None
    parser, doc = found
    for line, key, reason in parser.issues:
        problems.add(Loc(name, f"line {line}"), key, reason)
    if doc is None:
        problems.add(Loc(name), "", "the file has no content (only comments or blank lines)")
    return doc


@dataclass(frozen=True, slots=True)
class GraphYaml:
    """A YAML file that passed every check of ``read_graph_yaml``; ``items`` reads it again, one item at a time.

    ``mapping``: the document is a mapping (else a list or a single value); ``line`` and ``keys``: that
    mapping's line and keys (the first of duplicate keys), in order; ``lists``: what its ``nodes`` and
    ``relationships`` hold: ``"list"``, ``"empty"`` or ``"other"`` (a value that is not a list).
    """

    path: Path
    name: str
    limits: Limits
    loader: type[Any]
    stamp: tuple[int, int]
    mapping: bool
    line: int = 1
    keys: tuple[str, ...] = ()
    lists: dict[str, str] = field(default_factory=dict)

    def items(self, key: str, problems: Problems) -> Iterator[Any]:
        """The items of the top-level list ``key``, as ``read_yaml`` would construct them (``__line__`` on every
        mapping), one at a time. A file that changed since it was checked is a problem, and yields nothing."""
        changed = True
        try:
            changed = _stamp(self.path) != self.stamp
            if not changed:
                with _open_text(self.path) as fh:
                    parser = self.loader(fh, self.limits)
                    try:
                        yield from parser.walk(key)
                    finally:
                        parser.dispose()
        except (yaml.YAMLError, RecursionError, OSError, UnicodeDecodeError):
            changed = True
        if changed:
            problems.add(Loc(self.name), "", _CHANGED)


def read_graph_yaml(
    path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS, loader: type[Any] | None = None
) -> GraphYaml | None:
    """A checked YAML graph file, or ``None`` (with a problem).

    The problems are those of ``read_yaml``, but the file is never held whole: it is read once to check
    it (and its items are dropped as they are read), then again for each list by ``GraphYaml.items``.
    """
    if not check_text(path, problems, name, limits):
        return None
    kind = loader or _LOADERS[0]
    stamp = _stamp(path)
    found = _parse(path, problems, name, limits, kind, lambda parser: list(parser.walk(None)))
    if found is _FAILED:
        return None
    parser = found[0]
    for line, key, reason in parser.issues:
        problems.add(Loc(name, f"line {line}"), key, reason)
    if parser.top is None:
        problems.add(Loc(name), "", "the file has no content (only comments or blank lines)")
        return None
    if parser.top != "mapping":
        return GraphYaml(path, name, limits, kind, stamp, mapping=False)
    return GraphYaml(
        path, name, limits, kind, stamp, True, parser.top_line, tuple(parser.top_keys), dict(parser.top_lists)
    )


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


def _header(
    path: Path, name: str, records: Iterator[tuple[int, list[object]]], problems: Problems, limits: Limits
) -> Table | None:
    try:
        first = next(records, None)
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
    table = Table(columns, path, name, limits, _stamp(path), header_cells=len(raw_header))
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


def _data_rows(table: Table, records: Iterator[tuple[int, list[object]]], problems: Problems) -> Iterator[Row]:
    """The rows after the header, bounded by ``max_cells``; ``table.complete`` is False when reading stopped."""
    limits = table.limits
    cells = table.header_cells
    try:
        for line, raw in records:
            cells += len(raw)
            if cells > limits.max_cells:
                reason = f"the table has more than {limits.max_cells} cells; {limits.hint('max_cells')}"
                problems.add(Loc(table.name, f"row {line}"), "", reason)
                raise _Stop
            yield from _row(table.name, table.columns, line, raw, problems)
    except _Stop:
        table.complete = False


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


def _csv_records(text: TextIO, name: str, problems: Problems, limits: Limits) -> Iterator[tuple[int, list[object]]]:
    reader = csv.reader(text, strict=True)
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


def _sheet_records(
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


def _holds_rows(sheet: Any, name: str, limits: Limits) -> bool:
    """Whether a worksheet has a row with a value in it, read only as far as the first such row. A sheet that
    cannot be read to its end within the limits counts as holding rows (it cannot be shown to be empty)."""
    try:
        with closing(_sheet_records(sheet, name, Problems(0), limits)) as records:
            return any(any(v is not None for v in values) for _, values in records)
    except Exception:  # damaged or over the limits: not shown to be empty
        return True


def _header_names(sheet: Any, name: str, limits: Limits) -> frozenset[str]:
    """The column names in a worksheet's first row (empty when it has none or cannot be read)."""
    try:
        with closing(_sheet_records(sheet, name, Problems(0), limits)) as records:
            line, values = next(records, (0, []))
    except Exception:  # a damaged sheet is no candidate
        return frozenset()
    if line != 1:
        return frozenset()
    return frozenset(t for v in values if not isinstance(v, _BadCell) and (t := _cell_text(v)))


def _quoted(titles: list[str]) -> str:
    return ", ".join(f"'{shorten(t, 60)}'" for t in titles)


def _pick_sheet(
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
def _records(
    path: Path,
    name: str,
    problems: Problems,
    limits: Limits,
    sheet: str | None = None,
    columns: frozenset[str] = frozenset(),
) -> Iterator[tuple[Iterator[tuple[int, list[object]]], str | None] | None]:
    """The records of a CSV file or of a workbook's sheet (``_pick_sheet``), streamed, with the sheet's title;
    ``None`` (with a problem) when the workbook cannot be opened or no sheet can be chosen."""
    if path.suffix.lower() == ".csv":
        with _open_text(path) as fh:
            yield _csv_records(fh, name, problems, limits), None
        return
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
            chosen = _pick_sheet(book, name, problems, limits, sheet, columns)
            if chosen is None:
                yield None
            else:
                yield _sheet_records(chosen, name, problems, limits), chosen.title
        finally:
            book.close()


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

    For a workbook, ``sheet`` names the worksheet to read; without it, see ``_pick_sheet`` (``columns`` are
    those whose presence in a sheet's first row makes it a candidate). Every row is read and its problems
    reported, but rows are not kept: ``Table.rows`` reads them again.
    """
    suffix = path.suffix.lower()
    if suffix == ".csv":
        if not check_text(path, problems, name, limits):
            return None
    elif suffix == ".xlsx":
        if not _size_ok(path, problems, name, limits) or not _check_zip(path, name, problems, limits):
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
                for _ in _data_rows(table, records, problems):
                    pass
            return table
    except Exception as exc:
        if suffix == ".xlsx":  # damaged XML, bad coordinates, odd cell types ...
            reason = f"the workbook is damaged ({exc.__class__.__name__}: {shorten(str(exc), 120)})"
        elif isinstance(exc, OSError | UnicodeDecodeError):
            reason = _CHANGED
        else:
            raise
        problems.add(Loc(name), "", reason)
        return None
