"""Neo4j as the system of record (issue 16): one writer at a time, each dataset owns its graph, a load is
verified and never trusted. Every test compares the database with the dataset row by row (``read_back``)."""

from __future__ import annotations

import csv
import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import neo4j
import pytest
import yaml

from bpkg.loaders import GraphBatch, load_dataset, neo4j_sink
from bpkg.loaders.neo4j_sink import read_back, write_batch
from tests.conftest import wipe
from tests.factories import SRC, base_graph, write_dataset

pytestmark = pytest.mark.neo4j

Rows = tuple[list[tuple[str, str, str]], list[tuple[str, str, str, str]]]


def database_rows(driver: neo4j.Driver, database: str) -> Rows:
    nodes, rels = read_back(driver, database)
    return (
        sorted((n.label.value, n.id, repr(sorted(n.props.items()))) for n in nodes),
        sorted((r.source, r.type.value, r.target, repr(sorted(r.props.items()))) for r in rels),
    )


def batch_rows(*batches: GraphBatch) -> Rows:
    nodes = {n.id: n for b in batches for n in b.nodes}
    rels = {r.key: r for b in batches for r in b.rels}
    return (
        sorted((n.label.value, n.id, repr(sorted(n.props.items()))) for n in nodes.values()),
        sorted((r.source, r.type.value, r.target, repr(sorted(r.props.items()))) for r in rels.values()),
    )


def duplicated_keys(driver: neo4j.Driver, database: str) -> int:
    records, _, _ = driver.execute_query(
        "MATCH (a:Entity)-[r]->(b:Entity) WITH a.id AS s, type(r) AS t, b.id AS e, count(*) AS n WHERE n > 1 "
        "RETURN count(*) AS keys",
        database_=database,
    )
    return int(records[0]["keys"])


def bpkg(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "bpkg.app.cli", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def run(*args: str, timeout: float = 300) -> tuple[int, str, str]:
    proc = bpkg(*args)
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Any) -> Iterator[tuple[neo4j.Driver, str]]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    yield neo4j_driver, neo4j_settings.neo4j_database
    # Leave no dataset of these tests behind for the shared fixtures (they reload the bundled one).
    wipe(neo4j_driver, neo4j_settings.neo4j_database)


