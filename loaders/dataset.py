"""Read a dataset folder, validate everything, and return a GraphBatch (or raise DatasetInvalid).

The loading contract (design.md §5): read every file, validate all of it, report *all* problems with
file, row/line and field, and hand nothing to a sink unless the whole dataset is valid.
"""

from __future__ import annotations

import re
import typing
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from graph_schema import (
    NODE_MODELS,
    REL_MODELS,
    Label,
    RelType,
    allowed_targets,
    date_conflicts,
    is_allowed,
    may_be_after,
    parse_date,
    to_properties,
)
from graph_schema.models import ID_PATTERN
from loaders.batch import DatasetInfo, GraphBatch, Node, Rel
from loaders.checks import value_problems
from loaders.limits import Limits
from loaders.problems import DatasetInvalid, Loc, Problem, Problems, excerpt, pydantic_reason, shorten
from loaders.raw import RawNode, RawRel
from loaders.readers import LINE_KEY, Row, Table, read_table, read_yaml

BUNDLED: Final = "budapest-process"
FORMATS: Final = ("graph", "nodes", "relationships", "plan")
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
    path = Path(str(resources.files("loaders") / "datasets" / name))
    if not (path / "manifest.yaml").is_file():
        raise FileNotFoundError(f"no bundled dataset named '{name}'")
    return path


def template_path(suffix: str) -> Path:
    """The empty implementation-plan template (``.csv`` or ``.xlsx``)."""
    return Path(str(resources.files("loaders") / "templates" / f"implementation-plan{suffix}"))


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


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def _row_data(cells: dict[str, str | None]) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in cells.items():
        if value is None:
            continue
        data[key] = _split(value) if key in LIST_FIELDS else value
    return data


_ID_RE: Final = re.compile(ID_PATTERN)
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


def _claimed_ids(table: Table) -> frozenset[str] | None:
    """Ids a nodes table holds, read from its ``id`` column (or its first column when the header is wrong)."""
    if not table.complete:
        return None
    key = "id" if "id" in table.columns else table.columns[0]
    ids = {ident for row in table.rows if (ident := row.cells.get(key))}
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


