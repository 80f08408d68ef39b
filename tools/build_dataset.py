"""Build the bundled dataset ``budapest-process`` from the sourced facts and the curated tables.

Run from the repository root::

    .venv/bin/python -m tools.build_dataset [--facts ../shared/domain/facts.yaml] [--out DIR] [--templates DIR]

It reads ``facts.yaml`` (the sourced facts; ``facts.md`` is its narrative) and the curated tables under
``tools/dataset/`` (ids, names, other names (aliases.csv), sources, documents, links, activities, the sample plan,
and ``wording.yaml``: the fixed ids, names, notes and per-fact decisions the builder's rules use; each says what it
holds and where its facts come from), and writes, deterministically (re-running gives
byte-identical files):

- ``--out`` (default ``bpkg/loaders/datasets/budapest-process/``): ``manifest.yaml``, ``reference.yaml`` (format
  ``graph``), ``countries.csv`` (format ``nodes``), ``sample-plan.csv`` (format ``plan``) and ``sample-plan.xlsx``
  (a copy of the sample plan for spreadsheet users; not listed in the manifest);
- ``--templates`` (default ``bpkg/loaders/templates/``): ``implementation-plan.csv`` and ``.xlsx``, the empty template.

Rules kept here and in ``tools/reference_graph.py`` (design.md §3): every node and relationship carries
``sources`` (ids of ``Source`` nodes) and the ``confidence`` the facts give; an ``inferred`` fact is never
upgraded, and says why in its ``note``; a ``confirmed`` link cites a source whose facts record states it; facts
marked ``missing`` are not facts (the 41 action points exist as nodes, without text). The sample plan is
illustrative only; each action point's goal assignment is a row of its own, so that its UNDER link has its own note.
Before writing, the output is checked against ``graph_schema`` (patterns and property models).
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Final

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from bpkg.graph_schema import NODE_MODELS, REL_MODELS, Label, RelType, date_conflicts, is_allowed
from bpkg.loaders.validation.columns import PLAN_COLUMNS
from tools.reference_graph import ILLUSTRATIVE, INFERRED, Graph, ReferenceBuilder
from tools.tables import TABLES_DIR, BuildError, DatasetSettings, Tables, read_tables

# The sample plan leaves out the optional ``reviewed`` column: nobody has reviewed an illustrative link. The
# empty template has every column.
SAMPLE_COLUMNS: Final = tuple(c for c in PLAN_COLUMNS if c != "reviewed")
REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_FACTS: Final = REPO / ".." / "shared" / "domain" / "facts.yaml"
DATASET_DIR: Final = REPO / "bpkg" / "loaders" / "datasets" / "budapest-process"
TEMPLATE_DIR: Final = REPO / "bpkg" / "loaders" / "templates"


def plan_rows(t: Tables) -> list[list[str]]:
    """The sample plan's rows (without header), ordered by action point.

    Each action point first gets a row of its own that only places it under its goal (no responder), so that the
    UNDER link carries the goal assignment's note (a row's note goes on every link the row makes); the rows of its
    responders follow, with the goal left empty, each with the note of its RESPONDS_TO link.
    """
    notes = t.settings.sample_plan
    goal_of = {ap: g.goal for g in t.plan_goals for ap in range(g.first_action_point, g.last_action_point + 1)}
    rows: list[list[str]] = []
    for ap in sorted(goal_of):
        links = [link for link in t.plan_links if link.action_point == ap]  # the listed order per action point
        goal_note = notes.goal_note if links else f"{notes.goal_note}; {notes.gap_note}"
        rows.append([str(ap), str(goal_of[ap]), "", "", "", "", "", ILLUSTRATIVE, notes.source, goal_note])
        for link in links:
            note = f"{notes.row_note} ({link.why})" if link.why else notes.row_note
            cells = [link.activity, link.component, link.project, link.countries, link.strength]
            rows.append([str(ap), "", *cells, ILLUSTRATIVE, notes.source, note])
    return rows


def check(g: Graph, rows: list[list[str]], sample_source: str) -> list[str]:
    """Everything the loader will check, plus the sample plan's coverage rules; returns problems."""
    problems = [*_node_problems(g), *_rel_problems(g)]
    under = [r for r in g.rels.values() if r["type"] == RelType.UNDER.value and r["to"].startswith("pg-")]
    if any(r["from"].startswith("ap-") for r in under):
        problems.append("reference data must not place action points under goals")
    return problems + _plan_problems(g, rows, sample_source)


