"""The embedded backend: the store port answered from a networkx MultiDiGraph and indexes built once at load.

Traces walk a graph of "up" moves (each relationship oriented from the higher rank to the lower) with
networkx's breadth-first search; paths use networkx's bidirectional search and breadth-first distances;
neighbourhoods networkx's BFS layers over an undirected view; search a sorted word index. Responses read
the links around the action point from an index by (node, type); the services keep the answers per dataset
version (``bpkg.app.services.per_dataset``). As of a date, traces and paths walk ``nx.subgraph_view`` filters that keep
the nodes and links that may have existed then (``bpkg.app.store.alive``); SUCCEEDS links move a trace sideways.
"""

from __future__ import annotations

import bisect
import heapq
import itertools
import threading
from collections import Counter, OrderedDict, defaultdict
from collections.abc import Callable, Collection, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, Generic, TypeVar

import networkx as nx

from bpkg.app.collector import lasting
from bpkg.app.store import base, graph_types, headline, response_builder, search, traversal
from bpkg.app.store.alive import gone_note
from bpkg.app.store.graph_types import (
    DatasetOut,
    Direction,
    EdgeData,
    GraphOut,
    LinkCount,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    TraceOutline,
    Way,
    node_made,
)
from bpkg.app.store.port import TraceDirection
from bpkg.app.store.question_types import ActionPointDetail, ActionPointFacts, PathOut, SearchHit
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, Presence, existence_of
from bpkg.loaders.stats import GraphStats

HUB_NEIGHBOURS: Final = 1_000
"""A node with more neighbours than this keeps its links and neighbours in order once asked (``_hub``)."""
HUBS_KEPT: Final = 32
"""Hubs kept in order at once (about 1 MB each for the busiest action point at 1M relationships)."""


