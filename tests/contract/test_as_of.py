"""Answers as of a date, on both backends: the same answer, account included, from memory and from Neo4j.

The dataset (``asof_data``) has dated nodes and links of every precision; each test asks its question on
several days through the ``dated`` fixture (memory, then Neo4j), compares the whole answer with memory's
and checks, on the answer, what the rule (``bpkg.graph_schema.asof``) says should be in it.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator
from typing import Any

import neo4j
import pytest

from bpkg.app.services import countries, coverage, matrix, responses, views
from bpkg.app.services.api_types import MatrixCols
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.neo4j import twosided
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointDetail
from bpkg.graph_schema.asof import AsOf, parse_as_of
from bpkg.loaders import GraphBatch, build_graph
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import wipe
from tests.contract import asof_data
from tests.contract.compare import same
from tests.contract.test_bundled import placed

DAYS = (
    "2019",
    "2019-06",
    "2019-06-14",
    "2020-06-30",
    "2021-06-30",
    "2022-06-30",
    "2024-06-30",
    "2024",
    "2025-06",
    "2026",
)


@pytest.fixture(scope="module")
def dated_batch() -> GraphBatch:
    return asof_data.batch()


@pytest.fixture(scope="module")
def dated_memory(dated_batch: GraphBatch) -> MemoryStore:
    return MemoryStore(build_graph(dated_batch))


@pytest.fixture(scope="module")
def dated_neo4j(neo4j_driver: neo4j.Driver, neo4j_settings: Settings, dated_batch: GraphBatch) -> Iterator[GraphStore]:
    from bpkg.app.store.neo4j.store import Neo4jStore

    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    write_batch(neo4j_driver, dated_batch, database)
    yield Neo4jStore(neo4j_driver, database, timeout=neo4j_settings.query_timeout)
    wipe(neo4j_driver, database)  # the bundled fixtures load their dataset again when they find none


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def dated(request: pytest.FixtureRequest, dated_memory: MemoryStore) -> GraphStore:
    """The dated dataset behind each backend."""
    if request.param == "memory":
        return dated_memory
    store: GraphStore = request.getfixturevalue("dated_neo4j")
    return store


def ids(answer: Any) -> set[str]:
    return {n["id"] for n in answer["nodes"]}


def responders(facts: list[dict[str, Any]], ap: str) -> dict[str, str | None]:
    """Each responder of ``ap`` (direct and via its goal) with what counting it rests on."""
    found = next(f for f in facts if f["action_point"]["id"] == ap)
    return {r["responder"]["id"]: r["basis"] for r in [*found["responses"], *found["goal_responses"]]}


@pytest.mark.parametrize("day", DAYS)
def test_facts_as_of(dated: GraphStore, dated_memory: MemoryStore, day: str) -> None:
    as_of = parse_as_of(day)
    facts = same(dated, dated_memory, lambda s: s.action_point_facts(as_of))
    aps = {f["action_point"]["id"] for f in facts}
    assert aps == {"ap-1", "ap-2", "ap-3"}  # undated action points always count
    first, second = responders(facts, "ap-1"), responders(facts, "ap-2")
    # activity-day (2019-06-15/..): from that day on, on a date precise enough to settle it ("2019-06" is
    # read as 30 June).
    if as_of.iso >= "2019-06-15":
        assert first["activity-day"] == "dated"
    else:
        assert "activity-day" not in first
    # activity-year (2022/2023): within those years only, imprecise inside the first and the last.
    if "2022" <= day[:4] <= "2023":
        assert first["activity-year"] == "imprecise"
    else:
        assert "activity-year" not in first
    # component-1 (2020~, one date: from then on): approximate, and imprecise while 2020 may not have come yet.
    assert ("component-1" in second) == (as_of.day.year >= 2020)
    if "component-1" in second:
        assert second["component-1"] == ("imprecise" if as_of.iso < "2020-12-31" else "approximate")
    # activity-undated is undated, but its link holds 2021-03/2021-09 only.
    assert ("activity-undated" in second) == ("2021-03-01" <= as_of.iso <= "2021-09-30")
    # project-1 (2019-01/2024-12): ends with 2024.
    assert ("project-1" in second) == ("2019-01-01" <= as_of.iso <= "2024-12-31")
    # activity-list ([2015,2016]/..) responds to the goal: counted at goal level, uncertain -> approximate.
    assert first["activity-list"] == "approximate"


@pytest.mark.parametrize("day", DAYS)
def test_headline_responses_as_of(dated: GraphStore, dated_memory: MemoryStore, day: str) -> None:
    # The headline's responses as of a day: the same on both backends, each placed where its path says.
    as_of = parse_as_of(day)
    for ap in ("ap-1", "ap-2"):
        same(dated, dated_memory, functools.partial(_responses_of, ap=ap, as_of=as_of))
        placed(dated, ap, as_of)


def _responses_of(store: GraphStore, ap: str, as_of: AsOf) -> ActionPointDetail:
    return store.action_point(ap, True, as_of)


@pytest.mark.parametrize("day", DAYS)
def test_trace_as_of_and_succession(dated: GraphStore, dated_memory: MemoryStore, day: str) -> None:
    as_of = parse_as_of(day)
    down = same(dated, dated_memory, lambda s: s.trace("ap-1", "down", 2, None, as_of))
    assert "ap-3" in ids(down)  # the successor sits beside ap-1 (undated, so always there)
    assert ("activity-new" in ids(down)) == (as_of.iso >= "2025-05-01")
    assert ("activity-day" in ids(down)) == (as_of.iso >= "2019-06-15")
    plans = same(dated, dated_memory, lambda s: s.trace("plan-old", "both", 1, None, as_of))
    if as_of.iso > "2024-12-31":  # plan-old has ended: the trace holds it alone and says why
        assert ids(plans) == {"plan-old"} and "did not exist" in plans["note"]
    else:
        assert "pg-1" in ids(plans) and "plan-new" not in ids(plans)  # its successor has not begun yet
    both = same(dated, dated_memory, lambda s: s.trace("activity-new", "up", 3, None, as_of))
    if as_of.iso >= "2025-05-01":
        assert {"ap-3", "ap-1"} <= ids(both)
    for answer in (down, plans, both):
        for edge in answer["edges"]:
            if edge["type"] == "SUCCEEDS":
                assert edge["kind"] == "continues"


def test_trace_today_follows_succession(dated: GraphStore, dated_memory: MemoryStore) -> None:
    down = same(dated, dated_memory, lambda s: s.trace("ap-1", "down", 2, None))
    assert {"ap-3", "activity-new", "activity-day", "activity-year"} <= ids(down)
    steps = {(e["source"], e["type"], e["target"]): e["kind"] for e in down["edges"]}
    assert steps[("ap-3", "SUCCEEDS", "ap-1")] == "continues"
    plans = same(dated, dated_memory, lambda s: s.trace("plan-old", "down", 1, None))
    assert "plan-new" in ids(plans)
    # Without SUCCEEDS among the types, no sideways move.
    only = same(dated, dated_memory, lambda s: s.trace("ap-1", "down", 2, ["RESPONDS_TO"]))
    assert "ap-3" not in ids(only)


@pytest.mark.parametrize("day", DAYS)
def test_paths_and_links_as_of(dated: GraphStore, dated_memory: MemoryStore, day: str) -> None:
    as_of = parse_as_of(day)
    found = same(dated, dated_memory, lambda s: s.paths("activity-year", "pg-1", 4, 10, as_of))
    assert bool(found) == ("2022" <= day[:4] <= "2023")
    with pytest.MonkeyPatch.context() as patch:  # Neo4j's own search, asked when a layer passes the budget
        patch.setattr(twosided, "BUDGET", 0)
        assert same(dated, dated_memory, lambda s: s.paths("activity-year", "pg-1", 4, 10, as_of)) == found
    links = same(dated, dated_memory, lambda s: s.links("country-aaa", as_of))
    there = {link["node"]["id"] for link in links}
    assert ("activity-year" in there) == ("2022" <= day[:4] <= "2023")
    detail = same(dated, dated_memory, lambda s: s.action_point("ap-2", True, as_of))
    assert ("project-1" in {r["responder"]["id"] for r in detail["responses"]}) == (as_of.iso <= "2024-12-31")


@pytest.mark.parametrize("day", DAYS)
def test_services_as_of(dated: GraphStore, dated_memory: MemoryStore, day: str) -> None:
    as_of = parse_as_of(day)
    cov = same(dated, dated_memory, lambda s: coverage.coverage(s, "goal", as_of=as_of))
    told = cov["as_of"]
    assert told["date"] == as_of.iso and told["given"] == day and told["sentence"].startswith("As of ")
    in_force = [p["id"] for p in told["plans"]]
    want = ["plan-old"] if "2019-02-20" <= as_of.iso <= "2024-12-31" else ["plan-new"] if day >= "2025" else []
    assert in_force == want
    numbers = {s["number"] for s in cov["action_points"]}
    assert numbers == ({1, 2} if want == ["plan-old"] else {3} if want else set())
    assert told["counted"] == sum(s["responses"] + s["goal_responses"] for s in cov["action_points"])
    assert told["undated"] + told["imprecise"] + told["approximate"] <= told["counted"]
    assert cov["summary"]["action_points"] == len(numbers)
    if as_of.day.year == 2024:
        assert "leave it open" in told["sentence"]  # plan-old ends "2024"
    planned = same(dated, dated_memory, lambda s: coverage.coverage(s, "component", as_of=as_of, plan="plan-old"))
    assert {s["number"] for s in planned["action_points"]} == {1, 2}
    same(dated, dated_memory, lambda s: coverage.gaps(s, as_of=as_of))
    # By GCM objective: pg-1 matches objective 21 (inferred: none of its sources states it); the row counts the
    # action points of the plan in force under pg-1, and no other objective counts any.
    gcm = same(dated, dated_memory, lambda s: coverage.coverage(s, "gcm", as_of=as_of))
    row = gcm["rows"][20]
    assert row["objective"]["number"] == 21 and [m["goal"]["id"] for m in row["goals"]] == ["pg-1"]
    assert set(row["covered_numbers"] + row["uncovered_numbers"]) == numbers
    assert row["goals"][0]["confidence"] == "inferred"
    assert all(r["action_points"] == 0 for r in gcm["rows"] if r is not row)
    columns: tuple[MatrixCols, ...] = ("component", "country", "project", "goal", "gcm")
    for cols in columns:
        m = same(dated, dated_memory, functools.partial(matrix.matrix, cols=cols, as_of=as_of))
        assert m["as_of"]["date"] == as_of.iso
    same(dated, dated_memory, lambda s: countries.country(s, "AAA", as_of=as_of))
    same(dated, dated_memory, lambda s: responses.list_action_points(s, None, None, 50, 0, as_of=as_of))
    answer = same(dated, dated_memory, lambda s: responses.responses(s, 2, include_goal_level=True, as_of=as_of))
    counted = answer["as_of"]
    assert counted["counted"] == answer["counts"]["links"]
    same(dated, dated_memory, lambda s: views.trace(s, "ap-1", "both", 2, None, as_of=as_of))
    same(dated, dated_memory, lambda s: views.paths(s, "activity-day", "pg-1", 4, 10, as_of=as_of))


def test_answers_without_a_day_carry_no_account(dated: GraphStore, dated_memory: MemoryStore) -> None:
    cov = same(dated, dated_memory, lambda s: coverage.coverage(s, "goal"))
    assert "as_of" not in cov and {s["number"] for s in cov["action_points"]} == {1, 2, 3}
    answer = same(dated, dated_memory, lambda s: responses.responses(s, 2))
    assert "as_of" not in answer
