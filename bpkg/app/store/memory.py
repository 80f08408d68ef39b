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
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Collection, Iterator
from functools import cached_property
from typing import Any

import networkx as nx

from bpkg.app.store import base, graph_types, headline, response_builder, search, traversal
from bpkg.app.store.alive import gone_note
from bpkg.app.store.graph_types import DatasetOut, EdgeData, GraphOut, LinkOut, NodeData, NodeOut, NodePage
from bpkg.app.store.port import TraceDirection
from bpkg.app.store.question_types import ActionPointDetail, ActionPointFacts, PathOut, SearchHit
from bpkg.app.store.response_builder import EdgeIndex
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, Presence, existence_of
from bpkg.loaders.stats import GraphStats


class MemoryStore:
    """Reads a graph built by ``bpkg.loaders.build_graph``; the graph is never modified."""

    backend = "memory"

    def __init__(self, graph: nx.MultiDiGraph) -> None:
        self.graph = graph
        self._nodes: dict[str, NodeData] = {}
        self._by_label: dict[str, list[NodeData]] = defaultdict(list)
        for node_id, attrs in graph.nodes(data=True):
            props: dict[str, Any] = {k: v for k, v in attrs.items() if k != "label"}
            node = NodeData(id=node_id, label=attrs["label"], props=props)
            self._nodes[node_id] = node
            self._by_label[node.label].append(node)
        for nodes in self._by_label.values():
            nodes.sort(key=base.node_sort_key)
        self._all_sorted = sorted(self._nodes.values(), key=base.node_sort_key)
        # Each link's properties are the graph's own attribute dict (its extra "type" key is never read as
        # a property): a copy per relationship cost 200 bytes each.
        edges = [
            EdgeData(source=s, target=t, type=k, props=attrs) for s, t, k, attrs in graph.edges(keys=True, data=True)
        ]
        edges.sort(key=base.edge_sort_key)
        self._edges = edges
        self._index = EdgeIndex.of(edges, self._nodes)
        self._incident: dict[str, list[EdgeData]] = defaultdict(list)
        # Up moves: each pair of nodes of different rank joined by relationships, oriented towards the lower
        # rank, with the relationships that join them (a DiGraph: a third of a MultiDiGraph's memory).
        self._upward = nx.DiGraph()
        self._upward.add_nodes_from(self._nodes)
        for edge in edges:
            self._incident[edge.source].append(edge)
            if edge.target != edge.source:
                self._incident[edge.target].append(edge)
            high, low = self._rank(edge.source), self._rank(edge.target)
            if high == low and edge.type == _SUCCEEDS and edge.source != edge.target:
                # A later action point (plan) sits beside the one it takes up: a trace moves sideways, either way.
                self._move(edge.source, edge.target, edge)
                self._move(edge.target, edge.source, edge)
            elif high != low:
                self._move(*((edge.source, edge.target) if high > low else (edge.target, edge.source)), edge)
        self._undirected = graph.to_undirected(as_view=True)
        # When each dated node and link may have existed (bpkg.graph_schema.asof), computed once: answers as of a
        # day test these; what has no date always counts.
        self._node_existence = {n.id: existence_of(n.props) for n in self._all_sorted if n.props.get("when")}
        self._link_existence = {e.key: existence_of(e.props) for e in edges if e.props.get("when")}
        self._headlines: dict[str, headline.Derived] = {}

    def _rank(self, node_id: str) -> int:
        return base.RANK.get(self._nodes[node_id].label, 99)

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
        edges = Counter((e.type, e.props.get("confidence")) for e in self._edges)
        return base.stats_of(((*k, c) for k, c in nodes.items()), ((*k, c) for k, c in edges.items()))

    # -- nodes and links --------------------------------------------------------------------------
    def node_data(self, node_id: str) -> NodeData:
        return base.found(self._nodes.get(node_id), node_id)

    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def node(self, node_id: str) -> NodeOut:
        node = self.node_data(node_id)
        return base.node_out(node, self._incident.get(node_id, ()), self._nodes)

    def node_with_links(self, node_id: str) -> tuple[NodeOut, list[LinkOut]]:
        return self.node(node_id), self.links(node_id)

    def link_groups(
        self, node_id: str, limit: int, offset: int = 0, only: base.GroupKey | None = None
    ) -> graph_types.LinkGroups:
        # From the node's relationships (its index entry): each group counted, only its page shaped.
        return base.link_groups(
            self.node_data(node_id), self._incident.get(node_id, ()), self._nodes, limit, offset, only
        )

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
            # Derived once per action point from the index (the graph never changes), as Neo4j derives at load.
            derived = headline.derive(response_builder.detail(found, self._index, True))
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
    def _move(self, a: str, b: str, edge: EdgeData) -> None:
        """An up move (or a sideways one) from ``a`` to ``b`` made by ``edge``."""
        if self._upward.has_edge(a, b):
            self._upward[a][b]["edges"].append(edge)
        else:
            self._upward.add_edge(a, b, edges=[edge])

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
        edges: list[EdgeData] = []

        def walked(e: EdgeData) -> bool:
            return e.type in allowed and (as_of is None or self._edge_alive(e, as_of))

        def existed(n: str) -> bool:
            return as_of is None or self._node_alive(n, as_of)

        for way in ("up", "down") if direction == "both" else (direction,):
            moves = self._upward if way == "up" else self._upward.reverse(copy=False)
            if as_of is None:  # no node filter: every node counts today
                view = nx.subgraph_view(moves, filter_edge=_walked(moves, walked))
            else:
                view = nx.subgraph_view(moves, filter_node=existed, filter_edge=_walked(moves, walked))
            reached = nx.single_source_shortest_path_length(view, start.id, cutoff=depth)
            for here, hops in reached.items():
                nodes[here] = self._nodes[here]
                if hops < depth:
                    for *_, joined in view.out_edges(here, data="edges"):
                        edges += [e for e in joined if walked(e)]
        return base.graph_out(nodes.values(), edges)

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
        incident = self._incident
        nexts = traversal.shortest_ways(
            graph.__getitem__, lambda n: len(incident.get(n, ())), start.id, goal.id, max_hops
        )
        sequences = traversal.ways_in_order(nexts, start.id, goal.id, limit)
        if not sequences:
            return []
        # The links joining each step, read from the end with fewer links (a hub on a path is not read whole).
        joins: list[EdgeData] = []
        for pair in {frozenset(step) for seq in sequences for step in itertools.pairwise(seq)}:
            light, other = sorted(pair, key=lambda n: (len(self._incident.get(n, ())), n))
            joins += [
                e
                for e in self._incident.get(light, ())
                if other in (e.source, e.target) and (as_of is None or self._edge_alive(e, as_of))
            ]
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
        joins = [
            e
            for n in on_paths
            for e in self._incident.get(n, ())
            if e.source in on_paths and e.target in on_paths and (as_of is None or self._edge_alive(e, as_of))
        ]
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
        for hops, layer in enumerate(nx.bfs_layers(view, [start.id])):
            if hops > depth:
                break
            for node in sorted((self._nodes[n] for n in layer), key=base.node_sort_key):
                if len(chosen) >= max_nodes:
                    truncated = True
                    break
                chosen[node.id] = node
            if truncated:
                break
        edges = [e for n in chosen for e in self._incident.get(n, ()) if e.source in chosen and e.target in chosen]
        out = base.graph_out(chosen.values(), edges)
        return base.cut(out, max_nodes, "depth or labels") if truncated else out

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut:
        wanted = set(labels) if labels is not None else None
        pool = [n for n in self._all_sorted if wanted is None or n.label in wanted]
        nodes, truncated = base.whole_graph_cut(pool, max_nodes)
        ids = {n.id for n in nodes}
        edges = [e for n in ids for e in self._incident.get(n, ()) if e.source in ids and e.target in ids]
        out = base.graph_out(nodes, edges)
        return base.cut(out, max_nodes, "labels") if truncated else out

    # -- search -----------------------------------------------------------------------------------
    @cached_property
    def _words(self) -> tuple[list[str], list[str], dict[str, search.Words]]:
        """Every (word, node id) pair sorted by word, for prefix look-ups by bisection; each node's words."""
        per_node = {n.id: search.Words.of(n) for n in self._all_sorted}
        pairs = sorted((w, i) for i, ws in per_node.items() for w in set(ws.all()))
        return [w for w, _ in pairs], [i for _, i in pairs], per_node

    def search(self, q: str, limit: int) -> list[SearchHit]:
        tokens, phrase = search.tokens_of(q)
        keys, ids, per_node = self._words
        found: set[str] = set()
        for token in tokens:
            at = bisect.bisect_left(keys, token)
            while at < len(keys) and keys[at].startswith(token):
                found.add(ids[at])
                at += 1
        return search.rank((per_node[i] for i in found), tokens, phrase, limit)


_SUCCEEDS = RelType.SUCCEEDS.value


def _walked(moves: Any, walked: Callable[[EdgeData], bool]) -> Any:
    """An edge filter for a view of the up moves (or of their reverse): a move made by a relationship that is
    ``walked`` (of an allowed type and, as of a date, that may have existed then, between nodes that may have)."""

    def keep(u: str, v: str) -> bool:
        return any(walked(e) for e in moves[u][v]["edges"])

    return keep


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
