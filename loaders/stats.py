"""Counts per label and relationship type, and how many facts are confirmed / inferred / illustrative."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from pydantic import BaseModel

from graph_schema import Confidence, Label, RelType
from loaders.batch import Node, Rel


class GraphStats(BaseModel):
    nodes: int
    relationships: int
    labels: dict[str, int]
    relationship_types: dict[str, int]
    confidence: dict[str, int]
    """Facts (nodes plus relationships) per confidence level."""


def graph_stats(nodes: Iterable[Node], rels: Iterable[Rel]) -> GraphStats:
    """Stats of a set of nodes and relationships; every label, type and level is listed, zeros too."""
    labels: Counter[str] = Counter()
    types: Counter[str] = Counter()
    levels: Counter[str] = Counter()
    for node in nodes:
        labels[node.label.value] += 1
        levels[str(node.props["confidence"])] += 1
    for rel in rels:
        types[rel.type.value] += 1
        levels[str(rel.props["confidence"])] += 1
    return stats_from_counts(labels, types, levels)


def stats_from_counts(labels: Counter[str], types: Counter[str], levels: Counter[str]) -> GraphStats:
    """Stats from counts per label, per relationship type and per confidence level."""
    return GraphStats(
        nodes=sum(labels.values()),
        relationships=sum(types.values()),
        labels={lb.value: labels[lb.value] for lb in Label},
        relationship_types={t.value: types[t.value] for t in RelType},
        confidence={c.value: levels[c.value] for c in Confidence},
    )