class MemoryStore:
    """Reads a graph built by ``bpkg.loaders.build_graph``; the graph is never modified."""

    backend = "memory"

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._nodes: dict[str, NodeData] = {}
        self._by_label: dict[str, list[NodeData]] = defaultdict(list)
        for node_id, attrs in graph.nodes(data=True):
            props: dict[str, Any] = {k: v for k, v in attrs.items() if k != "label"}
            # Built from what the loader validated, without validating again (a copy of ``props`` each) and
            # with one set of fields for all: 400 B less per node.
            node = node_made(node_id, attrs["label"], props)
            self._nodes[node_id] = node
            self._by_label[node.label].append(node)
        for nodes in self._by_label.values():
            nodes.sort(key=base.node_sort_key)
        self._all_sorted = sorted(self._nodes.values(), key=base.node_sort_key)
        # Each node's rank, read at every move a trace considers (a dict entry per node: ~10 B per relationship).
        self._ranks = {n.id: base.RANK.get(n.label, 99) for n in self._all_sorted}
        # One structure holds the links: the graph's own adjacency (``_succ``/``_pred``: node -> node -> type ->
        # properties). What the answers need beside it reads that adjacency: the links around a node, the
        # material of responses (``_Links``), the up moves of traces (``_Moves``, pairs only, no attributes). A
        # copy of each link per index (an EdgeData, a list entry, a DiGraph attribute dict) cost 600 B each.
        self._succ: dict[str, dict[str, dict[str, dict[str, Any]]]] = vars(graph)["_succ"]
        self._pred: dict[str, dict[str, dict[str, dict[str, Any]]]] = vars(graph)["_pred"]
        self._index = _Links(self._succ, self._pred, self._nodes)
        self._incident = _Incident(self._succ, self._pred)
        self._degrees: dict[str, int] = {}
        # Up moves: each pair of nodes of different rank joined by relationships, oriented towards the lower
        # rank (the relationships that join them are read from the graph when a trace walks the move). Only the
        # moves that the types a trace follows by default make: such a trace is networkx's breadth-first search
        # on this graph as it is, with no filter called at each step (other types: ``_any_moves``).
        self._upward = self._moves(_TRACED)
        # The up moves made by links of any type: made the first time a trace follows a type that a default trace
        # does not (a trace of the default types, or of some of them, never needs it).
        self._any_moves = _Lasting(lambda: self._moves(None))
        self._undirected = graph.to_undirected(as_view=True)
        # When each dated node and link may have existed (bpkg.graph_schema.asof), computed once: answers as of a
        # day test these; what has no date always counts.
        self._node_existence = {n.id: existence_of(n.props) for n in self._all_sorted if n.props.get("when")}
        self._link_existence = {
            (s, k, t): existence_of(props) for s, t, k, props in graph.edges(keys=True, data=True) if props.get("when")
        }
        self._words = _Lasting(self._make_words)
        self._headlines: dict[str, headline.Derived] = {}
        self._hubs = _Kept[str, _HubOrder](HUBS_KEPT)
        self._hub_counts = _Kept[str, tuple[tuple[str, Direction, int], ...]](HUBS_KEPT)

    def _moves(self, types: frozenset[str] | None) -> _Moves:
        """The up moves made by links of ``types`` (None: any type)."""
        moves = _Moves()
        moves.add_nodes_from(self._nodes)
        moves.add_edges_from(self._up_moves(types))
        return moves

    def _up_moves(self, only: frozenset[str] | None) -> Iterator[tuple[str, str]]:
        """Each up move once: from the higher rank to the lower; a SUCCEEDS link between two nodes of one rank
        (a later action point or plan beside the one it takes up) moves a trace sideways, either way. Only moves
        made by a link of a type in ``only`` (None: any)."""
        for source, ends in self._succ.items():
            high = self._rank(source)
            for target, types in ends.items():
                if only is not None and only.isdisjoint(types):
                    continue
                low = self._rank(target)
                if high > low:
                    yield source, target
                elif high < low:
                    yield target, source
                elif _SUCCEEDS in types and (only is None or _SUCCEEDS in only) and source != target:
                    yield source, target
                    yield target, source

    def _between(self, a: str, b: str, types: Collection[str]) -> list[tuple[str, str, str, dict[str, Any]]]:
        """The links of ``types`` joining ``a`` and ``b``, either way, that make the up (or sideways) move between
        them: each as its source, type, target and properties."""
        ranks, succ = self._ranks, self._succ
        same = ranks[a] == ranks[b]
        return [
            (source, rel_type, target, props)
            for source, target in ((a, b), (b, a))
            for rel_type, props in succ[source].get(target, _NONE).items()
            if rel_type in types and (not same or (rel_type == _SUCCEEDS and source != target))
        ]

    def _degree(self, node_id: str) -> int:
        """How many links a node has (a link to itself once), kept once asked: a path search weighs its frontiers."""
        found = self._degrees.get(node_id)
        if found is None:
            succ, pred = self._succ.get(node_id, {}), self._pred.get(node_id, {})
            found = sum(map(len, succ.values())) + sum(len(types) for s, types in pred.items() if s != node_id)
            self._degrees[node_id] = found
        return found

    def _among(self, ids: Collection[str]) -> Iterator[EdgeData]:
        """Every link whose two ends are in ``ids`` (each once: read from its source)."""
        for source in ids:
            for target, types in self._succ.get(source, {}).items():
                if target in ids:
                    for rel_type, props in types.items():
                        yield EdgeData(source, target, rel_type, props)

    def _rank(self, node_id: str) -> int:
        return self._ranks[node_id]

    # -- the dataset ------------------------------------------------------------------------------
    def ping(self) -> None:
        return None

    def dataset_info(self) -> DatasetOut | None:
        meta = self.graph.graph
        if not meta.get("dataset"):
            return None
        return DatasetOut(
            name=meta["dataset"],
            version=meta.get("version", ""),
            description=meta.get("description", ""),
            illustrative=meta.get("illustrative", ""),
            loaded_at=meta.get("loaded_at"),
            fingerprint=meta.get("fingerprint"),
        )

    def datasets(self) -> list[DatasetOut]:
        info = self.dataset_info()
        return [info] if info else []

    def stats(self) -> GraphStats:
        nodes = Counter((n.label, n.props.get("confidence")) for n in self._all_sorted)
        edges = Counter((k, props.get("confidence")) for _, _, k, props in self.graph.edges(keys=True, data=True))
        return base.stats_of(((*k, c) for k, c in nodes.items()), ((*k, c) for k, c in edges.items()))

    # -- nodes and links --------------------------------------------------------------------------
    def node_data(self, node_id: str) -> NodeData:
        return base.found(self._nodes.get(node_id), node_id)

    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def node(self, node_id: str) -> NodeOut:
        node = self.node_data(node_id)
        out = base.node_out(node, (), self._nodes)
        # A hub's counts are kept once made (counting ap-10's 61,547 links took 54 ms at 1M relationships).
        hub = len(self._succ.get(node_id, ())) + len(self._pred.get(node_id, ())) > HUB_NEIGHBOURS
        counts = self._hub_counts.get(node_id, self._link_counts) if hub else self._link_counts(node_id)
        out.link_counts = [LinkCount(type=t, direction=d, count=c) for t, d, c in counts]
        return out

    def _link_counts(self, node_id: str) -> tuple[tuple[str, Direction, int], ...]:
        """A node's links counted as ``base.node_out`` counts them (by type and direction; a link to itself both
        ways) from the adjacency, without making each link: a hub has tens of thousands."""
        counts: Counter[tuple[str, Direction]] = Counter()
        ways: tuple[tuple[Direction, dict[str, dict[str, Any]]], ...] = (
            ("out", self._succ[node_id]),
            ("in", self._pred[node_id]),
        )
        for direction, adjacent in ways:
            for types in adjacent.values():
                counts.update((t, direction) for t in types)
        return tuple((t, d, c) for (t, d), c in sorted(counts.items()))

    def node_with_links(self, node_id: str) -> tuple[NodeOut, list[LinkOut]]:
        return self.node(node_id), self.links(node_id)

    def link_groups(
        self, node_id: str, limit: int, offset: int = 0, only: base.GroupKey | None = None
    ) -> graph_types.LinkGroups:
        # From the node's relationships (its index entry): each group counted, only its page shaped.
        node = self.node_data(node_id)
        hub = self._hub(node_id)
        if hub is None:
            return base.link_groups(node, self._incident.get(node_id, ()), self._nodes, limit, offset, only)
        pages = {
            key: [
                base.link_of(key[1], self._edge(node_id, key, there), self._nodes[there])
                for there in ids[offset : offset + limit]
            ]
            for key, ids in hub.groups.items()
            if only is None or key == only
        }
        return base.grouped_out(node, self._nodes, hub.groups, hub.kinds, hub.reviewed, pages, offset)

    def _edge(self, here: str, key: base.GroupKey, there: str) -> EdgeData:
        """The link of group ``key`` (type, direction seen from ``here``) between ``here`` and ``there``."""
        kind, direction = key
        if direction == "out":
            return EdgeData(here, there, kind, self._succ[here][there][kind])
        return EdgeData(there, here, kind, self._pred[here][there][kind])

    def _hub(self, node_id: str) -> _HubOrder | None:
        """A node with more than ``HUB_NEIGHBOURS`` neighbours: its links by group in ``links_out`` order and its
        neighbours in node order, made once for the last ``HUBS_KEPT`` hubs asked (a page of ap-10's links at 1M
        relationships sorted its 61k links each time); None for any other node."""
        if len(self._succ.get(node_id, ())) + len(self._pred.get(node_id, ())) <= HUB_NEIGHBOURS:
            return None
        return self._hubs.get(node_id, self._hub_order)

    def _hub_order(self, node_id: str) -> _HubOrder:
        found = base.members_of(self._nodes[node_id], self._incident.get(node_id, ()), self._nodes)
        # Ids only (the links are read from the adjacency for a page): about 0.5 MB for 61k links, not 8.
        groups = {key: [there for _, there, _ in sorted(entries)] for key, entries in found.groups.items()}
        near = set(self._succ[node_id]) | set(self._pred[node_id])
        near.discard(node_id)
        neighbours = sorted((self._nodes[n] for n in near), key=base.node_sort_key)
        return _HubOrder(groups, frozenset(found.kinds), tuple(found.reviewed), [n.id for n in neighbours])

    def links(self, node_id: str, as_of: AsOf | None = None) -> list[LinkOut]:
        self.node_data(node_id)
        edges = self._incident.get(node_id, ())
        if as_of is not None:
            edges = [e for e in edges if self._edge_alive(e, as_of)]
        return base.links_out(node_id, edges, self._nodes)

    def _edge_alive(self, edge: EdgeData, as_of: AsOf) -> bool:
        """A link counts on the day when it and both its ends may have existed then."""
        return (
            self._link_alive(edge.key, as_of)
            and self._node_alive(edge.source, as_of)
            and self._node_alive(edge.target, as_of)
        )

    def _link_alive(self, key: tuple[str, str, str], as_of: AsOf) -> bool:
        found = self._link_existence.get(key)
        return found is None or found.on(as_of.day) is not Presence.NO

    def _joined(self, u: str, v: str, rel_type: str, as_of: AsOf) -> bool:
        """Whether a link of ``rel_type`` joining ``u`` and ``v`` (either way) may have existed on the day."""
        ways = ((u, rel_type, v), (v, rel_type, u))
        return any(self.graph.has_edge(a, b, key=t) and self._link_alive((a, t, b), as_of) for a, t, b in ways)

    def _node_alive(self, node_id: str, as_of: AsOf) -> bool:
        found = self._node_existence.get(node_id)
        return found is None or found.on(as_of.day) is not Presence.NO

    def nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> NodePage:
        base.check_label(label)
        pool = self._by_label.get(label, []) if label is not None else self._all_sorted
        text = q.lower().strip() if q else None
        if text:
            pool = [n for n in pool if text in n.name.lower() or text in n.id]
        return base.page(pool[offset : offset + limit], len(pool), limit, offset)

    # -- responses and coverage -------------------------------------------------------------------
    def action_point(
        self, action_point_id: str, include_goal_level: bool, as_of: AsOf | None = None
    ) -> ActionPointDetail:
        return response_builder.detail(self.node_data(action_point_id), self._index, include_goal_level, as_of)

    def headline_page(self, number: int, query: headline.HeadlineQuery) -> headline.HeadlineRead:
        found = self._numbered_action_point(number)
        if found is None:
            return headline.HeadlineRead(None)
        derived = self._headlines.get(found.id)
        if derived is None:
            # Derived once per action point from the index (the graph never changes), as Neo4j derives at load;
            # kept for the process's life, so out of the collector's reach once made (``lasting``).
            derived = lasting(lambda: headline.derive(response_builder.detail(found, self._index, True)))
            self._headlines[found.id] = derived
        return headline.HeadlineRead(headline.page_of(derived, query))

    def kept_answer(self, version: str, key: str) -> str | None:
        return None  # a memory server derives its answers when it starts (bpkg.app.services.derivation)

    def _numbered_action_point(self, number: int) -> NodeData | None:
        """The action point numbered ``number`` (``base.pick_numbered``): ``ap-N`` looked at first."""
        named = self._nodes.get(base.conventional_id(Label.ACTION_POINT, number))
        found = base.pick_numbered([named] if named is not None else [], Label.ACTION_POINT, number)
        return found or base.pick_numbered(self._by_label.get(Label.ACTION_POINT.value, ()), Label.ACTION_POINT, number)

    def action_point_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        return response_builder.facts(self._by_label.get(Label.ACTION_POINT.value, []), self._index, as_of)

    # -- trace, paths, neighbourhood --------------------------------------------------------------
    def trace(
        self,
        node_id: str,
        direction: TraceDirection,
        depth: int,
        types: list[str] | None,
        as_of: AsOf | None = None,
    ) -> GraphOut:
        start = self.node_data(node_id)
        allowed = set(base.check_types(types))
        traversal.check_depth(depth)
        if as_of is not None and not self._node_alive(start.id, as_of):
            return base.graph_out([start], []).model_copy(update={"note": gone_note(start, as_of)})
        nodes: dict[str, NodeData] = {start.id: start}
        edges: dict[base.EdgeKey, dict[str, object]] = {}  # the answer's rows (``base.graph_of``)

        def walked(u: str, v: str) -> list[tuple[str, str, str, dict[str, Any]]]:
            """The links of the chosen types that make the move between ``u`` and ``v`` (as of a day, those that
            may have existed then)."""
            found = self._between(u, v, allowed)
            if as_of is None:
                return found
            return [(s, r, t, p) for s, r, t, p in found if self._edge_alive(EdgeData(s, t, r, p), as_of)]

        def move(u: str, v: str) -> bool:
            """A move (of the up moves or of their reverse) that a link walked makes: the view's edge filter."""
            return bool(walked(u, v))

        def existed(n: str) -> bool:
            return as_of is None or self._node_alive(n, as_of)

        # A default trace (its types, no day) walks its own moves as they are; any other asks each move it meets.
        plain = as_of is None and allowed == _TRACED
        upward = self._upward if allowed <= _TRACED else self._any_moves()
        for way in ("up", "down") if direction == "both" else (direction,):
            moves = upward if way == "up" else upward.reverse(copy=False)
            if not plain:
                moves = nx.subgraph_view(moves, filter_node=_Counted(existed, len(moves)), filter_edge=move)
            reached = nx.single_source_shortest_path_length(moves, start.id, cutoff=depth)
            ahead = vars(moves)["_adj"]  # the graph's (or the view's) own adjacency, not a read-only wrapper
            for here, hops in reached.items():
                nodes[here] = self._nodes[here]
                if hops < depth:
                    for there in ahead[here]:
                        for source, rel_type, target, props in walked(here, there):
                            edges[(source, rel_type, target)] = base.link_row(source, rel_type, target, props)
        return base.graph_of(map(base.node_row, nodes.values()), edges)

    def trace_outline(self, node_id: str, direction: Way, depth: int, listed: int, near: int) -> TraceOutline:
        start = self.node_data(node_id)
        traversal.check_depth(depth)
        base.check_outline(listed, near)
        moves = self._upward if direction == "up" else self._upward.reverse(copy=False)
        hops: dict[str, int] = nx.single_source_shortest_path_length(moves, start.id, cutoff=depth)
        reached = {n: (h, base.node_sort_key(self._nodes[n])) for n, h in hops.items() if n != start.id}
        levels, nearest = base.outline_of(reached, listed, near - 1)
        shown = {start.id, *nearest}
        ahead = vars(moves)["_adj"]
        edges: dict[base.EdgeKey, dict[str, object]] = {}
        for here in shown:  # the links the trace walks (``trace``), between two nodes shown
            if hops[here] < depth:
                for there in ahead[here]:
                    if there in shown:
                        for source, rel_type, target, props in self._between(here, there, _TRACED):
                            edges[(source, rel_type, target)] = base.link_row(source, rel_type, target, props)
        graph = base.graph_of((base.node_row(self._nodes[n]) for n in shown), edges)
        refs = {i: base.ref(self._nodes[i]) for _, _, ids in levels for i in ids}
        return base.outline(reached, levels, refs, graph, near)

    def _walkable(self, source: str, target: str, as_of: AsOf | None) -> Any:
        """The undirected graph that paths and ways walk (as of a day: only what may have existed then), or None
        when either end did not exist that day."""
        if as_of is None:
            return self._undirected
        day = as_of
        graph = nx.subgraph_view(
            self._undirected,
            filter_node=lambda n: self._node_alive(n, day),
            filter_edge=lambda u, v, k: self._joined(u, v, str(k), day),  # k: the link's type
        )
        return graph if graph.has_node(source) and graph.has_node(target) else None

    def paths(self, source: str, target: str, max_hops: int, limit: int, as_of: AsOf | None = None) -> list[PathOut]:
        start, goal = self.node_data(source), self.node_data(target)
        traversal.check_hops(max_hops)
        if start.id == goal.id:
            return traversal.same_node_path(start)
        graph = self._walkable(start.id, goal.id, as_of)
        if graph is None:
            return []
        # Not nx.bidirectional_shortest_path (one path) nor nx.all_shortest_paths (a one-sided search of the
        # whole graph, in no useful order): a two-sided search that keeps each layer's predecessors, then a
        # walk over the nodes on the paths only, in id order, stopped after ``limit``.
        nexts = traversal.shortest_ways(graph.__getitem__, self._degree, start.id, goal.id, max_hops)
        sequences = traversal.ways_in_order(nexts, start.id, goal.id, limit)
        if not sequences:
            return []
        # The links joining each step, looked up by the pair in the graph's adjacency (a hub is not read whole).
        joins: list[EdgeData] = []
        for a, b in {frozenset(step) for seq in sequences for step in itertools.pairwise(seq)}:
            for source, target in ((a, b), (b, a)):
                found = (EdgeData(source, target, k, props) for k, props in self._succ[source].get(target, {}).items())
                joins += [e for e in found if as_of is None or self._edge_alive(e, as_of)]
        return traversal.paths_out(sequences, self.nodes_by_id({n for seq in sequences for n in seq}), joins)

    def ways(
        self, source: str, target: str, max_hops: int, limit: int, offset: int = 0, as_of: AsOf | None = None
    ) -> list[PathOut]:
        start, goal = self.node_data(source), self.node_data(target)
        traversal.check_ways(max_hops, limit, offset)
        if start.id == goal.id:
            return traversal.same_node_path(start)[offset : offset + limit]
        graph = self._walkable(start.id, goal.id, as_of)
        if graph is None:
            return []
        # Not nx.all_simple_paths: it yields paths in no useful order, so a page would need all of them (49 s
        # for the 16,000 ways of at most six steps from the European Union to action point 17). A depth-first
        # walk per length over neighbours in id order, pruned by the distance to the goal, yields each length's
        # ways in id-sequence order and stops at the end of the page.
        to_goal = nx.single_source_shortest_path_length(graph, goal.id, cutoff=max_hops)
        wanted = offset + limit
        sequences: list[list[str]] = []
        for length in range(to_goal.get(start.id, max_hops + 1), max_hops + 1):
            for seq in _simple(graph, [start.id], {start.id}, goal.id, length, to_goal):
                sequences.append(seq)
                if len(sequences) >= wanted:
                    break
            if len(sequences) >= wanted:
                break
        sequences = sequences[offset:]
        on_paths = {n for seq in sequences for n in seq}
        joins = [e for e in self._among(on_paths) if as_of is None or self._edge_alive(e, as_of)]
        return traversal.paths_out(sequences, self.nodes_by_id(on_paths), joins)

    def neighbourhood(self, focus: str, depth: int, labels: list[str] | None, max_nodes: int) -> GraphOut:
        start = self.node_data(focus)
        base.check_labels(labels)
        keep = set(labels) if labels else None
        view = self._undirected
        if keep is not None:
            view = nx.subgraph_view(view, filter_node=lambda n: n == start.id or self._nodes[n].label in keep)
        chosen: dict[str, NodeData] = {}
        truncated = False
        # A hub's neighbours are kept in order (``_hub``): at depth 1 its layers are itself and a slice of them.
        hub = self._hub(focus) if depth == 1 and keep is None else None
        layers: Iterable[list[str]] = (
            [[start.id], hub.neighbours] if hub is not None else nx.bfs_layers(view, [start.id])
        )
        for hops, layer in enumerate(layers):
            # Only the layer's first nodes in order (one more tells a cut), not a hub's whole layer sorted.
            room = max_nodes - len(chosen) + 1
            firsts = (
                [self._nodes[n] for n in layer[:room]]
                if hub is not None
                else heapq.nsmallest(room, (self._nodes[n] for n in layer), key=base.node_sort_key)
            )
            for node in firsts:
                if len(chosen) >= max_nodes:
                    truncated = True
                    break
                chosen[node.id] = node
            # Stop at the last layer asked for: asking the generator for one more would expand every node of
            # this one (a hub's page at depth 1 read the neighbours of its 48k neighbours at 1M relationships).
            if truncated or hops >= depth:
                break
        edges = list(self._among(chosen))
        out = base.graph_out(chosen.values(), edges)
        return base.cut(out, max_nodes, "depth or labels") if truncated else out

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut:
        wanted = set(labels) if labels is not None else None
        pool = [n for n in self._all_sorted if wanted is None or n.label in wanted]
        nodes, truncated = base.whole_graph_cut(pool, max_nodes)
        ids = {n.id for n in nodes}
        edges = list(self._among(ids))
        out = base.graph_out(nodes, edges)
        return base.cut(out, max_nodes, "labels") if truncated else out

    # -- search -----------------------------------------------------------------------------------
    def _make_words(self) -> tuple[list[str], list[str], dict[str, search.Words]]:
        """Every (word, node id) pair sorted by word, for prefix look-ups by bisection; each node's words (made on
        the first search: ``_words``)."""
        per_node = {n.id: search.Words.of(n) for n in self._all_sorted}
        pairs = sorted((w, i) for i, ws in per_node.items() for w in set(ws.all()))
        return [w for w, _ in pairs], [i for _, i in pairs], per_node

    def search(self, q: str, limit: int) -> list[SearchHit]:
        tokens, phrase = search.tokens_of(q)
        keys, ids, per_node = self._words()
        found: set[str] = set()
        for token in tokens:
            at = bisect.bisect_left(keys, token)
            while at < len(keys) and keys[at].startswith(token):
                found.add(ids[at])
                at += 1
        return search.rank((per_node[i] for i in found), tokens, phrase, limit)


