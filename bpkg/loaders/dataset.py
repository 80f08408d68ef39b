"""Read a dataset folder, validate everything, and return a GraphBatch (or raise DatasetInvalid).

The loading contract (design.md §5): read every file, validate all of it, report *all* problems with
file, row/line and field, and hand nothing to a sink unless the whole dataset is valid.
"""

from __future__ import annotations

import re
import typing
import zipfile
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from bpkg.graph_schema import (
    NODE_MODELS,
    REL_MODELS,
    RETIRED_DATES,
    DateError,
    Label,
    RelType,
    When,
    allowed_targets,
    changed_ends,
    date_conflicts,
    is_allowed,
    parse_date,
    parse_when,
    to_properties,
)
from bpkg.graph_schema.dates import DATED_FIELDS, outside_years
from bpkg.graph_schema.properties import CHECK_TO_REVIEW, ID_PATTERN, CheckStatus
from bpkg.loaders.batch import DatasetInfo, GraphBatch, Node, Rel
from bpkg.loaders.checks import value_problems
from bpkg.loaders.formats import iati, rdf
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import DatasetInvalid, Loc, Problem, Problems, excerpt, pydantic_reason, shorten
from bpkg.loaders.readers import LINE_KEY, Row, Table, listed, read_graph_yaml, read_table, read_yaml
from bpkg.loaders.stats import GraphStats, stats_from_counts

BUNDLED: Final = "budapest-process"
FORMATS: Final = ("graph", "nodes", "relationships", "plan", "rdf", "iati")
_TABLE_SUFFIXES: Final = (".csv", ".xlsx")
_NODE_COLUMNS: Final = ("id", "label", "name", "sources", "confidence")
_REL_COLUMNS: Final = ("from", "type", "to", "sources", "confidence")
PLAN_COLUMNS: Final = (
    "action_point",
    "goal",
    "activity",
    "component",
    "project",
    "countries",
    "strength",
    "confidence",
    "source",
    "note",
    "reviewed",
)
_PLAN_REQUIRED: Final = ("action_point", "confidence", "source")


def _list_fields() -> frozenset[str]:
    names: set[str] = set()
    for model in [*NODE_MODELS.values(), *REL_MODELS.values()]:
        for fname, info in model.model_fields.items():
            ann = info.annotation
            if typing.get_origin(ann) is tuple or any(typing.get_origin(a) is tuple for a in typing.get_args(ann)):
                names.add(fname)
    return frozenset(names)


LIST_FIELDS: Final = _list_fields()


def bundled_path(name: str = BUNDLED) -> Path:
    """Folder of a dataset that ships inside the package (works from an installed wheel)."""
    path = Path(str(resources.files("bpkg.loaders") / "datasets" / name))
    if not (path / "manifest.yaml").is_file():
        raise FileNotFoundError(f"no bundled dataset named '{name}'")
    return path


def template_path(suffix: str) -> Path:
    """The empty implementation-plan template (``.csv`` or ``.xlsx``)."""
    return Path(str(resources.files("bpkg.loaders") / "templates" / f"implementation-plan{suffix}"))


def resolve(dataset: str | Path | None) -> Path:
    """A dataset folder from a path, a bundled dataset name, or ``None`` for the default."""
    if dataset is None:
        return bundled_path()
    path = Path(dataset)
    if path.is_dir():
        return path
    if isinstance(dataset, str) and re.fullmatch(r"[a-z0-9-]+", dataset):
        try:
            return bundled_path(dataset)
        except FileNotFoundError:
            pass
    raise FileNotFoundError(f"dataset '{dataset}' is neither a folder nor a bundled dataset")


def _row_data(cells: dict[str, str | None]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in cells.items():
        if value is None:
            continue
        data[key] = listed(value) if key in LIST_FIELDS else value
    return data


_ID_RE: Final = re.compile(ID_PATTERN)
SOURCE_CHECKS: Final = "source-checks.csv"
"""The results of ``bpkg sources check --write``, kept next to the manifest (``_Validator.read_source_checks``)."""
_CHECK_COLUMNS: Final = ("source", "checked_on", "status", "reason", "moved_to")
_CHECK_STATUSES: Final = typing.get_args(CheckStatus)
# Columns a nodes / relationships table may have: a property of some label / type (or an end of a link).
_NODE_KNOWN: Final = frozenset({"label", *(f for m in NODE_MODELS.values() for f in m.model_fields)})
_REL_KNOWN: Final = frozenset({"from", "type", "to", *(f for m in REL_MODELS.values() for f in m.model_fields)})
# Numbered nodes whose numbers are unique within the node that holds them (by this relationship).
_NUMBERED_UNDER: Final = {
    (RelType.CONTAINS, Label.ACTION_PLAN, Label.ACTION_POINT): "action plan",
    (RelType.SETS, Label.ACTION_PLAN, Label.PRIORITY_GOAL): "action plan",
    (RelType.MAKES, Label.DECLARATION, Label.COMMITMENT): "declaration",
}


@dataclass(slots=True)
class _Failed:
    """A file of nodes that could not be read whole. Links to the nodes it may hold are not reported one by
    one (each would only repeat the file's own problem): they are counted and reported once."""

    name: str
    ids: frozenset[str] | None  # the ids the file holds, as far as they could be read; None: unknown
    skipped: int = 0


def _claimed_ids(table: Table, problems: Problems) -> frozenset[str] | None:
    """Ids a nodes table holds, read from its ``id`` column (or its first column when the header is wrong)."""
    if not table.complete:
        return None
    key = "id" if "id" in table.columns else table.columns[0]
    ids = {ident for row in table.rows(problems) if (ident := row.cells.get(key))}
    if key != "id" and _ID_RE.fullmatch(key):
        ids.add(key)  # the header row itself may be the first data row
    return frozenset(ids)


def _read_size(path: Path) -> int:
    """Bytes the readers go through: the file's size, or for a workbook the size of its parts unzipped."""
    size = path.stat().st_size
    if path.suffix.lower() == ".xlsx":
        try:
            with zipfile.ZipFile(path) as archive:
                return max(size, sum(info.file_size for info in archive.infolist()))
        except (zipfile.BadZipFile, EOFError, ValueError):
            pass  # reported when the file is read
    return size


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in data.items() if value is not None}


