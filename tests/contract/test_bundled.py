"""The contract: every backend answers every question about the bundled dataset as the memory backend does.

Each test runs once per backend (the ``store`` fixture) and compares the complete answer, errors
included, with ``memory_store``'s; the assertions after the comparison keep the memory run meaningful.
"""

from __future__ import annotations

from typing import get_args

import networkx as nx
import pytest

from bpkg.app.errors import NotFound
from bpkg.app.services import coverage, responses
from bpkg.app.services.health import health
from bpkg.app.store.graph_types import NodePage
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.neo4j import twosided
from bpkg.app.store.port import GraphStore, TraceDirection
from bpkg.app.store.question_types import Response
from bpkg.app.store.response_builder import slots_of
from bpkg.graph_schema import weakest
from bpkg.graph_schema.asof import AsOf, parse_as_of
from bpkg.loaders import GraphBatch
from tests.contract.compare import action_point_read_whole, refused, same

DIRECTIONS: tuple[TraceDirection, ...] = get_args(TraceDirection)
SAMPLE_IDS = (
    "ap-17",
    "pg-4",
    "commitment-knowledge",
    "component-mrc",
    "activity-mrc-lahore",
    "project-imm",
    "country-pak",
    "decl-istanbul-commitments-2019",
)


def test_stats(store: GraphStore, memory_store: MemoryStore, bundled_batch: GraphBatch) -> None:
    stats = same(store, memory_store, lambda s: s.stats())
    assert stats["nodes"] == len(bundled_batch.nodes)
    assert stats["relationships"] == len(bundled_batch.rels)
    assert stats["labels"]["ActionPoint"] == 41


def test_dataset_info(store: GraphStore, memory_store: MemoryStore) -> None:
    # loaded_at says when each backend was loaded, so it is the one field that may differ.
    got, want = store.dataset_info(), memory_store.dataset_info()
    assert got is not None and want is not None
    assert got.model_dump(exclude={"loaded_at"}) == want.model_dump(exclude={"loaded_at"})
    assert got.name == "budapest-process" and got.loaded_at


def test_health_of_a_reachable_backend(store: GraphStore) -> None:
    # ping answers (no BackendUnavailable), and health reports the backend and the dataset it holds;
    # the unreachable cases are in test_neo4j_failures.
    report = health(store, "2026-01-01T00:00:00+00:00")
    assert (report.status, report.reachable, report.backend) == ("ok", True, store.backend)
    assert report.dataset is not None and report.dataset.name == "budapest-process"


@pytest.mark.parametrize("node_id", SAMPLE_IDS)
def test_node_and_links(store: GraphStore, memory_store: MemoryStore, node_id: str) -> None:
    node = same(store, memory_store, lambda s: s.node(node_id))
    assert node["id"] == node_id and node["sources"] and node["link_counts"]
    links = same(store, memory_store, lambda s: s.links(node_id))
    assert sum(c["count"] for c in node["link_counts"]) == len(links)
    assert same(store, memory_store, lambda s: s.node_data(node_id))["id"] == node_id


def test_unknown_node(store: GraphStore, memory_store: MemoryStore) -> None:
    for ask in (lambda s: s.node("ap-999"), lambda s: s.links("nope"), lambda s: s.node_data("")):
        assert same(store, memory_store, ask)["raised"] == "NotFound"


@pytest.mark.parametrize(
    ("label", "q", "limit", "offset"),
    [
        (None, None, 50, 0),
        (None, None, 7, 300),
        (None, None, 0, 0),
        ("ActionPoint", None, 10, 5),
        ("Activity", "mrc", 5, 2),
        (None, "relec", 50, 0),
        (None, "RELEC ", 50, 0),
        ("Country", "pak", 50, 0),
        (None, "resource centre", 3, 1),
        (None, "zzz-nothing", 10, 0),
        ("Source", None, 500, 0),
        ("Region", None, 10, 1000),
    ],
)
def test_nodes_paging_and_filters(
    store: GraphStore, memory_store: MemoryStore, label: str | None, q: str | None, limit: int, offset: int
) -> None:
    page = same(store, memory_store, lambda s: s.nodes(label, q, limit, offset))
    assert len(page["items"]) == max(0, min(limit, page["total"] - offset))


