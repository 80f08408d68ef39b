"""The shortest paths between two nodes by a two-sided breadth-first search that grows the cheaper side.

Neo4j's ``allShortestPaths`` grows the side whose frontier has fewer *nodes*; next to a hub that is the wrong
side: from an activity of one action point to a commitment at 1M relationships it read 121,702 relationships (the
activity's 13 neighbours include a hub of 61k) for 28 paths of length 3. This search grows the side whose
frontier has fewer *relationships* (each node's degree, which Neo4j keeps per node), one layer per read, and
stops at the layer where the sides meet: the same paths from 311 relationships read.

The search is written against ``expand``, one layer of either side (a read of the store), so the walk itself is
plain Python and tested against networkx (``tests/unit/test_twosided.py``). ``Costly`` stops it when the cheaper
side would read more than ``budget`` relationships: the caller then asks the database's own search, which reads
them without sending them over the wire.
"""

from __future__ import annotations

import itertools
from collections import defaultdict
from collections.abc import Callable, Collection, Iterator
from dataclasses import dataclass, field
from typing import Final

BUDGET: Final = 5_000
"""The most relationships a layer may read before the search leaves the walk to the database."""

Expand = Callable[[Collection[str], Collection[str]], list[tuple[str, str, int]]]
"""One layer: for nodes ``ids``, every (node, neighbour, neighbour's degree), relationships in either direction;
when some neighbours are among ``meet`` (the other side's frontier), it may give only the rows reaching those."""


class Costly(Exception):
    """The cheaper side's next layer would read more than the budget allows."""


@dataclass
class _Side:
    """One side of the search: how far each node it reached is from its root, and its parents (one step nearer)."""

    root: str
    cost: int
    """What reading the next layer reads: the frontier's degrees."""
    depth: int = field(default=0, init=False)
    frontier: list[str] = field(init=False)
    distance: dict[str, int] = field(init=False)
    parents: defaultdict[str, set[str]] = field(init=False, default_factory=lambda: defaultdict(set))

    def __post_init__(self) -> None:
        self.frontier, self.distance = [self.root], {self.root: 0}

    def grow(self, moves: list[tuple[str, str, int]]) -> list[str]:
        """The next layer from one read of the frontier's neighbours; the nodes it reached first."""
        layer: dict[str, int] = {}
        for near, far, degree in moves:
            seen = self.distance.get(far)
            if seen is not None and seen <= self.depth:
                continue
            layer[far] = degree
            self.parents[far].add(near)
        self.depth += 1
        for node in layer:
            self.distance[node] = self.depth
        self.frontier = sorted(layer)
        self.cost = sum(layer.values())
        return self.frontier


def shortest_paths(
    source: str,
    target: str,
    degrees: tuple[int, int],
    max_hops: int,
    limit: int,
    expand: Expand,
    budget: int = BUDGET,
    second: tuple[int | None, int | None] = (None, None),
) -> list[list[str]]:
    """The first ``limit`` shortest paths (node id sequences, in the order of the sequences) from ``source`` to
    ``target``, at most ``max_hops`` long; ``degrees`` are the two ends' degrees, ``second`` what each end's second
    layer would read (None: not known). Raises ``Costly`` when a layer would read more than ``budget``
    relationships, and before reading any when each end is a hub or has a second layer over the budget: a path
    of three steps or more cannot be found without reading one of them (a shorter one is found by either search)."""
    over = [d > budget or (n is not None and n > budget) for d, n in zip(degrees, second, strict=True)]
    if max_hops > 2 and all(over):
        raise Costly(f"ends of {degrees[0]:,} and {degrees[1]:,} relationships, second layers {second}")
    ahead, behind = _Side(source, degrees[0]), _Side(target, degrees[1])
    while ahead.depth + behind.depth < max_hops and ahead.frontier and behind.frontier:
        side, other = (ahead, behind) if ahead.cost <= behind.cost else (behind, ahead)
        if side.cost > budget:
            raise Costly(f"a layer of {side.cost:,} relationships")
        reached = side.grow(expand(side.frontier, other.frontier))
        meet = sorted(set(reached) & set(other.frontier))
        if meet:
            return _sequences(ahead, behind, meet, limit)
    return []


def _sequences(ahead: _Side, behind: _Side, meet: list[str], limit: int) -> list[list[str]]:
    """The paths through the nodes where the sides met, the first ``limit`` in the order of their sequences:
    forward from the source along the steps that lead to a meeting node, then to the target along the target
    side's parents."""
    towards: defaultdict[str, set[str]] = defaultdict(set)  # the source side's steps that lead to a meeting node
    wanted, todo = set(meet), list(meet)
    while todo:
        node = todo.pop()
        for parent in ahead.parents.get(node, ()):
            towards[parent].add(node)
            if parent not in wanted:
                wanted.add(parent)
                todo.append(parent)
    middle = ahead.distance[meet[0]]
    length = middle + behind.distance[meet[0]]

    def walk(node: str, position: int) -> Iterator[list[str]]:
        # Depth first in the order of ids: paths of one length come out in the order of their sequences.
        if position == length:
            yield [node]
            return
        for step in sorted(towards[node] if position < middle else behind.parents.get(node, set())):
            for rest in walk(step, position + 1):
                yield [node, *rest]

    return list(itertools.islice(walk(ahead.root, 0), limit))
