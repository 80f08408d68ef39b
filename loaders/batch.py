"""The validated, backend-neutral content of a dataset: what every sink writes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any

from graph_schema import Label, RelType


@dataclass(frozen=True, slots=True)
class Node:
    label: Label
    id: str
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Rel:
    type: RelType
    source: str
    target: str
    props: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type.value, self.target)


@dataclass(frozen=True, slots=True)
class DatasetInfo:
    name: str
    version: str
    description: str = ""
    illustrative: str = ""


@dataclass(frozen=True, slots=True)
class GraphBatch:
    info: DatasetInfo
    nodes: list[Node] = field(default_factory=list)
    rels: list[Rel] = field(default_factory=list)

    def fingerprint(self) -> str:
        """A hash of the whole content: equal batches have equal fingerprints."""
        digest = hashlib.sha256()
        for node in sorted(self.nodes, key=lambda n: n.id):
            digest.update(json.dumps([node.label, node.id, node.props], sort_keys=True).encode())
        for rel in sorted(self.rels, key=lambda r: r.key):
            digest.update(json.dumps([*rel.key, rel.props], sort_keys=True).encode())
        return digest.hexdigest()


@dataclass(slots=True)
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: int = 0


@dataclass(slots=True)
class LoadSummary:
    backend: str
    dataset: str
    nodes: Counts = field(default_factory=Counts)
    rels: Counts = field(default_factory=Counts)

    def lines(self) -> list[str]:
        out = [f"Loaded {self.dataset} into {self.backend}:"]
        for what, c in (("nodes", self.nodes), ("relationships", self.rels)):
            out.append(
                f"  {what:<14} created {c.created}, updated {c.updated}, unchanged {c.unchanged}, removed {c.removed}"
            )
        return out
