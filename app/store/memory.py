"""The embedded backend: primitives answered from a networkx MultiDiGraph."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from typing import Any

import networkx as nx

from app.store.base import TraversalStore, matches_tokens, node_sort_key
from app.store.models import DatasetOut, EdgeData, NodeData


class MemoryStore(TraversalStore):
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
            nodes.sort(key=node_sort_key)
        self._all_sorted = sorted(self._nodes.values(), key=node_sort_key)
        self._edges: dict[str, list[EdgeData]] = defaultdict(list)  # by node id, both directions
        self._by_type: dict[str, list[EdgeData]] = defaultdict(list)
        for source, target, key, attrs in graph.edges(keys=True, data=True):
            edge = EdgeData(
                source=source, target=target, type=key, props={k: v for k, v in attrs.items() if k != "type"}
            )
            self._edges[source].append(edge)
            if target != source:
                self._edges[target].append(edge)
            self._by_type[edge.type].append(edge)
        for edges in self._by_type.values():
            edges.sort(key=lambda e: e.key)

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

    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        return {i: self._nodes[i] for i in ids if i in self._nodes}

    def incident(self, ids: Collection[str], types: Collection[str] | None = None) -> list[EdgeData]:
        wanted = set(types) if types is not None else None
        found: dict[tuple[str, str, str], EdgeData] = {}
        for node_id in ids:
            for edge in self._edges.get(node_id, ()):
                if wanted is None or edge.type in wanted:
                    found[edge.key] = edge
        return [found[k] for k in sorted(found)]

    def nodes_by_label(self, labels: Collection[str] | None) -> list[NodeData]:
        if labels is None:
            return list(self._all_sorted)
        wanted = set(labels)
        return [n for n in self._all_sorted if n.label in wanted]

    def edges_by_type(self, types: Collection[str] | None) -> list[EdgeData]:
        chosen = self._by_type.keys() if types is None else [t for t in set(types) if t in self._by_type]
        edges = [e for t in chosen for e in self._by_type[t]]
        return sorted(edges, key=lambda e: e.key)

    def page_nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> tuple[list[NodeData], int]:
        pool = self._by_label.get(label, []) if label is not None else self._all_sorted
        if q:
            pool = [n for n in pool if q in n.name.lower() or q in n.id]
        return pool[offset : offset + limit], len(pool)

    def text_candidates(self, tokens: list[str], limit: int) -> list[NodeData]:
        return [n for n in self._all_sorted if matches_tokens(n, tokens)]
