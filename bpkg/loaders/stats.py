"""Counts per label and relationship type, and how many facts are confirmed / inferred / illustrative."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel

from bpkg.graph_schema import Confidence, Label, RelType
from bpkg.loaders.batch import Node, Rel


class GraphStats(BaseModel):
    nodes: int
    relationships: int
    labels: dict[str, int]
    relationship_types: dict[str, int]
    confidence: dict[str, int]
    """Facts (nodes plus relationships) per confidence level."""
    node_confidence: dict[str, int]
    """Nodes per confidence level (they add up to ``nodes``)."""
    relationship_confidence: dict[str, int]
    """Relationships per confidence level (they add up to ``relationships``)."""


def graph_stats(nodes: Iterable[Node], rels: Iterable[Rel]) -> GraphStats:
    """Stats of a set of nodes and relationships; every label, type and level is listed, zeros too."""
    labels: Counter[str] = Counter()
    types: Counter[str] = Counter()
    node_levels: Counter[str] = Counter()
    link_levels: Counter[str] = Counter()
    for node in nodes:
        labels[node.label.value] += 1
        node_levels[str(node.props["confidence"])] += 1
    for rel in rels:
        types[rel.type.value] += 1
        link_levels[str(rel.props["confidence"])] += 1
    return stats_from_counts(labels, types, node_levels, link_levels)


def stats_from_counts(
    labels: Counter[str], types: Counter[str], node_levels: Counter[str], link_levels: Counter[str]
) -> GraphStats:
    """Stats from counts per label, per relationship type, and per confidence level of nodes and of links."""
    return GraphStats(
        nodes=sum(labels.values()),
        relationships=sum(types.values()),
        labels={lb.value: labels[lb.value] for lb in Label},
        relationship_types={t.value: types[t.value] for t in RelType},
        confidence={c.value: node_levels[c.value] + link_levels[c.value] for c in Confidence},
        node_confidence={c.value: node_levels[c.value] for c in Confidence},
        relationship_confidence={c.value: link_levels[c.value] for c in Confidence},
    )
