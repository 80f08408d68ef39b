"""The Neo4j sink: constraints first, then ``UNWIND $rows ... MERGE`` in bounded transactions.

Loading the same batch twice changes nothing: nodes are merged on ``id`` under the ``Entity`` label,
relationships on (start, type, end), and only rows whose content differs are written. Labels and
types reach Cypher as ``$(...)`` dynamic values taken from the validated batch (schema enums), never
from text a user typed.

A load of any size fits in the server's per-transaction memory: every write transaction carries at most
``batch_size`` rows. The diff against what the database holds reads no property but a per-row hash:
each node and relationship keeps ``_hash`` (a short hash of its label and properties, written in the same
``SET`` as the properties, so the two never disagree), and the sink reads ``id, labels, _hash`` pages of
``batch_size`` nodes (keyset pages ordered by id) with the ``type, end id, _hash`` of the relationships
leaving them. What the sink keeps in memory while it compares is bounded by the batch, not by the
database: a page at a time, and one entry per row of the batch. Rows written before hashes existed have
none, compare as changed and are rewritten once. Readers never see ``_hash`` (``read_back`` and the Neo4j
store drop it). A relationship the diff did not find is written with ``CREATE`` (no existence check: the
diff is fresh and only this load writes), one found is updated in place. The load as a whole is therefore
not one transaction; what keeps it all-or-nothing for readers is the ``(:Dataset {name})`` node:

- before the first write, it gets ``loading`` (the fingerprint being loaded) and ``loading_since``, and
  loses ``fingerprint``; the last transaction sets ``fingerprint``, ``loaded_at`` and the dataset's
  version, description and notice, and removes ``loading``. A ``fingerprint`` is thus only present when
  the last load finished; a cache keyed by it never mistakes a half-written graph for a known dataset.
- While a load runs, a reader sees what the database held before plus the batches committed so far
  (first the deletions, then node upserts, then relationship upserts), with no ``fingerprint`` and a
  ``loading`` marker on the dataset node. A load that stopped half-way (Neo4j went away, Ctrl-C) leaves
  the same picture behind.
- Each load diffs against what the database holds, so running the same load again converges: it writes
  what is missing or different, nothing twice, and then records the fingerprint. Nodes are merged on
  ids, property maps set whole, stale rows deleted; relationships the diff found missing are created.
  Should a created batch ever be committed twice (a commit whose answer was lost, then retried by the
  driver), the next load finds the same (start, type, end) more than once and replaces the copies with
  one. A load that finds a ``loading`` marker says so through ``report``.

A driver failure (Neo4j unreachable, gone mid-load, out of memory) raises ``SinkUnavailable`` with one
line saying how far the load got and what to do; the CLI prints it (exit 3).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, LiteralString, TypeVar

import neo4j
from tqdm import tqdm

from graph_schema import Label, RelType, constraint_ddl, index_ddl
from graph_schema.asof import DERIVED, derived
from graph_schema.errors import BpkgError
from loaders.batch import Counts, DatasetInfo, GraphBatch, LoadSummary, Node, Rel, row_hash

BATCH_SIZE: Final = 5000
"""Rows per write transaction and nodes per page read (40k nodes in one transaction exhausted 1 GB)."""
WRITE_RETRY_SECONDS: Final = 10.0
"""How long one batch's transaction is retried on transient errors (the driver's default is 30 s)."""

ROW_HASH: Final = "_hash"
"""The property holding a row's hash (label and properties); never part of what readers get back."""

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
# The same pages for the load's diff: ids, labels and hashes, no other property, each node with the
# relationships leaving it in one query (3 times faster at 100k than a second query seeking every id).
READ_HASH_PAGE: Final[LiteralString] = """
MATCH (n:Entity)
WHERE n.id > $after
WITH n ORDER BY n.id LIMIT $size
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, n._hash AS hash,
       [(n)-[r]->(b:Entity) | [type(r), b.id, r._hash]] AS rels
"""
DELETE_NODES: Final[LiteralString] = """
UNWIND $ids AS id
MATCH (n:Entity {id: id})
DETACH DELETE n
"""
UPSERT_NODES: Final[LiteralString] = """
UNWIND $rows AS row
MERGE (n:Entity {id: row.id})
SET n = row.props
SET n:$(row.label)
"""
# Not ``MERGE (a)-[r:$(row.type)]->(b)``: Neo4j 5.26 plans a MERGE on a dynamic type as a scan of every
# relationship per row (24,995,000 db hits for 5,000 rows at 10k relationships; under 1,000 rows/s), and
# a pattern between two bound nodes the same way while its statistics say the database has no relationships.
# Expanding from the start node to an end named by id, and creating the relationship only when it is
# missing, is just as idempotent: a retried transaction finds what the first attempt committed.
UPSERT_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
WITH row, a, b, [(a)-[r]->(x) WHERE x.id = row.target AND type(r) = row.type | r] AS found
FOREACH (_ IN CASE WHEN found = [] THEN [1] ELSE [] END | CREATE (a)-[new:$(row.type)]->(b) SET new = row.props)
FOREACH (old IN found | SET old = row.props)
"""
# Relationships the diff did not find (or just deleted with a relabelled node): no existence check.
CREATE_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
CREATE (a)-[new:$(row.type)]->(b)
SET new = row.props
"""
DELETE_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})-[r]->(b:Entity)
WHERE b.id = row.target AND type(r) = row.type
DELETE r
"""
INTERRUPTED: Final[LiteralString] = """
MATCH (d:Dataset)
WHERE d.loading IS NOT NULL
RETURN d.name AS name, d.loading_since AS since
ORDER BY name
"""
BEGIN_LOAD: Final[LiteralString] = """
MERGE (d:Dataset {name: $name})
SET d.loading = $fingerprint, d.loading_since = $since
REMOVE d.fingerprint
"""
FINISH_LOAD: Final[LiteralString] = """
MERGE (d:Dataset {name: $name})
SET d.version = $version, d.description = $description, d.illustrative = $illustrative,
    d.fingerprint = $fingerprint, d.loaded_at = $loaded_at
