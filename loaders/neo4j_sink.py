"""The Neo4j sink: constraints first, then ``UNWIND $rows ... MERGE`` in bounded transactions.

Loading the same batch twice changes nothing: nodes are merged on ``id`` under the ``Entity`` label,
relationships on (start, type, end), and only rows whose content differs are written. Labels and
types reach Cypher as ``$(...)`` dynamic values taken from the validated batch (schema enums), never
from text a user typed.

A load of any size fits in the server's per-transaction memory: what the database holds is read in
pages of ``batch_size`` nodes (ordered by id, with the relationships leaving them), and every write
transaction carries at most ``batch_size`` rows. The load as a whole is therefore not one transaction;
what keeps it all-or-nothing for readers is the ``(:Dataset {name})`` node:

- before the first write, it gets ``loading`` (the fingerprint being loaded) and ``loading_since``, and
  loses ``fingerprint``; the last transaction sets ``fingerprint``, ``loaded_at`` and the dataset's
  version, description and notice, and removes ``loading``. A ``fingerprint`` is thus only present when
  the last load finished; a cache keyed by it never mistakes a half-written graph for a known dataset.
- While a load runs, a reader sees what the database held before plus the batches committed so far
  (first the deletions, then node upserts, then relationship upserts), with no ``fingerprint`` and a
  ``loading`` marker on the dataset node. A load that stopped half-way (Neo4j went away, Ctrl-C) leaves
  the same picture behind.
- Every statement is idempotent (MERGE on ids, whole property maps SET, DELETE of what is stale), and
  each load diffs against what the database holds, so running the same load again converges: it writes
  what is missing or different, nothing twice, and then records the fingerprint. A load that finds a
  ``loading`` marker says so through ``report``.

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
from graph_schema.errors import BpkgError
from loaders.batch import Counts, GraphBatch, LoadSummary, Node, Rel

BATCH_SIZE: Final = 5000
"""Rows per write transaction and nodes per page read (40k nodes in one transaction exhausted 1 GB)."""
WRITE_RETRY_SECONDS: Final = 10.0
"""How long one batch's transaction is retried on transient errors (the driver's default is 30 s)."""

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

    @property
    def rows(self) -> int:
        return len(self.deleted_ids) + len(self.stale_rels) + len(self.node_rows) + len(self.rel_rows)


@dataclass(slots=True)
class _Progress:
    written: int = 0
    total: int = 0
    began: bool = False


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


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
        old_nodes, old_rels = _read_state(driver, database, batch_size, progress)
        plan = _plan(batch, old_nodes, old_rels, prune)
        del old_nodes, old_rels
        done.total = plan.rows
        with driver.session(database=database, max_transaction_retry_time=WRITE_RETRY_SECONDS) as session:
            _apply(session, batch, fingerprint, plan, prune, batch_size, progress, on_batch, done)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(_failure_line(batch.info.name, done, exc)) from exc
    return plan.summary


def _read(driver: neo4j.Driver, database: str, query: LiteralString, /, **params: Any) -> list[neo4j.Record]:
    records, _, _ = driver.execute_query(query, params, database_=database, routing_=neo4j.RoutingControl.READ)
    return records


def _pages(driver: neo4j.Driver, database: str, size: int) -> Iterator[tuple[list[neo4j.Record], list[neo4j.Record]]]:
    """What the database holds, ``size`` nodes at a time, each page with the relationships leaving it."""
    after = ""
    while True:
        nodes = _read(driver, database, READ_NODE_PAGE, after=after, size=size)
        if not nodes:
            return
        rels = _read(driver, database, READ_RELS_FROM, ids=[r["id"] for r in nodes])
        yield nodes, rels
        if len(nodes) < size:
            return
        after = nodes[-1]["id"]


def _read_state(
    driver: neo4j.Driver, database: str, size: int, progress: bool
) -> tuple[dict[str, tuple[list[str], dict[str, Any]]], dict[RelKey, dict[str, Any]]]:
    total = _read(driver, database, COUNT_NODES)[0]["count"]
    old_nodes: dict[str, tuple[list[str], dict[str, Any]]] = {}
    old_rels: dict[RelKey, dict[str, Any]] = {}
    with tqdm(total=total, unit="node", disable=not progress or total == 0, desc="reading") as bar:
        for nodes, rels in _pages(driver, database, size):
            old_nodes.update((r["id"], (r["labels"], r["props"])) for r in nodes)
            old_rels.update(((r["source"], r["type"], r["target"]), r["props"]) for r in rels)
            bar.update(len(nodes))
    return old_nodes, old_rels


def _plan(
    batch: GraphBatch,
    old_nodes: dict[str, tuple[list[str], dict[str, Any]]],
    old_rels: dict[RelKey, dict[str, Any]],
    prune: bool,
) -> _Plan:
    plan = _Plan(LoadSummary(backend="neo4j", dataset=batch.info.name))
    summary = plan.summary
    summary.nodes, summary.rels = Counts(), Counts()
    relabelled: set[str] = set()
    for node in batch.nodes:
        old = old_nodes.get(node.id)
        if old is None:
            summary.nodes.created += 1
        elif old[0] != [node.label.value]:
            relabelled.add(node.id)
            summary.nodes.updated += 1
        elif old[1] != node.props:
            summary.nodes.updated += 1
        else:
            summary.nodes.unchanged += 1
            continue
        plan.node_rows.append({"id": node.id, "label": node.label.value, "props": node.props})

    for rel in batch.rels:
        old_props = old_rels.get(rel.key)
        touches_relabelled = rel.source in relabelled or rel.target in relabelled
        if old_props is None or touches_relabelled:
            if old_props is None:
                summary.rels.created += 1
            else:
                summary.rels.updated += 1
        elif old_props != rel.props:
            summary.rels.updated += 1
        else:
            summary.rels.unchanged += 1
            continue
        plan.rel_rows.append({"source": rel.source, "type": rel.type.value, "target": rel.target, "props": rel.props})

    # Without --prune nothing goes; with it, every node and relationship the batch no longer holds.
    stale_nodes = set(old_nodes) - {n.id for n in batch.nodes} if prune else set()
    stale_keys = set(old_rels) - {r.key for r in batch.rels} if prune else set()
    # Relationships of a deleted node go with it (DETACH DELETE); the others are deleted one by one.
    plan.stale_rels = [
        {"source": s, "type": t, "target": e}
        for (s, t, e) in sorted(stale_keys)
        if s not in stale_nodes and e not in stale_nodes
    ]
    # A node whose label changed is deleted and created afresh so that it keeps exactly one label.
    plan.deleted_ids = sorted(relabelled | stale_nodes)
    summary.nodes.removed = len(stale_nodes)
    summary.rels.removed = len(stale_keys)
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


def read_back(driver: neo4j.Driver, database: str, *, page_size: int = BATCH_SIZE) -> tuple[list[Node], list[Rel]]:
    """Every domain node and relationship in the database, in the batch's shape (read a page at a time)."""
    nodes: list[Node] = []
    rels: list[Rel] = []
    try:
        for node_records, rel_records in _pages(driver, database, page_size):
            nodes.extend(Node(Label(r["labels"][0]), r["id"], dict(r["props"])) for r in node_records)
            rels.extend(Rel(RelType(r["type"]), r["source"], r["target"], dict(r["props"])) for r in rel_records)
    except DRIVER_ERRORS as exc:
        raise SinkUnavailable(f"reading the graph from Neo4j failed ({_reason(exc)})") from exc
    return nodes, rels
