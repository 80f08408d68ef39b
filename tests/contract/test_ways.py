"""Every way between two nodes (Connections): each backend finds them natively (memory: a pruned walk over the
networkx graph; Neo4j: one anchored pattern per length) and both give the same ways, in the same order, paged
alike; the memory answer is checked against networkx's own enumeration of simple paths."""

from __future__ import annotations

import networkx as nx
import pytest

from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.app.store.traversal import MAX_WAYS
from bpkg.graph_schema.asof import parse_as_of
from tests.contract.compare import same

PAIRS = [
    ("org-eu", "ap-17", 4),
    ("region-eu", "ap-17", 5),
    ("activity-mrc-lahore", "commitment-knowledge", 5),
    ("component-relec", "country-tur", 3),
    ("pg-4", "pg-4", 3),
]


def ids(paths: list[dict[str, object]]) -> list[tuple[str, ...]]:
    return [tuple(n["id"] for n in p["nodes"]) for p in paths]  # type: ignore[attr-defined]


@pytest.mark.parametrize(("source", "target", "max_hops"), PAIRS)
def test_backends_give_the_same_ways_shortest_first(
    store: GraphStore, memory_store: MemoryStore, source: str, target: str, max_hops: int
) -> None:
    ways = same(store, memory_store, lambda s: s.ways(source, target, max_hops, 60, 0))
    assert ways
    order = [(p["length"], seq) for p, seq in zip(ways, ids(ways), strict=True)]
    assert order == sorted(order)  # shortest first, then by the ids along the way
    for p, seq in zip(ways, ids(ways), strict=True):
        assert seq[0] == source and seq[-1] == target and len(set(seq)) == len(seq)  # no node twice
        assert p["length"] == len(seq) - 1 <= max_hops and len(p["steps"]) == p["length"]
        assert all(step["relationships"] for step in p["steps"])
        assert p["confidence"] in (None, "confirmed", "inferred", "illustrative")
    # The shortest paths come first among the ways.
    shortest = ids(same(store, memory_store, lambda s: s.paths(source, target, max_hops, 60)))
    assert ids(ways)[: len(shortest)] == shortest


@pytest.mark.parametrize(("source", "target", "max_hops"), PAIRS[:3])
def test_pages_follow_each_other(
    store: GraphStore, memory_store: MemoryStore, source: str, target: str, max_hops: int
) -> None:
    whole = ids(same(store, memory_store, lambda s: s.ways(source, target, max_hops, 40, 0)))

    def page(offset: int) -> list[tuple[str, ...]]:
        return ids(same(store, memory_store, lambda s: s.ways(source, target, max_hops, 10, offset)))

    pages = [page(offset) for offset in (0, 10, 20, 30)]
    assert [seq for page in pages for seq in page] == whole


@pytest.mark.parametrize(("source", "target", "max_hops"), [("org-eu", "ap-17", 4), ("country-tur", "ap-41", 4)])
def test_the_ways_are_every_simple_path(memory_store: MemoryStore, source: str, target: str, max_hops: int) -> None:
    expected = {tuple(p) for p in nx.all_simple_paths(memory_store.graph.to_undirected(), source, target, max_hops)}
    assert 0 < len(expected) < MAX_WAYS
    found = ids([p.model_dump() for p in memory_store.ways(source, target, max_hops, MAX_WAYS, 0)])
    assert len(found) == len(set(found)) and set(found) == expected


def test_the_way_through_the_facility_is_among_them(store: GraphStore) -> None:
    # The route: the EU funds the Silk Routes Facility, whose technical assistance in Pakistan responds
    # to action point 17; longer than the shortest ways, so only listing every way shows it.
    found = ids([p.model_dump() for p in store.ways("org-eu", "ap-17", 3, 60, 0)])
    assert ("org-eu", "component-facility", "activity-facility-ta-pak-emigration-policy", "ap-17") in found
    assert min(len(seq) for seq in found) - 1 == 2


@pytest.mark.parametrize("day", ["2016", "2019-06-30", "2022-12-31"])
def test_ways_as_of_a_day_agree(store: GraphStore, memory_store: MemoryStore, day: str) -> None:
    as_of = parse_as_of(day)
    ways = same(store, memory_store, lambda s: s.ways("org-eu", "ap-17", 4, 30, 0, as_of))
    today = set(ids(same(store, memory_store, lambda s: s.ways("org-eu", "ap-17", 4, MAX_WAYS, 0))))
    assert set(ids(ways)) <= today


def test_ways_are_bounded_alike(store: GraphStore, memory_store: MemoryStore) -> None:
    assert (
        same(store, memory_store, lambda s: s.ways("org-eu", "ap-17", 4, 10, MAX_WAYS - 5))["raised"] == "InvalidQuery"
    )
    assert same(store, memory_store, lambda s: s.ways("org-eu", "ap-17", 7, 10, 0))["raised"] == "InvalidQuery"
    assert same(store, memory_store, lambda s: s.ways("org-eu", "nope", 4, 10, 0))["raised"] == "NotFound"