_NO_PROPS: Final[dict[str, Any]] = {}
"""The properties of a node kept by ``validate_dataset`` when it has no number and no ``updated`` date."""


class _Link:
    """A relationship as read, then checked (``settle``): what the checks across files need of it, and with
    ``keep`` its properties. Only the ends, type and location are kept of one that fails its own checks.

    Settled links compare and hash by their key (source, type, target), so that a set of them finds
    duplicates without a second copy of every key.
    """

    __slots__ = (
        "confidence",
        "countries",
        "from_field",
        "later",
        "note",
        "props",
        "reviewed",
        "source",
        "sources",
        "target",
        "to_field",
        "type",
        "where",
    )

    def __init__(self, where: int, source: Any, target: Any, from_field: str, to_field: str) -> None:
        self.where = where  # see ``_Validator.code``
        self.source = source  # as read (None when missing; a number in YAML is reported as given)
        self.target = target
        self.from_field = from_field
        self.to_field = to_field
        self.type: RelType | None = None
        # Problems of its own found while reading (type, properties), reported in the relationship step;
        # the number of them when the step can no longer list them.
        self.later: tuple[tuple[str, str], ...] | int = ()
        self.props: dict[str, Any] | None = None  # None: the properties are not valid
        self.sources: tuple[str, ...] = ()
        self.countries: tuple[str, ...] = ()
        self.reviewed: str | None = None
        self.confidence = ""
        self.note = False  # whether its note says why it links across periods (see ``anachronisms``)

    @property
    def key(self) -> tuple[str, str, str]:
        assert self.type is not None
        return (str(self.source), self.type.value, str(self.target))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Link) and self.key == other.key

    def __hash__(self) -> int:
        return hash(self.key)


