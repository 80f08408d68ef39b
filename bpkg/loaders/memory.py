"""The embedded sink: a networkx MultiDiGraph built from a GraphBatch.

Nodes are keyed by id and carry ``label`` plus their properties; edges are keyed by relationship type
and carry ``type`` plus their properties: the same content Neo4j holds after a load. Equal strings and lists
of strings among the properties (and the ids) are stored once (``SharedValues``): the graph is what the memory
backend keeps for as long as it serves.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import networkx as nx

from bpkg.loaders.batch import GraphBatch, LoadSummary


def build_graph(batch: GraphBatch, *, shared: bool = True) -> nx.MultiDiGraph:
    """A new MultiDiGraph holding the batch, with the dataset info in ``graph.graph``.

    ``shared`` (what the memory store reads, never writes): equal values and equal sets of link properties are
    shared objects, so changing one in place changes every node or link holding it. Without it (``bpkg.app.notebook``:
    an analyst may change the graph) every node and link has attributes of its own."""
    graph = nx.MultiDiGraph(
        dataset=batch.info.name,
        version=batch.info.version,
        description=batch.info.description,
        illustrative=batch.info.illustrative,
        fingerprint=batch.fingerprint(),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    if not shared:
        for node in batch.nodes:
            graph.add_node(node.id, label=node.label.value, **copy.deepcopy(node.props))
        for rel in batch.rels:
            graph.add_edge(rel.source, rel.target, key=rel.type.value, type=rel.type.value, **copy.deepcopy(rel.props))
        return graph
    values = SharedValues()
    for node in batch.nodes:
        graph.add_node(values.text(node.id), label=node.label.value, **values.props(node.props))
    succ = vars(graph)["_succ"]  # the adjacency dicts themselves (graph.succ is a read-only view of them)
    for rel in batch.rels:
        source, target, key = values.text(rel.source), values.text(rel.target), rel.type.value
        graph.add_edge(source, target, key=key)
        # The links' attribute dicts are shared too: a link with the same type and properties as another holds
        # the other's dict (set in the key dict that the graph's successors and predecessors share).
        succ[source][target][key] = values.attributes({"type": key, **values.props(rel.props)})
    return graph


class SharedValues:
    """Equal property values stored once: a string, or a list of strings (``sources``, ``countries``), is the
    same object wherever it repeats, so the graph holds each "illustrative", each source id and each node id
    once instead of once per row (a file reader makes a new string per cell). Only equal values of the same
    type are shared (``"1"`` stays apart from ``1``, ``["a"]`` from ``("a",)``); the graph is read, never
    written, so a shared list is never changed through one of its holders."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._lists: dict[tuple[str, ...], list[str]] = {}
        self._dicts: dict[tuple[tuple[str, type, Any], ...], dict[str, Any]] = {}

    def text(self, value: str) -> str:
        return self._texts.setdefault(value, value)

    def value(self, value: Any) -> Any:
        if type(value) is str:
            return self.text(value)
        if type(value) is list and all(type(x) is str for x in value):
            key = tuple(self.text(x) for x in value)
            found = self._lists.get(key)
            if found is None:
                found = self._lists[key] = list(key)
            return found
        return value

    def props(self, props: dict[str, Any]) -> dict[str, Any]:
        return {self.text(k): self.value(v) for k, v in props.items()}

    def attributes(self, props: dict[str, Any]) -> dict[str, Any]:
        """``props`` (values already shared) or an equal dict met before: one dict per set of properties.
        Values that are neither strings, lists of strings, numbers nor booleans keep their dict to themselves."""
        try:
            key = tuple((k, type(v), id(v) if type(v) is list else v) for k, v in props.items())
            return self._dicts.setdefault(key, props)
        except TypeError:  # an unhashable value
            return props


def memory_summary(batch: GraphBatch) -> LoadSummary:
    """What a load into a fresh in-memory graph does: everything is created."""
    summary = LoadSummary(backend="memory", dataset=batch.info.name)
    summary.nodes.created = len(batch.nodes)
    summary.rels.created = len(batch.rels)
    return summary