class _Validator:
    def __init__(self, folder: Path, limits: Limits) -> None:
        self.folder = folder
        self.limits = limits
        self.problems = Problems(limits.max_problems)
        self.raw_nodes: list[RawNode] = []
        self.raw_rels: list[RawRel] = []
        self.plans: list[tuple[str, list[Row]]] = []
        # Ids of nodes that were read but are invalid: their own problem is reported once, and links
        # to them are not reported again as dangling.
        self.invalid_ids: set[str] = set()
        self.failed: list[_Failed] = []
        self.seen_files: dict[Path, str] = {}
        self.total_bytes = 0

    # -- reading -----------------------------------------------------------------------------
    def _bad_values(self, loc: Loc, data: dict[str, Any]) -> bool:
        """Report every value that cannot be taken as read (control characters, too long, a boolean ...)."""
        bad = False
        for key, value in data.items():
            for reason in value_problems(str(key), value, self.limits):
                self.problems.add(loc, str(key), reason)
                bad = True
        return bad

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
        for entry in files:
            self._read_file_entry(entry, name)
        return DatasetInfo(
            name=dname,
            version=str(texts["version"] or ""),
            description=str(texts["description"] or "").strip(),
            illustrative=str(texts["illustrative"] or "").strip(),
        )

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
        for key in ("path", "format"):
            if isinstance(entry.get(key), dict | list):
                self.problems.add(loc, key, "must be text")
                return
        if self._bad_values(loc, _plain({"path": entry.get("path"), "format": entry.get("format")})):
            return
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
        if fmt == "graph":
            if path.suffix.lower() not in (".yaml", ".yml"):
                self.problems.add(loc, "path", "a 'graph' file must be YAML (.yaml)")
                return
            self._read_graph(path, shorten(rel))
            return
        if path.suffix.lower() not in _TABLE_SUFFIXES:
            self.problems.add(loc, "path", f"a '{fmt}' file must be .csv or .xlsx")
            return
        self._read_table(path, shorten(rel), fmt)

    def _read_table(self, path: Path, rel: str, fmt: str) -> None:
        table = read_table(path, self.problems, rel, self.limits)
        if table is None:
            if fmt == "nodes":
                self.failed.append(_Failed(rel, None))
            return
        required = {"nodes": _NODE_COLUMNS, "relationships": _REL_COLUMNS, "plan": _PLAN_REQUIRED}[fmt]
        header = Loc(rel, "row 1")
        missing = [c for c in required if c not in table.columns]
        for col in missing:
            self.problems.add(header, col, "required column is missing")
        known = {"nodes": _NODE_KNOWN, "relationships": _REL_KNOWN, "plan": frozenset(PLAN_COLUMNS)}[fmt]
        unknown = {c for c in table.columns if c and c not in known}
        for col in table.columns:
            if col in unknown:
                if fmt == "plan":
                    reason = f"unknown column; plan columns are {', '.join(PLAN_COLUMNS)}"
                else:
                    what = "label" if fmt == "nodes" else "relationship type"
                    reason = f"unknown column: no {what} has this property"
                self.problems.add(header, col, reason)
        if missing or not table.ok:
            if fmt == "nodes":
                self.failed.append(_Failed(rel, _claimed_ids(table)))
            return
        if not table.complete and fmt == "nodes":
            self.failed.append(_Failed(rel, None))
        good: list[Row] = []
        for row in table.rows:
            cells = {key: value for key, value in row.cells.items() if key not in unknown}
            if row.bad or self._bad_values(row.loc, _plain(cells)):
                ident = cells.get("id")
                if fmt == "nodes" and ident:
                    self.invalid_ids.add(ident)
                continue
            if fmt == "plan":
                good.append(row)
            elif fmt == "nodes":
                self.raw_nodes.append(RawNode(row.loc, _row_data(cells)))
            else:
                self.raw_rels.append(RawRel(row.loc, _row_data(cells)))
        if fmt == "plan":
            self.plans.append((rel, good))

    def _read_graph(self, path: Path, name: str) -> None:
        doc = read_yaml(path, self.problems, name, self.limits)
        if doc is None:
            self.failed.append(_Failed(name, None))
            return
        if not isinstance(doc, dict):
            self.problems.add(Loc(name), "", "a graph file must be a mapping with 'nodes' and 'relationships'")
            self.failed.append(_Failed(name, None))
            return
        top = Loc(name, f"line {doc[LINE_KEY]}")
        for key in doc:
            if key not in ("nodes", "relationships", LINE_KEY):
                self.problems.add(top, str(key), "unknown top-level key")
        items_read = 0
        for key in ("nodes", "relationships"):
            items = doc.get(key) or []
            if not isinstance(items, list):
                self.problems.add(top, key, "must be a list")
                if key == "nodes":
                    self.failed.append(_Failed(name, None))
                continue
            for item in items:
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
                    self.raw_nodes.append(RawNode(loc, item))
                else:
                    self.raw_rels.append(RawRel(loc, item))
        if not items_read and "nodes" not in doc and "relationships" not in doc:
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

    def _pydantic(self, loc: Loc, model: Any, data: dict[str, Any]) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"][:1]) or ""
                self.problems.add(loc, field, pydantic_reason(err))
            return None

    def nodes(self) -> tuple[list[Node], dict[str, Node]]:
        nodes: list[Node] = []
        by_id: dict[str, Node] = {}
        first_seen: dict[str, Loc] = {}
        for raw in self.raw_nodes:
            data = dict(raw.data)
            ident = data.get("id")
            if isinstance(ident, str):
                # Checked before the properties so that a duplicate is reported even when one copy is invalid.
                if ident in first_seen:
                    self.problems.add(
                        raw.loc, "id", f"duplicate id {excerpt(ident)} (first used at {first_seen[ident]})"
                    )
                    continue
                first_seen[ident] = raw.loc
            label_text = data.pop("label", None)
            try:
                label = Label(str(label_text))
            except ValueError:
                reason = f"unknown label {excerpt(label_text)}; known: {', '.join(Label)}"
                self.problems.add(raw.loc, "label", reason if label_text else "required property is missing")
                if isinstance(ident, str):
                    self.invalid_ids.add(ident)
                continue
            model = self._pydantic(raw.loc, NODE_MODELS[label], data)
            conflicts = date_conflicts(model.model_dump()) if model is not None else []
            for field, reason in conflicts:
                self.problems.add(raw.loc, field, reason)
            if model is None or conflicts:
                if isinstance(ident, str):
                    self.invalid_ids.add(ident)
                continue
            node = Node(label, model.id, to_properties(model))
            by_id[node.id] = node
            nodes.append(node)
        return nodes, by_id

    def rels(
        self, raws: list[RawRel], by_id: dict[str, Node], first_seen: dict[tuple[str, str, str], Loc]
    ) -> list[Rel]:
        rels: list[Rel] = []
        for raw in raws:
            rel = self._rel(raw, by_id)
            if rel is None:
                continue
            if rel.key in first_seen:
                self.problems.add(
                    raw.loc,
                    raw.to_field,
                    f"duplicate relationship {rel.source} -[{rel.type}]-> {rel.target} "
                    f"(first given at {first_seen[rel.key]})",
                )
                continue
            first_seen[rel.key] = raw.loc
            rels.append(rel)
        return rels

    def _rel(self, raw: RawRel, by_id: dict[str, Node]) -> Rel | None:
        data = dict(raw.data)
        ends: list[Node | None] = []
        for key, field in (("from", raw.from_field), ("to", raw.to_field)):
            ref = data.pop(key, None)
            if ref is None:
                self.problems.add(raw.loc, field, "required property is missing")
                ends.append(None)
            elif str(ref) not in by_id:
                self.missing(raw.loc, field, str(ref), f"no node with id {excerpt(ref)} in the dataset")
                ends.append(None)
            else:
                ends.append(by_id[str(ref)])
        type_text = data.pop("type", None)
        rel_type: RelType | None = None
        if type_text is None:
            self.problems.add(raw.loc, "type", "required property is missing")
        else:
            try:
                rel_type = RelType(str(type_text))
            except ValueError:
                self.problems.add(
                    raw.loc, "type", f"unknown relationship type {excerpt(type_text)}; known: {', '.join(RelType)}"
                )
        model = self._pydantic(raw.loc, REL_MODELS[rel_type], data) if rel_type else None
        source, target = ends
        if rel_type is None or source is None or target is None:
            return None
        if not is_allowed(source.label, rel_type, target.label):
            allowed = sorted(allowed_targets(source.label, rel_type))
            hint = (
                f"; from {source.label} it may go to {', '.join(allowed)}"
                if allowed
                else (f"; no {rel_type} relationship may start at a {source.label}")
            )
            self.problems.add(
                raw.loc,
                "type",
                f"{source.label} -[{rel_type}]-> {target.label} is not allowed by the schema{hint}",
            )
            return None
        if model is None:
            return None
        return Rel(rel_type, source.id, target.id, to_properties(model))

    def references(
        self,
        nodes: list[Node],
        rels: list[Rel],
        rel_locs: dict[tuple[str, str, str], Loc],
        node_locs: dict[str, Loc],
        by_id: dict[str, Node],
    ) -> None:
        def check(loc: Loc, field: str, ids: list[str], label: Label) -> None:
            for ident in ids:
                found = by_id.get(ident)
                reason = f"{excerpt(ident)} is not a {label} node in the dataset"
                if found is None:
                    self.missing(loc, field, ident, reason)
                elif found.label is not label:
                    self.problems.add(loc, field, reason)

        for node in nodes:
            check(node_locs[node.id], "sources", node.props["sources"], Label.SOURCE)
        under: dict[str, tuple[str, Loc]] = {}
        for rel in rels:
            loc = rel_locs[rel.key]
            check(loc, "sources", rel.props["sources"], Label.SOURCE)
            check(loc, "countries", rel.props.get("countries", []), Label.COUNTRY)
            if rel.type is RelType.UNDER:
                if rel.source in under and under[rel.source][0] != rel.target:
                    goal, where = under[rel.source]
                    self.problems.add(
                        loc, "goal", f"{rel.source} is already under {goal} ({where}); one goal per action point"
                    )
                else:
                    under[rel.source] = (rel.target, loc)

    def numbers(self, rels: list[Rel], node_locs: dict[str, Loc], by_id: dict[str, Node]) -> None:
        """Action points (and goals, commitments) have numbers unique within their action plan (declaration)."""
        first: dict[tuple[str, Label, Any], str] = {}
        for rel in rels:
            source, target = by_id[rel.source], by_id[rel.target]
            holder = _NUMBERED_UNDER.get((rel.type, source.label, target.label))
            number = target.props.get("number")
            if holder is None or number is None:
                continue
            other = first.setdefault((source.id, target.label, number), target.id)
            if other != target.id:
                self.problems.add(
                    node_locs[target.id],
                    "number",
                    f"{target.label} number {number} is used twice in {holder} {source.id}: by {other} "
                    f"({node_locs[other]}) and by {target.id}; numbers are unique within a {holder}",
                )