@pytest.fixture(scope="module")
def synth(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("synth") / "s"
    code, _, err = run("synth", str(folder), "--relationships", "20000", "--seed", "7")
    assert code == 0, err
    return folder


def renamed_copy(folder: Path, out: Path, name: str) -> tuple[Path, str]:
    """A copy of a synth dataset under another name whose only change is one node's name; and that id."""
    shutil.copytree(folder, out)
    manifest = yaml.safe_load((out / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["name"] = name
    (out / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    table = sorted(out.glob("nodes-*.csv"))[-1]
    with table.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    rows[1][2] += " (renamed in the copy)"
    with table.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return out, rows[1][0]


def test_two_loads_started_together_leave_exactly_the_dataset(db: tuple[neo4j.Driver, str], synth: Path) -> None:
    driver, database = db
    batch = load_dataset(str(synth))
    for attempt in range(3):
        wipe(driver, database)
        wait = [] if attempt == 0 else ["--wait", "300"]
        procs = [bpkg("load", str(synth), "--backend", "neo4j", *wait) for _ in range(2)]
        results = [(p.wait(timeout=600), *p.communicate()) for p in procs]
        codes = sorted(code for code, _, _ in results)
        if attempt == 0:
            # Without --wait the second stops at once, with one line naming the holder, and exit 4.
            assert codes == [0, 4], results
            busy = next(err for code, _, err in results if code == 4)
            assert "another load holds the write lease" in busy and len(busy.strip().splitlines()) == 1
        else:
            assert codes == [0, 0], results
        assert duplicated_keys(driver, database) == 0, attempt
        assert database_rows(driver, database) == batch_rows(batch), attempt


def test_relationship_writes_cannot_create_a_second_copy(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    # Two writers that both planned the same missing relationships (as if both got past the lease):
    # applying the plan twice still leaves one copy of every key.
    driver, database = db
    batch = load_dataset(str(write_dataset(tmp_path / "a", name="alpha")))
    legacy: list[str] = []
    plan = neo4j_sink._plan(driver, database, batch, False, 100, False, legacy)
    lease = neo4j_sink.Lease(driver, database)
    lease.take()
    try:
        with driver.session(database=database) as session:
            for _ in range(2):
                neo4j_sink._apply(
                    session, lease, batch, batch.fingerprint(), plan, 100, False, None, neo4j_sink._Progress(), legacy
                )
    finally:
        lease.give_back()
    assert duplicated_keys(driver, database) == 0
    assert database_rows(driver, database) == batch_rows(batch)


def test_a_lease_held_is_waited_for_and_an_expired_one_taken_over(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    folder = write_dataset(tmp_path / "a", name="alpha")
    holder = neo4j_sink.Lease(driver, database, seconds=20)
    holder.take()
    holder._stop.set()  # as if killed: no more renewals, the lease is never given back
    code, _, err = run("load", str(folder), "--backend", "neo4j")
    assert code == 4 and "another load holds the write lease" in err and holder.owner in err
    assert database_rows(driver, database) == ([], [])
    code, _, err = run("load", str(folder), "--backend", "neo4j", "--wait", "90")
    assert code == 0, err
    assert database_rows(driver, database) == batch_rows(load_dataset(str(folder)))


def test_load_a_then_b_then_a_ends_with_exactly_a(db: tuple[neo4j.Driver, str], synth: Path, tmp_path: Path) -> None:
    driver, database = db
    a = load_dataset(str(synth))
    other, renamed = renamed_copy(synth, tmp_path / "other", "other-ds")
    notes = []
    for folder in (synth, other, synth):
        code, _, err = run("load", str(folder), "--backend", "neo4j")
        assert code == 0, err
        notes.append(err)
    # Each load that changed a node the other dataset also holds says which one.
    assert f"changed 1 nodes that other datasets also hold ({renamed})" in notes[1]
    assert f"changed 1 nodes that other datasets also hold ({renamed})" in notes[2]
    assert database_rows(driver, database) == batch_rows(a)
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity {id: $id}) RETURN n.name AS name, n._owners AS owners", id=renamed, database_=database
    )
    assert sorted(records[0]["owners"]) == sorted([a.info.name, "other-ds"])


def test_a_load_killed_half_way_converges_after_the_next(
    db: tuple[neo4j.Driver, str], synth: Path, tmp_path: Path
) -> None:
    driver, database = db
    a = load_dataset(str(synth))
    code, _, err = run("load", str(synth), "--backend", "neo4j")
    assert code == 0, err
    other, renamed = renamed_copy(synth, tmp_path / "other", "other-ds")
    proc = bpkg("load", str(other), "--backend", "neo4j", "--batch-size", "200", "--lease-seconds", "3")
    try:
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and proc.poll() is None:
            records, _, _ = driver.execute_query(
                "MATCH (n:Entity {id: $id}) RETURN n.name AS name", id=renamed, database_=database
            )
            if records and records[0]["name"].endswith("(renamed in the copy)"):
                break
            time.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.communicate()
    assert proc.returncode == -signal.SIGKILL, "the load finished before it could be killed half-way"
    code, _, err = run("load", str(synth), "--backend", "neo4j", "--wait", "60")
    assert code == 0, err
    assert duplicated_keys(driver, database) == 0
    assert database_rows(driver, database) == batch_rows(a)


def _two_datasets(tmp_path: Path) -> tuple[Path, Path, Path]:
    """alpha (the tiny dataset), beta (alpha's nodes plus its own event, linked to Pakistan), and alpha
    without event-e (beta holds it too) and without activity-a's link to Pakistan."""
    graph = base_graph()
    graph["nodes"].append(
        {"id": "event-b", "label": "Event", "name": "Event B", "kind": "meeting", "when": "2021", **SRC}
    )
    graph["relationships"].append({"from": "event-b", "type": "IN_COUNTRY", "to": "country-pak", **SRC})
    beta = write_dataset(tmp_path / "beta", graph=graph, name="beta")
    smaller = base_graph()
    smaller["nodes"] = [n for n in smaller["nodes"] if n["id"] != "event-e"]
    smaller["relationships"] = [r for r in smaller["relationships"] if r["from"] != "event-e"]
    return (
        write_dataset(tmp_path / "alpha", name="alpha"),
        beta,
        write_dataset(tmp_path / "a2", graph=smaller, name="alpha"),
    )


def test_prune_removes_only_what_the_dataset_owned(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    alpha, beta, smaller = _two_datasets(tmp_path)
    for folder in (alpha, beta):
        assert run("load", str(folder), "--backend", "neo4j")[0] == 0
    both = batch_rows(load_dataset(str(alpha)), load_dataset(str(beta)))
    # A one-node dataset under a third name, pruned: it owns nothing else, so nothing else goes.
    source = {"id": "source-a", "label": "Source", "name": "Source A", "url": "https://example.org/a", **SRC}
    lonely: dict[str, Any] = {"nodes": [source], "relationships": []}
    one = write_dataset(tmp_path / "one", graph=lonely, countries=[], plan=[], name="lonely")
    code, out, err = run("load", str(one), "--backend", "neo4j", "--prune")
    assert code == 0, err
    assert "removed 0" in out and database_rows(driver, database) == both
    # alpha without event-e: beta holds event-e too, so it stays (only alpha's ownership goes).
    code, out, err = run("load", str(smaller), "--backend", "neo4j", "--prune")
    assert code == 0, err
    assert database_rows(driver, database) == both
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity {id: 'event-e'}) RETURN n._owners AS owners", database_=database
    )
    assert records[0]["owners"] == ["beta"]
    # beta, pruned to alpha's smaller content under beta's name: now event-e and event-b go, with their links.
    shutil.copytree(smaller, tmp_path / "b2")
    manifest = yaml.safe_load((tmp_path / "b2" / "manifest.yaml").read_text(encoding="utf-8"))
    (tmp_path / "b2" / "manifest.yaml").write_text(yaml.safe_dump(manifest | {"name": "beta"}), encoding="utf-8")
    code, out, err = run("load", str(tmp_path / "b2"), "--backend", "neo4j", "--prune")
    assert code == 0, err
    assert "nodes          created 0, updated 0, unchanged 14, removed 2" in out
    assert database_rows(driver, database) == batch_rows(load_dataset(str(smaller)))


def test_dry_run_writes_nothing_and_names_what_prune_would_remove(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    alpha, _, smaller = _two_datasets(tmp_path)
    assert run("load", str(alpha), "--backend", "neo4j")[0] == 0
    records, _, _ = driver.execute_query(
        "MATCH (x) RETURN count(x) AS n, collect(properties(x)) AS p", database_=database
    )
    before = records[0]
    code, out, err = run("load", str(smaller), "--backend", "neo4j", "--prune", "--dry-run")
    assert code == 0, err
    assert "nothing was written" in out
    assert "nodes Event: 1 (event-e)" in out and "relationships IN_COUNTRY: 1 (event-e IN_COUNTRY country-pak)" in out
    records, _, _ = driver.execute_query(
        "MATCH (x) RETURN count(x) AS n, collect(properties(x)) AS p", database_=database
    )
    assert records[0] == before
    assert database_rows(driver, database) == batch_rows(load_dataset(str(alpha)))


def test_prune_refuses_more_than_a_fifth_without_yes(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    driver, database = db
    alpha = write_dataset(tmp_path / "alpha", name="alpha")
    assert run("load", str(alpha), "--backend", "neo4j")[0] == 0
    graph = base_graph()
    gone = {"event-e", "activity-a", "project-p", "component-c"}
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] not in gone]
    graph["relationships"] = [r for r in graph["relationships"] if not {r["from"], r["to"]} & gone]
    smaller = write_dataset(tmp_path / "smaller", graph=graph, plan=[PLAN_AP3], name="alpha")
    code, out, err = run("load", str(smaller), "--backend", "neo4j", "--prune")
    assert code == 5, (out, err)
    assert "--yes" in err and len(err.strip().splitlines()) == 1
    assert database_rows(driver, database) == batch_rows(load_dataset(str(alpha)))
    code, out, err = run("load", str(smaller), "--backend", "neo4j", "--prune", "--yes")
    assert code == 0, err
    assert database_rows(driver, database) == batch_rows(load_dataset(str(smaller)))


PLAN_AP3 = {"action_point": "3", "goal": "2", "confidence": "illustrative", "source": "source-a"}


def test_health_and_pages_name_every_dataset_loaded(
    db: tuple[neo4j.Driver, str], neo4j_settings: Any, tmp_path: Path
) -> None:
    from fastapi.testclient import TestClient

    from bpkg.app.api.main import create_app
    from bpkg.app.store.neo4j.store import Neo4jStore

    driver, database = db
    alpha, beta, _ = _two_datasets(tmp_path)
    for folder in (alpha, beta):
        write_batch(driver, load_dataset(str(folder)), database)
    store = Neo4jStore(driver, database)
    settings = neo4j_settings.model_copy(update={"backend": "neo4j", "api_keys": ""})
    with TestClient(create_app(settings, store=store)) as client:
        health = client.get("/health").json()
        page = client.get("/")
    assert [(d["name"], d["version"], bool(d["loaded_at"])) for d in health["datasets"]] == [
        ("alpha", "1", True),
        ("beta", "1", True),
    ]
    assert health["dataset"]["name"] == "beta"  # the one loaded last
    footer = page.text.rsplit("<footer>", 1)[1]
    assert "<strong>alpha</strong> 1" in footer and "<strong>beta</strong> 1" in footer


def test_a_relabelled_node_keeps_one_label_and_the_links_of_other_datasets(db: tuple[neo4j.Driver, str]) -> None:
    from bpkg.graph_schema import Label, RelType
    from bpkg.loaders import DatasetInfo, Node, Rel

    driver, database = db
    prov = {"confidence": "confirmed"}
    project = Node(Label.PROJECT, "x-1", {"id": "x-1", "name": "X", **prov})
    component = Node(Label.COMPONENT, "c-1", {"id": "c-1", "name": "C", **prov})
    link = Rel(RelType.HAS_COMPONENT, "x-1", "c-1", dict(prov))
    other = GraphBatch(DatasetInfo("other", "1"), [project, component], [link])
    write_batch(driver, other, database)
    relabelled = GraphBatch(DatasetInfo("mine", "1"), [Node(Label.ACTIVITY, "x-1", {"id": "x-1", "name": "X", **prov})])
    write_batch(driver, relabelled, database)
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity {id: 'x-1'}) RETURN labels(n) AS labels, n._owners AS owners, "
        "COUNT { (n)-[:HAS_COMPONENT]->() } AS links",
        database_=database,
    )
    assert sorted(records[0]["labels"]) == ["Activity", "Entity"]
    assert records[0]["owners"] == ["other", "mine"] and records[0]["links"] == 1
    write_batch(driver, other, database)  # the other dataset's version again: its label is back
    assert database_rows(driver, database) == batch_rows(other)