def _node_problems(g: Graph) -> list[str]:
    """Each node against its model, its dates, its sources, and a note for what is inferred."""
    problems: list[str] = []
    for data in [*g.nodes, *g.countries]:
        label = Label(data["label"])
        props = {k: v for k, v in data.items() if k != "label"}
        try:
            NODE_MODELS[label].model_validate(props)
        except ValueError as exc:
            problems.append(f"node {data['id']}: {exc}")
        else:
            problems += [f"node {data['id']}, {field}: {reason}" for field, reason in date_conflicts(props)]
        for src in data["sources"]:
            if g.labels.get(src) is not Label.SOURCE:
                problems.append(f"node {data['id']}: unknown source {src}")
        if data["confidence"] == INFERRED and not data.get("note"):
            problems.append(f"node {data['id']}: inferred without a note saying why")
    return problems


def _rel_problems(g: Graph) -> list[str]:
    """Each relationship: its ends, the schema's patterns, its model, its sources, a note for what is inferred."""
    problems: list[str] = []
    for (source, rel_type, target), data in g.rels.items():
        rtype = RelType(rel_type)
        if source not in g.labels or target not in g.labels:
            problems.append(f"rel {source} {rel_type} {target}: unknown endpoint")
            continue
        if not is_allowed(g.labels[source], rtype, g.labels[target]):
            problems.append(f"rel {source} {rel_type} {target}: pattern not allowed")
        props = {k: v for k, v in data.items() if k not in ("from", "type", "to")}
        try:
            REL_MODELS[rtype].model_validate(props)
        except ValueError as exc:
            problems.append(f"rel {source} {rel_type} {target}: {exc}")
        for src in data["sources"]:
            if g.labels.get(src) is not Label.SOURCE:
                problems.append(f"rel {source} {rel_type} {target}: unknown source {src}")
        if data["confidence"] == INFERRED and not data.get("note"):
            problems.append(f"rel {source} {rel_type} {target}: inferred without a note saying why")
    return problems


def _plan_row_problems(g: Graph, cells: dict[str, str], sample_source: str) -> list[str]:
    """One sample-plan row: its responders exist and agree with the reference graph, its countries exist,
    and it is either a goal row or a response row, illustrative, sourced and noted."""
    problems: list[str] = []
    ap, activity, component, project = (cells[c] for c in ("action_point", "activity", "component", "project"))
    for value, label in ((activity, Label.ACTIVITY), (component, Label.COMPONENT), (project, Label.PROJECT)):
        if value and g.labels.get(value) is not label:
            problems.append(f"plan ap {ap}: {value} is not a {label}")
    if activity and component and not g.has(activity, RelType.PART_OF, component):
        problems.append(f"plan ap {ap}: {activity} is not PART_OF {component}")
    if component and project and not g.has(project, RelType.HAS_COMPONENT, component):
        problems.append(f"plan ap {ap}: {project} has no component {component}")
    if activity and project and not component and not g.has(activity, RelType.PART_OF, project):
        problems.append(f"plan ap {ap}: {activity} is not PART_OF {project}")
    for iso in filter(None, cells["countries"].split(";")):
        if g.labels.get(f"country-{iso.lower()}") is not Label.COUNTRY:
            problems.append(f"plan ap {ap}: unknown country {iso}")
    responder = activity or component or project
    if cells["goal"] and responder:
        problems.append(f"plan ap {ap}: the goal goes in a row of its own, so that UNDER gets its own note")
    if not cells["goal"] and not responder:
        problems.append(f"plan ap {ap}: a row with neither a goal nor a responder")
    if cells["confidence"] != ILLUSTRATIVE or cells["source"] != sample_source or not cells["note"]:
        problems.append(f"plan ap {ap}: every sample-plan row is illustrative, cites {sample_source} and has a note")
    return problems


