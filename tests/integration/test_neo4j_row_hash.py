"""The sink's diff reads a per-row hash, not the properties: what it writes, what it keeps hidden, and how a
load stopped at any point, a copy committed twice, or a database loaded before hashes existed converge."""

from __future__ import annotations

import dataclasses

import neo4j
import pytest

from bpkg.app.settings import Settings
from bpkg.graph_schema import REL_KEY, RelType, rel_key_constraint_name
from bpkg.loaders import GraphBatch, Node, Rel, neo4j_sink
from bpkg.loaders.neo4j_sink import ROW_HASH, node_hash, read_back, rel_hash, rel_key, write_batch
from tests.conftest import wipe
from tests.integration.test_neo4j_load import (
    Interrupted,
    as_sets,
    counted_without_duplicates,
    dataset_marks,
    generated_batch,
    snapshot,
)

pytestmark = pytest.mark.neo4j


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


def edited(batch: GraphBatch) -> GraphBatch:
    """Every third activity renamed, every fifth link's note changed."""
    nodes = [
        Node(n.label, n.id, {**n.props, "name": n.props["name"] + " (v2)"}) if i % 3 == 0 else n
        for i, n in enumerate(batch.nodes)
    ]
    rels = [
        Rel(r.type, r.source, r.target, {**r.props, "note": "v2"}) if i % 5 == 0 else r
        for i, r in enumerate(batch.rels)
    ]
    return dataclasses.replace(batch, nodes=nodes, rels=rels)


