"""Dates, review dates and succession links round-trip through ``bpkg load --backend neo4j`` as stored."""

from __future__ import annotations

from pathlib import Path

import neo4j
import pytest

from bpkg.app.cli import main
from bpkg.app.settings import Settings
from bpkg.loaders import load_dataset
from bpkg.loaders.neo4j_sink import read_back
from tests.conftest import wipe
from tests.factories import PLAN_ROWS, SRC, base_graph, write_dataset

pytestmark = pytest.mark.neo4j


def test_dates_round_trip_through_neo4j(
    tmp_path: Path, neo4j_driver: neo4j.Driver, neo4j_settings: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    graph = base_graph()
    event = next(n for n in graph["nodes"] if n["id"] == "event-e")
    event.update(when="[2018-12-15,2019-12-15]", updated="2024-06-01")
    graph["nodes"].append({"id": "ap-9", "label": "ActionPoint", "name": "Later point", "number": 9, **SRC})
    graph["relationships"].append({"from": "ap-9", "type": "SUCCEEDS", "to": "ap-1", "kind": "replaces", **SRC})
    plan = [{**PLAN_ROWS[0], "reviewed": "2024-05"}, *PLAN_ROWS[1:]]
    folder = write_dataset(tmp_path, graph=graph, plan=plan)
    assert main(["load", str(folder), "--backend", "neo4j"]) == 0, capsys.readouterr().err
    nodes, rels = read_back(neo4j_driver, database)
    stored = {n.id: n.props for n in nodes}
    links = {r.key: r.props for r in rels}
    assert stored["event-e"]["when"] == "[2018-12-15,2019-12-15]" and stored["event-e"]["updated"] == "2024-06-01"
    assert links[("activity-a", "RESPONDS_TO", "ap-1")]["reviewed"] == "2024-05"
    assert links[("ap-9", "SUCCEEDS", "ap-1")]["kind"] == "replaces"
    batch = load_dataset(folder)
    assert {n.id: n.props for n in batch.nodes} == stored
    assert {r.key: r.props for r in batch.rels} == links