_SUCCEEDS = RelType.SUCCEEDS.value
_TRACED: Final = frozenset(base.TRACE_TYPES)


_NO_ATTRIBUTES: dict[str, Any] = {}
_NONE: dict[str, dict[str, Any]] = {}


class _Moves(nx.DiGraph):  # type: ignore[misc]
    """The up moves of traces: a DiGraph whose pairs all share one empty attribute dict (never written: the
    links that make a move are read from the graph), a third of the bytes of a dict per pair."""

    @staticmethod
    def edge_attr_dict_factory() -> dict[str, Any]:
        return _NO_ATTRIBUTES

    @staticmethod
    def node_attr_dict_factory() -> dict[str, Any]:
        return _NO_ATTRIBUTES


@dataclass(frozen=True, slots=True)
class _HubOrder:
    """A hub's links by group (the ids at their other ends, in ``links_out`` order), the kinds of nodes they reach,
    its reviewed links, and its neighbours in node order."""

    groups: dict[base.GroupKey, list[str]]
    kinds: frozenset[tuple[str, str, bool]]
    reviewed: tuple[LinkOut, ...]
    neighbours: list[str]


K = TypeVar("K")
V = TypeVar("V")


class _Lasting(Generic[V]):
    """What a store makes the first time a question needs it and keeps for the process's life: made once however
    many requests ask at the same time (``functools.cached_property`` holds no lock from Python 3.12), and out of
    the cyclic collector's reach once made (``lasting``)."""

    def __init__(self, make: Callable[[], V]) -> None:
        self._make = make
        self._lock = threading.Lock()
        self.made: V | None = None

    def __call__(self) -> V:
        with self._lock:
            if self.made is None:
                self.made = lasting(self._make)
            return self.made