def test_every_row_keeps_its_hash_and_readers_never_see_it(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    batch = generated_batch(30)
    write_batch(driver, batch, database)
    records, _, _ = driver.execute_query(
        "MATCH (n:Entity) RETURN n.id AS id, n._hash AS hash, [l IN labels(n) WHERE l <> 'Entity'][0] AS label",
        database_=database,
    )
    wanted = {n.id: node_hash(n.label.value, n.props) for n in batch.nodes}
    assert {r["id"]: r["hash"] for r in records} == wanted
    assert len(set(wanted.values())) == len(wanted)  # the hash tells the rows apart
    records, _, _ = driver.execute_query(
        "MATCH (a:Entity)-[r]->(b:Entity) RETURN a.id AS s, type(r) AS t, b.id AS e, r._hash AS hash, r._key AS key",
        database_=database,
    )
    assert {(r["s"], r["t"], r["e"]): r["hash"] for r in records} == {r.key: rel_hash(r.props) for r in batch.rels}
    assert {(r["s"], r["t"], r["e"]): r["key"] for r in records} == {r.key: rel_key(r) for r in batch.rels}
    nodes, rels = read_back(driver, database)
    assert all(ROW_HASH not in n.props for n in nodes) and all(ROW_HASH not in r.props for r in rels)
    assert all(REL_KEY not in r.props for r in rels)
    assert snapshot(driver, database) == as_sets(batch)


def test_a_changed_row_is_found_by_its_hash(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    batch = generated_batch(60)
    write_batch(driver, batch, database)
    new = edited(batch)
    summary = write_batch(driver, new, database, batch_size=25)
    renamed = sum(1 for old, now in zip(batch.nodes, new.nodes, strict=True) if old != now)
    noted = sum(1 for old, now in zip(batch.rels, new.rels, strict=True) if old != now)
    assert (summary.nodes.updated, summary.nodes.unchanged) == (renamed, len(batch.nodes) - renamed)
    assert (summary.rels.updated, summary.rels.unchanged) == (noted, len(batch.rels) - noted)
    assert summary.nodes.created == summary.rels.created == 0
    assert snapshot(driver, database) == as_sets(new)


@pytest.mark.parametrize("stop_after", [1, 2, 3, 4, 5, 6])
def test_a_load_stopped_after_any_transaction_converges_without_duplicates(
    db: tuple[neo4j.Driver, str], stop_after: int
) -> None:
    driver, database = db
    old = generated_batch(40)
    write_batch(driver, old, database)
    # 80 more activities and their links (created), a third of the old ones renamed, a fifth of the links
    # changed: node upserts, then relationship updates, then creations, 40 rows a transaction.
    batch = edited(generated_batch(120))
    written: list[int] = []

    def stop(done: int, total: int) -> None:
        written.append(done)
        if len(written) == stop_after:
            raise Interrupted()

    with pytest.raises(Interrupted):
        write_batch(driver, batch, database, batch_size=40, on_batch=stop)
    assert dataset_marks(driver, database) == [("generated", None, batch.fingerprint())]
    notes: list[str] = []
    rerun = write_batch(driver, batch, database, batch_size=40, report=notes.append)
    assert len(notes) == 1 and "did not finish" in notes[0]
    assert rerun.rels.created + rerun.rels.updated + rerun.rels.unchanged == len(batch.rels)
    # Nothing committed before the stop is written again: the re-run finds those rows unchanged.
    old_nodes, old_rels = {n.id: n for n in old.nodes}, {r.key: r for r in old.rels}
    untouched = sum(old_nodes.get(n.id) == n for n in batch.nodes) + sum(old_rels.get(r.key) == r for r in batch.rels)
    assert rerun.nodes.unchanged + rerun.rels.unchanged == untouched + written[-1]
    assert snapshot(driver, database) == as_sets(batch)
    assert counted_without_duplicates(driver, database) == (len(batch.nodes), len(batch.rels))
    assert dataset_marks(driver, database) == [("generated", batch.fingerprint(), None)]


def test_the_database_refuses_a_second_copy_of_a_relationship_key(db: tuple[neo4j.Driver, str]) -> None:
    # What a retried CREATE whose first commit went through (its answer lost), or a second writer applying the
    # same plan, would write: the type's uniqueness constraint on the key refuses it.
    driver, database = db
    batch = generated_batch(20)
    write_batch(driver, batch, database)
    copied = batch.rels[3]
    with pytest.raises(neo4j.exceptions.ConstraintError):
        driver.execute_query(
            "MATCH (a:Entity {id: $source})-[r:PART_OF]->(b:Entity {id: $target}) "
            "CREATE (a)-[c:PART_OF]->(b) SET c = properties(r)",
            source=copied.source,
            target=copied.target,
            database_=database,
        )
    assert counted_without_duplicates(driver, database) == (len(batch.nodes), len(batch.rels))


def test_a_copy_written_before_keys_existed_is_made_one_by_the_next_load(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    batch = generated_batch(20)
    write_batch(driver, batch, database)
    # Two copies of a key, neither with the key property, as an older bpkg could leave behind.
    copied = batch.rels[3]
    driver.execute_query(
        "MATCH (a:Entity {id: $source})-[r:PART_OF]->(b:Entity {id: $target}) REMOVE r._key "
        "CREATE (a)-[c:PART_OF]->(b) SET c = properties(r)",
        source=copied.source,
        target=copied.target,
        database_=database,
    )
    summary = write_batch(driver, batch, database, prune=True)  # prune: no fingerprint short cut
    assert (summary.rels.updated, summary.rels.unchanged) == (1, len(batch.rels) - 1)
    assert counted_without_duplicates(driver, database) == (len(batch.nodes), len(batch.rels))
    assert snapshot(driver, database) == as_sets(batch)
    assert keys_missing(driver, database) == 0


def keys_missing(driver: neo4j.Driver, database: str) -> int:
    records, _, _ = driver.execute_query(
        "MATCH ()-[r]->() WHERE r._key IS NULL RETURN count(r) AS missing", database_=database
    )
    return int(records[0]["missing"])


def test_relationships_written_before_keys_existed_get_them_from_the_next_load(db: tuple[neo4j.Driver, str]) -> None:
    # A database loaded before issue 17 (no key on any relationship, its marker current): the counts see the
    # missing keys, the compare writes them without counting the rows as changed, and then the constraint holds.
    driver, database = db
    batch = generated_batch(20)
    write_batch(driver, batch, database)
    driver.execute_query("MATCH ()-[r]->() REMOVE r._key", database_=database)
    assert keys_missing(driver, database) == len(batch.rels)
    summary = write_batch(driver, batch, database)
    assert (summary.rels.created, summary.rels.updated, summary.rels.unchanged) == (0, 0, len(batch.rels))
    assert keys_missing(driver, database) == 0
    assert snapshot(driver, database) == as_sets(batch)
    copied = batch.rels[3]
    with pytest.raises(neo4j.exceptions.ConstraintError):
        driver.execute_query(
            "MATCH (a:Entity {id: $source})-[r:PART_OF]->(b:Entity {id: $target}) "
            "CREATE (a)-[c:PART_OF]->(b) SET c = properties(r)",
            source=copied.source,
            target=copied.target,
            database_=database,
        )
    again = write_batch(driver, batch, database)
    assert again.rels.unchanged == len(batch.rels) and keys_missing(driver, database) == 0


def test_rows_written_before_hashes_existed_are_rewritten_once(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    batch = generated_batch(20)
    write_batch(driver, batch, database)
    driver.execute_query("MATCH (n:Entity) REMOVE n._hash", database_=database)
    driver.execute_query("MATCH ()-[r]->() REMOVE r._hash", database_=database)
    driver.execute_query("MATCH (d:Dataset) REMOVE d.fingerprint", database_=database)
    first = write_batch(driver, batch, database)
    assert (first.nodes.updated, first.rels.updated) == (len(batch.nodes), len(batch.rels))
    second = write_batch(driver, batch, database, prune=True)  # prune: no fingerprint short cut
    assert (second.nodes.unchanged, second.rels.unchanged) == (len(batch.nodes), len(batch.rels))
    assert snapshot(driver, database) == as_sets(batch)


def test_the_counts_check_distinct_keys_where_the_constraint_is_missing(db: tuple[neo4j.Driver, str]) -> None:
    """Keys under their type's constraint are distinct by the database's word: the counts read no pair of end
    nodes. A type whose constraint went missing is checked pair by pair, and a copy with the same key is seen."""
    driver, database = db
    batch = generated_batch(20)
    write_batch(driver, batch, database)
    name = batch.info.name
    assert neo4j_sink._owned_counts(driver, database, name) == neo4j_sink._expected(batch, {})
    copied = next(r for r in batch.rels if r.type == RelType.PART_OF)
    driver.execute_query(f"DROP CONSTRAINT {rel_key_constraint_name('PART_OF')}", database_=database)
    driver.execute_query(
        "MATCH (a:Entity {id: $source})-[r:PART_OF]->(b:Entity {id: $target}) CREATE (a)-[c:PART_OF]->(b) "
        "SET c = properties(r)",
        source=copied.source,
        target=copied.target,
        database_=database,
    )
    found = neo4j_sink._owned_counts(driver, database, name)
    assert found["PART_OF (duplicated keys)"] == 1, found
    # A load cannot make the constraint again over the copy: it says so, and writes nothing.
    with pytest.raises(neo4j_sink.SinkUnavailable, match=r"part_of_key_unique.*wrote nothing"):
        write_batch(driver, batch, database)
    assert neo4j_sink._owned_counts(driver, database, name) == found
