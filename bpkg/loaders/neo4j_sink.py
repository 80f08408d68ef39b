"""The Neo4j sink: Neo4j is the system of record, and a load publishes a dataset version into it.

A load (``write_batch``), in order (docs/loading.md says the same for people who run it):

1. **Takes the write lease.** One ``(:LoadLease {name: 'graph'})`` node, unique under a constraint, holds
   the loader that may write (``owner``) and until when (``expires``, the server's clock in ms). Taking it
   is one transaction that locks the node before reading who holds it, so of two loaders started together
   one gets it; the other waits (``wait`` seconds) or raises ``LeaseBusy`` naming the holder. While the
   load runs a thread renews it every third of its length, and every write transaction renews it as its
   first statement and aborts if another loader holds it: a loader killed with ``kill -9`` holds it for at
   most ``lease_seconds``, and one that paused longer than that cannot write after a successor took over.
   Because every write transaction locks the lease node first, write transactions of two loaders never
   interleave; and every relationship carries its key (``_key``, start and end id) under a uniqueness
   constraint per type, as every node's id is unique: even two writers cannot create a second copy of a
   node or a relationship key. Rows the compare did not find are created (``CREATE_NODES``,
   ``CREATE_RELS``); a batch that meets a copy written meanwhile fails on the constraint and is applied
   again as an upsert.
2. **Verifies, never trusts.** The dataset's ``(:Dataset {name})`` node records the fingerprint of the
   last finished load and the lease's write count (``seq``) at that moment. Even when both still match,
   the load counts what the dataset owns per label and per type (and, for a type whose keys the database does not
   vouch for, distinct keys) and compares them with the batch. When the marker or the counts disagree, it reads the
   whole graph as ids and per-row hashes, ``batch_size`` nodes a page, and writes what differs. ``bpkg load`` also
   records with the version the digest of the files it was read from and of the rules that checked them
   (``bpkg.loaders.files_digest``): ``reload_unchanged`` finds the version by that digest, and when it is still
   current and the dataset's counts agree under the lease, the files are not read or checked again.
3. **Records ownership.** Every node and relationship keeps ``_owners``, the names of the datasets that
   hold it (hidden from readers like ``_hash``). A load adds its name to what it writes; ``prune`` removes
   what this dataset owned and no longer holds (a row another dataset also holds only loses this owner),
   and refuses to remove more than ``PRUNE_SHARE`` of the graph unless ``yes``. Rows written before
   ownership existed count as the datasets' recorded then when there was exactly one, else as nobody's.
   When two datasets hold the same node id, the last load's properties are in force; the load reports
   which nodes held by other datasets it changed.
4. **Writes in bounded transactions**, at most ``batch_size`` rows each: first extra copies of duplicated
   relationship keys go (left by a ``bpkg`` older than the key constraints), then what the prune releases,
   then new nodes, changed nodes, new relationships, changed relationships (and those without a key yet).
5. **Checks again and publishes**: the counts once more (a disagreement is repaired with one more
   compare-and-write pass), then the fingerprint and ``seq`` on the ``Dataset`` node, then the lease is
   given back.

A reader meanwhile sees the database as before plus the committed batches, with a ``loading`` marker and no
``fingerprint`` on the dataset node; a load that stopped half-way (Neo4j gone, Ctrl-C, kill -9) leaves the
same picture, and the next load of any dataset notes it and the next load of this one repairs it. The version
last published stays named on the lease node (``published``), and the answers derived for it stay until the
next version is published: readers serve those rather than compute from a graph half written.
Each row's ``_hash`` (its label and properties, written in the same ``SET``) is what the compare reads; the
batch computes each row's hash once (``GraphBatch.row_hashes``) and its fingerprint from them.
Labels and types reach Cypher as ``$(...)`` values taken from the validated batch (schema enums).

A driver failure raises ``SinkUnavailable`` with one line saying how far the load got (the CLI: exit 3).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import json
import os
import re
import socket
import threading
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, LiteralString, Protocol, TypeVar

import neo4j
from tqdm import tqdm

from bpkg.graph_schema import LEASE_DDL, REL_KEY, Label, RelType, constraint_ddl, index_ddl, rel_key_constraint_name
from bpkg.graph_schema.asof import DERIVED, derived
from bpkg.graph_schema.errors import BpkgError
from bpkg.loaders.batch import Counts, DatasetInfo, GraphBatch, LoadSummary, Node, Rel, RowHashes, row_hash

BATCH_SIZE: Final = 5000
"""Rows per write transaction and nodes per page read (40k nodes in one transaction exhausted 1 GB)."""
WRITE_RETRY_SECONDS: Final = 10.0
"""How long one batch's transaction is retried on transient errors (the driver's default is 30 s)."""
LEASE_SECONDS: Final = 30.0
"""How long the write lease lasts without renewal: the longest a killed loader keeps others waiting."""
LOAD_TIMEOUT: Final = 3600.0
"""Seconds each of a load's transactions may run before Neo4j stops it. A load's reads scan whole datasets
(at 1M relationships the check of what a dataset owns took over 60 s on a busy machine): they must not fall
under a server's default for questions (``tools/neo4j`` sets 60 s), so every read and write of a load says its
own."""
PRUNE_SHARE: Final = 0.20
"""The largest share of the graph's rows (nodes + relationships) a prune removes without ``yes``."""
SHOWN_IDS: Final = 5
"""Ids a dry run or a note names per label or type; the rest are counted."""

ROW_HASH: Final = "_hash"
"""The property holding a row's hash (label and properties); never part of what readers get back."""
OWNERS: Final = "_owners"
"""The property listing the datasets that hold a row; never part of what readers get back."""
HIDDEN: Final = (ROW_HASH, OWNERS, REL_KEY, *DERIVED)
"""The sink's own properties (and the as-of bounds derived from ``when``): no fact of the dataset. ``REL_KEY``
is a relationship's key (start and end id) under its type's uniqueness constraint (``graph_schema``)."""
LEASE: Final = "graph"
"""The name of the one write lease (one writer for the whole database)."""

COUNT_NODES: Final[LiteralString] = "MATCH (n:Entity) RETURN count(n) AS count"
# Keyset pages over the uniqueness index on Entity(id): each page starts after the last id seen.
READ_NODE_PAGE: Final[LiteralString] = """
MATCH (n:Entity)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $size
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, properties(n) AS props
"""
# The relationships leaving one page of nodes: every relationship is read once, with its start node.
READ_RELS_FROM: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (a:Entity {id: id})-[r]->(b:Entity)
RETURN a.id AS source, type(r) AS type, b.id AS target, properties(r) AS props
"""
# The same pages for the load's compare: ids, labels, hashes and owners, no other property, each node with
# the relationships leaving it in one query (3 times faster at 100k than a second query seeking every id).
READ_HASH_PAGE: Final[LiteralString] = """
MATCH (n:Entity)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $size
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, n._hash AS hash,
       coalesce(n._owners, $legacy) AS owners,
       [(n)-[r]->(b:Entity) | [type(r), b.id, r._hash, coalesce(r._owners, $legacy), r._key IS NOT NULL]] AS rels