def _first_locs(raw_nodes: list[RawNode]) -> dict[str, Loc]:
    """Where each id was first given (the copy that counts when an id is duplicated)."""
    locs: dict[str, Loc] = {}
    for raw in raw_nodes:
        ident = raw.data.get("id")
        if isinstance(ident, str):
            locs.setdefault(ident, raw.loc)
    return locs


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
        reviewed = rel.props.get("reviewed")
        if reviewed is None:
            continue
        seen = parse_date(str(reviewed))
        changed = tuple(
            end
            for end in dict.fromkeys((rel.source, rel.target))
            if end in updated and may_be_after(updated[end], seen)
        )
        if changed:
            out.append(SuspectLink(rel, changed))
    return out


@dataclass(frozen=True, slots=True)
class Checked:
    """A valid dataset and the warnings about it (suspect links), each with file, row/line and field."""

    batch: GraphBatch
    warnings: list[Problem]


def load_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> GraphBatch:
    """Read and validate a dataset; return its GraphBatch or raise ``DatasetInvalid`` with all problems.

    ``limits`` bound what the files may hold; by default ``Limits`` with any ``BPKG_MAX_*`` overrides
    from the environment.
    """
    return check_dataset(dataset, limits=limits).batch


def check_dataset(dataset: str | Path | None = None, *, limits: Limits | None = None) -> Checked:
    """``load_dataset`` that also returns the warnings: links left suspect by a later change to a node they
    rest on (see ``suspect_links``)."""
    from loaders.plan import plan_rels  # plan rows need the reference graph first

    if limits is None:
        limits, errors = Limits.from_env()
        if errors:
            raise DatasetInvalid([Problem(Loc("environment"), "", reason) for reason in errors])
    folder = resolve(dataset)
    v = _Validator(folder, limits)
    info = v.read_manifest()
    nodes, by_id = v.nodes()
    node_locs = _first_locs(v.raw_nodes)
    rel_locs: dict[tuple[str, str, str], Loc] = {}
    rels = v.rels(v.raw_rels, by_id, rel_locs)
    for name, rows in v.plans:
        rels += v.rels(plan_rels(name, rows, by_id, rels, v.problems, v.missing), by_id, rel_locs)
    v.references(nodes, rels, rel_locs, node_locs, by_id)
    v.numbers(rels, node_locs, by_id)
    v.follow_ons()
    v.problems.raise_if_any()
    assert info is not None  # a missing manifest is a problem, raised above
    batch = GraphBatch(info=info, nodes=nodes, rels=rels)
    warnings = Problems()
    for suspect in suspect_links(batch):
        rel = suspect.rel
        changes = ", ".join(f"{end} was updated {by_id[end].props['updated']}" for end in suspect.changed)
        warnings.add(
            rel_locs[rel.key],
            "reviewed",
            f"suspect link {rel.source} -[{rel.type}]-> {rel.target}: {changes}, after the link was reviewed "
            f"({rel.props['reviewed']}); check it and give the date of that review",
        )
    return Checked(batch, warnings.items)