class _Kept(Generic[K, V]):
    """The last ``size`` values made by key (least recently asked dropped first). A value is made by the first to
    ask for it; two asking at once may both make it (the same value: the store does not change)."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._lock = threading.Lock()
        self._values: OrderedDict[K, V] = OrderedDict()

    def get(self, key: K, make: Callable[[K], V]) -> V:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = make(key)
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value


class _Incident:
    """Every link of a node (a link to itself once), read from the graph's adjacency when asked: answers ``get``
    as the dict of lists per node it replaces did, without a copy of each link."""

    def __init__(
        self,
        succ: dict[str, dict[str, dict[str, dict[str, Any]]]],
        pred: dict[str, dict[str, dict[str, dict[str, Any]]]],
    ) -> None:
        self._succ, self._pred = succ, pred

    def get(self, node_id: str, default: Sequence[EdgeData] = ()) -> Sequence[EdgeData]:
        if node_id not in self._succ:
            return default
        out = [EdgeData(node_id, t, k, p) for t, types in self._succ[node_id].items() for k, p in types.items()]
        out += [
            EdgeData(s, node_id, k, p)
            for s, types in self._pred[node_id].items()
            if s != node_id
            for k, p in types.items()
        ]
        return out


class _Links:
    """An ``Adjacency`` (what response answers are built from) read from the graph's adjacency: the links of a
    node of one type, in key order, made on demand. A node with many neighbours (an action point many respond
    to, a component many activities are part of) keeps its neighbours grouped by type once asked, so a
    look-up of a few links does not read all its links each time; other nodes are read as they are."""

    def __init__(
        self,
        succ: dict[str, dict[str, dict[str, dict[str, Any]]]],
        pred: dict[str, dict[str, dict[str, dict[str, Any]]]],
        nodes: dict[str, NodeData],
    ) -> None:
        self._succ, self._pred, self.nodes = succ, pred, nodes
        self._grouped: tuple[dict[str, dict[str, list[str]]], dict[str, dict[str, list[str]]]] = ({}, {})

    def _ends(self, node_id: str, rel_type: str, outward: bool) -> list[str]:
        """The other ends of ``node_id``'s links of ``rel_type`` (out of it, or into it), sorted."""
        side = 0 if outward else 1
        adjacent = (self._succ if outward else self._pred).get(node_id, _NONE)
        if len(adjacent) <= _FEW:
            found = [v for v, types in adjacent.items() if rel_type in types]
            if len(found) > 1:
                found.sort()
            return found
        grouped = self._grouped[side]
        by_type = grouped.get(node_id)
        if by_type is None:
            by_type = {}
            for v in sorted(adjacent):
                for t in adjacent[v]:
                    by_type.setdefault(t, []).append(v)
            grouped[node_id] = by_type
        return by_type.get(rel_type, [])

    def out_of(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        ends = self._ends(node_id, rel_type, True)
        adjacent = self._succ.get(node_id, {})
        return [EdgeData(node_id, v, rel_type, adjacent[v][rel_type]) for v in ends]

    def into(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        ends = self._ends(node_id, rel_type, False)
        adjacent = self._pred.get(node_id, {})
        return [EdgeData(v, node_id, rel_type, adjacent[v][rel_type]) for v in ends]

    def get(self, node_id: str) -> NodeData | None:
        return self.nodes.get(node_id)


_FEW = 32
"""Up to this many neighbours a node's links of one type are found by reading them all."""


def _simple(
    graph: Any, prefix: list[str], on: set[str], goal: str, length: int, to_goal: dict[str, int]
) -> Iterator[list[str]]:
    """The simple paths of exactly ``length`` steps from ``prefix`` (whose nodes are ``on``) to ``goal``, in
    id-sequence order: a neighbour is tried only if the goal is still within the steps left."""
    here = prefix[-1]
    left = length - (len(prefix) - 1)
    if here == goal:
        if left == 0:
            yield list(prefix)
        return
    for there in sorted(graph[here]):
        if there in on or to_goal.get(there, left) > left - 1:
            continue
        prefix.append(there)
        on.add(there)
        yield from _simple(graph, prefix, on, goal, length, to_goal)
        on.discard(there)
        prefix.pop()


class _Counted:
    """A node filter of a networkx subgraph view that also says how many nodes the view may hold (``length``,
    which networkx's filtered views read instead of calling the filter on every node of the graph). A breadth-first
    search reads a view's ``len`` once, to stop when it has seen every node: at 1M relationships counting took
    60 ms of a 62 ms trace. The whole graph's count is an upper bound, which at most keeps a search going until its
    cutoff."""

    __slots__ = ("keep", "length")

    def __init__(self, keep: Callable[[str], bool], length: int) -> None:
        self.keep = keep
        self.length = length

    def __call__(self, node: str) -> bool:
        return self.keep(node)