def _plan_problems(g: Graph, rows: list[list[str]], sample_source: str) -> list[str]:
    """The sample plan's rows one by one, then its coverage rules (every action point under one goal, about 34
    with responders, several for action point 17)."""
    problems: list[str] = []
    pairs: set[tuple[str, str]] = set()
    responded: set[int] = set()
    for row in rows:
        cells = dict(zip(SAMPLE_COLUMNS, row, strict=True))
        problems += _plan_row_problems(g, cells, sample_source)
        ap = cells["action_point"]
        responder = cells["activity"] or cells["component"] or cells["project"]
        if responder:
            if (responder, ap) in pairs:
                problems.append(f"plan ap {ap}: duplicate responder {responder}")
            pairs.add((responder, ap))
            responded.add(int(ap))
    if sorted(int(r[0]) for r in rows if r[1]) != list(range(1, 42)):
        problems.append("the sample plan must place each of the 41 action points under a goal, once")
    goal_notes = {r[-1] for r in rows if r[1]}
    if goal_notes & {r[-1] for r in rows if not r[1]}:
        problems.append("the goal rows must not share a note with the response rows")
    ap17 = {r[2] or r[3] or r[4] for r in rows if r[0] == "17"} - {""}
    if len(ap17) < 3:
        problems.append("action point 17 needs several responders")
    if not 30 <= len(responded) <= 36:
        problems.append(f"{len(responded)} action points have responders; expected about 34")
    return problems


class _FlowMap(dict[str, Any]):
    """A mapping written on one line (relationships)."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_FlowMap, _flow_map)

_LABEL_ORDER: Final = (
    Label.SOURCE,
    Label.PROCESS,
    Label.ORGANISATION,
    Label.DECLARATION,
    Label.ACTION_PLAN,
    Label.COMMITMENT,
    Label.PRIORITY_GOAL,
    Label.ACTION_POINT,
    Label.REGION,
    Label.PROJECT,
    Label.COMPONENT,
    Label.ACTIVITY,
    Label.OUTPUT,
    Label.EVENT,
)
_REL_ORDER: Final = tuple(RelType)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=None)


def reference_yaml(g: Graph, facts_name: str) -> str:
    """reference.yaml: nodes grouped by label, relationships grouped by type, one relationship per line."""
    parts = [
        f"# Generated by tools/build_dataset.py from {facts_name}; edit the facts or the script, not this file.\n"
        "# Country nodes are in countries.csv; the illustrative action point links are in sample-plan.csv.\n",
        "nodes:\n",
    ]
    for label in _LABEL_ORDER:
        group = [n for n in g.nodes if n["label"] == label.value]
        if group:
            parts.append(f"# --- {label.value} ({len(group)})\n")
            parts.append(_dump(group))
    parts.append("relationships:\n")
    for rel_type in _REL_ORDER:
        group = [_FlowMap(r) for r in g.rels.values() if r["type"] == rel_type.value]
        if group:
            parts.append(f"# --- {rel_type.value} ({len(group)})\n")
            parts.append(_dump(group))
    return "".join(parts)


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


COUNTRY_COLUMNS: Final = ("id", "label", "name", "aliases", "iso3", "groups", "sources", "confidence", "note")


def countries_csv(g: Graph) -> str:
    """countries.csv (format ``nodes``), lists joined with ';'."""
    rows: list[list[str]] = [list(COUNTRY_COLUMNS)]
    for c in sorted(g.countries, key=lambda n: n["id"]):
        rows.append([";".join(c[k]) if isinstance(c.get(k), list) else str(c.get(k) or "") for k in COUNTRY_COLUMNS])
    return _csv(rows)


def _workbook(rows: Sequence[Sequence[str]], t: Tables, columns: Sequence[str]) -> bytes:
    """An XLSX with the plan on the first sheet and a README sheet; byte-identical for the same rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "plan"
    sheet.append(list(columns))
    for row in rows:
        sheet.append([int(v) if i in (0, 1) and v.isdigit() else (v or None) for i, v in enumerate(row)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = (13, 6, 42, 20, 16, 26, 9, 12, 20, 90, 11)[: len(columns)]
    for letter, width in zip("ABCDEFGHIJK", widths, strict=False):
        sheet.column_dimensions[letter].width = width
    readme = book.create_sheet("README")
    readme.append(["column", "required", "meaning", "example"])
    for line in t.plan_readme:
        readme.append([line.column, line.required, line.meaning, line.example])
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (14, 16, 90, 24), strict=True):
        readme.column_dimensions[letter].width = width
    for row_cells in readme.iter_rows(min_row=2):
        row_cells[2].alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.creator = "bpkg tools/build_dataset.py"
    book.properties.created = t.settings.xlsx_time
    book.properties.modified = t.settings.xlsx_time
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would stamp the current time into docProps/core.xml.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _normalise_zip(raw.getvalue(), t.settings)


def _normalise_zip(data: bytes, settings: DatasetSettings) -> bytes:
    """The same archive with fixed entry timestamps (zip entries otherwise record the write time)."""
    stamp = settings.xlsx_time.timetuple()[:6]
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=stamp)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def _folded(key: str, text: str) -> str:
    """A ``>-`` block keeping the table's line breaks."""
    return f"{key}: >-\n" + "".join(f"  {line}\n" for line in text.splitlines())


