"""A hardened YAML loader for dataset files: no anchors, aliases, tags or merge keys, bounded nesting and
value count, duplicate keys reported, dates kept as text, ``__line__`` on every mapping; and a graph file read
one item of its top-level lists at a time (``read_graph_yaml``, then ``GraphYaml.items``).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import yaml
from yaml.composer import Composer, ComposerError
from yaml.constructor import SafeConstructor
from yaml.resolver import Resolver

from bpkg.loaders.limits import DEFAULT_LIMITS, Limits
from bpkg.loaders.problems import Loc, Problems, excerpt, shorten
from bpkg.loaders.reading.bounded import CHANGED, check_text, file_stamp, open_text

LINE_KEY = "__line__"
"""The key every mapping read from YAML gets, holding the line it starts on."""


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


LOADERS: list[type[Any]] = [_PyLoader]
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

    LOADERS.insert(0, _CLoader)


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


for _loader in LOADERS:
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
        with open_text(path) as fh:
            return fh.read(position).count("\n") + 1
    with path.open("rb") as fh:
        if fh.read(3) != codecs.BOM_UTF8:
            fh.seek(0)
        return fh.read(position).count(b"\n") + 1


def _parse(path: Path, problems: Problems, name: str, limits: Limits, kind: type[Any], body: Any) -> Any:
    """``body(parser)`` on a parser of the file's text, or ``_FAILED`` with a problem for what stopped it."""
    try:
        with open_text(path) as fh:
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
        problems.add(Loc(name), "", CHANGED)
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
    found = _parse(path, problems, name, limits, loader or LOADERS[0], lambda parser: parser.get_single_data())
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
            changed = file_stamp(self.path) != self.stamp
            if not changed:
                with open_text(self.path) as fh:
                    parser = self.loader(fh, self.limits)
                    try:
                        yield from parser.walk(key)
                    finally:
                        parser.dispose()
        except (yaml.YAMLError, RecursionError, OSError, UnicodeDecodeError):
            changed = True
        if changed:
            problems.add(Loc(self.name), "", CHANGED)


def read_graph_yaml(
    path: Path, problems: Problems, name: str, limits: Limits = DEFAULT_LIMITS, loader: type[Any] | None = None
) -> GraphYaml | None:
    """A checked YAML graph file, or ``None`` (with a problem).

    The problems are those of ``read_yaml``, but the file is never held whole: it is read once to check
    it (and its items are dropped as they are read), then again for each list by ``GraphYaml.items``.
    """
    if not check_text(path, problems, name, limits):
        return None
    kind = loader or LOADERS[0]
    stamp = file_stamp(path)
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