"""
# What a dataset owns, per label and per type (with the ``_key`` properties per type: fewer than relationships
# means rows written before keys existed), in one query: the check a load makes even when its marker says it is
# loaded. Every relationship of a type keyed under the type's uniqueness constraint: no two share a key, and the
# keys are the end nodes' ids. Otherwise ``DISTINCT_KEYS`` counts the distinct pairs of end nodes of the types in
# doubt (fewer than relationships: duplicated keys). At 1M relationships the distinct pairs were two thirds of
# the 6.3 s this check took.
OWNED_COUNTS: Final[LiteralString] = """
CALL () {
  MATCH (n:Entity) WHERE $name IN n._owners
  WITH [l IN labels(n) WHERE l <> 'Entity'] AS labels, count(*) AS count
  RETURN collect([labels, count]) AS nodes
}
CALL () {
  MATCH ()-[r]->() WHERE $name IN r._owners
  WITH type(r) AS type, count(*) AS count, count(r._key) AS keyed
  RETURN collect([type, count, keyed]) AS rels
}
RETURN nodes, rels
"""
KEY_CONSTRAINTS: Final[LiteralString] = """
SHOW CONSTRAINTS YIELD name, type, properties
WHERE type = $kind AND properties = ['_key']
RETURN collect(name) AS names
"""
DISTINCT_KEYS: Final[LiteralString] = """
MATCH (a:Entity)-[r]->(b:Entity) WHERE type(r) IN $types AND $name IN r._owners
RETURN type(r) AS type, count(DISTINCT [a.id, b.id]) AS keys
"""
# Every copy of a duplicated key but one goes; the one kept owns what the copies owned.
DEDUPE_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})-[r]->(b:Entity)
WHERE b.id = row.target AND type(r) = row.type
WITH row, collect(r) AS copies
WITH copies[0] AS kept, copies[1..] AS extra,
     reduce(acc = [], c IN copies | acc + [o IN coalesce(c._owners, $legacy) WHERE NOT o IN acc]) AS owners
SET kept._owners = owners
FOREACH (r IN extra | DELETE r)
"""
# What this dataset no longer holds: deleted when it was the only owner, else it only loses this owner.
DROP_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})-[r]->(b:Entity)
WHERE b.id = row.target AND type(r) = row.type
WITH r, [o IN coalesce(r._owners, $legacy) WHERE o <> $owner] AS rest
FOREACH (_ IN CASE WHEN rest = [] THEN [1] ELSE [] END | DELETE r)
FOREACH (_ IN CASE WHEN rest <> [] THEN [1] ELSE [] END | SET r._owners = rest)
"""
DROP_NODES: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
WITH n, [o IN coalesce(n._owners, $legacy) WHERE o <> $owner] AS rest
FOREACH (_ IN CASE WHEN rest = [] THEN [1] ELSE [] END | DETACH DELETE n)
FOREACH (_ IN CASE WHEN rest <> [] THEN [1] ELSE [] END | SET n._owners = rest)
"""
# The owners are read before the properties are replaced; a node keeps exactly its one domain label.
UPSERT_NODES: Final[LiteralString] = """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
WITH row, n, coalesce(n._owners, $legacy) AS owners, [l IN labels(n) WHERE l <> 'Entity' AND l <> row.label] AS old
SET n = row.props
SET n._owners = CASE WHEN $owner IN owners THEN owners ELSE owners + $owner END
SET n:$(row.label)
REMOVE n:$(old)
"""
# Nodes the compare did not find: created, at what a CREATE costs. The uniqueness constraints on ``id`` make a
# node created meanwhile by another writer fail the transaction, which is then applied with ``UPSERT_NODES``.
CREATE_NODES: Final[LiteralString] = """
UNWIND $rows AS row
CREATE (n:Entity:$(row.label))
SET n = row.props, n._owners = [$owner]
"""
# Relationships the compare did not find: created, at what a CREATE costs (no read of the start node's other
# relationships). Each carries its key (``_key``: start and end id) under its type's uniqueness constraint
# (``graph_schema.constraint_ddl``), so a second copy of a key, written by a writer that planned from the
# same state, fails the transaction instead of committing; the batch is then applied with ``UPSERT_RELS``.
CREATE_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[new:$(row.type)]->(b)
SET new = row.props, new._owners = [$owner]
"""
# Not ``MERGE (a)-[r:$(row.type)]->(b)``: Neo4j 5.26 plans a MERGE on a dynamic type as a scan of every
# relationship per row (24,995,000 db hits for 5,000 rows at 10k relationships; under 1,000 rows/s), and
# a pattern between two bound nodes the same way while its statistics say the database has no relationships.
# Expanding from the start node to an end named by id, and creating the relationship only when none is
# found, in the same statement, is as safe: the transaction has locked the lease node first (``RENEW_LEASE``),
# so no other loader's write transaction runs between the check and the create. Used for the relationships the
# compare found with another hash or without their key (written before keys existed: ``SET old = row.props``
# writes it), and for a batch of ``CREATE_RELS`` that met a copy written meanwhile.
UPSERT_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
WITH row, a, b, [(a)-[r]->(x) WHERE x.id = row.target AND type(r) = row.type | r] AS found
CALL (row, a, b, found) {
  WITH * WHERE found = []
  CREATE (a)-[new:$(row.type)]->(b)
  SET new = row.props, new._owners = [$owner]
}
CALL (row, found) {
  UNWIND found AS old
  WITH row, old, coalesce(old._owners, $legacy) AS owners
  SET old = row.props
  SET old._owners = CASE WHEN $owner IN owners THEN owners ELSE owners + $owner END
}
"""
INTERRUPTED: Final[LiteralString] = """
MATCH (d:Dataset)
WHERE d.loading IS NOT NULL
RETURN d.name AS name, d.loading_since AS since
ORDER BY name
"""
# Rows without owners (written before ownership) are the one recorded dataset's, if there is exactly one.
LEGACY_OWNER: Final[LiteralString] = "MATCH (d:Dataset) RETURN collect(d.name) AS names"
# The lease: the first SET locks the node, so what is read after it is what the last holder committed.
TAKE_LEASE: Final[LiteralString] = """
MERGE (l:LoadLease {name: $lease})
SET l.asked_at = timestamp()
WITH l, l.owner IS NULL OR l.owner = $owner OR l.expires < timestamp() AS free
FOREACH (_ IN CASE WHEN free THEN [1] ELSE [] END |
  SET l.owner = $owner, l.since = $since, l.expires = timestamp() + $ttl)
RETURN free, l.owner AS owner, l.since AS since, l.expires - timestamp() AS left_ms
"""
# The first statement of every write transaction: renews the lease and locks it for the transaction.
RENEW_LEASE: Final[LiteralString] = """
OPTIONAL MATCH (l:LoadLease {name: $lease})
WHERE l.owner = $owner
SET l.expires = timestamp() + $ttl
RETURN l IS NOT NULL AS held
"""
GIVE_LEASE: Final[LiteralString] = """
MATCH (l:LoadLease {name: $lease})
WHERE l.owner = $owner
SET l.expires = 0
REMOVE l.owner, l.since
"""
BEGIN_LOAD: Final[LiteralString] = """
MATCH (l:LoadLease {name: $lease})
SET l.seq = coalesce(l.seq, 0) + 1
MERGE (d:Dataset {name: $name})
SET d.loading = $fingerprint, d.loading_since = $since
REMOVE d.fingerprint
"""
# ``l.published`` is the version readers see once this commits (what ``queries.DATASET`` computes: the fingerprint
# when the dataset is the only one and kept no rows of an earlier version, else with the lease's count): while a
# later load is under way, or after one stopped half-way, readers keep reading the answers derived for it
# (``queries.DATASET``'s ``serving``).
FINISH_LOAD: Final[LiteralString] = """
MATCH (l:LoadLease {name: $lease})
MERGE (d:Dataset {name: $name})
SET d.version = $version, d.description = $description, d.illustrative = $illustrative,
    d.fingerprint = $fingerprint, d.loaded_at = $loaded_at, d.seq = coalesce(l.seq, 0), d.kept = $kept,
    d.files = $files, d.counts = $counts
REMOVE d.loading, d.loading_since
WITH l, d
CALL (d) { OPTIONAL MATCH (o:Dataset) WHERE o.name <> d.name RETURN count(o) AS others }
SET l.published = CASE WHEN others = 0 AND d.kept = '{}' THEN d.fingerprint
                       ELSE d.fingerprint + ':' + toString(d.seq) END
"""
AWAIT_INDEXES: Final[LiteralString] = "CALL db.awaitIndexes(120)"
# Every node of the graph and every relationship of the database, from the store's counts (no row read; the
# derivations' nodes have no relationships).
GRAPH_SIZE: Final[LiteralString] = """
CALL () { MATCH (n:Entity) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
RETURN nodes, rels
"""
# Whether the database's marker says it holds exactly this dataset: a finished load of the same fingerprint
# after which no load wrote (``seq``), with what that load kept without pruning.
MARKER: Final[LiteralString] = """
OPTIONAL MATCH (l:LoadLease {name: $lease})
OPTIONAL MATCH (d:Dataset {name: $name})
RETURN d IS NOT NULL AND d.fingerprint = $fingerprint AND d.loading IS NULL AND d.seq = coalesce(l.seq, 0) AS current,
       d.kept AS kept, d.files AS files
"""
# The dataset whose published version was loaded from files of this digest (``files_digest``), if it is current.
FILES_MARKER: Final[LiteralString] = """
OPTIONAL MATCH (l:LoadLease {name: $lease})
MATCH (d:Dataset {files: $files})
RETURN d.name AS name, d.version AS version, d.description AS description, d.illustrative AS illustrative,
       d.fingerprint AS fingerprint, d.counts AS counts, coalesce(d.kept, '{}') AS kept,
       d.fingerprint IS NOT NULL AND d.loading IS NULL AND d.seq = coalesce(l.seq, 0) AS current
"""
# An unchanged load records the files it was given (a version published before files were recorded, or by
# files that differ only in what the digest covers and the fingerprint does not, such as a file no manifest names).
RECORD_FILES: Final[LiteralString] = """
MATCH (d:Dataset {name: $name})
SET d.files = $files, d.counts = $counts
"""