def test_nodes_paging_walks_everything_once(store: GraphStore, memory_store: MemoryStore) -> None:
    seen: list[str] = []
    for offset in range(0, 400, 37):

        def ask(s: GraphStore, offset: int = offset) -> NodePage:
            return s.nodes(None, None, 37, offset)

        page = same(store, memory_store, ask)
        seen += [item["id"] for item in page["items"]]
    assert len(seen) == len(set(seen)) == memory_store.nodes(None, None, 1, 0).total


def test_nodes_unknown_label(store: GraphStore, memory_store: MemoryStore) -> None:
    assert same(store, memory_store, lambda s: s.nodes("Nope", None, 10, 0))["raised"] == "InvalidQuery"


@pytest.mark.parametrize("goal_level", [False, True])
@pytest.mark.parametrize("ap", ["ap-17", "ap-1", "ap-5", "ap-23", "ap-40", "ap-6", "ap-41"])
def test_responses(store: GraphStore, memory_store: MemoryStore, ap: str, goal_level: bool) -> None:
    responses = same(store, memory_store, lambda s: responses_of(s, ap, goal_level))
    assert all(r["path"] and r["responder"]["id"] for r in responses)
    if not goal_level:
        assert all(r["level"] == "action_point" and r["target"]["id"] == ap for r in responses)


def test_responses_at_goal_level_add_to_direct_ones(memory_store: MemoryStore) -> None:
    direct = responses_of(memory_store, "ap-17", goal_level=False)
    with_goal = responses_of(memory_store, "ap-17", goal_level=True)
    assert direct and len(with_goal) > len(direct)
    assert [r.model_dump() for r in with_goal if r.level == "action_point"] == [r.model_dump() for r in direct]


@pytest.mark.parametrize("ap", ["ap-17", "ap-1", "ap-6", "ap-41"])
def test_each_response_is_placed_by_its_path(store: GraphStore, memory_store: MemoryStore, ap: str) -> None:
    # The headline filters, counts, orders and groups by what each response says of itself: its places in the
    # tree, countries and components must be those its path says, on each backend (and the same on both).
    detail = same(store, memory_store, lambda s: s.action_point(ap, True))
    assert detail["responses"] or detail["goal_responses"]
    placed(store, ap)


def test_responses_errors(store: GraphStore, memory_store: MemoryStore) -> None:
    assert same(store, memory_store, lambda s: s.action_point("pg-4", True))["raised"] == "InvalidQuery"
    assert same(store, memory_store, lambda s: s.action_point("ap-0", False))["raised"] == "NotFound"
    assert same(store, memory_store, lambda s: s.action_point("ap-0", True, parse_as_of("2020")))["raised"] == (
        "NotFound"
    )


@pytest.mark.parametrize("ap", ["ap-17", "ap-6", "ap-1"])
@pytest.mark.parametrize("goal_level", [False, True])
def test_action_point(store: GraphStore, memory_store: MemoryStore, ap: str, goal_level: bool) -> None:
    detail = same(store, memory_store, lambda s: s.action_point(ap, goal_level))
    assert detail["action_point"]["id"] == ap and detail["goal"] is not None
    assert detail["properties"]["id"] == ap and "text" not in detail["properties"]
    assert goal_level or detail["goal_responses"] == []
    assert all(r["level"] == "action_point" for r in detail["responses"])
    assert all(r["level"] == "goal" for r in detail["goal_responses"])
    facts = {f["action_point"]["id"]: f for f in same(store, memory_store, lambda s: s.action_point_facts())}
    if goal_level:
        # The facts always carry the goal-level responses: the status needs them.
        assert {k: v for k, v in detail.items() if k != "properties"} == facts[ap]
    else:
        assert detail["goal_responses"] == []


