"""Loading into a real Neo4j: idempotent, constrained, identical to the memory graph, prunable, atomic."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest

from app.cli import main
from app.settings import Settings
from graph_schema import expected_constraint_names
from loaders import GraphBatch, build_graph, load_dataset
from loaders.neo4j_sink import read_back, write_batch
from tests.conftest import wipe
from tests.factories import base_graph, write_dataset

pytestmark = pytest.mark.neo4j

Snapshot = tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]


def snapshot(driver: neo4j.Driver, database: str) -> Snapshot:
    nodes, rels = read_back(driver, database)
    return (
        sorted((n.label.value, n.id, repr(sorted(n.props.items()))) for n in nodes),
        sorted((r.source, r.type.value, r.target, repr(sorted(r.props.items()))) for r in rels),
    )


def as_sets(batch: GraphBatch) -> Snapshot:
    return (
        sorted((n.label.value, n.id, repr(sorted(n.props.items()))) for n in batch.nodes),
        sorted((r.source, r.type.value, r.target, repr(sorted(r.props.items()))) for r in batch.rels),
    )


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


def test_loading_twice_changes_nothing(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    driver, database = db
    first = write_batch(driver, bundled_batch, database)
    assert first.nodes.created == len(bundled_batch.nodes) and first.rels.created == len(bundled_batch.rels)
    before = snapshot(driver, database)
    second = write_batch(driver, bundled_batch, database)
    assert (second.nodes.created, second.nodes.updated, second.nodes.removed) == (0, 0, 0)
    assert (second.rels.created, second.rels.updated, second.rels.removed) == (0, 0, 0)
    assert second.nodes.unchanged == len(bundled_batch.nodes) and second.rels.unchanged == len(bundled_batch.rels)
    assert snapshot(driver, database) == before
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) RETURN count(n) AS nodes, count(DISTINCT n.id) AS ids", database_=database
    )
    assert records[0]["nodes"] == records[0]["ids"] == len(bundled_batch.nodes)
    records, _, _ = driver.execute_query("SHOW CONSTRAINTS YIELD name, type RETURN name, type", database_=database)
    names = {r["name"] for r in records if r["type"] == "UNIQUENESS"}
    assert expected_constraint_names() <= names


def test_memory_graph_and_neo4j_hold_the_same(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    driver, database = db
    write_batch(driver, bundled_batch, database)
    graph = build_graph(bundled_batch)
    memory_nodes = sorted(
        (attrs["label"], node, repr(sorted((k, v) for k, v in attrs.items() if k != "label")))
        for node, attrs in graph.nodes(data=True)
    )
    memory_rels = sorted(
        (s, k, t, repr(sorted((a, v) for a, v in attrs.items() if a != "type")))
        for s, t, k, attrs in graph.edges(keys=True, data=True)
    )
    assert snapshot(driver, database) == (memory_nodes, memory_rels)
    assert len(memory_nodes) == len(bundled_batch.nodes) and len(memory_rels) == len(bundled_batch.rels)


def test_updates_are_counted_and_applied(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    write_batch(driver, load_dataset(write_dataset(tmp_path / "a")), database)
    graph = base_graph()
    graph["nodes"][4]["name"] = "Goal one, renamed"  # pg-1
    changed = load_dataset(write_dataset(tmp_path / "b", graph=graph))
    summary = write_batch(driver, changed, database)
    assert (summary.nodes.created, summary.nodes.updated, summary.rels.created, summary.rels.updated) == (0, 1, 0, 0)
    assert snapshot(driver, database) == as_sets(changed)


def test_prune_removes_only_what_the_dataset_dropped(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    full = load_dataset(write_dataset(tmp_path / "full"))
    write_batch(driver, full, database)
    graph = base_graph()
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] != "event-e"]
    graph["relationships"] = [r for r in graph["relationships"] if r["from"] != "event-e"]
    smaller = load_dataset(write_dataset(tmp_path / "smaller", graph=graph))

    kept = write_batch(driver, smaller, database)  # without --prune nothing is removed
    assert kept.nodes.removed == 0 and snapshot(driver, database) == as_sets(full)

    pruned = write_batch(driver, smaller, database, prune=True)
    assert (pruned.nodes.removed, pruned.rels.removed) == (1, 1)
    assert pruned.nodes.unchanged == len(smaller.nodes)
    assert snapshot(driver, database) == as_sets(smaller)


def _bpkg(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "app.cli", *args], capture_output=True, text=True, timeout=120, env=env, check=False
    )


def _bad_datasets(root: Path) -> dict[str, Path]:
    """One dataset per kind of bad input, each otherwise valid."""

    def graph_with(node: dict[str, Any] | None = None, rel: dict[str, Any] | None = None) -> dict[str, Any]:
        graph = base_graph()
        if node:
            graph["nodes"].append({"sources": ["source-a"], "confidence": "confirmed", **node})
        if rel:
            graph["relationships"].append({"sources": ["source-a"], "confidence": "confirmed", **rel})
        return graph

    cases = {
        "dangling id": write_dataset(
            root / "1", graph=graph_with(rel={"from": "activity-a", "type": "PART_OF", "to": "nowhere"})
        ),
        "duplicate id": write_dataset(
            root / "2", graph=graph_with({"id": "pg-1", "label": "PriorityGoal", "name": "G", "number": 1})
        ),
        "unknown label": write_dataset(root / "3", graph=graph_with({"id": "w-1", "label": "Widget", "name": "W"})),
        "pattern": write_dataset(
            root / "4", graph=graph_with(rel={"from": "activity-a", "type": "UNDER", "to": "pg-1"})
        ),
        "bad enum": write_dataset(
            root / "5",
            graph=graph_with(
                {"id": "pg-9", "label": "PriorityGoal", "name": "G", "number": 9, "confidence": "certain"}
            ),
        ),
        "text for a year": write_dataset(
            root / "6",
            graph=graph_with({"id": "event-z", "label": "Event", "name": "Z", "kind": "m", "year": "twenty"}),
        ),
    }
    malformed = write_dataset(root / "7")
    with (malformed / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("country-irn,Country,Iran\n")
    cases["malformed row"] = malformed
    empty = write_dataset(root / "8")
    (empty / "plan.csv").write_text("", encoding="utf-8")
    cases["empty file"] = empty
    no_column = write_dataset(root / "9")
    text = (no_column / "plan.csv").read_text(encoding="utf-8").replace("confidence", "confidance", 1)
    (no_column / "plan.csv").write_text(text, encoding="utf-8")
    cases["missing column"] = no_column
    latin = write_dataset(root / "10")
    (latin / "plan.csv").write_bytes((latin / "plan.csv").read_bytes().replace(b"illustrative", b"illustr\xe9"))
    cases["not UTF-8"] = latin
    return cases


def test_bad_input_leaves_neo4j_exactly_as_it_was(
    db: tuple[neo4j.Driver, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    driver, database = db
    good = load_dataset(write_dataset(tmp_path / "good"))
    write_batch(driver, good, database)
    before = snapshot(driver, database)
    for case, folder in _bad_datasets(tmp_path).items():
        code = main(["load", str(folder), "--backend", "neo4j", "--prune"])
        err = capsys.readouterr().err
        assert code == 1, (case, err)
        assert "nothing was written" in err, (case, err)
        assert any(
            f"{name}, " in err or f"{name}:" in err for name in ("reference.yaml", "countries.csv", "plan.csv")
        ), (
            case,
            err,
        )
        assert snapshot(driver, database) == before, case


def test_cli_load_and_stats_against_neo4j(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "tiny")
    first = _bpkg("load", str(folder), "--backend", "neo4j")
    assert first.returncode == 0, first.stderr
    assert "nodes          created 15, updated 0, unchanged 0, removed 0" in first.stdout
    again = _bpkg("load", str(folder), "--backend", "neo4j")
    assert "nodes          created 0, updated 0, unchanged 15, removed 0" in again.stdout
    stats = _bpkg("stats", "--backend", "neo4j")
    assert stats.returncode == 0 and "15 nodes, 16 relationships" in stats.stdout
    assert "illustrative          5" in stats.stdout


def test_cli_says_in_one_line_when_neo4j_is_unreachable_or_refuses(tmp_path: Path) -> None:
    unreachable = _bpkg("load", "--backend", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:9")
    assert unreachable.returncode == 3
    assert unreachable.stderr.startswith("bpkg: error: cannot reach Neo4j at bolt://127.0.0.1:9")
    assert len(unreachable.stderr.strip().splitlines()) == 1
    refused = _bpkg("load", "--backend", "neo4j", "--neo4j-password", "not-the-password")
    assert refused.returncode == 3
    assert "refused the credentials for user 'neo4j'" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1
