"""The Neo4j sink: constraints first, then ``UNWIND $rows ... MERGE`` in batches, in one transaction.

Loading the same batch twice changes nothing: nodes are merged on ``id`` under the ``Entity`` label,
relationships on (start, type, end), and only rows whose content differs are written. Labels and
types reach Cypher as ``$(...)`` dynamic values taken from the validated batch (schema enums), never
from text a user typed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import Any, Final, LiteralString, TypeVar

import neo4j
from tqdm import tqdm

from graph_schema import Label, RelType, constraint_ddl, index_ddl
from loaders.batch import Counts, GraphBatch, LoadSummary, Node, Rel

BATCH_SIZE: Final = 1000

READ_NODES: Final[LiteralString] = """
MATCH (n:Entity)
RETURN n.id AS id, [l IN labels(n) WHERE l <> 'Entity'] AS labels, properties(n) AS props
"""
READ_RELS: Final[LiteralString] = """
MATCH (a:Entity)-[r]->(b:Entity)
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
UPSERT_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})
MATCH (b:Entity {id: row.target})
MERGE (a)-[r:$(row.type)]->(b)
SET r = row.props
"""
DELETE_RELS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (a:Entity {id: row.source})-[r:$(row.type)]->(b:Entity {id: row.target})
DELETE r
"""
UPSERT_DATASET: Final[LiteralString] = """
MERGE (d:Dataset {name: $name})
SET d.version = $version, d.description = $description, d.illustrative = $illustrative,
    d.fingerprint = $fingerprint, d.loaded_at = $loaded_at
"""
DELETE_OTHER_DATASETS: Final[LiteralString] = """
MATCH (d:Dataset) WHERE d.name <> $name DETACH DELETE d
"""
AWAIT_INDEXES: Final[LiteralString] = "CALL db.awaitIndexes(120)"

T = TypeVar("T")
RelKey = tuple[str, str, str]


def _chunks(rows: Sequence[T], size: int = BATCH_SIZE) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def ensure_schema(driver: neo4j.Driver, database: str) -> None:
    """Create the uniqueness constraints and the full-text index (``IF NOT EXISTS``)."""
    for ddl in [*constraint_ddl(), *index_ddl()]:
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
) -> LoadSummary:
    """Write a validated batch; return created / updated / unchanged / removed counts."""
    ensure_schema(driver, database)
    summary = LoadSummary(backend="neo4j", dataset=batch.info.name)
    with driver.session(database=database) as session:
        session.execute_write(_write, batch, summary, prune, progress)
    return summary


def _write(tx: neo4j.ManagedTransaction, batch: GraphBatch, summary: LoadSummary, prune: bool, progress: bool) -> None:
    # A retried transaction starts over with fresh counts.
    summary.nodes, summary.rels = Counts(), Counts()
    old_nodes = {r["id"]: (r["labels"], r["props"]) for r in tx.run(READ_NODES)}
    old_rels = {(r["source"], r["type"], r["target"]): r["props"] for r in tx.run(READ_RELS)}

    relabelled: set[str] = set()
    node_rows: list[dict[str, Any]] = []
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
        node_rows.append({"id": node.id, "label": node.label.value, "props": node.props})

    rel_rows: list[dict[str, Any]] = []
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
        rel_rows.append({"source": rel.source, "type": rel.type.value, "target": rel.target, "props": rel.props})

    # Without --prune nothing goes; with it, every node and relationship the batch no longer holds.
    stale_nodes = set(old_nodes) - {n.id for n in batch.nodes} if prune else set()
    stale_keys = set(old_rels) - {r.key for r in batch.rels} if prune else set()
    # Relationships of a deleted node go with it (DETACH DELETE); the others are deleted one by one.
    stale_rels = [
        {"source": s, "type": t, "target": e}
        for (s, t, e) in sorted(stale_keys)
        if s not in stale_nodes and e not in stale_nodes
    ]
    summary.nodes.removed = len(stale_nodes)
    summary.rels.removed = len(stale_keys)

    steps: list[tuple[LiteralString, str, Sequence[Any]]] = [
        # A node whose label changed is deleted and created afresh so that it keeps exactly one label.
        (DELETE_NODES, "ids", sorted(relabelled | stale_nodes)),
        (DELETE_RELS, "rows", stale_rels),
        (UPSERT_NODES, "rows", node_rows),
        (UPSERT_RELS, "rows", rel_rows),
    ]
    total = sum(len(rows) for _, _, rows in steps)
    with tqdm(total=total, unit="row", disable=not progress or total == 0, desc="writing") as bar:
        for query, param, rows in steps:
            for chunk in _chunks(rows):
                tx.run(query, {param: list(chunk)}).consume()
                bar.update(len(chunk))
    if prune:
        tx.run(DELETE_OTHER_DATASETS, name=batch.info.name).consume()
    tx.run(
        UPSERT_DATASET,
        name=batch.info.name,
        version=batch.info.version,
        description=batch.info.description,
        illustrative=batch.info.illustrative,
        fingerprint=batch.fingerprint(),
        loaded_at=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    ).consume()


def read_back(driver: neo4j.Driver, database: str) -> tuple[list[Node], list[Rel]]:
    """Every domain node and relationship in the database, in the batch's shape (for comparisons)."""
    records, _, _ = driver.execute_query(READ_NODES, database_=database, routing_=neo4j.RoutingControl.READ)
    nodes = [Node(Label(r["labels"][0]), r["id"], dict(r["props"])) for r in records]
    records, _, _ = driver.execute_query(READ_RELS, database_=database, routing_=neo4j.RoutingControl.READ)
    rels = [Rel(RelType(r["type"]), r["source"], r["target"], dict(r["props"])) for r in records]
    return nodes, rels