T = TypeVar("T")
RelKey = tuple[str, str, str]
DRIVER_ERRORS: Final = (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError)


@dataclass(frozen=True, slots=True)
class Publishing:
    """What a derivation (``write_batch(derive=...)``) is given: the database, the dataset being published, and
    ``write``, which runs its work in one write transaction holding the load's lease (renewed and locked first).

    The derivation's own nodes carry no ``Entity`` label: every read of this sink (counts, compare pages,
    ``read_back``, owners, prune) and of the read side (stats, search, nodes, exports) matches ``Entity`` only."""

    driver: neo4j.Driver
    database: str
    name: str
    fingerprint: str
    write: Callable[[Callable[[neo4j.ManagedTransaction], object]], None]
    info: DatasetInfo
    """The dataset's name, version, description and notice as the version will be published with them (the
    database holds them only once it is published)."""
    graph: GraphBatch | None = None
    """The batch, when the database was found to hold this batch and nothing else (``_only_this``): what a
    derivation would read back from the database, already in memory."""
    kept_rows: int = 0
    """Rows of earlier versions the load kept (no ``--prune``): the graph is then more than this batch, and its
    version is not the batch's fingerprint alone (``FINISH_LOAD``)."""
    ahead: Callable[[], None] | None = None
    """Given with ``graph`` when the derivation's ``prepare`` was started on that batch: waits for it to end (and
    raises what it raised). A derivation calls it before it uses what ``prepare`` made, and only then: one that
    finds its answers already derived does not wait."""


class Derivation(Protocol):
    """Answers derived from what the store holds (design.md section 5), written inside the lease: ``derive``
    after the writes are verified and before the version is marked published, ``published`` after it.

    ``prepare`` is given the batch before the graph is compared and written, and runs on a thread of its own
    meanwhile (this process mostly waits on the database then): what can be made from the batch alone, made
    ahead. It must not touch the database; it may stop early once ``dropped`` is set (the load ended, or found that
    what it makes cannot be used). ``derive`` may use what it made only when ``Publishing.graph`` is that batch
    (the writes were verified to leave the graph holding it and nothing else), after ``Publishing.ahead``."""

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None: ...

    def derive(self, publishing: Publishing) -> None: ...

    def published(self, publishing: Publishing) -> None: ...


class SinkUnavailable(BpkgError):
    """Neo4j failed during a load or a read-back; the message says in one line what state it left."""


class LeaseBusy(BpkgError):
    """Another loader holds the write lease; the message names it and says how to wait."""


class LeaseLost(SinkUnavailable):
    """This loader's lease expired and another loader took it: this one stops before writing again."""


class PruneRefused(BpkgError):
    """A prune would remove more than ``PRUNE_SHARE`` of the graph and was not confirmed."""