REMOVE d.loading, d.loading_since
"""
DELETE_OTHER_DATASETS: Final[LiteralString] = """
MATCH (d:Dataset) WHERE d.name <> $name DETACH DELETE d
"""
AWAIT_INDEXES: Final[LiteralString] = "CALL db.awaitIndexes(120)"
# Whether the database already holds exactly this dataset: a finished load of the same fingerprint.
LOADED: Final[LiteralString] = """
MATCH (d:Dataset {name: $name})
WHERE d.fingerprint = $fingerprint AND d.loading IS NULL
RETURN count(d) AS count
"""

T = TypeVar("T")
RelKey = tuple[str, str, str]
DRIVER_ERRORS: Final = (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError)


class SinkUnavailable(BpkgError):
    """Neo4j failed during a load or a read-back; the message says in one line what state it left."""


@dataclass(slots=True)
class _Plan:
    """What one load writes, in order, and the counts it reports."""

    summary: LoadSummary
    deleted_ids: list[str] = field(default_factory=list)
    stale_rels: list[dict[str, Any]] = field(default_factory=list)
    node_rows: list[dict[str, Any]] = field(default_factory=list)
    rel_rows: list[dict[str, Any]] = field(default_factory=list)
    new_rel_rows: list[dict[str, Any]] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return (
            len(self.deleted_ids)
            + len(self.stale_rels)
            + len(self.node_rows)
            + len(self.rel_rows)
            + len(self.new_rel_rows)
        )


@dataclass(slots=True)
class _Held:
    """What the database holds of the batch's rows, read as hashes a page at a time."""

    node_labels: dict[str, list[str]] = field(default_factory=dict)
    node_same: set[str] = field(default_factory=set)
    rels: dict[RelKey, bool] = field(default_factory=dict)
    """Relationship keys of the batch found in the database: whether the hash is the same."""
    duplicated: set[RelKey] = field(default_factory=set)
    stale_nodes: list[str] = field(default_factory=list)
    stale_rels: list[RelKey] = field(default_factory=list)


@dataclass(slots=True)
class _Progress:
    written: int = 0
    total: int = 0
    began: bool = False


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def node_hash(label: str, props: dict[str, Any]) -> str:
    return row_hash(props, label)  # one fast pass (loaders.batch.canonical), no JSON encoder per row


def rel_hash(props: dict[str, Any]) -> str:
    return row_hash(props)


def ensure_schema(driver: neo4j.Driver, database: str) -> None:
    """Create the uniqueness constraints and the full-text index (``IF NOT EXISTS``)."""
    for ddl in (*constraint_ddl(), *index_ddl()):
        # DDL cannot take parameters; these statements are generated from the schema enums only.
        driver.execute_query(ddl, database_=database)
    driver.execute_query(AWAIT_INDEXES, database_=database)


