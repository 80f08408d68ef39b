"""The validated, backend-neutral content of a dataset: what every sink writes."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Final

from bpkg.graph_schema import Label, RelType


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
        """A hash of the whole content: equal batches have equal fingerprints.

        One pass over the rows in key order, each written as ``canonical`` text; no JSON encoder per row (at
        1M relationships ``json.dumps`` was 54 % of the time before a load's first write)."""
        digest = hashlib.sha256()
        update = digest.update
        for node in sorted(self.nodes, key=_node_id):
            update(f"{node.label.value}\x1f{node.id}\x1f{canonical(node.props)}\x1e".encode())
        for rel in sorted(self.rels, key=_rel_key):
            update(f"{rel.source}\x1f{rel.type.value}\x1f{rel.target}\x1f{canonical(rel.props)}\x1e".encode())
        return digest.hexdigest()


_FLAT: Final = frozenset({str, int, float, bool, type(None)})


def _node_id(node: Node) -> str:
    return node.id


def _rel_key(rel: Rel) -> tuple[str, str, str]:
    return (rel.source, rel.type.value, rel.target)


def canonical(props: dict[str, Any]) -> str:
    """One text for a row's properties, the same for equal properties whatever their keys' order: the
    ``repr`` of the sorted items (strings, numbers, booleans, None and lists of them, what a validated
    dataset holds, are written by ``repr`` unambiguously); any other value (a nested mapping, a set, a
    date) is first made plain and ordered by ``_plain``."""
    items = sorted(props.items())
    for _, value in items:
        if type(value) not in _FLAT and not (type(value) is list and all(type(x) in _FLAT for x in value)):
            return repr([(key, _plain(value)) for key, value in items])
    return repr(items)


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return ("mapping", sorted((str(k), _plain(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return ("set", sorted((_plain(v) for v in value), key=repr))
    if type(value) in _FLAT:
        return value
    return (type(value).__name__, str(value))


def row_hash(props: dict[str, Any], label: str = "") -> str:
    """A short hash of one row's label (nodes) and properties (``canonical``): what the Neo4j sink keeps
    per row to compare."""
    return hashlib.blake2b(f"{label}\x1f{canonical(props)}".encode(), digest_size=8).hexdigest()


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