def manifest_yaml(settings: DatasetSettings, facts_name: str) -> str:
    """manifest.yaml of the bundled dataset."""
    return (
        f"# Generated by tools/build_dataset.py from {facts_name}; edit the script, not this file.\n"
        f"name: {settings.name}\n"
        f'version: "{settings.version}"\n'
        + _folded("description", settings.description)
        + _folded("illustrative", settings.illustrative)
        + "files:\n"
        "  - {path: reference.yaml, format: graph}\n"
        "  - {path: countries.csv, format: nodes}\n"
        "  - {path: sample-plan.csv, format: plan}\n"
    )


def build(facts_path: Path, tables: Tables) -> tuple[Graph, list[list[str]]]:
    """Read the facts, build the reference graph and the sample plan, and check both."""
    try:
        facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise BuildError(f"{facts_path}: not valid YAML: {exc}") from None
    graph = ReferenceBuilder(facts, tables).build()
    rows = plan_rows(tables)
    problems = check(graph, rows, tables.settings.sample_plan.source)
    if problems:
        raise BuildError("\n".join(problems))
    return graph, rows


def write(out: Path, templates: Path, graph: Graph, rows: list[list[str]], t: Tables) -> None:
    """Write the dataset into ``out`` and the empty plan template into ``templates``."""
    facts_name = "facts.yaml"
    files: dict[Path, str | bytes] = {
        out / "manifest.yaml": manifest_yaml(t.settings, facts_name),
        out / "reference.yaml": reference_yaml(graph, facts_name),
        out / "countries.csv": countries_csv(graph),
        out / "sample-plan.csv": _csv([list(SAMPLE_COLUMNS), *rows]),
        out / "sample-plan.xlsx": _workbook(rows, t, SAMPLE_COLUMNS),
        templates / "implementation-plan.csv": _csv([list(PLAN_COLUMNS)]),
        templates / "implementation-plan.xlsx": _workbook([], t, PLAN_COLUMNS),
    }
    for path, data in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def summary(graph: Graph, rows: list[list[str]]) -> str:
    """Counts per label and type, and the sample plan's coverage."""
    labels: dict[str, int] = {}
    for data in [*graph.nodes, *graph.countries]:
        labels[data["label"]] = labels.get(data["label"], 0) + 1
    types: dict[str, int] = {}
    for data in graph.rels.values():
        types[data["type"]] = types.get(data["type"], 0) + 1
    responded = {r[0] for r in rows if r[2] or r[3] or r[4]}
    return (
        f"nodes: {sum(labels.values())} " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())) + "\n"
        f"relationships: {sum(types.values())} " + ", ".join(f"{k}={v}" for k, v in sorted(types.items())) + "\n"
        f"sample plan: {len(rows)} rows, {len(responded)} of 41 action points with a responder"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Build and write the dataset and templates; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--facts", type=Path, default=DEFAULT_FACTS, help="facts.yaml (default ../shared/domain/)")
    parser.add_argument("--out", type=Path, default=DATASET_DIR, help="dataset folder (default the bundled one)")
    parser.add_argument("--templates", type=Path, default=TEMPLATE_DIR, help="template folder (bpkg/loaders/templates)")
    parser.add_argument("--tables", type=Path, default=TABLES_DIR, help="curated tables (default tools/dataset)")
    args = parser.parse_args(argv)
    try:
        tables = read_tables(args.tables)
        graph, rows = build(args.facts.resolve(), tables)
    except (BuildError, KeyError, OSError) as exc:
        print(f"build_dataset: error: {exc}", file=sys.stderr)
        return 1
    write(args.out, args.templates, graph, rows, tables)
    print(summary(graph, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
