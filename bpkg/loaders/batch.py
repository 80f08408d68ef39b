"""The validated, backend-neutral content of a dataset: what every sink writes."""

from __future__ import annotations

import hashlib
import json
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
        """A hash of the whole content, the rows and what the dataset says of itself (``RowHashes.fingerprint``
        with ``info``): equal batches have equal fingerprints."""
        return self.row_hashes().fingerprint(self.info)

    def row_hashes(self) -> RowHashes:
        """Every row's hash (``row_hash``), computed once: what the Neo4j sink writes and the fingerprint reads."""
        return RowHashes(
            {node.id: row_hash(node.props, node.label.value) for node in self.nodes},
            {rel.key: row_hash(rel.props) for rel in self.rels},
        )


@dataclass(frozen=True, slots=True)
class RowHashes:
    """The hash of each row of a batch: nodes by id, relationships by (start, type, end)."""

    nodes: dict[str, str]
    rels: dict[tuple[str, str, str], str]

    def fingerprint(self, info: DatasetInfo | None = None) -> str:
        """The dataset's fingerprint from its rows' hashes, so each row's canonical text is built once.

        Since issue 17 the fingerprint is a SHA-256 over one line per row (a node's id and hash, a
        relationship's key and hash), the lines sorted; a node's hash covers its label. Ids and keys are
        unique in a validated batch, so sorting the lines orders the rows by id and key. With ``info`` (what a
        dataset's fingerprint is made with) a first line holds its name, version, description and notice: a
        dataset that changes only those is a new version too (its answers repeat them)."""
        lines = [f"N\x1f{node_id}\x1f{digest}\x1e" for node_id, digest in self.nodes.items()]
        lines += [f"R\x1f{s}\x1f{t}\x1f{e}\x1f{digest}\x1e" for (s, t, e), digest in self.rels.items()]
        lines.sort()
        if info is not None:
            said = [info.name, info.version, info.description, info.illustrative]
            lines.insert(0, f"D\x1f{json.dumps(said, ensure_ascii=False)}\x1e")
        return hashlib.sha256("".join(lines).encode()).hexdigest()


_FLAT: Final = frozenset({str, int, float, bool, type(None)})


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