def test_derived_confidence_is_the_weakest_on_the_path(store: GraphStore, memory_store: MemoryStore) -> None:
    # Action point 17 sits under its goal through an illustrative UNDER link: every goal-level answer is
    # illustrative whatever its own link says, and its path lists the UNDER step.
    detail = same(store, memory_store, lambda s: s.action_point("ap-17", True))
    order = ["illustrative", "inferred", "confirmed"]
    assert detail["goal_confidence"] == "illustrative" and detail["goal"]["confidence"] == "illustrative"
    assert detail["goal_responses"]
    for r in detail["responses"] + detail["goal_responses"]:
        levels = [step["confidence"] for step in r["path"]]
        assert r["confidence"] == min(levels, key=order.index)
        assert order.index(r["confidence"]) <= order.index(r["link_confidence"])
    for r in detail["goal_responses"]:
        under = [s for s in r["path"] if s["type"] == "UNDER"]
        assert [(s["source"]["id"], s["target"]["id"]) for s in under] == [("ap-17", detail["goal"]["id"])]
        assert r["confidence"] == "illustrative"
    # A goal-level response whose own link is surer (inferred: the Facility's, issue 20) is still illustrative.
    assert any(r["link_confidence"] == "inferred" for r in detail["goal_responses"])


def test_action_point_facts(store: GraphStore, memory_store: MemoryStore) -> None:
    facts = same(store, memory_store, lambda s: s.action_point_facts())
    assert [f["number"] for f in facts] == list(range(1, 42))
    assert any(f["responses"] for f in facts) and any(not f["responses"] for f in facts)


@pytest.mark.parametrize("depth", [1, 2, 3, 4])
@pytest.mark.parametrize("direction", DIRECTIONS)
@pytest.mark.parametrize("start", ["activity-mrc-lahore", "component-mrc", "ap-17"])
def test_trace(store: GraphStore, memory_store: MemoryStore, start: str, direction: TraceDirection, depth: int) -> None:
    graph = same(store, memory_store, lambda s: s.trace(start, direction, depth, None))
    assert start in {n["id"] for n in graph["nodes"]} and graph["edges"]


def test_trace_with_types_and_errors(store: GraphStore, memory_store: MemoryStore) -> None:
    graph = same(store, memory_store, lambda s: s.trace("ap-17", "down", 3, ["RESPONDS_TO", "PART_OF", "UNDER"]))
    assert {e["type"] for e in graph["edges"]} <= {"RESPONDS_TO", "PART_OF", "UNDER"}
    assert same(store, memory_store, lambda s: s.trace("ap-17", "up", 2, ["NOPE"]))["raised"] == "InvalidQuery"
    assert same(store, memory_store, lambda s: s.trace("ap-0", "up", 2, None))["raised"] == "NotFound"


@pytest.mark.parametrize("direction", DIRECTIONS)
def test_trace_tells_an_unknown_node_before_a_bad_parameter(
    store: GraphStore, memory_store: MemoryStore, direction: TraceDirection
) -> None:
    # The Neo4j walk reads its start itself (no read of its own before it): the order of the errors stays.
    assert same(store, memory_store, lambda s: s.trace("ap-0", direction, 2, ["NOPE"]))["raised"] == "NotFound"
    assert same(store, memory_store, lambda s: s.trace("ap-0", direction, 9, None))["raised"] == "NotFound"
    assert same(store, memory_store, lambda s: s.trace("ap-17", direction, 9, None))["raised"] == "InvalidQuery"
    assert same(store, memory_store, lambda s: s.trace("ap-0", direction, 2, []))["raised"] == "NotFound"
    assert same(store, memory_store, lambda s: s.trace("ap-0", direction, 2, None))["raised"] == "NotFound"


@pytest.mark.parametrize(
    ("source", "target", "max_hops", "limit"),
    [
        ("activity-mrc-lahore", "commitment-knowledge", 6, 5),
        ("component-relec", "commitment-knowledge", 6, 2),
        ("component-relec", "commitment-knowledge", 6, 10),
        ("ap-17", "country-pak", 4, 10),
        ("country-pak", "ap-17", 4, 10),
    ],
)
@pytest.mark.parametrize("search", ["layers", "database"])
def test_paths(
    store: GraphStore,
    memory_store: MemoryStore,
    monkeypatch: pytest.MonkeyPatch,
    source: str,
    target: str,
    max_hops: int,
    limit: int,
    search: str,
) -> None:
    if search == "database":  # Neo4j's own search, which the store asks when a layer passes the budget
        monkeypatch.setattr(twosided, "BUDGET", 0)
    paths = same(store, memory_store, lambda s: s.paths(source, target, max_hops, limit))
    assert 0 < len(paths) <= limit
    for path in paths:
        assert path["nodes"][0]["id"] == source and path["nodes"][-1]["id"] == target
        assert len(path["steps"]) == path["length"] <= max_hops
        assert all(step["relationships"] for step in path["steps"])


