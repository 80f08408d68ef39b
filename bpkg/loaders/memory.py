"""The embedded sink: a networkx MultiDiGraph built from a GraphBatch.

Nodes are keyed by id and carry ``label`` plus their properties; edges are keyed by relationship type
and carry ``type`` plus their properties: the same content Neo4j holds after a load.
"""

from __future__ import annotations

import datetime as dt

import networkx as nx

from bpkg.loaders.batch import GraphBatch, LoadSummary


def build_graph(batch: GraphBatch) -> nx.MultiDiGraph:
    """A new MultiDiGraph holding the batch, with the dataset info in ``graph.graph``."""
    graph = nx.MultiDiGraph(
        dataset=batch.info.name,
        version=batch.info.version,
        description=batch.info.description,
        illustrative=batch.info.illustrative,
        fingerprint=batch.fingerprint(),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )
    for node in batch.nodes:
        graph.add_node(node.id, label=node.label.value, **node.props)
    for rel in batch.rels:
        graph.add_edge(rel.source, rel.target, key=rel.type.value, type=rel.type.value, **rel.props)
    return graph


def memory_summary(batch: GraphBatch) -> LoadSummary:
    """What a load into a fresh in-memory graph does: everything is created."""
    summary = LoadSummary(backend="memory", dataset=batch.info.name)
    summary.nodes.created = len(batch.nodes)
    summary.rels.created = len(batch.rels)
    return summary
