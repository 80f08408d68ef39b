"""The embedded backend: the store port answered from a networkx MultiDiGraph and indexes built once at load.

Traces walk a graph of "up" moves (each relationship oriented from the higher rank to the lower) with
networkx's breadth-first search; paths use networkx's bidirectional search and breadth-first distances;
neighbourhoods networkx's BFS layers over an undirected view; search a sorted word index. Responses read
the links around the action point from an index by (node, type); coverage facts are computed once.
"""

from __future__ import annotations

import bisect
from collections import Counter, defaultdict
from collections.abc import Collection, Iterator
from functools import cached_property
from typing import Any

import networkx as nx

from app.store import base, responses, search, traversal
from app.store.models import DatasetOut, EdgeData, GraphOut, LinkOut, NodeData, NodeOut, NodePage
from app.store.port import TraceDirection
from app.store.responses import EdgeIndex
from app.store.results import ActionPointDetail, ActionPointFacts, PathOut, Response, SearchHit
from graph_schema import Label
from loaders.stats import GraphStats


class MemoryStore:
    """Reads a graph built by ``loaders.build_graph``; the graph is never modified."""

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
            if high != low:
                a, b = (edge.source, edge.target) if high > low else (edge.target, edge.source)
                if self._upward.has_edge(a, b):
                    self._upward[a][b]["edges"].append(edge)
                else:
                    self._upward.add_edge(a, b, edges=[edge])
        self._undirected = graph.to_undirected(as_view=True)

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

    def links(self, node_id: str) -> list[LinkOut]:
        self.node_data(node_id)
        return base.links_out(node_id, self._incident.get(node_id, ()), self._nodes)

    def nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> NodePage:
        base.check_label(label)
        pool = self._by_label.get(label, []) if label is not None else self._all_sorted
        text = q.lower().strip() if q else None
        if text:
            pool = [n for n in pool if text in n.name.lower() or text in n.id]
        return base.page(pool[offset : offset + limit], len(pool), limit, offset)

    # -- responses and coverage -------------------------------------------------------------------
    def action_point(self, action_point_id: str, include_goal_level: bool) -> ActionPointDetail:
        return responses.detail(self.node_data(action_point_id), self._index, include_goal_level)

    def responses(self, action_point_id: str, include_goal_level: bool) -> list[Response]:
        found = self.action_point(action_point_id, include_goal_level)
        return [*found.responses, *found.goal_responses]

    def action_point_facts(self) -> list[ActionPointFacts]:
        return list(self._facts)

    @cached_property
    def _facts(self) -> list[ActionPointFacts]:
        return responses.facts(self._by_label.get(Label.ACTION_POINT.value, []), self._index)

    # -- trace, paths, neighbourhood --------------------------------------------------------------
    def trace(self, node_id: str, direction: TraceDirection, depth: int, types: list[str] | None) -> GraphOut:
        start = self.node_data(node_id)
        allowed = set(base.check_types(types))
        traversal.check_depth(depth)
        nodes: dict[str, NodeData] = {start.id: start}
        edges: list[EdgeData] = []
        for way in ("up", "down") if direction == "both" else (direction,):
            moves = self._upward if way == "up" else self._upward.reverse(copy=False)
            view = nx.subgraph_view(moves, filter_edge=_of_types(moves, allowed))
            reached = nx.single_source_shortest_path_length(view, start.id, cutoff=depth)
            for here, hops in reached.items():
                nodes[here] = self._nodes[here]
                if hops < depth:
                    for *_, joined in view.out_edges(here, data="edges"):
                        edges += [e for e in joined if e.type in allowed]
        return base.graph_out(nodes.values(), edges)

    def paths(self, source: str, target: str, max_hops: int, limit: int) -> list[PathOut]:
        start, goal = self.node_data(source), self.node_data(target)
        traversal.check_hops(max_hops)
        if start.id == goal.id:
            return traversal.same_node_path(start)
        try:
            length = len(nx.bidirectional_shortest_path(self._undirected, start.id, goal.id)) - 1
        except nx.NetworkXNoPath:
            return []
        if length > max_hops:
            return []
        # Distances to the goal tell which neighbours lie on a shortest path; a depth-first walk over them in
        # id order yields the paths in the order of their id sequences, so it stops after ``limit``.
        to_goal = nx.single_source_shortest_path_length(self._undirected, goal.id, cutoff=length)
        sequences = list(_walk(self._undirected, [start.id], to_goal, limit))
        on_paths = {n for seq in sequences for n in seq}
        joins = [
            e for n in on_paths for e in self._incident.get(n, ()) if e.source in on_paths and e.target in on_paths
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


def _of_types(moves: Any, allowed: set[str]) -> Any:
    """An edge filter for a view of the up moves (or of their reverse): a move made by a relationship of
    one of the ``allowed`` types."""

    def keep(u: str, v: str) -> bool:
        return any(e.type in allowed for e in moves[u][v]["edges"])

    return keep


def _walk(graph: Any, prefix: list[str], to_goal: dict[str, int], limit: int) -> Iterator[list[str]]:
    """Shortest paths from ``prefix[-1]`` to the node at distance 0, extending ``prefix``, in id order."""
    here = prefix[-1]
    left = to_goal[here]
    if left == 0:
        yield prefix
        return
    emitted = 0
    for there in sorted(n for n in graph[here] if to_goal.get(n) == left - 1):
        for path in _walk(graph, [*prefix, there], to_goal, limit - emitted):
            yield path
            emitted += 1
            if emitted >= limit:
                return