class _Validator:
    """Reads a dataset's files one row or item at a time and checks it, in the steps of design.md §5.

    Problems are reported in the order of the steps (reading every file, then nodes, relationships, plans,
    references, numbers), each step in the order of the files. Nodes are checked as they are read, into
    ``node_problems``, which follow the reading problems. Only what the checks across files need is kept:
    per node its label, id, location and number / ``updated`` date (``keep``: all its properties), per
    relationship a ``_Link``.
    """

    def __init__(self, folder: Path, limits: Limits, keep: bool = True) -> None:
        self.folder = folder
        self.limits = limits
        self.keep = keep
        self.problems = Problems(limits.max_problems)
        self.node_problems = Problems(limits.max_problems)
        self.by_id: dict[str, Node] = {}  # valid nodes, in the order read
        self.first_seen: dict[str, int] = {}  # where each id was first given (valid or not; see ``code``)
        self.places: dict[tuple[str, str, bool], int] = {}  # (file, "row" or "line", numbered): its number
        self.place_list: list[tuple[str, str, bool]] = []
        self.pending_sources: dict[str, tuple[str, ...]] = {}  # node sources not yet known to be Source nodes
        self.links: list[_Link] = []
        self.later = 0  # problems kept in links for the relationship step
        self.plans: list[tuple[str, Table, frozenset[str]]] = []
        self.strings: dict[Any, Any] = {}  # one copy of each id, source list ... kept
        self.labels: Counter[str] = Counter()
        self.types: Counter[str] = Counter()
        self.node_levels: Counter[str] = Counter()
        self.link_levels: Counter[str] = Counter()
        # Ids of nodes that were read but are invalid: their own problem is reported once, and links
        # to them are not reported again as dangling.
        self.invalid_ids: set[str] = set()
        self.failed: list[_Failed] = []
        self.seen_files: dict[Path, str] = {}
        self.total_bytes = 0
        # source-checks.csv: per source id, the row it was given in and what the last check found of the page
        self.source_checks: dict[str, tuple[int, dict[str, str]]] = {}
        self.cites_to_review: list[tuple[int, str, str]] = []  # (where, node id, source id) of nodes citing one

    def _one(self, value: Any) -> Any:
        return self.strings.setdefault(value, value)

    def code(self, loc: Loc) -> int:
        """A location as one number (a third of the memory of a ``Loc``): its file and unit, then its number."""
        unit, _, number = loc.where.rpartition(" ")
        if not number.isdigit():
            unit, number = loc.where, ""
        key = (loc.file, unit, bool(number))
        place = self.places.setdefault(key, len(self.places))
        if place == len(self.place_list):
            self.place_list.append(key)
        return place << 32 | int(number or 0)

    def at(self, code: int) -> Loc:
        """The location ``code`` stands for."""
        file, unit, numbered = self.place_list[code >> 32]
        return Loc(file, f"{unit} {code & 0xFFFFFFFF}" if numbered else unit)

    # -- reading -----------------------------------------------------------------------------
    def _bad_values(self, loc: Loc, data: dict[str, Any], problems: Problems | None = None) -> bool:
        """Report every value that cannot be taken as read (control characters, too long, a boolean ...)."""
        bad = False
        for key, value in data.items():
            for reason in value_problems(str(key), value, self.limits):
                (self.problems if problems is None else problems).add(loc, str(key), reason)
                bad = True
        return bad

    def _years(self, props: dict[str, Any]) -> list[tuple[str, str]]:
        """The dates among ``props`` that name a year outside the limits' range, with the reason."""
        out: list[tuple[str, str]] = []
        for field in DATED_FIELDS:
            value = props.get(field)
            if isinstance(value, str):
                reason = outside_years(value, self.limits.min_year, self.limits.max_year)
                if reason:
                    hint = f"{self.limits.env_name('min_year')} and {self.limits.env_name('max_year')}"
                    out.append((field, f"{reason} (the dataset's setting: {hint})"))
        return out

    def read_manifest(self) -> DatasetInfo | None:
        name = "manifest.yaml"
        path = self.folder / name
        if not path.is_file():
            self.problems.add(Loc(name), "", f"no manifest.yaml in {shorten(str(self.folder), 200)}")
            return None
        doc = read_yaml(path, self.problems, name, self.limits)
        if doc is None:
            return None
        if not isinstance(doc, dict):
            self.problems.add(Loc(name), "", "the manifest must be a mapping")
            return None
        loc = Loc(name, f"line {doc.get(LINE_KEY, 1)}")
        texts = {key: doc.get(key) for key in ("name", "version", "description", "illustrative")}
        for key, value in texts.items():
            if isinstance(value, dict | list):
                self.problems.add(loc, key, "must be text")
                texts[key] = None
        self._bad_values(loc, _plain(texts))
        for key in ("name", "version", "files"):
            if not doc.get(key):
                self.problems.add(loc, key, "required manifest entry is missing")
        dname = str(texts["name"] or "")
        if dname and not _ID_RE.fullmatch(dname):
            self.problems.add(loc, "name", "use lower-case letters, digits and hyphens")
        files = doc.get("files") or []
        if not isinstance(files, list):
            self.problems.add(loc, "files", "must be a list of {path, format}")
            files = []
        if len(files) > self.limits.max_files:
            self.problems.add(loc, "files", f"the manifest lists {len(files)} files; {self.limits.hint('max_files')}")
            files = []
        self.read_source_checks()
        for entry in files:
            self._read_file_entry(entry, name)
        return DatasetInfo(
            name=dname,
            version=str(texts["version"] or ""),
            description=str(texts["description"] or "").strip(),
            illustrative=str(texts["illustrative"] or "").strip(),
        )

    def read_source_checks(self) -> None:
        """``source-checks.csv``, written by ``bpkg sources check --write`` (not listed in the manifest): per
        cited source, when it was last checked and what was found. The results become the Source's
        ``checked_on``, ``check_status`` and ``moved_to``; a page found changed or gone puts the facts resting on
        it up for review (``warnings``)."""
        path = self.folder / SOURCE_CHECKS
        if not path.is_file():
            return
        table = read_table(path, self.problems, SOURCE_CHECKS, self.limits)
        if table is None:
            return
        for col in ("source", "checked_on", "status"):
            if col not in table.columns:
                self.problems.add(Loc(SOURCE_CHECKS, "row 1"), col, "required column is missing")
        for col in table.columns:
            if col not in _CHECK_COLUMNS:
                self.problems.add(Loc(SOURCE_CHECKS, "row 1"), col, f"unknown column; use {', '.join(_CHECK_COLUMNS)}")
        if not table.ok or not {"source", "checked_on", "status"} <= set(table.columns):
            return
        for row in table.rows(self.problems):
            if row.bad or self._bad_values(row.loc, _plain(dict(row.cells))):
                continue
            cells = {key: (value or "").strip() for key, value in row.cells.items()}
            source, on, status, moved = cells["source"], cells["checked_on"], cells["status"], cells.get("moved_to", "")
            bad = False
            if not source:
                self.problems.add(row.loc, "source", "required value is missing")
                bad = True
            elif source in self.source_checks:
                first = self.at(self.source_checks[source][0])
                self.problems.add(row.loc, "source", f"{excerpt(source)} was checked in an earlier row ({first})")
                bad = True
            try:
                parse_date(on)
            except DateError as exc:
                self.problems.add(row.loc, "checked_on", str(exc) if on else "required value is missing")
                bad = True
            if status not in _CHECK_STATUSES:
                known = ", ".join(_CHECK_STATUSES)
                self.problems.add(row.loc, "status", f"unknown status {excerpt(status)}; use {known}")
                bad = True
            if moved and not re.fullmatch(r"https?://\S+", moved):
                self.problems.add(row.loc, "moved_to", "must be a web address (http:// or https://)")
                bad = True
            if not bad:
                found = {"checked_on": on, "check_status": status} | ({"moved_to": moved} if moved else {})
                self.source_checks[self._one(source)] = (self.code(row.loc), found)

    def _dataset_file(self, loc: Loc, rel: str) -> Path | None:
        """The file a manifest entry names, if it is a regular file inside the dataset folder."""
        shown = shorten(rel)
        try:
            root = self.folder.resolve()
            candidate = self.folder / rel
            target = candidate.resolve()
            through_link = False
            step = self.folder
            for part in Path(rel).parts:
                step = step / part
                through_link = through_link or step.is_symlink()
            if not target.is_relative_to(root):
                if through_link:
                    reason = f"'{shown}' is a link that leads outside the dataset folder; such links are refused"
                else:
                    reason = f"'{shown}' is outside the dataset folder; give a path inside it"
                self.problems.add(loc, "path", reason)
                return None
            if not target.exists():
                self.problems.add(loc, "path", f"file '{shown}' not found in the dataset folder")
                return None
            if target.is_dir():
                self.problems.add(loc, "path", f"'{shown}' is a folder, not a file")
                return None
            if not target.is_file():
                self.problems.add(loc, "path", f"'{shown}' is not a regular file")
                return None
            size = _read_size(target)
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a loop of links
            self.problems.add(loc, "path", f"'{shown}' cannot be used as a path ({exc.__class__.__name__})")
            return None
        if target in self.seen_files:
            self.problems.add(loc, "path", f"'{shown}' is listed twice (first at {self.seen_files[target]})")
            return None
        self.seen_files[target] = str(loc)
        self.total_bytes += size
        if self.total_bytes > self.limits.max_dataset_bytes:
            self.problems.add(
                loc,
                "path",
                f"with '{shown}' the dataset's files add up to {self.total_bytes} bytes (workbooks unzipped); "
                f"{self.limits.hint('max_dataset_bytes')}",
            )
            return None
        return target

    def _read_file_entry(self, entry: Any, manifest: str) -> None:
        if not isinstance(entry, dict):
            self.problems.add(Loc(manifest), "files", f"entry {excerpt(entry)} must be a mapping {{path, format}}")
            return
        loc = Loc(manifest, f"line {entry.get(LINE_KEY, 1)}")
        for key in ("path", "format", "sheet"):
            if isinstance(entry.get(key), dict | list):
                self.problems.add(loc, key, "must be text")
                return
        named = {"path": entry.get("path"), "format": entry.get("format"), "sheet": entry.get("sheet")}
        if self._bad_values(loc, _plain(named)):
            return
        sheet = None if entry.get("sheet") is None else str(entry.get("sheet"))
        rel = str(entry.get("path") or "")
        fmt = str(entry.get("format") or "")
        if fmt not in FORMATS:
            self.problems.add(loc, "format", f"{excerpt(fmt)} is not one of {', '.join(FORMATS)}")
            return
        if not rel:
            self.problems.add(loc, "path", "required manifest entry is missing")
            return
        path = self._dataset_file(loc, rel)
        if path is None:
            if fmt in ("graph", "nodes"):
                self.failed.append(_Failed(shorten(rel), None))
            return
        if fmt in ("rdf", "iati"):
            self._read_items(path, shorten(rel), fmt)
            return
        if fmt == "graph":
            if path.suffix.lower() not in (".yaml", ".yml"):
                self.problems.add(loc, "path", "a 'graph' file must be YAML (.yaml)")
                return
            self._read_graph(path, shorten(rel))
            return
        if path.suffix.lower() not in _TABLE_SUFFIXES:
            self.problems.add(loc, "path", f"a '{fmt}' file must be .csv or .xlsx")
            return
        if sheet is not None and path.suffix.lower() != ".xlsx":
            self.problems.add(loc, "sheet", "only a workbook (.xlsx) has sheets; remove 'sheet' or list the workbook")
            return
        self._read_table(path, shorten(rel), fmt, sheet)

    def _read_table(self, path: Path, rel: str, fmt: str, sheet: str | None = None) -> None:
        required = {"nodes": _NODE_COLUMNS, "relationships": _REL_COLUMNS, "plan": _PLAN_REQUIRED}[fmt]
        table = read_table(path, self.problems, rel, self.limits, sheet=sheet, columns=frozenset(required))
        if table is None:
            if fmt == "nodes":
                self.failed.append(_Failed(rel, None))
            return
        header = Loc(rel, "row 1")
        missing = [c for c in required if c not in table.columns]
        for col in missing:
            self.problems.add(header, col, "required column is missing")
        known = {"nodes": _NODE_KNOWN, "relationships": _REL_KNOWN, "plan": frozenset(PLAN_COLUMNS)}[fmt]
        unknown = frozenset(c for c in table.columns if c and c not in known)
        for col in table.columns:
            if col in unknown:
                if fmt != "plan" and col in RETIRED_DATES:
                    reason = RETIRED_DATES[col]
                elif fmt == "plan":
                    reason = f"unknown column; plan columns are {', '.join(PLAN_COLUMNS)}"
                else:
                    what = "label" if fmt == "nodes" else "relationship type"
                    reason = f"unknown column: no {what} has this property"
                self.problems.add(header, col, reason)
        if missing or not table.ok:
            if fmt == "nodes":
                self.failed.append(_Failed(rel, _claimed_ids(table, self.problems)))
            return
        if not table.complete and fmt == "nodes":
            self.failed.append(_Failed(rel, None))
        for row in table.rows(self.problems):
            cells = {key: value for key, value in row.cells.items() if key not in unknown}
            if row.bad or self._bad_values(row.loc, _plain(cells)):
                ident = cells.get("id")
                if fmt == "nodes" and ident:
                    self.invalid_ids.add(ident)
                continue
            if fmt == "nodes":
                self._take_node(row.loc, _row_data(cells))
            elif fmt == "relationships":
                self._take_link(row.loc, _row_data(cells))
        if fmt == "plan":
            self.plans.append((rel, table, unknown))  # its rows are read again in the plan step

    def _plan_rows(self, table: Table, unknown: frozenset[str]) -> Iterator[Row]:
        """The rows of a plan that passed the reading checks (whose problems were reported then)."""
        quiet = Problems(0)
        for row in table.rows(self.problems):
            cells = {key: value for key, value in row.cells.items() if key not in unknown}
            if not row.bad and not self._bad_values(row.loc, _plain(cells), quiet):
                yield row

    def _read_items(self, path: Path, name: str, fmt: str) -> None:
        """An RDF file of the product's vocabulary, or an IATI activity file: read as node and link items."""
        if fmt == "rdf":
            graph = rdf.parse(path, self.problems, name, self.limits)
            found = None if graph is None else rdf.items(graph, name, LIST_FIELDS, self.problems)
        else:
            found = iati.items(path, self.problems, name, self.limits)
        if found is None:
            self.failed.append(_Failed(name, None))
            return
        for item in found:
            if self._bad_values(item.loc, _plain(item.data)):
                if isinstance(item.data.get("id"), str) and item.kind == "nodes":
                    self.invalid_ids.add(item.data["id"])
                continue
            if item.kind == "nodes":
                self._take_node(item.loc, item.data)
            else:
                self._take_link(item.loc, item.data)

    def _read_graph(self, path: Path, name: str) -> None:
        doc = read_graph_yaml(path, self.problems, name, self.limits)
        if doc is None:
            self.failed.append(_Failed(name, None))
            return
        if not doc.mapping:
            self.problems.add(Loc(name), "", "a graph file must be a mapping with 'nodes' and 'relationships'")
            self.failed.append(_Failed(name, None))
            return
        top = Loc(name, f"line {doc.line}")
        for key in doc.keys:
            if key not in ("nodes", "relationships"):
                self.problems.add(top, str(key), "unknown top-level key")
        items_read = 0
        for key in ("nodes", "relationships"):
            kind = doc.lists.get(key)
            if kind == "other":
                self.problems.add(top, key, "must be a list")
                if key == "nodes":
                    self.failed.append(_Failed(name, None))
                continue
            if kind != "list":
                continue
            for item in doc.items(key, self.problems):
                if not isinstance(item, dict):
                    self.problems.add(Loc(name), key, f"item {excerpt(item)} must be a mapping")
                    continue
                items_read += 1
                loc = Loc(name, f"line {item.pop(LINE_KEY)}")
                ident = item.get("id") if key == "nodes" else None
                if any(isinstance(v, dict) for v in item.values()):
                    self.problems.add(loc, "", "nested mappings are not allowed as property values")
                    bad = True
                else:
                    bad = self._bad_values(loc, item)
                if bad:
                    if isinstance(ident, str):
                        self.invalid_ids.add(ident)
                    continue
                if key == "nodes":
                    self._take_node(loc, item)
                else:
                    self._take_link(loc, item)
        if not items_read and "nodes" not in doc.keys and "relationships" not in doc.keys:
            self.problems.add(top, "", "the file has neither 'nodes' nor 'relationships'")

    # -- validating ---------------------------------------------------------------------------
    def missing(self, loc: Loc, field: str, ident: str, reason: str) -> None:
        """Report a link to a node that is not in the dataset, unless that is a follow-on of a problem
        already reported (an invalid node, or a file of nodes that could not be read)."""
        if ident in self.invalid_ids:
            return
        for failed in self.failed:
            if failed.ids is not None and ident in failed.ids:
                failed.skipped += 1
                return
        for failed in self.failed:
            if failed.ids is None:
                failed.skipped += 1
                return
        self.problems.add(loc, field, reason)

    def follow_ons(self) -> None:
        for failed in self.failed:
            if not failed.skipped:
                continue
            if failed.ids is None:
                reason = (
                    f"{failed.skipped} link(s) to nodes not in the dataset were not checked, because this file "
                    "could not be read whole and may hold them"
                )
            else:
                reason = (
                    f"{failed.skipped} link(s) to nodes of {failed.name} were not checked, because that file is invalid"
                )
            self.problems.add(Loc(failed.name), "", reason)

    def _pydantic(self, loc: Loc, model: Any, data: dict[str, Any], problems: Problems) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"][:1]) or ""
                retired = err["type"] == "extra_forbidden" and field in RETIRED_DATES
                problems.add(loc, field, RETIRED_DATES[field] if retired else pydantic_reason(err))
            return None

    def _take_node(self, loc: Loc, data: dict[str, Any]) -> None:
        """Check one node as it is read (the node step: its problems go to ``node_problems``) and keep it."""
        problems = self.node_problems
        ident = data.get("id")
        if isinstance(ident, str):
            # Checked before the properties so that a duplicate is reported even when one copy is invalid.
            if ident in self.first_seen:
                first = self.at(self.first_seen[ident])
                problems.add(loc, "id", f"duplicate id {excerpt(ident)} (first used at {first})")
                return
            self.first_seen[self._one(ident)] = self.code(loc)
        label_text = data.pop("label", None)
        try:
            label = Label(str(label_text))
        except ValueError:
            reason = f"unknown label {excerpt(label_text)}; known: {', '.join(Label)}"
            problems.add(loc, "label", reason if label_text else "required property is missing")
            if isinstance(ident, str):
                self.invalid_ids.add(ident)
            return
        if label is Label.SOURCE and isinstance(ident, str) and ident in self.source_checks:
            data.update(self.source_checks[ident][1])  # the last check's result (source-checks.csv)
        model = self._pydantic(loc, NODE_MODELS[label], data, problems)
        conflicts = [*date_conflicts(model.model_dump()), *self._years(model.model_dump())] if model is not None else []
        for field, reason in conflicts:
            problems.add(loc, field, reason)
        if model is None or conflicts:
            if isinstance(ident, str):
                self.invalid_ids.add(ident)
            return
        props = to_properties(model)
        self.labels[label.value] += 1
        self.node_levels[str(props["confidence"])] += 1
        sources = tuple(self._one(s) for s in props["sources"])
        if not all((found := self.by_id.get(s)) is not None and found.label is Label.SOURCE for s in sources):
            self.pending_sources[self._one(model.id)] = self._one(sources)
        if self.source_checks and label is not Label.SOURCE:  # a source citing itself is not a fact resting on it
            for s in sources:
                if s in self.source_checks and self.source_checks[s][1]["check_status"] in CHECK_TO_REVIEW:
                    self.cites_to_review.append((self.code(loc), self._one(model.id), s))
        if not self.keep:
            props = {key: props[key] for key in ("number", "updated", "when") if key in props} or _NO_PROPS
        node = Node(label, self._one(model.id), props)
        self.by_id[node.id] = node

    def _take_link(self, loc: Loc, data: dict[str, Any], from_field: str = "from", to_field: str = "to") -> None:
        """Check what of one relationship does not depend on other nodes as it is read, and keep it for the
        relationship step (``settle``)."""
        source, target = data.pop("from", None), data.pop("to", None)
        link = _Link(
            self.code(loc),
            self._one(source) if isinstance(source, str) else source,
            self._one(target) if isinstance(target, str) else target,
            from_field,
            to_field,
        )
        later = Problems()
        type_text = data.pop("type", None)
        if type_text is None:
            later.add(loc, "type", "required property is missing")
        else:
            try:
                link.type = RelType(str(type_text))
            except ValueError:
                later.add(loc, "type", f"unknown relationship type {excerpt(type_text)}; known: {', '.join(RelType)}")
        model = self._pydantic(loc, REL_MODELS[link.type], data, later) if link.type else None
        if model is not None:
            for field, reason in self._years(model.model_dump()):
                later.add(loc, field, reason)
                model = None
        if later.items:
            if self.later < self.limits.max_problems:
                link.later = tuple((p.field, p.reason) for p in later.items)
                self.later += len(later.items)
            else:  # past what the relationship step can list: counted only
                link.later = len(later.items)
        if model is not None:
            props = to_properties(model)
            link.props = props if self.keep else _NO_PROPS
            link.confidence = self._one(str(props["confidence"]))
            link.sources = self._one(tuple(self._one(s) for s in props["sources"]))
            link.countries = self._one(tuple(self._one(c) for c in props.get("countries", ())))
            link.reviewed = self._one(props["reviewed"]) if "reviewed" in props else None
            link.note = _says_why_outside(str(props.get("note") or ""))
        self.links.append(link)

    def nodes(self) -> None:
        """The node step: its problems were found as the nodes were read; they follow the reading problems."""
        self.problems.extend(self.node_problems)
        for source, (where, _) in self.source_checks.items():
            node = self.by_id.get(source)
            if (node is None or node.label is not Label.SOURCE) and source not in self.invalid_ids:
                self.problems.add(self.at(where), "source", f"no Source node {excerpt(source)} in the dataset")
        self.node_problems = Problems(0)

    def settle(self, links: list[_Link], seen: dict[_Link, _Link]) -> list[_Link]:
        """The relationship step for ``links``: their ends, their own problems, the schema, duplicates
        (``seen``: the links settled before). The valid ones, in order."""
        out: list[_Link] = []
        for link in links:
            loc = self.at(link.where)
            ends: list[Node | None] = []
            for ref, field in ((link.source, link.from_field), (link.target, link.to_field)):
                if ref is None:
                    self.problems.add(loc, field, "required property is missing")
                    ends.append(None)
                elif str(ref) not in self.by_id:
                    self.missing(loc, field, str(ref), f"no node with id {excerpt(ref)} in the dataset")
                    ends.append(None)
                else:
                    ends.append(self.by_id[str(ref)])
            if isinstance(link.later, int):
                self.problems.count(link.later)
            else:
                for field, reason in link.later:
                    self.problems.add(loc, field, reason)
            source, target = ends
            rel_type = link.type
            if rel_type is None or source is None or target is None:
                continue
            if not is_allowed(source.label, rel_type, target.label):
                allowed = sorted(allowed_targets(source.label, rel_type))
                hint = (
                    f"; from {source.label} it may go to {', '.join(allowed)}"
                    if allowed
                    else (f"; no {rel_type} relationship may start at a {source.label}")
                )
                self.problems.add(
                    loc,
                    "type",
                    f"{source.label} -[{rel_type}]-> {target.label} is not allowed by the schema{hint}",
                )
                continue
            if link.props is None:
                continue
            link.source, link.target = source.id, target.id
            first = seen.get(link)
            if first is not None:
                self.problems.add(
                    loc,
                    link.to_field,
                    f"duplicate relationship {link.source} -[{rel_type}]-> {link.target} "
                    f"(first given at {self.at(first.where)})",
                )
                continue
            seen[link] = link
            self.types[rel_type.value] += 1
            self.link_levels[link.confidence] += 1
            out.append(link)
        return out

    def references(self, links: list[_Link]) -> None:
        by_id = self.by_id

        def check(loc: Loc, field: str, ids: tuple[str, ...], label: Label) -> None:
            for ident in ids:
                found = by_id.get(ident)
                reason = f"{excerpt(ident)} is not a {label} node in the dataset"
                if found is None:
                    self.missing(loc, field, ident, reason)
                elif found.label is not label:
                    self.problems.add(loc, field, reason)

        for ident, sources in self.pending_sources.items():
            check(self.at(self.first_seen[ident]), "sources", sources, Label.SOURCE)
        under: dict[str, tuple[str, int]] = {}
        for link in links:
            loc = self.at(link.where)
            check(loc, "sources", link.sources, Label.SOURCE)
            check(loc, "countries", link.countries, Label.COUNTRY)
            if link.type is RelType.UNDER:
                if link.source in under and under[link.source][0] != link.target:
                    goal, where = under[link.source]
                    self.problems.add(
                        loc,
                        "goal",
                        f"{link.source} is already under {goal} ({self.at(where)}); one goal per action point",
                    )
                else:
                    under[link.source] = (link.target, link.where)

    def numbers(self, links: list[_Link]) -> None:
        """Action points (and goals, commitments) have numbers unique within their action plan (declaration)."""
        by_id = self.by_id
        first: dict[tuple[str, Label, Any], str] = {}
        for link in links:
            source, target = by_id[link.source], by_id[link.target]
            assert link.type is not None
            holder = _NUMBERED_UNDER.get((link.type, source.label, target.label))
            number = target.props.get("number")
            if holder is None or number is None:
                continue
            other = first.setdefault((source.id, target.label, number), target.id)
            if other != target.id:
                self.problems.add(
                    self.at(self.first_seen[target.id]),
                    "number",
                    f"{target.label} number {number} is used twice in {holder} {source.id}: by {other} "
                    f"({self.at(self.first_seen[other])}) and by {target.id}; numbers are unique within a {holder}",
                )

    def check(self) -> list[_Link]:
        """The steps after reading; the valid relationships, in order (the problems are in ``problems``)."""
        from bpkg.loaders.plan import plan_rels  # plan rows need the reference graph first

        self.nodes()
        seen: dict[_Link, _Link] = {}
        links = self.settle(self.links, seen)
        self.links = []
        for name, table, unknown in self.plans:
            reference = [Rel(link.type, link.source, link.target, _NO_PROPS) for link in links if link.type]
            rows = self._plan_rows(table, unknown)
            for raw in plan_rels(name, rows, self.by_id, reference, self.problems, self.missing):
                self._take_link(raw.loc, raw.data, raw.from_field, raw.to_field)
            del reference
            links += self.settle(self.links, seen)
            self.links = []
        self.references(links)
        self.numbers(links)
        self.follow_ons()
        return links

    def _found(self, source: str) -> str:
        found = self.source_checks[source][1]
        return (
            f"rests on {source}, whose page was found {found['check_status']} on {found['checked_on']} "
            f"({SOURCE_CHECKS}); check the fact against the page, then run bpkg sources check --write again"
        )

    def warnings(self, links: list[_Link]) -> list[Problem]:
        """Suspect links (see ``suspect_links``) and plan links across periods (see ``anachronisms``), with the
        file and row or line of each."""
        updated = {n.id: parse_date(str(n.props["updated"])) for n in self.by_id.values() if "updated" in n.props}
        warnings = Problems()
        for link, reason in anachronisms(self.by_id, links):
            warnings.add(self.at(link.where), "when", reason)
        for where, node_id, source in self.cites_to_review:
            warnings.add(self.at(where), "sources", f"to review: {node_id} {self._found(source)}")
        if self.source_checks:
            for link in links:
                for source in link.sources:
                    if self.source_checks.get(source, (0, {}))[1].get("check_status") in CHECK_TO_REVIEW:
                        assert link.type is not None
                        fact = f"{link.source} -[{link.type}]-> {link.target}"
                        warnings.add(self.at(link.where), "sources", f"to review: {fact} {self._found(source)}")
        for link in links:
            changed = changed_ends(updated, (link.source, link.target), link.reviewed)
            if changed:
                assert link.type is not None
                changes = ", ".join(f"{end} was updated {self.by_id[end].props['updated']}" for end in changed)
                warnings.add(
                    self.at(link.where),
                    "reviewed",
                    f"suspect link {link.source} -[{link.type}]-> {link.target}: {changes}, after the link was "
                    f"reviewed ({link.reviewed}); check it and give the date of that review",
                )
        return warnings.items