def write_batch(
    driver: neo4j.Driver,
    batch: GraphBatch,
    database: str,
    *,
    prune: bool = False,
    progress: bool = False,
    batch_size: int = BATCH_SIZE,
    report: Callable[[str], None] | None = None,
    on_batch: Callable[[int, int], None] | None = None,
) -> LoadSummary:
    """Write a validated batch; return created / updated / unchanged / removed counts.

    ``batch_size`` bounds every transaction; ``report`` receives one-line notes (an interrupted load
    found); ``on_batch(rows written, rows to write)`` is called after each committed write transaction.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    done = _Progress()
    try:
        ensure_schema(driver, database)
        for record in _read(driver, database, INTERRUPTED):
            if report is not None:
                report(
                    f"a load of '{record['name']}' begun {record['since']} did not finish; "
                    "this load completes the graph"
                )
        fingerprint = batch.fingerprint()
        if not prune and _read(driver, database, LOADED, name=batch.info.name, fingerprint=fingerprint)[0]["count"]:
            # The last load of this very content finished: nothing to read or write (a reload of 100k
            # relationships spent 5 s reading the database back only to find no difference).
            return _unchanged(batch)
        plan = _plan(driver, database, batch, prune, batch_size, progress)
        done.total = plan.rows
        with driver.session(database=database, max_transaction_retry_time=WRITE_RETRY_SECONDS) as session:
            _apply(session, batch, fingerprint, plan, prune, batch_size, progress, on_batch, done)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(_failure_line(batch.info.name, done, exc)) from exc
    return plan.summary


def compare(
    driver: neo4j.Driver, database: str, batch: GraphBatch, *, prune: bool = False, batch_size: int = BATCH_SIZE
) -> LoadSummary:
    """The counts a load of ``batch`` would report, from the database's id and hash pages; writes nothing."""
    try:
        return _plan(driver, database, batch, prune, batch_size, progress=False).summary
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc


def _read(driver: neo4j.Driver, database: str, query: LiteralString, /, **params: Any) -> list[neo4j.Record]:
    records, _, _ = driver.execute_query(query, params, database_=database, routing_=neo4j.RoutingControl.READ)
    return records


def _pages(driver: neo4j.Driver, database: str, size: int) -> Iterator[tuple[list[neo4j.Record], list[neo4j.Record]]]:
    """What the database holds, ``size`` nodes at a time, each page with the relationships leaving it."""
    for nodes in _node_pages(driver, database, READ_NODE_PAGE, size):
        yield nodes, _read(driver, database, READ_RELS_FROM, ids=[r["id"] for r in nodes])


def _node_pages(driver: neo4j.Driver, database: str, query: LiteralString, size: int) -> Iterator[list[neo4j.Record]]:
    """The rows of ``query`` (a page of nodes by id after ``$after``), ``size`` nodes at a time."""
    after = ""
    while True:
        nodes = _read(driver, database, query, after=after, size=size)
        if not nodes:
            return
        yield nodes
        if len(nodes) < size:
            return
        after = nodes[-1]["id"]


def _node_rows(batch: GraphBatch) -> dict[str, dict[str, Any]]:
    rows: dict[str, dict[str, Any]] = {}
    for node in batch.nodes:
        props = node.props
        digest = node_hash(node.label.value, props)
        row = {**props, **derived(props), ROW_HASH: digest}  # derived: as-of bounds (graph_schema.asof)
        rows[node.id] = {"id": node.id, "label": node.label.value, "props": row}
    return rows


def _rel_rows(batch: GraphBatch) -> dict[RelKey, dict[str, Any]]:
    return {
        rel.key: {
            "source": rel.source,
            "type": rel.type.value,
            "target": rel.target,
            "props": {**rel.props, **derived(rel.props), ROW_HASH: rel_hash(rel.props)},
        }
        for rel in batch.rels
    }


def _hash_pages(driver: neo4j.Driver, database: str, size: int) -> Iterator[list[neo4j.Record]]:
    """The database's ids, labels and hashes, ``size`` nodes at a time, with the relationships leaving them."""
    return _node_pages(driver, database, READ_HASH_PAGE, size)


def _read_held(
    driver: neo4j.Driver,
    database: str,
    node_rows: dict[str, dict[str, Any]],
    rel_rows: dict[RelKey, dict[str, Any]],
    size: int,
    progress: bool,
) -> _Held:
    held = _Held()
    total = _read(driver, database, COUNT_NODES)[0]["count"]
    with tqdm(total=total, unit="node", disable=not progress or total == 0, desc="comparing") as bar:
        for nodes in _hash_pages(driver, database, size):
            for record in nodes:
                node_id = record["id"]
                row = node_rows.get(node_id)
                if row is None:
                    held.stale_nodes.append(node_id)
                else:
                    held.node_labels[node_id] = record["labels"]
                    if record["hash"] == row["props"][ROW_HASH] and record["labels"] == [row["label"]]:
                        held.node_same.add(node_id)
                for rel_type, target, digest in record["rels"]:
                    key: RelKey = (node_id, rel_type, target)
                    rel = rel_rows.get(key)
                    if rel is None:
                        held.stale_rels.append(key)
                    elif key in held.rels:
                        held.duplicated.add(key)
                    else:
                        held.rels[key] = digest == rel["props"][ROW_HASH]
            bar.update(len(nodes))
    return held


