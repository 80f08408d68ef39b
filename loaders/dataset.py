"""Read a dataset folder, validate everything, and return a GraphBatch (or raise DatasetInvalid).

The loading contract (design.md §5): read every file, validate all of it, report *all* problems with
file, row/line and field, and hand nothing to a sink unless the whole dataset is valid.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Iterator
from importlib import resources
from pathlib import Path
from typing import Any, Final

from pydantic import ValidationError

from graph_schema import NODE_MODELS, REL_MODELS, Label, RelType, allowed_targets, is_allowed, to_properties
from loaders.batch import DatasetInfo, GraphBatch, Node, Rel
from loaders.problems import Loc, Problems
from loaders.raw import RawNode, RawRel
from loaders.readers import LINE_KEY, Row, read_table, read_yaml

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


def _row_data(row: Row) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key, value in row.cells.items():
        if value is None:
            continue
        data[key] = _split(value) if key in LIST_FIELDS else value
    return data


def _reason(err: Any) -> str:
    kind = err["type"]
    if kind == "missing":
        return "required property is missing"
    if kind == "extra_forbidden":
        return "unknown property (not in the schema for this label or type)"
    given = err.get("input")
    shown = "" if isinstance(given, dict | list | tuple) else f" (got {given!r})"
    return f"{err['msg']}{shown}"


class _Validator:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems = Problems()
        self.raw_nodes: list[RawNode] = []
        self.raw_rels: list[RawRel] = []
        self.plans: list[tuple[str, list[Row]]] = []
        # Ids of nodes that were read but are invalid: their own problem is reported once, and links
        # to them are not reported again as dangling.
        self.invalid_ids: set[str] = set()

    # -- reading -----------------------------------------------------------------------------
    def read_manifest(self) -> DatasetInfo | None:
        name = "manifest.yaml"
        path = self.folder / name
        if not path.is_file():
            self.problems.add(Loc(name), "", f"no manifest.yaml in {self.folder}")
            return None
        doc = read_yaml(path, self.problems, name)
        if doc is None:
            return None
        if not isinstance(doc, dict):
            self.problems.add(Loc(name), "", "the manifest must be a mapping")
            return None
        loc = Loc(name, f"line {doc.get(LINE_KEY, 1)}")
        for key in ("name", "version", "files"):
            if not doc.get(key):
                self.problems.add(loc, key, "required manifest entry is missing")
        dname = str(doc.get("name") or "")
        if dname and not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", dname):
            self.problems.add(loc, "name", "use lower-case letters, digits and hyphens")
        files = doc.get("files") or []
        if not isinstance(files, list):
            self.problems.add(loc, "files", "must be a list of {path, format}")
            files = []
        for entry in files:
            self._read_file_entry(entry, name)
        return DatasetInfo(
            name=dname,
            version=str(doc.get("version") or ""),
            description=str(doc.get("description") or "").strip(),
            illustrative=str(doc.get("illustrative") or "").strip(),
        )

    def _read_file_entry(self, entry: Any, manifest: str) -> None:
        if not isinstance(entry, dict):
            self.problems.add(Loc(manifest), "files", f"entry {entry!r} must be a mapping {{path, format}}")
            return
        loc = Loc(manifest, f"line {entry.get(LINE_KEY, 1)}")
        rel = str(entry.get("path") or "")
        fmt = str(entry.get("format") or "")
        if fmt not in FORMATS:
            self.problems.add(loc, "format", f"'{fmt}' is not one of {', '.join(FORMATS)}")
            return
        path = (self.folder / rel).resolve()
        if not rel or not path.is_relative_to(self.folder.resolve()) or not path.is_file():
            self.problems.add(loc, "path", f"file '{rel}' not found in the dataset folder")
            return
        if fmt == "graph":
            if path.suffix.lower() not in (".yaml", ".yml"):
                self.problems.add(loc, "path", "a 'graph' file must be YAML (.yaml)")
                return
            self._read_graph(path, rel)
            return
        if path.suffix.lower() not in _TABLE_SUFFIXES:
            self.problems.add(loc, "path", f"a '{fmt}' file must be .csv or .xlsx")
            return
        table = read_table(path, self.problems, rel)
        if table is None:
            return
        required = {"nodes": _NODE_COLUMNS, "relationships": _REL_COLUMNS, "plan": _PLAN_REQUIRED}[fmt]
        header = Loc(rel, "row 1")
        missing = [c for c in required if c not in table.columns]
        for col in missing:
            self.problems.add(header, col, "required column is missing")
        if fmt == "plan":
            for col in table.columns:
                if col not in PLAN_COLUMNS:
                    self.problems.add(header, col, f"unknown column; plan columns are {', '.join(PLAN_COLUMNS)}")
            if not missing:
                self.plans.append((rel, table.rows))
            return
        if missing:
            return
        for row in table.rows:
            if fmt == "nodes":
                self.raw_nodes.append(RawNode(row.loc, _row_data(row)))
            else:
                self.raw_rels.append(RawRel(row.loc, _row_data(row)))

    def _read_graph(self, path: Path, name: str) -> None:
        doc = read_yaml(path, self.problems, name)
        if doc is None:
            return
        if not isinstance(doc, dict):
            self.problems.add(Loc(name), "", "a graph file must be a mapping with 'nodes' and 'relationships'")
            return
        for key in doc:
            if key not in ("nodes", "relationships", LINE_KEY):
                self.problems.add(Loc(name, f"line {doc[LINE_KEY]}"), str(key), "unknown top-level key")
        for key in ("nodes", "relationships"):
            items = doc.get(key) or []
            if not isinstance(items, list):
                self.problems.add(Loc(name), key, "must be a list")
                continue
            for item in items:
                if not isinstance(item, dict):
                    self.problems.add(Loc(name), key, f"item {item!r} must be a mapping")
                    continue
                loc = Loc(name, f"line {item.pop(LINE_KEY)}")
                if any(isinstance(v, dict) for v in item.values()):
                    self.problems.add(loc, "", "nested mappings are not allowed as property values")
                    continue
                if key == "nodes":
                    self.raw_nodes.append(RawNode(loc, item))
                else:
                    self.raw_rels.append(RawRel(loc, item))

    # -- validating ---------------------------------------------------------------------------
    def _pydantic(self, loc: Loc, model: Any, data: dict[str, Any]) -> Any:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                field = ".".join(str(p) for p in err["loc"][:1]) or ""
                self.problems.add(loc, field, _reason(err))
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
                    self.problems.add(raw.loc, "id", f"duplicate id '{ident}' (first used at {first_seen[ident]})")
                    continue
                first_seen[ident] = raw.loc
            label_text = data.pop("label", None)
            try:
                label = Label(str(label_text))
            except ValueError:
                reason = f"unknown label '{label_text}'; known: {', '.join(Label)}"
                self.problems.add(raw.loc, "label", reason if label_text else "required property is missing")
                if isinstance(ident, str):
                    self.invalid_ids.add(ident)
                continue
            model = self._pydantic(raw.loc, NODE_MODELS[label], data)
            if model is None:
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
                if str(ref) not in self.invalid_ids:
                    self.problems.add(raw.loc, field, f"no node with id '{ref}' in the dataset")
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
                    raw.loc, "type", f"unknown relationship type '{type_text}'; known: {', '.join(RelType)}"
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
        def check_sources(loc: Loc, sources: list[str]) -> None:
            for src in sources:
                found = by_id.get(src)
                if src in self.invalid_ids:
                    continue
                if found is None or found.label is not Label.SOURCE:
                    self.problems.add(loc, "sources", f"'{src}' is not a Source node in the dataset")

        for node in nodes:
            check_sources(node_locs[node.id], node.props["sources"])
        under: dict[str, tuple[str, Loc]] = {}
        for rel in rels:
            loc = rel_locs[rel.key]
            check_sources(loc, rel.props["sources"])
            for country in rel.props.get("countries", []):
                found = by_id.get(country)
                if country in self.invalid_ids:
                    continue
                if found is None or found.label is not Label.COUNTRY:
                    self.problems.add(loc, "countries", f"'{country}' is not a Country node in the dataset")
            if rel.type is RelType.UNDER:
                if rel.source in under and under[rel.source][0] != rel.target:
                    goal, where = under[rel.source]
                    self.problems.add(
                        loc, "goal", f"{rel.source} is already under {goal} ({where}); one goal per action point"
                    )
                else:
                    under[rel.source] = (rel.target, loc)


def _iter_locs(raw_nodes: list[RawNode]) -> Iterator[tuple[str, Loc]]:
    for raw in raw_nodes:
        ident = raw.data.get("id")
        if isinstance(ident, str):
            yield ident, raw.loc


def load_dataset(dataset: str | Path | None = None) -> GraphBatch:
    """Read and validate a dataset; return its GraphBatch or raise ``DatasetInvalid`` with all problems."""
    from loaders.plan import plan_rels  # plan rows need the reference graph first

    folder = resolve(dataset)
    v = _Validator(folder)
    info = v.read_manifest()
    nodes, by_id = v.nodes()
    node_locs = dict(_iter_locs(v.raw_nodes))
    rel_locs: dict[tuple[str, str, str], Loc] = {}
    rels = v.rels(v.raw_rels, by_id, rel_locs)
    for name, rows in v.plans:
        rels += v.rels(plan_rels(name, rows, by_id, rels, v.problems, v.invalid_ids), by_id, rel_locs)
    v.references(nodes, rels, rel_locs, node_locs, by_id)
    v.problems.raise_if_any()
    assert info is not None  # a missing manifest is a problem, raised above
    return GraphBatch(info=info, nodes=nodes, rels=rels)
