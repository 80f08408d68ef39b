"""A generated history: several versions of a dataset, each made from the one before by random edits (a node
renamed or updated, a link reviewed, dropped or made less certain, an activity added), and what `bpkg diff`
and `bpkg validate` say about any two of them.

The oracle is the versions' own graph files: nodes and links are compared as the dictionaries written, by id
and by (from, type, to); a link is suspect in `validate` when a node at either end was updated in a month
no earlier than the link's review (both dates are months here, so the strings compare as dates).
"""

from __future__ import annotations

import copy
import re
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from bpkg.loaders import load_dataset
from bpkg.loaders.dataset import check_dataset
from bpkg.loaders.diff import diff_batches
from tests.factories import SRC, base_graph, write_dataset

Graph = dict[str, list[dict[str, Any]]]
Key = tuple[str, str, str]

# Links no plan row rests on (the plan's rows name activity-a as part of component-c of project-p).
_DROPPABLE = {"IN_COUNTRY", "MAKES"}
_STEP = st.tuples(
    st.sampled_from(["rename", "update", "review", "drop", "add", "confidence"]),
    st.integers(min_value=0, max_value=1000),
    st.sampled_from(["01", "12"]),
)


def _key(rel: dict[str, Any]) -> Key:
    return (rel["from"], rel["type"], rel["to"])


def _edit(graph: Graph, version: int, step: tuple[str, int, str]) -> None:
    """Apply one edit, dated in year 2020 + version."""
    kind, pick, month = step
    year = 2020 + version
    nodes = [n for n in graph["nodes"] if n["label"] != "Source"]
    rels = graph["relationships"]
    if kind in ("rename", "update"):
        node = nodes[pick % len(nodes)]
        node["name"] = f"{node['name'].split(' (v')[0]} (v{version})"
        if kind == "update":
            node["updated"] = f"{year}-06"
    elif kind == "review":
        rels[pick % len(rels)]["reviewed"] = f"{year}-{month}"
    elif kind == "drop":
        droppable = [r for r in rels if r["type"] in _DROPPABLE or r["from"].startswith("activity-v")]
        if droppable:
            rels.remove(droppable[pick % len(droppable)])
    elif kind == "add":
        new_id = f"activity-v{version}-{pick}"
        if all(n["id"] != new_id for n in graph["nodes"]):
            graph["nodes"].append({"id": new_id, "label": "Activity", "name": f"Activity {pick}", **SRC})
            rels.append({"from": new_id, "type": "PART_OF", "to": "component-c", **SRC})
    else:
        rel = rels[pick % len(rels)]
        rel["confidence"] = "inferred" if rel["confidence"] == "confirmed" else "confirmed"


def _expected_diff(
    old: Graph, new: Graph, plan: set[Key]
) -> tuple[list[tuple[str, str, list[str]]], list[tuple[str, Key]], set[Key]]:
    """(node changes with their fields, link changes, links unchanged whose end changed) from the files; the
    plan's links (never edited here) are in both versions."""
    before = {n["id"]: n for n in old["nodes"]}
    after = {n["id"]: n for n in new["nodes"]}
    nodes: list[tuple[str, str, list[str]]] = [("added", i, []) for i in after.keys() - before.keys()]
    nodes += [("removed", i, []) for i in before.keys() - after.keys()]
    changed = {i for i in before.keys() & after.keys() if before[i] != after[i]}
    for i in changed:
        fields = sorted(k for k in before[i].keys() | after[i].keys() if before[i].get(k) != after[i].get(k))
        nodes.append(("changed", i, fields))
    old_rels = {_key(r): r for r in old["relationships"]}
    new_rels = {_key(r): r for r in new["relationships"]}
    rels = [("added", k) for k in new_rels.keys() - old_rels.keys()]
    rels += [("removed", k) for k in old_rels.keys() - new_rels.keys()]
    rels += [("changed", k) for k in old_rels.keys() & new_rels.keys() if old_rels[k] != new_rels[k]]
    unchanged = {k for k in old_rels.keys() & new_rels.keys() if old_rels[k] == new_rels[k]} | plan
    suspect = {k for k in unchanged if {k[0], k[2]} & changed}
    return sorted(nodes), sorted(rels), suspect


def _expected_suspect(graph: Graph) -> set[Key]:
    updated = {n["id"]: n["updated"] for n in graph["nodes"] if "updated" in n}
    return {
        _key(r)
        for r in graph["relationships"]
        if "reviewed" in r and any(updated.get(end, "") >= r["reviewed"] for end in (r["from"], r["to"]))
    }


_WARNING = re.compile(r"suspect link (\S+) -\[(\w+)\]-> (\S+):")


# No shrinking: a failing history is printed as generated (shrinking one takes minutes).
@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    phases=(Phase.explicit, Phase.reuse, Phase.generate),
)
@given(st.lists(st.lists(_STEP, min_size=1, max_size=4), min_size=2, max_size=4))
def test_diff_and_suspect_links_over_a_generated_history(edits: list[list[tuple[str, int, str]]]) -> None:
    graphs: list[Graph] = [base_graph()]
    for version, steps in enumerate(edits, start=1):
        graph = copy.deepcopy(graphs[-1])
        for step in steps:
            _edit(graph, version, step)
        graphs.append(graph)
    with tempfile.TemporaryDirectory() as tmp:
        batches = []
        for version, graph in enumerate(graphs):
            folder = write_dataset(Path(tmp) / f"v{version}", graph=graph)
            checked = check_dataset(folder)
            warned = {m.groups() for m in (_WARNING.search(str(w)) for w in checked.warnings) if m}
            assert warned == _expected_suspect(graph), f"version {version}"
            batches.append(load_dataset(folder))
        in_files = {_key(r) for r in graphs[0]["relationships"]}
        plan = {(r.source, str(r.type), r.target) for r in batches[0].rels} - in_files
        assert plan, "the plan makes links of its own"
        # Any two versions, not only neighbours: the diff is of the two states, whatever lay between.
        for i in range(len(graphs)):
            for j in range(i, len(graphs)):
                found = diff_batches(batches[i], batches[j])
                nodes, rels, suspect = _expected_diff(graphs[i], graphs[j], plan)
                assert sorted((n.change, n.id, sorted(f.field for f in n.fields)) for n in found.nodes) == nodes
                assert sorted((r.change, (r.source, r.type, r.target)) for r in found.rels) == rels
                assert {(s.source, s.type, s.target) for s in found.suspect} == suspect
                assert found.same == (not nodes and not rels)
