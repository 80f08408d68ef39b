"""Trace, paths and neighbourhood: the rules that turn what an adapter walked into explained answers.

- A **trace** moves from the start up (to a lower ``RANK``) or down (to a higher one) along relationships of
  the chosen types, up to ``depth`` hops: it holds every node reached and every link walked, from each node
  reached in fewer than ``depth`` hops to a neighbour one step further up (down).
- **Paths** are the shortest node sequences between two nodes (relationships in either direction), at most
  ``max_hops`` long, the first ``limit`` of them in the order of their id sequences; each hop lists every
  relationship joining its two nodes and is as sure as the most certain of them, a path as its weakest hop.
- **Ways** are every simple path between two nodes (relationships in either direction, no node twice) of at
  most ``max_hops`` steps, the shortest first and, at one length, in the order of their id sequences, paged by
  ``offset`` and ``limit`` up to the ``MAX_WAYS``-th; each explained as paths are.
- A **neighbourhood** holds the nodes within ``depth`` hops (through nodes of the chosen labels), the nearer
  first and, at the same distance, in node order, cut at ``max_nodes``; and every link among them.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Final

from bpkg.app.errors import InvalidQuery
from bpkg.app.store.base import edge_out, edge_sort_key, ref
from bpkg.app.store.graph_types import EdgeData, NodeData, NodeRef
from bpkg.app.store.question_types import PathOut, PathStepOut
from bpkg.graph_schema import most_certain, weakest

MAX_TRACE_DEPTH: Final = 4
"""The deepest trace a store answers (the API allows 4, the pages 3)."""
MAX_PATH_HOPS: Final = 6
"""The longest path a store looks for (the API allows 6)."""


MAX_WAYS: Final = 500
"""How far ways are paged: the ways of a few steps between two hubs run to tens of thousands (14,641 of six
steps from the European Union to action point 17 in the bundled data), more than anyone reads."""


def check_ways(max_hops: int, limit: int, offset: int) -> None:
    check_hops(max_hops)
    if limit < 1 or offset < 0 or offset + limit > MAX_WAYS:
        raise InvalidQuery(f"ways are listed up to the {MAX_WAYS}th: the page asked ends at the {offset + limit}th")


def check_depth(depth: int) -> None:
    if not 1 <= depth <= MAX_TRACE_DEPTH:
        raise InvalidQuery(f"depth must be between 1 and {MAX_TRACE_DEPTH}, not {depth}")


def check_hops(max_hops: int) -> None:
    if not 1 <= max_hops <= MAX_PATH_HOPS:
        raise InvalidQuery(f"max_hops must be between 1 and {MAX_PATH_HOPS}, not {max_hops}")


def explain(edge: EdgeData, refs: dict[str, NodeRef]) -> str:
    source = refs[edge.source].name if edge.source in refs else edge.source
    target = refs[edge.target].name if edge.target in refs else edge.target
    extra = [str(edge.props.get("confidence", ""))]
    if edge.props.get("strength"):
        extra.append(str(edge.props["strength"]))
    return f"{source} {edge.type.replace('_', ' ').lower()} {target} ({', '.join(extra)})"


def paths_out(sequences: list[list[str]], nodes: dict[str, NodeData], joins: Iterable[EdgeData]) -> list[PathOut]:
    """Paths (node id sequences) with their steps, from the nodes on them and the links joining them."""
    refs = {i: ref(n) for i, n in nodes.items()}
    between: dict[frozenset[str], list[EdgeData]] = defaultdict(list)
    for edge in {e.key: e for e in joins}.values():
        between[frozenset((edge.source, edge.target))].append(edge)
    result: list[PathOut] = []
    for seq in sequences:
        steps = []
        for a, b in itertools.pairwise(seq):
            rels = sorted(between[frozenset((a, b))], key=edge_sort_key)
            steps.append(
                PathStepOut(
                    source=refs[a],
                    target=refs[b],
                    relationships=[edge_out(e) for e in rels],
                    explanation="; ".join(explain(e, refs) for e in rels),
                )
            )
        hops = [most_certain(rel.confidence for rel in step.relationships) for step in steps]
        result.append(
            PathOut(
                length=len(seq) - 1,
                nodes=[refs[n] for n in seq],
                steps=steps,
                confidence=weakest(h for h in hops if h is not None),
            )
        )
    return result


def shortest_ways(
    neighbours: Callable[[str], Iterable[str]],
    weight: Callable[[str], int],
    source: str,
    target: str,
    max_hops: int,
) -> dict[str, list[str]]:
    """Every shortest path from ``source`` to ``target`` of at most ``max_hops`` steps (relationships in
    either direction), as the next nodes (sorted) from each node on one of them; empty when there is none.

    A two-sided breadth-first search: it grows a whole layer at a time on the side whose frontier is lighter
    (``weight``: a node's degree), so it reads a hub's neighbours only when the lighter side reaches it, and
    stops at the first layer where the two sides meet or when the two depths add up to ``max_hops``. Every
    shortest path crosses that last layer: the nodes on the paths are the meeting nodes and what leads to
    them on either side (the predecessors each layer recorded), so no node off the paths is walked again.
    """
    depth = {source: 0}, {target: 0}
    back: tuple[dict[str, list[str]], dict[str, list[str]]] = (defaultdict(list), defaultdict(list))
    frontier = [source], [target]
    reached = [0, 0]
    meet: list[str] = []
    while not meet and reached[0] + reached[1] < max_hops and frontier[0] and frontier[1]:
        side = 0 if sum(map(weight, frontier[0])) <= sum(map(weight, frontier[1])) else 1
        seen, other, preds = depth[side], depth[1 - side], back[side]
        level = reached[side] + 1
        layer: list[str] = []
        for here in frontier[side]:
            for there in neighbours(here):
                known = seen.get(there)
                if known is None:
                    seen[there] = level
                    layer.append(there)
                    known = level
                if known == level:
                    preds[there].append(here)
        reached[side] = level
        frontier = (layer, frontier[1]) if side == 0 else (frontier[0], layer)
        meet = [n for n in layer if n in other]
    nexts: dict[str, set[str]] = defaultdict(set)
    # From the meeting nodes back to the source (the edges turned round) and on to the target.
    for side in (0, 1):
        todo, done = list(meet), set(meet)
        while todo:
            here = todo.pop()
            for there in back[side].get(here, ()):
                if side == 0:
                    nexts[there].add(here)
                else:
                    nexts[here].add(there)
                if there not in done:
                    done.add(there)
                    todo.append(there)
    return {node: sorted(found) for node, found in nexts.items()}


def ways_in_order(nexts: dict[str, list[str]], source: str, target: str, limit: int) -> list[list[str]]:
    """The first ``limit`` paths from ``source`` to ``target`` along ``nexts``, in the order of their id
    sequences (a depth-first walk over the sorted next nodes, stopped at ``limit``)."""
    found: list[list[str]] = []

    def walk(prefix: list[str]) -> Iterator[list[str]]:
        here = prefix[-1]
        if here == target:
            yield prefix
            return
        for there in nexts.get(here, ()):
            yield from walk([*prefix, there])

    if source not in nexts:
        return found
    for path in walk([source]):
        found.append(path)
        if len(found) >= limit:
            break
    return found


def same_node_path(node: NodeData) -> list[PathOut]:
    return [PathOut(length=0, nodes=[ref(node)], steps=[], confidence=None)]
