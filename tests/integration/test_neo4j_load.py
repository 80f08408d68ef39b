"""Loading into a real Neo4j: idempotent, constrained, identical to the memory graph, prunable, in bounded
transactions, and convergent after an interrupted load."""

from __future__ import annotations

import functools
import itertools
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import neo4j
import pytest

from bpkg.app.cli import main
from bpkg.app.settings import Settings
from bpkg.graph_schema import Label, RelType, expected_constraint_names, rel_key_constraint_names
from bpkg.loaders import DatasetInfo, GraphBatch, Node, Rel, build_graph, load_dataset, neo4j_sink
from bpkg.loaders.neo4j_sink import read_back, write_batch
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
    rel_names = {r["name"] for r in records if r["type"] == "RELATIONSHIP_UNIQUENESS"}
    assert rel_key_constraint_names() == rel_names


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
        [sys.executable, "-m", "bpkg.app.cli", *args], capture_output=True, text=True, timeout=120, env=env, check=False
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
        "text for a date": write_dataset(
            root / "6",
            graph=graph_with({"id": "event-z", "label": "Event", "name": "Z", "kind": "m", "when": "twenty"}),
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
    # Per confidence, nodes and relationships apart: the five illustrative facts are links.
    assert re.search(r"^  illustrative\s+0\s+5$", stats.stdout, re.M), stats.stdout


def test_cli_says_in_one_line_when_neo4j_is_unreachable_or_refuses(tmp_path: Path) -> None:
    unreachable = _bpkg("load", "--backend", "neo4j", "--neo4j-uri", "bolt://127.0.0.1:9")
    assert unreachable.returncode == 3
    assert unreachable.stderr.startswith("bpkg: error: cannot reach Neo4j at bolt://127.0.0.1:9")
    assert len(unreachable.stderr.strip().splitlines()) == 1
    refused = _bpkg("load", "--backend", "neo4j", "--neo4j-password", "not-the-password")
    assert refused.returncode == 3
    assert "refused the credentials for user 'neo4j'" in refused.stderr
    assert len(refused.stderr.strip().splitlines()) == 1


# -- loads bigger than one transaction ------------------------------------------------------------------


def generated_batch(activities: int, name: str = "generated") -> GraphBatch:
    """A valid graph of ``activities`` activities, each PART_OF one of 10 components, with one source."""
    prov = {"sources": ["source-g"], "confidence": "illustrative"}
    nodes = [Node(Label.SOURCE, "source-g", {"id": "source-g", "name": "Generated", "confidence": "confirmed"})]
    nodes += [
        Node(Label.COMPONENT, f"component-{i}", {"id": f"component-{i}", "name": f"Component {i}", **prov})
        for i in range(10)
    ]
    nodes += [
        Node(Label.ACTIVITY, f"activity-{i:05d}", {"id": f"activity-{i:05d}", "name": f"Activity {i}", **prov})
        for i in range(activities)
    ]
    rels = [Rel(RelType.PART_OF, f"activity-{i:05d}", f"component-{i % 10}", dict(prov)) for i in range(activities)]
    return GraphBatch(DatasetInfo(name, "1"), nodes, rels)


def dataset_marks(driver: neo4j.Driver, database: str) -> list[tuple[str, str | None, str | None]]:
    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset) RETURN d.name AS name, d.fingerprint AS fp, d.loading AS loading ORDER BY name",
        database_=database,
    )
    return [(r["name"], r["fp"], r["loading"]) for r in records]


def counted_without_duplicates(driver: neo4j.Driver, database: str) -> tuple[int, int]:
    """(nodes, relationships) in the database, after checking that no id or (start, type, end) repeats."""
    nodes, _, _ = driver.execute_query(
        "MATCH (n:Entity) RETURN count(n) AS nodes, count(DISTINCT n.id) AS ids", database_=database
    )
    assert nodes[0]["nodes"] == nodes[0]["ids"]
    rels, _, _ = driver.execute_query(
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN count(r) AS rels, count(DISTINCT [a.id, type(r), b.id]) AS keys",
        database_=database,
    )
    assert rels[0]["rels"] == rels[0]["keys"]
    return nodes[0]["nodes"], rels[0]["rels"]


class Interrupted(Exception):
    """Stands for a load killed half-way (Ctrl-C, a crash): not a driver error."""


