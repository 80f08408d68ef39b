"""``bpkg validate`` reads files one row or item at a time and keeps only what the checks across files need
(``validate_dataset``); loading builds the whole dataset (``check_dataset``). Both must find the same
problems, in the same order, the same warnings and the same counts."""

from __future__ import annotations

import csv
import os
from pathlib import Path
from typing import Any

import pytest

from bpkg.loaders import DatasetInvalid, synth
from bpkg.loaders.dataset import check_dataset, validate_dataset
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems
from bpkg.loaders.reading.tables import read_table
from bpkg.loaders.reading.yaml_safe import LOADERS, read_graph_yaml, read_yaml
from bpkg.loaders.stats import graph_stats


def _outcome(check: Any, folder: Path | None, limits: Limits) -> tuple[Any, ...]:
    try:
        result = check(folder, limits=limits)
    except DatasetInvalid as exc:
        return ("invalid", [str(p) for p in exc.problems], exc.omitted)
    if hasattr(result, "batch"):
        batch = result.batch
        return ("valid", batch.info, graph_stats(batch.nodes, batch.rels), [str(w) for w in result.warnings])
    return ("valid", result.info, result.stats, [str(w) for w in result.warnings])


def assert_same(folder: Path | None, limits: Limits | None = None) -> tuple[Any, ...]:
    limits = limits or Limits()
    validated = _outcome(validate_dataset, folder, limits)
    assert validated == _outcome(check_dataset, folder, limits)
    return validated


def test_validate_and_load_agree_on_the_bundled_dataset() -> None:
    outcome = assert_same(None)
    assert outcome[0] == "valid" and outcome[2].relationships > 100


def _write_csv(path: Path, rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh).writerows(rows)