def test_paths_edge_cases(store: GraphStore, memory_store: MemoryStore) -> None:
    assert same(store, memory_store, lambda s: s.paths("activity-mrc-lahore", "commitment-knowledge", 1, 5)) == []
    itself = same(store, memory_store, lambda s: s.paths("pg-4", "pg-4", 4, 5))
    assert [p["length"] for p in itself] == [0]
    assert same(store, memory_store, lambda s: s.paths("pg-4", "nope", 4, 5))["raised"] == "NotFound"


@pytest.mark.parametrize(
    ("focus", "depth", "labels", "max_nodes"),
    [
        ("pg-4", 1, None, 2000),
        ("pg-4", 2, None, 2000),
        ("component-mrc", 2, ["Activity", "Country"], 2000),
        ("ap-17", 3, ["ActionPoint", "PriorityGoal", "Activity", "Component"], 2000),
        ("component-mrc", 2, None, 5),
        ("country-pak", 2, None, 12),
    ],
)
def test_neighbourhood(
    store: GraphStore, memory_store: MemoryStore, focus: str, depth: int, labels: list[str] | None, max_nodes: int
) -> None:
    graph = same(store, memory_store, lambda s: s.neighbourhood(focus, depth, labels, max_nodes))
    assert focus in {n["id"] for n in graph["nodes"]} and len(graph["nodes"]) <= max_nodes
    assert graph["truncated"] == (max_nodes < 2000)
    if labels:
        assert {n["label"] for n in graph["nodes"] if n["id"] != focus} <= set(labels)


def test_neighbourhood_unknown_label(store: GraphStore, memory_store: MemoryStore) -> None:
    assert same(store, memory_store, lambda s: s.neighbourhood("pg-4", 1, ["Nope"], 10))["raised"] == "InvalidQuery"


@pytest.mark.parametrize(
    ("labels", "max_nodes"),
    [(None, 2000), (["ActionPoint", "PriorityGoal", "Commitment"], 2000), (None, 10), (["Nope"], 10)],
)
def test_whole_graph(store: GraphStore, memory_store: MemoryStore, labels: list[str] | None, max_nodes: int) -> None:
    graph = same(store, memory_store, lambda s: s.whole_graph(labels, max_nodes))
    assert len(graph["nodes"]) <= max_nodes and graph["truncated"] == (max_nodes == 10 and labels is None)


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("migrant resource", "activity-mrc-lahore"),
        ("relec", "component-relec"),
        ("ap 17", "ap-17"),
        ("AP-17", "ap-17"),
        ("lahore", "activity-mrc-lahore"),
        ("Iraq", "country-irq"),
        ("s", None),
        ("centre", None),
        ("xqzv", None),
    ],
)
def test_search(store: GraphStore, memory_store: MemoryStore, q: str, expected: str | None) -> None:
    hits = same(store, memory_store, lambda s: s.search(q, 50))
    if expected is not None:
        assert expected in {h["node"]["id"] for h in hits}
    scores = [h["score"] for h in hits]
    assert scores == sorted(scores, reverse=True)


def test_search_without_words(store: GraphStore, memory_store: MemoryStore) -> None:
    assert same(store, memory_store, lambda s: s.search("!!! ...", 10))["raised"] == "InvalidQuery"


def test_nodes_by_id(store: GraphStore, memory_store: MemoryStore) -> None:
    ids = ["ap-17", "component-mrc", "country-pak", "nope"]
    assert set(same(store, memory_store, lambda s: s.nodes_by_id(ids))) == set(ids) - {"nope"}
    assert same(store, memory_store, lambda s: s.nodes_by_id([])) == {}


