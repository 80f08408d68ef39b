"""The two-sided search finds the paths networkx finds, in the same order, reading the cheaper side."""

from __future__ import annotations

import random
from collections.abc import Collection

import networkx as nx
import pytest

from bpkg.app.store.neo4j.twosided import Costly, Expand, shortest_paths


def _expander(graph: nx.MultiGraph, read: list[int], meeting_only: bool = True) -> Expand:
    def expand(ids: Collection[str], meet: Collection[str]) -> list[tuple[str, str, int]]:
        moves = [(a, b, int(graph.degree(b))) for a in ids for _, b in graph.edges(a)]
        read.append(len(moves))
        met = [m for m in moves if m[1] in meet]
        return (met or moves) if meeting_only else moves  # the database's layer: only the meeting, once met

    return expand


def _ask(
    graph: nx.MultiGraph, a: str, b: str, max_hops: int, limit: int, read: list[int], meeting_only: bool = True
) -> list[list[str]]:
    expand = _expander(graph, read, meeting_only)
    return shortest_paths(a, b, (int(graph.degree(a)), int(graph.degree(b))), max_hops, limit, expand)


def _expected(graph: nx.MultiGraph, a: str, b: str, max_hops: int, limit: int) -> list[list[str]]:
    try:
        every = sorted(nx.all_shortest_paths(graph, a, b))
    except nx.NetworkXNoPath:
        return []
    return every[:limit] if len(every[0]) - 1 <= max_hops else []


@pytest.mark.parametrize("seed", range(40))
def test_the_same_paths_as_networkx_in_the_same_order(seed: int) -> None:
    rng = random.Random(seed)
    graph = nx.MultiGraph()
    nodes = [f"n{i}" for i in range(rng.randint(2, 60))]
    graph.add_nodes_from(nodes)
    for _ in range(rng.randint(0, 150)):
        graph.add_edge(rng.choice(nodes), rng.choice(nodes))  # loops and parallel links too
    for _ in range(10):
        a, b = rng.sample(nodes, 2)
        hops, limit = rng.randint(1, 6), rng.choice([1, 3, 20])
        expected = _expected(graph, a, b, hops, limit)
        assert _ask(graph, a, b, hops, limit, []) == expected, (a, b, hops, limit)
        assert _ask(graph, a, b, hops, limit, [], meeting_only=False) == expected, (a, b, hops, limit)


def test_the_hub_beside_the_source_is_not_read() -> None:
    """The shape that made the database's search slow: the source's neighbour is a hub, the target's side is
    small. The search grows the target's side and never reads the hub's links."""
    graph = nx.MultiGraph()
    graph.add_edges_from(("hub", f"leaf{i}") for i in range(5_000))
    graph.add_edges_from([("source", "hub"), ("source", "ap"), ("ap", "act"), ("act", "target"), ("x", "target")])
    read: list[int] = []
    assert _ask(graph, "source", "target", 6, 20, read) == [["source", "ap", "act", "target"]]
    assert sum(read) < 20


def test_a_layer_over_the_budget_is_left_to_the_database() -> None:
    graph = nx.MultiGraph()
    graph.add_edges_from(("a", f"x{i}") for i in range(50))
    graph.add_edges_from(("b", f"x{i}") for i in range(50))
    with pytest.raises(Costly):
        shortest_paths("a", "b", (50, 50), 6, 20, _expander(graph, []), budget=40)
    assert len(shortest_paths("a", "b", (50, 50), 6, 20, _expander(graph, []))) == 20


def test_a_search_bound_to_pass_the_budget_is_not_started() -> None:
    """Both ends' second layers over the budget (or an end a hub): a path of three steps or more needs one of
    them, so the search reads nothing and leaves it to the database; with the second layers unknown it starts."""
    graph = nx.MultiGraph()
    graph.add_edges_from([("a", "m"), ("m", "x"), ("x", "n"), ("n", "b")])
    read: list[int] = []
    expand = _expander(graph, read)
    for second in [(50, 60), (None, 60)]:
        degrees = (1, 1) if second[0] is not None else (100, 1)
        with pytest.raises(Costly):
            shortest_paths("a", "b", degrees, 6, 20, expand, budget=40, second=second)
    assert read == []
    assert shortest_paths("a", "b", (1, 1), 2, 20, expand, budget=40, second=(50, 60)) == []  # two steps: walked
    assert shortest_paths("a", "b", (1, 1), 6, 20, expand, budget=40, second=(50, 3)) == [["a", "m", "x", "n", "b"]]
    assert shortest_paths("a", "b", (1, 1), 6, 20, expand, budget=40) == [["a", "m", "x", "n", "b"]]