# A plan link whose responder's dates lie outside the plan's period is kept without a warning when its note says
# so in words: that the responder came before or after the plan, or lies outside its period (docs/dataset-format.md).
_OUTSIDE_WORDS: Final = ("before the plan", "after the plan", "outside the plan")


def _says_why_outside(note: str) -> bool:
    lowered = note.lower()
    return any(words in lowered for words in _OUTSIDE_WORDS)


def _period(node: Node | None) -> When | None:
    text = node.props.get("when") if node is not None else None
    if not text:
        return None
    try:
        return parse_when(str(text))
    except DateError:
        return None  # reported as a node problem already


def anachronisms(by_id: Mapping[str, Node], links: Iterable[_Link]) -> Iterator[tuple[_Link, str]]:
    """Links that respond to an action point from a responder whose dates lie wholly outside the period of the
    action plan containing that action point (ended before it began, or began after it ended), unless the link's
    note says why; each with the reason to show. Undated responders and plans are never flagged."""
    listed = list(links)
    plan_of = {
        str(link.target): str(link.source)
        for link in listed
        if link.type is RelType.CONTAINS and by_id[str(link.source)].label is Label.ACTION_PLAN
    }
    for link in listed:
        if link.type is not RelType.RESPONDS_TO or link.note or str(link.target) not in plan_of:
            continue
        plan_id = plan_of[str(link.target)]
        plan, responder = _period(by_id.get(plan_id)), _period(by_id.get(str(link.source)))
        if plan is None or responder is None:
            continue
        if responder.latest is not None and plan.earliest is not None and responder.latest < plan.earliest:
            side = "ended before"
        elif responder.earliest is not None and plan.latest is not None and responder.earliest > plan.latest:
            side = "began after"
        else:
            continue
        yield (
            link,
            f"{link.source} ({responder.text}) {side} the period of {plan_id} ({plan.text}), yet responds to "
            f"{link.target}: link a responder of the plan's period, or say in the row's note why it lies before "
            "or after the plan",
        )