def test_traversals_refuse_what_they_cannot_bound(store: GraphStore, memory_store: MemoryStore) -> None:
    # Each adapter bounds its walks (Neo4j in the Cypher pattern itself): deeper asks are refused alike.
    assert same(store, memory_store, lambda s: s.trace("ap-17", "up", 5, None))["raised"] == "InvalidQuery"
    assert same(store, memory_store, lambda s: s.paths("ap-17", "pg-4", 7, 5))["raised"] == "InvalidQuery"


def test_a_path_is_as_sure_as_its_weakest_hop(store: GraphStore, memory_store: MemoryStore) -> None:
    # EU funding (confirmed) reaches action point 17 only through the illustrative sample plan.
    paths = same(store, memory_store, lambda s: s.paths("org-eu", "ap-17", 4, 5))
    order = ["illustrative", "inferred", "confirmed"]
    assert paths
    for path in paths:
        hops = [max(((r["confidence"]) for r in step["relationships"]), key=order.index) for step in path["steps"]]
        assert path["confidence"] == min(hops, key=order.index) == "illustrative"


def responses_of(store: GraphStore, ap: str, goal_level: bool) -> list[Response]:
    """An action point's responses, direct first, then (``goal_level``) those to its goal."""
    detail = store.action_point(ap, goal_level)
    return [*detail.responses, *detail.goal_responses]


def placed(store: GraphStore, ap: str, as_of: AsOf | None = None) -> None:
    """Every response of ``ap`` (direct and to its goal) is placed where its path says: its slots, countries
    and components are those read from its path, and its confidence the weakest on that path."""
    detail = store.action_point(ap, True, as_of)
    for r in [*detail.responses, *detail.goal_responses]:
        steps = [(step.type, step.source.id, step.target.id, step.target.label) for step in r.path]
        assert r.slots == slots_of(r.responder, [c.id for c in r.components], steps)
        assert r.confidence == weakest(step.confidence for step in r.path)
        assert r.path[-1 if r.level == "action_point" else -2].type == "RESPONDS_TO"


@pytest.mark.parametrize(
    ("start", "direction", "types", "reached"),
    [
        # Types a trace does not follow unless asked: asked, both backends follow them the schema's way.
        ("country-aut", "up", ["PARTICIPATES_IN"], "process-budapest"),
        ("process-budapest", "down", ["PARTICIPATES_IN"], "country-aut"),
        ("country-aut", "both", ["IN_REGION", "PARTICIPATES_IN"], "process-budapest"),
        ("project-srpp", "both", ["FUNDS", "IMPLEMENTS"], "org-eu"),
    ],
)
def test_trace_follows_any_type_asked_for(
    store: GraphStore,
    memory_store: MemoryStore,
    start: str,
    direction: TraceDirection,
    types: list[str],
    reached: str | None,
) -> None:
    graph = same(store, memory_store, lambda s: s.trace(start, direction, 2, types))
    assert {e["type"] for e in graph["edges"]} <= set(types)
    if reached is not None:
        assert reached in {n["id"] for n in graph["nodes"]}


def test_an_action_point_from_todays_facts_is_the_action_point_read_whole(
    store: GraphStore, bundled_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # ``/action-points/{number}`` counts today's derived facts (once some question derived them: ``read_facts``)
    # instead of reading the action point with every response: for each of the 41, the same JSON as read whole,
    # with the read of an action point whole refused once the facts are there. (A store with nothing kept: the
    # session's memory store keeps what other tests asked.)
    fresh = MemoryStore(bundled_graph) if store.backend == "memory" else store
    want = {n: action_point_read_whole(fresh, n) for n in range(1, 42)}
    coverage.read_facts(fresh)
    assert responses.todays_facts(fresh, "ap-17") is not None, "the facts are derived: the answers read them"
    monkeypatch.setattr(fresh, "action_point", refused)
    monkeypatch.setattr(responses, "find", refused)
    for number in range(1, 42):
        assert responses.action_point_detail(fresh, number).model_dump_json() == want[number], number
    with pytest.raises(NotFound):
        responses.action_point_detail(fresh, 99)