def _plan(driver: neo4j.Driver, database: str, batch: GraphBatch, prune: bool, size: int, progress: bool) -> _Plan:
    node_rows, rel_rows = _node_rows(batch), _rel_rows(batch)
    held = _read_held(driver, database, node_rows, rel_rows, size, progress)
    plan = _Plan(LoadSummary(backend="neo4j", dataset=batch.info.name))
    summary = plan.summary
    summary.nodes, summary.rels = Counts(), Counts()
    relabelled: set[str] = set()
    for node_id, row in node_rows.items():
        labels = held.node_labels.get(node_id)
        if labels is None:
            summary.nodes.created += 1
        elif node_id in held.node_same:
            summary.nodes.unchanged += 1
            continue
        else:
            summary.nodes.updated += 1
            if labels != [row["label"]]:
                relabelled.add(node_id)
        plan.node_rows.append(row)

    for key, row in rel_rows.items():
        same = held.rels.get(key)
        # A relabelled node is deleted and created afresh, without its relationships; a duplicated key
        # is deleted (every copy) before the rows are written.
        gone = key[0] in relabelled or key[2] in relabelled or key in held.duplicated
        if same is None:
            summary.rels.created += 1
            plan.new_rel_rows.append(row)
        elif gone:
            summary.rels.updated += 1
            plan.new_rel_rows.append(row)
        elif not same:
            summary.rels.updated += 1
            plan.rel_rows.append(row)
        else:
            summary.rels.unchanged += 1

    # Without --prune nothing goes; with it, every node and relationship the batch no longer holds.
    stale_nodes = set(held.stale_nodes) if prune else set()
    stale_keys = held.stale_rels if prune else []
    # Relationships of a deleted node go with it (DETACH DELETE); the others are deleted one by one.
    plan.stale_rels = [
        {"source": s, "type": t, "target": e}
        for (s, t, e) in sorted({*stale_keys, *held.duplicated})
        if s not in stale_nodes and e not in stale_nodes
    ]
    # A node whose label changed is deleted and created afresh so that it keeps exactly one label.
    plan.deleted_ids = sorted(relabelled | stale_nodes)
    summary.nodes.removed = len(stale_nodes)
    summary.rels.removed = len(set(stale_keys))
    return plan


def _unchanged(batch: GraphBatch) -> LoadSummary:
    summary = LoadSummary(backend="neo4j", dataset=batch.info.name)
    summary.nodes.unchanged, summary.rels.unchanged = len(batch.nodes), len(batch.rels)
    return summary


def _apply(
    session: neo4j.Session,
    batch: GraphBatch,
    fingerprint: str,
    plan: _Plan,
    prune: bool,
    batch_size: int,
    progress: bool,
    on_batch: Callable[[int, int], None] | None,
    done: _Progress,
) -> None:
    steps: list[tuple[LiteralString, str, Sequence[Any]]] = [
        (DELETE_NODES, "ids", plan.deleted_ids),
        (DELETE_RELS, "rows", plan.stale_rels),
        (UPSERT_NODES, "rows", plan.node_rows),
        (UPSERT_RELS, "rows", plan.rel_rows),
        (CREATE_RELS, "rows", plan.new_rel_rows),
    ]
    if done.total:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        session.execute_write(_begin, batch.info.name, fingerprint, now)
        done.began = True
    with tqdm(total=done.total, unit="row", disable=not progress or done.total == 0, desc="writing") as bar:
        for query, param, rows in steps:
            for chunk in _chunks(rows, batch_size):
                _write_rows(session, query, param, list(chunk))
                done.written += len(chunk)
                bar.update(len(chunk))
                if on_batch is not None:
                    on_batch(done.written, done.total)
    session.execute_write(_finish, batch, fingerprint, prune)


def _write_rows(session: neo4j.Session, query: LiteralString, param: str, rows: list[Any]) -> None:
    # One transaction per batch; retried by the driver on transient errors (every statement is idempotent).
    session.execute_write(lambda tx: tx.run(query, {param: rows}).consume())


def _begin(tx: neo4j.ManagedTransaction, name: str, fingerprint: str, since: str) -> None:
    tx.run(BEGIN_LOAD, name=name, fingerprint=fingerprint, since=since).consume()


def _finish(tx: neo4j.ManagedTransaction, batch: GraphBatch, fingerprint: str, prune: bool) -> None:
    if prune:
        tx.run(DELETE_OTHER_DATASETS, name=batch.info.name).consume()
    tx.run(
        FINISH_LOAD,
        name=batch.info.name,
        version=batch.info.version,
        description=batch.info.description,
        illustrative=batch.info.illustrative,
        fingerprint=fingerprint,
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
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
    """A row's properties without the sink's own (``_hash``)."""
    shown = dict(props)
    for key in (ROW_HASH, *DERIVED):  # and the as-of bounds derived from ``when`` (graph_schema.asof)
        shown.pop(key, None)
    return shown


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