@dataclass(slots=True)
class _Held:
    """What the database holds, read as ids, hashes and owners a page at a time (bounded by the batch)."""

    node_labels: dict[str, list[str]] = field(default_factory=dict)
    node_same: set[str] = field(default_factory=set)
    node_others: dict[str, list[str]] = field(default_factory=dict)
    """Nodes of the batch that other datasets hold too: their other owners."""
    claimed_nodes: set[str] = field(default_factory=set)
    """Nodes of the batch that do not list this dataset as an owner yet."""
    rels: dict[RelKey, bool] = field(default_factory=dict)
    """Relationship keys of the batch found in the database, owned by this dataset: whether the hash is the same."""
    claimed_rels: set[RelKey] = field(default_factory=set)
    unkeyed: set[RelKey] = field(default_factory=set)
    """Relationship keys of the batch found without ``REL_KEY`` (written before keys existed)."""
    duplicated: set[RelKey] = field(default_factory=set)
    stale_nodes: list[tuple[str, str, bool]] = field(default_factory=list)
    """Nodes this dataset owns and no longer holds: id, label, whether this dataset is the only owner."""
    stale_rels: list[tuple[RelKey, bool]] = field(default_factory=list)
    total: int = 0
    """Nodes and relationships in the whole graph."""


@dataclass(slots=True)
class Removal:
    """What a prune removes (or releases: rows other datasets also hold only lose this owner)."""

    nodes: dict[str, list[str]] = field(default_factory=dict)
    rels: dict[str, list[str]] = field(default_factory=dict)
    released_nodes: int = 0
    released_rels: int = 0
    total: int = 0
    """Nodes and relationships in the graph before the prune."""

    @property
    def removed(self) -> int:
        return sum(map(len, self.nodes.values())) + sum(map(len, self.rels.values()))

    @property
    def share(self) -> float:
        return self.removed / self.total if self.total else 0.0

    def lines(self) -> list[str]:
        """Counts per label and type with the first ids, as a dry run prints them."""
        out = [
            f"removes {self.removed} of {self.total} rows ({self.share:.1%}); "
            f"releases {self.released_nodes} nodes and {self.released_rels} relationships other datasets also hold"
        ]
        for what, found in (("nodes", self.nodes), ("relationships", self.rels)):
            for name, ids in sorted(found.items()):
                more = f", and {len(ids) - SHOWN_IDS} more" if len(ids) > SHOWN_IDS else ""
                out.append(f"  {what} {name}: {len(ids)} ({', '.join(sorted(ids)[:SHOWN_IDS])}{more})")
        return out


@dataclass(slots=True)
class _Plan:
    """What one load writes, in order, and the counts it reports."""

    summary: LoadSummary
    removal: Removal = field(default_factory=Removal)
    dedupe: list[dict[str, Any]] = field(default_factory=list)
    stale_rels: list[dict[str, Any]] = field(default_factory=list)
    stale_ids: list[str] = field(default_factory=list)
    node_new: list[dict[str, Any]] = field(default_factory=list)
    """Nodes the compare did not find (``CREATE_NODES``); ``node_rows`` are the others to write."""
    node_rows: list[dict[str, Any]] = field(default_factory=list)
    rel_new: list[dict[str, Any]] = field(default_factory=list)
    """Relationships the compare did not find (``CREATE_RELS``); ``rel_rows`` are the others to write."""
    rel_rows: list[dict[str, Any]] = field(default_factory=list)
    shared_changed: list[str] = field(default_factory=list)
    kept: dict[str, int] = field(default_factory=dict)
    """Rows this dataset owns and no longer holds, left without ``prune``: per label and type."""

    @property
    def rows(self) -> int:
        return (
            len(self.dedupe)
            + len(self.stale_rels)
            + len(self.stale_ids)
            + len(self.node_new)
            + len(self.node_rows)
            + len(self.rel_new)
            + len(self.rel_rows)
        )


@dataclass(slots=True)
class _Progress:
    written: int = 0
    total: int = 0
    began: bool = False


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def node_hash(label: str, props: dict[str, Any]) -> str:
    return row_hash(props, label)  # one fast pass (bpkg.loaders.batch.canonical), no JSON encoder per row


def rel_hash(props: dict[str, Any]) -> str:
    return row_hash(props)


def ensure_schema(driver: neo4j.Driver, database: str) -> None:
    """Create the uniqueness constraints and the full-text index (``IF NOT EXISTS``)."""
    for ddl in (*constraint_ddl(), *index_ddl()):
        # DDL cannot take parameters; these statements are generated from the schema enums only.
        _create(driver, database, ddl)
    driver.execute_query(AWAIT_INDEXES, database_=database)


def _create(driver: neo4j.Driver, database: str, ddl: LiteralString) -> None:
    try:
        driver.execute_query(ddl, database_=database)
    except neo4j.exceptions.ClientError as exc:
        # Two loaders creating the same constraint at once: the second finds it made by the first.
        if "AlreadyExists" not in (exc.code or ""):
            raise


