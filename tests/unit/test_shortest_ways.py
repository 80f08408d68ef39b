"""The two-sided search behind paths gives every shortest path, in id-sequence order, and reads a hub only
when the answer goes through it."""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkg.app.store.traversal import shortest_ways, ways_in_order


def _answer(graph: nx.MultiGraph, source: str, target: str, max_hops: int, limit: int) -> list[list[str]]:
    nexts = shortest_ways(graph.__getitem__, graph.degree, source, target, max_hops)
    return ways_in_order(nexts, source, target, limit)


def _expected(graph: nx.MultiGraph, source: str, target: str, max_hops: int, limit: int) -> list[list[str]]:
    try:
        found = sorted(nx.all_shortest_paths(graph, source, target))
    except nx.NetworkXNoPath:
        return []
    return [p for p in found if len(p) - 1 <= max_hops][:limit]


@settings(max_examples=300, deadline=None)
@given(
    edges=st.lists(st.tuples(st.integers(0, 14), st.integers(0, 14)), max_size=45),
    ends=st.tuples(st.integers(0, 14), st.integers(0, 14)).filter(lambda e: e[0] != e[1]),
    max_hops=st.integers(1, 6),
    limit=st.integers(1, 8),
)
def test_every_shortest_path_in_id_order(
    edges: list[tuple[int, int]], ends: tuple[int, int], max_hops: int, limit: int
) -> None:
    graph = nx.MultiGraph()
    graph.add_nodes_from(f"n{i:02d}" for i in range(15))
    graph.add_edges_from((f"n{a:02d}", f"n{b:02d}") for a, b in edges)
    source, target = (f"n{i:02d}" for i in ends)
    assert _answer(graph, source, target, max_hops, limit) == _expected(graph, source, target, max_hops, limit)


def test_a_hub_off_the_paths_is_not_read() -> None:
    # s - a - b - t, and s also joins a hub of 5,000 leaves: the search grows from the lighter side.
    graph = nx.MultiGraph([("s", "a"), ("a", "b"), ("b", "t"), ("s", "hub")])
    graph.add_edges_from(("hub", f"leaf-{i}") for i in range(5000))
    read: list[str] = []

    def neighbours(node: str) -> list[str]:
        read.append(node)
        return list(graph[node])

    nexts = shortest_ways(neighbours, graph.degree, "s", "t", 6)
    assert ways_in_order(nexts, "s", "t", 10) == [["s", "a", "b", "t"]]
    assert "hub" not in read


def test_no_path_within_the_bound() -> None:
    graph = nx.MultiGraph([("s", "a"), ("a", "b"), ("b", "t")])
    assert ways_in_order(shortest_ways(graph.__getitem__, graph.degree, "s", "t", 2), "s", "t", 5) == []
    assert ways_in_order(shortest_ways(graph.__getitem__, graph.degree, "s", "t", 3), "s", "t", 5) == [
        ["s", "a", "b", "t"]
    ]
    graph.add_node("alone")
    assert ways_in_order(shortest_ways(graph.__getitem__, graph.degree, "s", "alone", 6), "s", "alone", 5) == []