def test_a_load_bigger_than_a_batch_goes_in_bounded_transactions(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    batch = generated_batch(300)
    steps: list[tuple[int, int]] = []
    first = write_batch(
        driver, batch, database, batch_size=40, on_batch=lambda done, total: steps.append((done, total))
    )
    total = len(batch.nodes) + len(batch.rels)
    assert len(steps) >= total // 40  # several write transactions ...
    done = [0, *(d for d, _ in steps)]
    assert all(0 < after - before <= 40 for before, after in itertools.pairwise(done))  # ... of <= 40 rows
    assert steps[-1] == (total, total)
    assert (first.nodes.created, first.rels.created) == (len(batch.nodes), len(batch.rels))
    assert snapshot(driver, database) == as_sets(batch)
    assert dataset_marks(driver, database) == [("generated", batch.fingerprint(), None)]
    # Reading back a page at a time gives the same graph whatever the page size.
    nodes, rels = read_back(driver, database, page_size=7)
    assert (len(nodes), len(rels)) == (len(batch.nodes), len(batch.rels))

    again = write_batch(driver, batch, database, batch_size=40)
    assert (again.nodes.unchanged, again.rels.unchanged) == (len(batch.nodes), len(batch.rels))
    assert again.nodes.created == again.nodes.updated == again.rels.created == again.rels.updated == 0

    smaller = generated_batch(250)
    pruned = write_batch(driver, smaller, database, batch_size=40, prune=True)
    assert (pruned.nodes.removed, pruned.rels.removed) == (50, 50)
    assert snapshot(driver, database) == as_sets(smaller)


def test_an_interrupted_load_is_marked_and_running_it_again_converges(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    old = generated_batch(100)
    write_batch(driver, old, database)
    batch = generated_batch(200)

    def stop_after_first(done: int, total: int) -> None:
        raise Interrupted()

    with pytest.raises(Interrupted):
        write_batch(driver, batch, database, batch_size=30, on_batch=stop_after_first)
    # Half-way: the first batch is in, the fingerprint is gone and the dataset says it is loading.
    assert dataset_marks(driver, database) == [("generated", None, batch.fingerprint())]
    held = snapshot(driver, database)
    assert as_sets(old)[0] != held[0] != as_sets(batch)[0]

    notes: list[str] = []
    rerun = write_batch(driver, batch, database, batch_size=30, report=notes.append)
    assert len(notes) == 1 and "did not finish" in notes[0]
    assert rerun.nodes.created == len(batch.nodes) - len(old.nodes) - 30  # the first batch is not written twice
    assert snapshot(driver, database) == as_sets(batch)
    assert dataset_marks(driver, database) == [("generated", batch.fingerprint(), None)]
    assert counted_without_duplicates(driver, database) == (len(batch.nodes), len(batch.rels))
    third = write_batch(driver, batch, database, batch_size=30, report=notes.append)
    assert len(notes) == 1 and third.nodes.unchanged == len(batch.nodes)


def test_neo4j_failing_mid_load_is_one_line_and_exit_3(
    db: tuple[neo4j.Driver, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    driver, database = db
    calls: list[int] = []

    def lose_neo4j(done: int, total: int) -> None:
        calls.append(done)
        raise neo4j.exceptions.ServiceUnavailable("Failed to read from defunct connection (injected)")

    real = neo4j_sink.write_batch
    monkeypatch.setattr(neo4j_sink, "write_batch", functools.partial(real, on_batch=lose_neo4j))
    folder = str(write_dataset(tmp_path / "tiny"))
    code = main(["load", folder, "--backend", "neo4j", "--batch-size", "4"])
    err = capsys.readouterr().err
    assert code == 3, err
    assert err.startswith("bpkg: error: lost Neo4j") and len(err.strip().splitlines()) == 1, err
    assert "stopped after 4 of" in err and "run the same load again" in err and "Traceback" not in err
    assert calls == [4]
    # The re-run the message asks for completes the load.
    monkeypatch.setattr(neo4j_sink, "write_batch", real)
    assert main(["load", folder, "--backend", "neo4j", "--batch-size", "4"]) == 0
    assert "did not finish" in capsys.readouterr().err
    assert [fp is not None and loading is None for _, fp, loading in dataset_marks(driver, database)] == [True]
    assert counted_without_duplicates(driver, database) == (15, 16)