class Lease:
    """The store's write lease, held by this loader from ``take`` to ``give_back`` and renewed meanwhile."""

    def __init__(self, driver: neo4j.Driver, database: str, seconds: float = LEASE_SECONDS) -> None:
        if seconds < 1:
            raise ValueError("the lease must last at least 1 second")
        self.driver, self.database, self.seconds = driver, database, seconds
        self.owner = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def params(self) -> dict[str, Any]:
        return {"lease": LEASE, "owner": self.owner, "ttl": int(self.seconds * 1000)}

    def take(self, wait: float = 0.0) -> None:
        """Take the lease, waiting up to ``wait`` seconds for another loader to give it back or let it expire."""
        _create(self.driver, self.database, LEASE_DDL)
        deadline = time.monotonic() + max(wait, 0.0)
        while True:
            since = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
            records, _, _ = self.driver.execute_query(
                TAKE_LEASE, self.params | {"since": since}, database_=self.database
            )
            got = records[0]
            if got["free"]:
                break
            if time.monotonic() >= deadline:
                left = max(int(got["left_ms"] or 0) // 1000, 0)
                waited = f" after waiting {wait:g} s" if wait > 0 else ""
                raise LeaseBusy(
                    f"another load holds the write lease{waited} ({got['owner']}, since {got['since']}, "
                    f"expires in {left} s unless renewed): try again later, or wait with --wait SECONDS"
                )
            time.sleep(min(1.0, max(deadline - time.monotonic(), 0.05)))
        self._thread = threading.Thread(target=self._renew_loop, name="bpkg-lease", daemon=True)
        self._thread.start()

    def _renew_loop(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.driver.execute_query(RENEW_LEASE, self.params, database_=self.database)
            except DRIVER_ERRORS:
                continue  # the next write transaction renews it, or reports the failure

    def renewed(self, tx: neo4j.ManagedTransaction) -> neo4j.ManagedTransaction:
        """Inside a write transaction, first: renew and lock the lease (``tx`` is returned), or abort."""
        if not tx.run(RENEW_LEASE, self.params).single(strict=True)["held"]:
            raise LeaseLost(
                f"another load took the write lease after this one's expired ({self.seconds:g} s without "
                "renewal); this load stopped before writing again: run it again to complete the graph"
            )
        return tx

    def give_back(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        with contextlib.suppress(*DRIVER_ERRORS):  # else it expires by itself
            self.driver.execute_query(GIVE_LEASE, self.params, database_=self.database)


def write_batch(
    driver: neo4j.Driver,
    batch: GraphBatch,
    database: str,
    *,
    prune: bool = False,
    yes: bool = False,
    wait: float = 0.0,
    lease_seconds: float = LEASE_SECONDS,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
    report: Callable[[str], None] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
    derive: Derivation | None = None,
    files: str | None = None,
) -> LoadSummary:
    """Publish a validated batch (module docstring); return created / updated / unchanged / removed counts.

    ``batch_size`` bounds every transaction; ``report`` receives one-line notes (an interrupted load found,
    shared nodes changed, rows kept or released); ``on_batch(rows written, rows to write)`` is called after
    each committed write transaction; ``derive`` (the application's, passed in by its composition root) derives
    answers inside the lease, before and after the version is marked published; ``files`` (the digest of the
    files the batch was read from and the rules that checked it, ``bpkg.loaders.files_digest``) is recorded with
    the version for ``reload_unchanged``. Raises ``LeaseBusy`` when
    another load holds the lease after ``wait`` seconds and ``PruneRefused`` when a prune would remove more
    than ``PRUNE_SHARE`` without ``yes``.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    note = report or (lambda _: None)
    done = _Progress()
    lease = Lease(driver, database, lease_seconds)
    try:
        lease.take(wait)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(_failure_line(batch.info.name, done, exc)) from exc
    ahead: _Ahead | None = None
    try:
        ensure_schema(driver, database)
        for record in _read(driver, database, INTERRUPTED):
            note(f"a load of '{record['name']}' begun {record['since']} did not finish; this load checks the graph")
        hashes = batch.row_hashes()  # each row's canonical text once: the rows' hashes, then the fingerprint
        fingerprint = hashes.fingerprint(batch.info)
        marker = _read(driver, database, MARKER, lease=LEASE, name=batch.info.name, fingerprint=fingerprint)[0]
        kept = {} if prune else json.loads(marker["kept"] or "{}")
        if marker["current"] and _owned_counts(driver, database, batch.info.name) == _expected(batch, kept):
            # The marker and the counts agree: the graph holds this version (a reload of 100k relationships
            # spent 5 s reading the database back only to find no difference).
            with driver.session(database=database, max_transaction_retry_time=WRITE_RETRY_SECONDS) as session:
                if files is not None and marker["files"] != files:
                    counts = json.dumps(_expected(batch, {}), sort_keys=True)
                    _writer(session, lease)(
                        lambda tx: tx.run(RECORD_FILES, name=batch.info.name, files=files, counts=counts).consume()
                    )
                if derive is not None:
                    publishing = _publishing(driver, database, session, lease, batch, fingerprint, kept)
                    derive.derive(publishing)
                    derive.published(publishing)
            return _unchanged(batch)
        # Made ahead while the graph is compared and written; used only if the graph is then the batch alone (not
        # when the load keeps rows of an earlier version, or another dataset shares the graph).
        ahead = _Ahead(derive, batch) if derive is not None else None
        legacy = _legacy(driver, database)
        plan = _plan(driver, database, batch, prune, batch_size, progress, legacy, hashes)
        _guard(plan.removal, prune, yes)
        with driver.session(database=database, max_transaction_retry_time=WRITE_RETRY_SECONDS) as session:
            _apply(session, lease, batch, fingerprint, plan, batch_size, progress, on_batch, done, legacy)
            if _owned_counts(driver, database, batch.info.name) != _expected(batch, plan.kept):
                # Something wrote beside this load (or a write was lost): one more compare repairs it.
                note("the graph differed from the dataset after writing; comparing it once more")
                again = _plan(driver, database, batch, prune, batch_size, False, legacy, hashes)
                _apply(session, lease, batch, fingerprint, again, batch_size, False, None, _Progress(), legacy)
                if _owned_counts(driver, database, batch.info.name) != _expected(batch, again.kept):
                    raise SinkUnavailable(
                        f"the graph does not hold '{batch.info.name}' after a repair; nothing was marked loaded"
                    )
            given: Publishing | None = None
            if derive is not None:
                given = _publishing(driver, database, session, lease, batch, fingerprint, plan.kept)
                if ahead is not None and given.graph is not None:
                    given = dataclasses.replace(given, ahead=ahead.wait)
                elif ahead is not None:
                    ahead.dropped.set()  # of no use: it stops rather than take the derivation's time
                derive.derive(given)
            session.execute_write(_timed(_finish), lease, batch, fingerprint, plan.kept, files)
            if derive is not None and given is not None:
                derive.published(given)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(_failure_line(batch.info.name, done, exc)) from exc
    finally:
        if ahead is not None:
            ahead.dropped.set()  # not waited for by now: not needed
        lease.give_back()
    _notes(plan, note)
    return plan.summary


def reload_unchanged(
    driver: neo4j.Driver,
    database: str,
    files: str,
    *,
    prune: bool = False,
    wait: float = 0.0,
    lease_seconds: float = LEASE_SECONDS,
    derive: Derivation | None = None,
) -> LoadSummary | None:
    """A load of files that a published version was loaded from, checked by the same rules (``files``, their
    ``files_digest``), when the graph is still what that version left: nothing to read, check or write.

    Under the lease, as ``write_batch`` would: the version must still be current (no load wrote since, none is
    unfinished) and what the dataset owns must count as the version recorded (per label and type, as
    ``_owned_counts`` counts; plus what its load kept without ``--prune``); its derivations are completed if any is
    missing. None when any of it does not hold (or ``prune`` would remove rows the version kept): the files are then
    read, checked and loaded the usual way. Raises ``LeaseBusy`` and ``SinkUnavailable`` as ``write_batch`` does."""
    try:
        if not _current_files(_read(driver, database, FILES_MARKER, lease=LEASE, files=files)):
            return None  # no lease taken for files never published
        lease = Lease(driver, database, lease_seconds)
        lease.take(wait)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc
    try:
        # Read again under the lease: a load may have published between the first read and the lease.
        record = _current_files(_read(driver, database, FILES_MARKER, lease=LEASE, files=files))
        if record is None:
            return None
        counts: dict[str, int] = json.loads(record["counts"])
        kept: dict[str, int] = json.loads(record["kept"])
        if prune and kept:
            return None
        expected = Counter(counts)
        expected.update(kept)
        if _owned_counts(driver, database, record["name"]) != dict(expected):
            return None
        info = DatasetInfo(
            record["name"], record["version"] or "", record["description"] or "", record["illustrative"] or ""
        )
        if derive is not None:
            with driver.session(database=database, max_transaction_retry_time=WRITE_RETRY_SECONDS) as session:
                write = _writer(session, lease)
                publishing = Publishing(
                    driver, database, info.name, record["fingerprint"], write, info, None, sum(kept.values())
                )
                derive.derive(publishing)
                derive.published(publishing)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"checking the graph in Neo4j failed ({_reason(exc)}); nothing was written") from exc
    finally:
        lease.give_back()
    summary = LoadSummary(backend="neo4j", dataset=info.name)
    labels = {label.value for label in Label}
    summary.nodes.unchanged = sum(count for key, count in counts.items() if key in labels)
    summary.rels.unchanged = sum(count for key, count in counts.items() if key not in labels)
    return summary


def _current_files(records: list[neo4j.Record]) -> neo4j.Record | None:
    """The one dataset loaded from the files, if its version is current and recorded its counts."""
    if len(records) != 1 or not records[0]["current"] or records[0]["counts"] is None:
        return None
    return records[0]


def dry_run(
    driver: neo4j.Driver, database: str, batch: GraphBatch, *, prune: bool = False, batch_size: int = BATCH_SIZE
) -> tuple[LoadSummary, Removal]:
    """What a load of ``batch`` would do, and what its prune would remove; writes nothing, takes no lease."""
    try:
        plan = _plan(driver, database, batch, prune, batch_size, False, _legacy(driver, database))
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc
    return plan.summary, plan.removal


def compare(
    driver: neo4j.Driver, database: str, batch: GraphBatch, *, prune: bool = False, batch_size: int = BATCH_SIZE
) -> LoadSummary:
    """The counts a load of ``batch`` would report, from the database's id and hash pages; writes nothing."""
    return dry_run(driver, database, batch, prune=prune, batch_size=batch_size)[0]


def _guard(removal: Removal, prune: bool, yes: bool) -> None:
    if prune and not yes and removal.share > PRUNE_SHARE:
        raise PruneRefused(
            f"--prune would remove {removal.removed} of the graph's {removal.total} nodes and relationships "
            f"({removal.share:.0%}, above {PRUNE_SHARE:.0%}); nothing was written: see them with --dry-run, "
            "then confirm with --yes"
        )


def _notes(plan: _Plan, note: Callable[[str], None]) -> None:
    if plan.shared_changed:
        ids = ", ".join(plan.shared_changed[:SHOWN_IDS])
        more = f" and {len(plan.shared_changed) - SHOWN_IDS} more" if len(plan.shared_changed) > SHOWN_IDS else ""
        note(
            f"changed {len(plan.shared_changed)} nodes that other datasets also hold ({ids}{more}): "
            "this load's properties are now in force"
        )
    removal = plan.removal
    if removal.released_nodes or removal.released_rels:
        note(
            f"released {removal.released_nodes} nodes and {removal.released_rels} relationships that other "
            "datasets also hold (they stay)"
        )
    if plan.kept:
        note(
            f"kept {sum(plan.kept.values())} nodes and relationships this dataset no longer holds "
            "(remove them with --prune; see them with --prune --dry-run)"
        )


def _read(driver: neo4j.Driver, database: str, query: LiteralString, /, **params: Any) -> list[neo4j.Record]:
    records, _, _ = driver.execute_query(
        neo4j.Query(query, timeout=LOAD_TIMEOUT), params, database_=database, routing_=neo4j.RoutingControl.READ
    )
    return records


def _legacy(driver: neo4j.Driver, database: str) -> list[str]:
    """The owner of rows written before ownership existed: the one dataset recorded then, if one."""
    names: list[str] = _read(driver, database, LEGACY_OWNER)[0]["names"]
    return names if len(names) == 1 else []


def _owned_counts(driver: neo4j.Driver, database: str, name: str) -> dict[str, int]:
    """What ``name`` owns per label and per type; a duplicated key or a node with two labels spoils it."""
    record = _read(driver, database, OWNED_COUNTS, name=name)[0]
    found: dict[str, int] = {}
    for labels, count in record["nodes"]:
        found["|".join(labels) or "(none)"] = count
    constrained = set(_read(driver, database, KEY_CONSTRAINTS, kind="RELATIONSHIP_UNIQUENESS")[0]["names"])
    doubt: dict[str, int] = {}
    for rel_type, count, keyed in record["rels"]:
        found[rel_type] = count
        if keyed != count:
            found[f"{rel_type} (without key)"] = count - keyed
        if keyed != count or rel_key_constraint_name(rel_type) not in constrained:
            doubt[rel_type] = count
    if doubt:
        for row in _read(driver, database, DISTINCT_KEYS, name=name, types=sorted(doubt)):
            if row["keys"] != doubt[row["type"]]:
                found[f"{row['type']} (duplicated keys)"] = doubt[row["type"]] - row["keys"]
    return found


def _expected(batch: GraphBatch, kept: dict[str, int]) -> dict[str, int]:
    counts = Counter[str](n.label.value for n in batch.nodes)
    counts.update(r.type.value for r in batch.rels)
    counts.update(kept)
    return dict(counts)


def _pages(driver: neo4j.Driver, database: str, size: int) -> Iterator[tuple[list[neo4j.Record], list[neo4j.Record]]]:
    """What the database holds, ``size`` nodes at a time, each page with the relationships leaving it."""
    for nodes in _node_pages(driver, database, READ_NODE_PAGE, size):
        yield nodes, _read(driver, database, READ_RELS_FROM, ids=[r["id"] for r in nodes])


def _node_pages(
    driver: neo4j.Driver, database: str, query: LiteralString, size: int, **params: Any
) -> Iterator[list[neo4j.Record]]:
    """The rows of ``query`` (a page of nodes by id after ``$after``), ``size`` nodes at a time."""
    after = ""
    while True:
        nodes = _read(driver, database, query, after=after, size=size, **params)
        if not nodes:
            return
        yield nodes
        if len(nodes) < size:
            return
        after = nodes[-1]["id"]


def _node_rows(batch: GraphBatch, hashes: RowHashes | None = None) -> dict[str, dict[str, Any]]:
    digests = (hashes or batch.row_hashes()).nodes
    rows: dict[str, dict[str, Any]] = {}
    for node in batch.nodes:
        props = node.props
        digest = digests[node.id]
        row = {**props, **derived(props), ROW_HASH: digest}  # derived: as-of bounds (bpkg.graph_schema.asof)
        rows[node.id] = {"id": node.id, "label": node.label.value, "props": row}
    return rows


def _rel_rows(batch: GraphBatch, hashes: RowHashes | None = None) -> dict[RelKey, dict[str, Any]]:
    digests = (hashes or batch.row_hashes()).rels
    rows: dict[RelKey, dict[str, Any]] = {}
    for rel in batch.rels:
        key = rel.key  # a property reading an enum's value: once per row (a tenth of this function at 100k)
        rows[key] = {
            "source": key[0],
            "type": key[1],
            "target": key[2],
            "props": {**rel.props, **derived(rel.props), ROW_HASH: digests[key], REL_KEY: f"{key[0]}\x1f{key[2]}"},
        }
    return rows


def rel_key(rel: Rel) -> str:
    """The value of a relationship's ``REL_KEY``: its start and end ids (its type is its constraint's); what
    ``_rel_rows`` writes."""
    return f"{rel.source}\x1f{rel.target}"


def _read_held(
    driver: neo4j.Driver,
    database: str,
    name: str,
    node_rows: dict[str, dict[str, Any]],
    rel_rows: dict[RelKey, dict[str, Any]],
    size: int,
    progress: bool,
    legacy: list[str],
) -> _Held:
    held = _Held()
    total = _read(driver, database, COUNT_NODES)[0]["count"]
    with tqdm(total=total, unit="node", disable=not progress or total == 0, desc="comparing") as bar:
        for nodes in _node_pages(driver, database, READ_HASH_PAGE, size, legacy=legacy):
            for record in nodes:
                _hold_node(held, name, node_rows, record)
                seen: set[RelKey] = set()  # a key starts at its node: its copies are all in this record
                for rel_type, target, digest, owners, keyed in record["rels"]:
                    key: RelKey = (record["id"], rel_type, target)
                    held.total += 1
                    if key in seen:
                        held.duplicated.add(key)
                        continue
                    seen.add(key)
                    rel = rel_rows.get(key)
                    if rel is None:
                        if name in owners:
                            held.stale_rels.append((key, owners == [name]))
                        continue
                    held.rels[key] = digest == rel["props"][ROW_HASH]
                    if not keyed:
                        held.unkeyed.add(key)
                    if name not in owners:
                        held.claimed_rels.add(key)
            bar.update(len(nodes))
    return held


def _hold_node(held: _Held, name: str, node_rows: dict[str, dict[str, Any]], record: neo4j.Record) -> None:
    node_id, owners = record["id"], record["owners"]
    held.total += 1
    row = node_rows.get(node_id)
    if row is None:
        if name in owners:
            label = "|".join(record["labels"]) or "(none)"
            held.stale_nodes.append((node_id, label, owners == [name]))
        return
    held.node_labels[node_id] = record["labels"]
    if record["hash"] == row["props"][ROW_HASH] and record["labels"] == [row["label"]]:
        held.node_same.add(node_id)
    if name not in owners:
        held.claimed_nodes.add(node_id)
    others = [o for o in owners if o != name]
    if others:
        held.node_others[node_id] = others


def _plan(
    driver: neo4j.Driver,
    database: str,
    batch: GraphBatch,
    prune: bool,
    size: int,
    progress: bool,
    legacy: list[str],
    hashes: RowHashes | None = None,
) -> _Plan:
    name = batch.info.name
    hashes = hashes or batch.row_hashes()
    node_rows, rel_rows = _node_rows(batch, hashes), _rel_rows(batch, hashes)
    held = _read_held(driver, database, name, node_rows, rel_rows, size, progress, legacy)
    plan = _Plan(LoadSummary(backend="neo4j", dataset=name))
    summary = plan.summary
    summary.nodes, summary.rels = Counts(), Counts()
    for node_id, row in node_rows.items():
        if node_id not in held.node_labels:
            summary.nodes.created += 1
            plan.node_new.append(row)
            continue
        elif node_id in held.node_same:
            summary.nodes.unchanged += 1
            if node_id not in held.claimed_nodes:
                continue  # same content, already this dataset's
        else:
            summary.nodes.updated += 1
            if node_id in held.node_others:
                plan.shared_changed.append(node_id)
        plan.node_rows.append(row)

    for key, row in rel_rows.items():
        same = held.rels.get(key)
        if same is None:
            summary.rels.created += 1
            plan.rel_new.append(row)
            continue
        elif key in held.duplicated or not same:
            summary.rels.updated += 1
        else:
            summary.rels.unchanged += 1
            if key not in held.claimed_rels and key not in held.unkeyed:
                continue  # same content, already this dataset's, with its key
        plan.rel_rows.append(row)

    plan.dedupe = [{"source": s, "type": t, "target": e} for (s, t, e) in sorted(held.duplicated)]
    removal = plan.removal
    removal.total = held.total
    if prune:
        for (s, t, e), alone in held.stale_rels:
            plan.stale_rels.append({"source": s, "type": t, "target": e})
            if alone:
                removal.rels.setdefault(t, []).append(f"{s} {t} {e}")
            else:
                removal.released_rels += 1
        for node_id, label, alone in held.stale_nodes:
            plan.stale_ids.append(node_id)
            if alone:
                removal.nodes.setdefault(label, []).append(node_id)
            else:
                removal.released_nodes += 1
        summary.nodes.removed = sum(map(len, removal.nodes.values()))
        summary.rels.removed = sum(map(len, removal.rels.values()))
    else:
        plan.kept = dict(Counter[str]([label for _, label, _ in held.stale_nodes] + [k[1] for k, _ in held.stale_rels]))
    return plan


def _unchanged(batch: GraphBatch) -> LoadSummary:
    summary = LoadSummary(backend="neo4j", dataset=batch.info.name)
    summary.nodes.unchanged, summary.rels.unchanged = len(batch.nodes), len(batch.rels)
    return summary


def _apply(
    session: neo4j.Session,
    lease: Lease,
    batch: GraphBatch,
    fingerprint: str,
    plan: _Plan,
    batch_size: int,
    progress: bool,
    on_batch: Callable[[int, int], None] | None,
    done: _Progress,
    legacy: list[str],
) -> None:
    # Each step: its query, its parameter, its rows, and the query a batch is applied with instead when it
    # fails on a uniqueness constraint (a row written meanwhile by another writer).
    steps: list[tuple[LiteralString, str, Sequence[Any], LiteralString]] = [
        (DEDUPE_RELS, "rows", plan.dedupe, DEDUPE_RELS),
        (DROP_RELS, "rows", plan.stale_rels, DROP_RELS),
        (DROP_NODES, "ids", plan.stale_ids, DROP_NODES),
        (CREATE_NODES, "rows", plan.node_new, UPSERT_NODES),
        (UPSERT_NODES, "rows", plan.node_rows, UPSERT_NODES),
        (CREATE_RELS, "rows", plan.rel_new, UPSERT_RELS),
        (UPSERT_RELS, "rows", plan.rel_rows, UPSERT_RELS),
    ]
    done.total = plan.rows
    if not done.total:
        return
    now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    session.execute_write(_timed(_begin), lease, batch.info.name, fingerprint, now)
    done.began = True
    params = {"owner": batch.info.name, "legacy": legacy}
    with tqdm(total=done.total, unit="row", disable=not progress, desc="writing") as bar:
        for query, param, rows, instead in steps:
            for chunk in _chunks(rows, batch_size):
                try:
                    _write_rows(session, lease, query, params | {param: list(chunk)})
                except neo4j.exceptions.ConstraintError:
                    _write_rows(session, lease, instead, params | {param: list(chunk)})
                done.written += len(chunk)
                bar.update(len(chunk))
                if on_batch is not None:
                    on_batch(done.written, done.total)


class _Ahead:
    """``derive.prepare(batch)`` running on a thread: ``wait`` for it (raising what it raised), or drop it
    (``dropped``: it may stop early, and what it made is not used)."""

    def __init__(self, derive: Derivation, batch: GraphBatch) -> None:
        self.dropped = threading.Event()
        self.wait: Callable[[], None] = on_a_thread(lambda: derive.prepare(batch, self.dropped), "bpkg-prepare")


def on_a_thread(work: Callable[[], T], name: str) -> Callable[[], T]:
    """``work`` started on a daemon thread; the function returned waits for it and returns what it returned, or
    raises what it raised (in the waiting thread). When nobody waits, the thread ends on its own."""
    done: list[T] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            done.append(work())
        except BaseException as exc:  # raised again in the thread that waits
            failed.append(exc)

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()

    def wait() -> T:
        thread.join()
        if failed:
            raise failed[0]
        return done[0]

    return wait


def _publishing(
    driver: neo4j.Driver,
    database: str,
    session: neo4j.Session,
    lease: Lease,
    batch: GraphBatch,
    fingerprint: str,
    kept: dict[str, int],
) -> Publishing:
    """What the derivations are given, once the graph was verified to hold the version (the owned counts)."""
    graph = batch if _only_this(driver, database, batch, kept) else None
    write = _writer(session, lease)
    return Publishing(driver, database, batch.info.name, fingerprint, write, batch.info, graph, sum(kept.values()))


def _writer(session: neo4j.Session, lease: Lease) -> Callable[[Callable[[neo4j.ManagedTransaction], object]], None]:
    """Runs work in one write transaction of ``session`` that renews (and locks) the lease first."""

    def write(work: Callable[[neo4j.ManagedTransaction], object]) -> None:
        session.execute_write(_timed(lambda tx: work(lease.renewed(tx))))

    return write


def _only_this(driver: neo4j.Driver, database: str, batch: GraphBatch, kept: dict[str, int]) -> bool:
    """Whether the graph is this batch and nothing else: called once the dataset was counted to own exactly the
    batch's rows, so as many nodes and relationships in the whole graph as in the batch leave room for no row of
    another dataset, no row kept from an earlier version (``kept``) and none written beside the loaders."""
    if kept:
        return False
    size = _read(driver, database, GRAPH_SIZE)[0]
    return bool(size["nodes"] == len(batch.nodes) and size["rels"] == len(batch.rels))


def _write_rows(session: neo4j.Session, lease: Lease, query: LiteralString, params: dict[str, Any]) -> None:
    # One transaction per batch, holding the lease's lock; retried by the driver on transient errors (every
    # statement is idempotent).
    session.execute_write(_timed(lambda tx: lease.renewed(tx).run(query, params).consume()))


_Work = TypeVar("_Work", bound=Callable[..., object])


def _timed(work: _Work) -> _Work:
    """A transaction function that asks for the load's own timeout (``LOAD_TIMEOUT``)."""
    return neo4j.unit_of_work(timeout=LOAD_TIMEOUT)(work)


def _begin(tx: neo4j.ManagedTransaction, lease: Lease, name: str, fingerprint: str, since: str) -> None:
    lease.renewed(tx)
    tx.run(BEGIN_LOAD, lease=LEASE, name=name, fingerprint=fingerprint, since=since).consume()


def _finish(
    tx: neo4j.ManagedTransaction,
    lease: Lease,
    batch: GraphBatch,
    fingerprint: str,
    kept: dict[str, int],
    files: str | None,
) -> None:
    lease.renewed(tx)
    tx.run(
        FINISH_LOAD,
        lease=LEASE,
        name=batch.info.name,
        version=batch.info.version,
        description=batch.info.description,
        illustrative=batch.info.illustrative,
        fingerprint=fingerprint,
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        kept=json.dumps(kept, sort_keys=True),
        files=files,
        counts=json.dumps(_expected(batch, {}), sort_keys=True),
    ).consume()


def _reason(exc: BaseException) -> str:
    """The driver's reason in one line (a refused connection, an out-of-memory code, ...)."""
    detail = " ".join(str(exc).split())
    found = re.search(r"\(reason ([^)]+)\)", detail)
    if found:
        return found.group(1)
    code = getattr(exc, "code", None)
    message = getattr(exc, "message", None)
    if code:
        return f"{code.rsplit('.', 1)[-1]}: {' '.join(str(message or '').split())[:160]}".rstrip(": ")
    return detail[:200] or type(exc).__name__


def _failure_line(name: str, done: _Progress, exc: BaseException) -> str:
    if isinstance(exc, neo4j.exceptions.AuthError):
        why = "Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)"
    elif isinstance(exc, neo4j.exceptions.ServiceUnavailable | neo4j.exceptions.SessionExpired | OSError):
        why = f"lost Neo4j ({_reason(exc)})"
    else:
        why = f"Neo4j failed ({_reason(exc)})"
    if not done.began:
        return f"{why}; the load of '{name}' wrote nothing"
    return (
        f"{why}; the load of '{name}' stopped after {done.written} of {done.total} rows and is marked "
        "unfinished in Neo4j: run the same load again to complete it"
    )


def _visible(props: dict[str, Any]) -> dict[str, Any]:
    """A row's properties without the sink's own (``_hash``, ``_owners``, the as-of bounds)."""
    return {k: v for k, v in props.items() if k not in HIDDEN}


def read_back(driver: neo4j.Driver, database: str, *, page_size: int = BATCH_SIZE) -> tuple[list[Node], list[Rel]]:
    """Every domain node and relationship in the database, in the batch's shape (read a page at a time)."""
    nodes: list[Node] = []
    rels: list[Rel] = []
    try:
        for node_records, rel_records in _pages(driver, database, page_size):
            nodes.extend(Node(Label(r["labels"][0]), r["id"], _visible(r["props"])) for r in node_records)
            rels.extend(Rel(RelType(r["type"]), r["source"], r["target"], _visible(r["props"])) for r in rel_records)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc
    return nodes, rels


DATASETS: Final[LiteralString] = """
MATCH (d:Dataset)
RETURN d.name AS name, d.version AS version, d.loading IS NOT NULL AS unfinished
ORDER BY name
"""


def read_loaded(driver: neo4j.Driver, database: str, *, page_size: int = BATCH_SIZE) -> GraphBatch:
    """What the database holds, as a batch (read a page at a time) named after the datasets loaded in it.

    Its name is ``Neo4j`` and its version lists the loaded datasets, ``(budapest-process 1.2)``, with
    ``unfinished load`` when a load did not finish, or ``(empty)``: what a diff report calls the old side.
    """
    try:
        loaded = _read(driver, database, DATASETS)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc
    nodes, rels = read_back(driver, database, page_size=page_size)
    held = [
        f"{r['name']} {r['version'] or ''}".strip() + (", unfinished load" if r["unfinished"] else "") for r in loaded
    ]
    version = f"({'; '.join(held)})" if held else "(empty)"
    return GraphBatch(DatasetInfo(name="Neo4j", version=version), nodes, rels)