def large_dataset(folder: Path, broken: bool = False) -> Path:
    """``bpkg synth`` files, and a YAML graph file and a plan on top of them (some links suspect).

    ``broken``: problems in every step (reading, nodes, relationships, plan, references, numbers).
    """
    synth.write(folder, 12_000, seed=3)
    end = "sources: [source-synth-2], confidence: illustrative}"
    nodes, rels = ["nodes:"], ["relationships:"]
    for n in range(1, 1_501):
        updated = "    updated: '2024-06-01'\n" if n % 50 == 0 else ""
        nodes.append(
            f"  - id: activity-t-{n}\n    label: Activity\n    name: Activity {n}\n"
            f"    sources: [source-synth-1]\n    confidence: illustrative\n{updated}"
        )
        rels.append(f"  - {{from: activity-t-{n}, type: RESPONDS_TO, to: ap-{n % 40 + 1}, strength: partial, {end}")
    if broken:
        nodes += [
            "  - {id: activity-t-7, label: Activity, name: Again, sources: [source-synth-1], confidence: illustrative}",
            "  - {id: ap-900, label: ActionPoint, name: Bad, number: 1000, sources: [x], confidence: illustrative}",
            "  - {id: weird-1, label: Nothing, name: N, sources: [source-synth-1], confidence: illustrative}",
        ]
        rels += [
            f"  - {{from: activity-t-1, type: RESPONDS_TO, to: ap-2, strength: partial, {end}",
            "  - {from: activity-t-2, type: FLIES_TO, to: ap-9999, sources: [nowhere], confidence: sure}",
            f"  - {{from: activity-t-3, type: RESPONDS_TO, to: weird-1, strength: partial, {end}",
            f"  - {{from: activity-t-4, type: RESPONDS_TO, to: ap-3, strength: partial, countries: [nowhere], {end}",
        ]
    # Broken: the relationships come first in the file (they are still checked after the nodes).
    lines = [*rels, *nodes, "other:", "  key: value"] if broken else [*nodes, *rels]
    (folder / "extra.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    plan = [["action_point", "activity", "strength", "confidence", "source", "note", "reviewed"]]
    for n in range(1, 1_501):
        plan.append(
            [str(n % 30 + 5), f"activity-t-{n}", "direct", "illustrative", "source-synth-3", f"row {n}", "2024-05-01"]
        )
    if broken:
        plan.append(["ap-1", "activity-t-1", "direct", "illustrative", "source-synth-3", "again", ""])
        plan.append(["", "activity-t-2", "", "", "", "", ""])
        plan.append(["7", "activity-t-9999", "direct", "illustrative", "source-synth-3", "", ""])
        plan.append(["8", "activity-t-5", "direct", "illustrative", "source-synth-3", "bad \x07 note", ""])
    _write_csv(folder / "plan.csv", plan)
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8")
    manifest += "  - {path: extra.yaml, format: graph}\n  - {path: plan.csv, format: plan}\n"
    if broken:
        rels = (folder / "relationships-001.csv").read_text(encoding="utf-8").splitlines()
        rels.insert(5, "activity-synth-1,RESPONDS_TO,ap-404,source-synth-2,illustrative,direct,,")
        (folder / "relationships-001.csv").write_text("\n".join(rels) + "\n", encoding="utf-8")
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    return folder


def test_validate_and_load_agree_on_a_large_generated_dataset(tmp_path: Path) -> None:
    outcome = assert_same(large_dataset(tmp_path))
    assert outcome[0] == "valid", outcome[1][:5]
    stats, warnings = outcome[2], outcome[3]
    assert stats.relationships == 12_000 + 1_500 + 1_500
    assert len(warnings) == 30 and all("suspect link" in w for w in warnings)


@pytest.mark.parametrize("max_problems", [200, 7, 1])
def test_validate_and_load_report_the_same_problems_in_the_same_order(tmp_path: Path, max_problems: int) -> None:
    outcome = assert_same(large_dataset(tmp_path, broken=True), Limits(max_problems=max_problems))
    assert outcome[0] == "invalid"
    problems, omitted = outcome[1], outcome[2]
    assert len(problems) == min(max_problems, len(problems) + omitted)
    if max_problems == 200:
        assert omitted == 0
        text = "\n".join(problems)
        for part in (
            "extra.yaml, line",  # reading, nodes, relationships
            "duplicate id 'activity-t-7'",
            "unknown label 'Nothing'",
            "duplicate relationship activity-t-1 -[RESPONDS_TO]-> ap-2",
            "unknown relationship type 'FLIES_TO'",
            "relationships-001.csv, row 6, field 'to': no node with id 'ap-404'",
            "plan.csv, row",
            "'nowhere' is not a Country node",
        ):
            assert part in text, part
        # The steps come in order: reading problems first, the plan's after the relationships'.
        first = {
            part: next(i for i, p in enumerate(problems) if part in p)
            for part in ("control character", "FLIES_TO", "activity-t-9999")
        }
        assert first["control character"] < first["FLIES_TO"] < first["activity-t-9999"]


YAML_DOCS = [
    "nodes:\n  - {id: a, label: Source}\n  - {id: b}\nrelationships:\n  - {from: a, to: b}\n",
    "relationships:\n  - {from: a, to: b}\nnodes:\n  - {id: a}\n",
    "nodes: []\nrelationships:\n",
    "nodes: {a: 1}\nrelationships: 5\nother: [1, 2]\n",
    "nodes:\n  - {id: a}\nnodes:\n  - {id: b}\n",
    "nodes:\n  - id: a\n    id: b\n  - 3\n  - [x]\n",
    "<<: {a: 1}\n1: 2\n__line__: 3\nnodes:\n  - {a: 1}\n",
    "- a\n- b\n",
    "just text\n",
    "~\n",
    "# nothing\n",
    "{}\n",
    "nodes:\n  - {id: a}\n---\nnodes: []\n",
    "nodes:\n  - {id: a, n: " + "9" * 5000 + "}\n  - &x {id: b}\n",
    "nodes:\n  - {id: a, n: " + "9" * 5000 + "}\n  - {id: b, when: !!binary AAE=}\n",
    "nodes:\n  - {id: a, n: " + "9" * 5000 + "}\n  - {id: b}\n",
    "nodes: !!str\n  - {id: a}\n",
    "nodes:\n  - {id: a}\n  - {id: b, c: \x07}\n",
    "nodes:\n" + "  - {id: a}\n" * 30,
]


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize("text", YAML_DOCS)
def test_a_graph_file_read_one_item_at_a_time_is_what_read_yaml_reads(tmp_path: Path, loader: Any, text: str) -> None:
    path = tmp_path / "g.yaml"
    path.write_text(text, encoding="utf-8")
    limits = Limits(max_cells=40)
    whole, streamed = Problems(), Problems()
    doc = read_yaml(path, whole, "g.yaml", limits, loader=loader)
    graph = read_graph_yaml(path, streamed, "g.yaml", limits, loader=loader)
    if graph is None or not graph.mapping:
        assert [str(p) for p in streamed.items] == [str(p) for p in whole.items]
        assert (graph is None) == (doc is None) and not isinstance(doc, dict)
        return
    assert isinstance(doc, dict)
    items = {key: list(graph.items(key, streamed)) for key in ("nodes", "relationships")}
    assert [str(p) for p in streamed.items] == [str(p) for p in whole.items]
    assert graph.line == doc["__line__"] and list(graph.keys) == [k for k in doc if k != "__line__"]
    for key in ("nodes", "relationships"):
        value = doc.get(key)
        kind = "list" if isinstance(value, list) else ("other" if value else "empty")
        assert graph.lists.get(key, "empty") == kind
        assert items[key] == (value if isinstance(value, list) else [])


def test_a_table_that_changed_since_it_was_read_is_a_problem(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    _write_csv(path, [["id", "name"], ["a", "A"], ["b", "B"]])
    problems = Problems()
    table = read_table(path, problems, "t.csv")
    assert table is not None and [r.cells["id"] for r in table.rows(problems)] == ["a", "b"] and not problems
    _write_csv(path, [["id", "name"], ["a", "A"], ["c", "C"], ["d", "D"]])
    os.utime(path, ns=(1, 1))
    assert list(table.rows(problems)) == []
    assert [str(p) for p in problems.items] == [
        "t.csv: the file changed while it was being read; check the dataset again"
    ]


def test_problems_of_a_later_step_follow_and_are_counted_past_the_limit() -> None:
    first, later = Problems(3), Problems(3)
    for n in range(2):
        first.add(Loc("a"), "", f"a{n}")
    for n in range(5):
        later.add(Loc("b"), "", f"b{n}")
    first.extend(later)
    assert [p.reason for p in first.items] == ["a0", "a1", "b0"]
    assert first.omitted == 4 and len(first) == 7