def _rel(link: _Link) -> Rel:
    assert link.type is not None and link.props is not None  # a settled link
    return Rel(link.type, link.source, link.target, link.props)


@dataclass(frozen=True, slots=True)
class SuspectLink:
    """A link reviewed before a node it rests on last changed (``updated`` later than the link's ``reviewed``)."""

    rel: Rel
    changed: tuple[str, ...]  # ids of the end nodes updated after the review


def suspect_links(batch: GraphBatch) -> list[SuspectLink]:
    """Links with a ``reviewed`` date whose source or target node has an ``updated`` date that may be later.

    When the precisions leave it open (reviewed ``2024-05``, updated ``2024-05-10``) the link is suspect: it
    asks for a second look, which costs less than a stale link. Links without ``reviewed`` are never suspect."""
    updated = {n.id: parse_date(str(n.props["updated"])) for n in batch.nodes if "updated" in n.props}
    out: list[SuspectLink] = []
    for rel in batch.rels:
        changed = changed_ends(updated, (rel.source, rel.target), rel.props.get("reviewed"))
        if changed:
            out.append(SuspectLink(rel, changed))
    return out


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid dataset and the warnings about it (suspect links), each with file, row/line and field."""

    batch: GraphBatch
    warnings: list[Problem]


@dataclass(frozen=True, slots=True)
class Validated:
    """What ``bpkg validate`` reports of a valid dataset: its counts and warnings, without its content."""

    info: DatasetInfo
    stats: GraphStats
    warnings: list[Problem]


def load_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> GraphBatch:
    """Read and validate a dataset; return its GraphBatch or raise ``DatasetInvalid`` with all problems.

    ``limits`` bound what the files may hold; by default ``Limits`` with any ``BPKG_MAX_*`` overrides
    from the environment.
    """
    return check_dataset(dataset, limits=limits).batch


def _checked(
    dataset: str | Path | None, limits: Limits | None, keep: bool
) -> tuple[_Validator, DatasetInfo, list[_Link]]:
    if limits is None:
        limits, errors = Limits.from_env()
        if errors:
            raise DatasetInvalid([Problem(Loc("environment"), "", reason) for reason in errors])
    v = _Validator(resolve(dataset), limits, keep)
    info = v.read_manifest()
    links = v.check()
    v.problems.raise_if_any()
    assert info is not None  # a missing manifest is a problem, raised above
    return v, info, links


def check_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> Checked:
    """``load_dataset`` that also returns the warnings: links left suspect by a later change to a node they
    rest on (see ``suspect_links``)."""
    v, info, links = _checked(dataset, limits, keep=True)
    rels = [_rel(link) for link in links]
    return Checked(GraphBatch(info=info, nodes=list(v.by_id.values()), rels=rels), v.warnings(links))


def validate_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> Validated:
    """``check_dataset`` without building the dataset's content: the same problems (raised as
    ``DatasetInvalid``) and warnings, and the counts, holding only what the checks across files need."""
    v, info, links = _checked(dataset, limits, keep=False)
    return Validated(info, stats_from_counts(v.labels, v.types, v.node_levels, v.link_levels), v.warnings(links))
