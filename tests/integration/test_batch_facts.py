"""The derivations read the facts from the batch the load has just written when the graph is that batch and
nothing else (issue 17, load rate), on a real Neo4j.

The facts built from the batch equal those read back from the database, for the bundled dataset and a ``bpkg
synth`` graph; the sink hands the batch over only when its counts leave room for nothing else in the graph: not
with another dataset in it, not with rows a load without ``--prune`` kept, not with a node written beside the
loaders.
"""

from __future__ import annotations

import dataclasses
import json
import threading
from pathlib import Path
from typing import Final, cast

import neo4j
import pytest

from benchmarks.round_trips import CountingDriver
from bpkg.app.at_load import AtLoad
from bpkg.app.settings import Settings
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.app.store.neo4j import queries as cypher
from bpkg.app.store.neo4j.derive import batch_facts
from bpkg.app.store.question_types import ActionPointFacts
from bpkg.loaders import GraphBatch, load_dataset, synth
from bpkg.loaders.neo4j_sink import Publishing, write_batch
from tests.conftest import wipe
from tests.integration.test_headline_derived import second_dataset, without_links_into
from tests.integration.test_kept_answers import check_kept

pytestmark = pytest.mark.neo4j


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


class Given:
    """Records whether the derivations were given the batch, and derives as a load does."""

    def __init__(self) -> None:
        self.inner = AtLoad()
        self.graph: list[GraphBatch | None] = []

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        self.inner.prepare(batch, dropped)

    def derive(self, publishing: Publishing) -> None:
        self.graph.append(publishing.graph)
        self.inner.derive(publishing)

    def published(self, publishing: Publishing) -> None:
        self.inner.published(publishing)


def load(db: tuple[neo4j.Driver, str], batch: GraphBatch, prune: bool = False) -> GraphBatch | None:
    given = Given()
    write_batch(db[0], batch, db[1], derive=given, prune=prune, yes=prune)
    assert len(given.graph) == 1
    # The headline's rows made from the batch while the graph was compared and written are used exactly when the
    # batch is given (the graph is the batch alone).
    assert given.inner.headline.report.ahead == (given.graph[0] is batch)
    return given.graph[0]


def dumped(facts: list[ActionPointFacts]) -> list[str]:
    return [f.model_dump_json() for f in facts]


def test_the_facts_of_the_batch_are_those_read_back(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    assert load(db, bundled_batch) is bundled_batch
    read_back = Neo4jStore(*db).action_point_facts()
    assert len(read_back) == 41
    assert dumped(batch_facts(bundled_batch)) == dumped(read_back)
    check_kept(Neo4jStore(*db))


def test_the_facts_of_a_generated_graph_are_those_read_back(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    synth.write(tmp_path, 3000, 4)
    batch = load_dataset(tmp_path)
    assert load(db, batch) is batch
    assert dumped(batch_facts(batch)) == dumped(Neo4jStore(*db).action_point_facts())


def test_an_empty_database_is_not_read_back_for_the_facts(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    driver = CountingDriver(db[0])
    derivation = AtLoad()
    write_batch(cast(neo4j.Driver, driver), bundled_batch, db[1], derive=derivation)
    assert not derivation.headline.report.skipped and not derivation.kept.report.skipped
    assert derivation.headline.report.ahead
    assert "while the graph was compared and written" in derivation.headline.report.line()
    # Every link of the facts' types is not read back (the services still look up a few nodes by id).
    assert cypher.EDGES_OF_TYPES not in driver.sent


def test_the_batch_is_given_only_when_the_graph_is_the_batch(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    assert load(db, bundled_batch) is bundled_batch
    # Another dataset in the graph: the facts are read back (every dataset's), for that dataset's load and for
    # the next of the first.
    assert load(db, second_dataset()) is None
    check_kept(Neo4jStore(*db))
    again = dataclasses.replace(bundled_batch, info=dataclasses.replace(bundled_batch.info, version="again"))
    assert load(db, again) is None
    wipe(*db)
    assert load(db, bundled_batch) is bundled_batch
    # A load without --prune keeps what the new version no longer holds: read back.
    changed = without_links_into(bundled_batch, "ap-17", keep=1)
    assert load(db, changed) is None
    # With --prune the graph is the new version again.
    assert load(db, changed, prune=True) is changed
    # A node written beside the loaders, owned by no dataset (a node without ``_owners`` at all would count as a row
    # written before ownership existed, hence the dataset's): the dataset's counts agree, the graph's do not.
    db[0].execute_query(
        "CREATE (:Entity:Country {id: 'country-by-hand', name: 'By hand', _owners: []})", database_=db[1]
    )
    touched = dataclasses.replace(changed, info=dataclasses.replace(changed.info, version="again"))
    assert load(db, touched) is None
    check_kept(Neo4jStore(*db))


class NotAhead(AtLoad):
    """A load's derivations with nothing made ahead: everything made after the graph is written."""

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        pass


class FailsAhead(AtLoad):
    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        raise RuntimeError("made ahead: failed")


DERIVED_NODES: Final = """
MATCH (n) WHERE n:Headline OR n:HeadlineRow OR n:HeadlineGoalRow OR n:HeadlineOrder OR n:HeadlineGoalOrder
   OR n:KeptAnswer
RETURN [l IN labels(n)][0] AS label, properties(n) AS props
"""


def derived_nodes(db: tuple[neo4j.Driver, str]) -> list[str]:
    records, _, _ = db[0].execute_query(DERIVED_NODES, database_=db[1])
    return sorted(json.dumps([r["label"], r["props"]], sort_keys=True, default=str) for r in records)


def test_what_is_made_ahead_is_what_would_be_made_after(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    synth.write(tmp_path, 3000, 5)
    batch = load_dataset(tmp_path)
    ahead = AtLoad()
    write_batch(db[0], batch, db[1], derive=ahead)
    assert ahead.headline.report.ahead and ahead.headline.report.rows_written > 100
    made_ahead = derived_nodes(db)
    wipe(*db)
    after = NotAhead()
    write_batch(db[0], batch, db[1], derive=after)
    assert not after.headline.report.ahead
    assert derived_nodes(db) == made_ahead


def test_a_failure_ahead_fails_the_load_before_it_publishes(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    with pytest.raises(RuntimeError, match="made ahead"):
        write_batch(db[0], bundled_batch, db[1], derive=FailsAhead())
    info = Neo4jStore(*db).dataset_info()
    assert info is None or info.fingerprint is None


def test_a_failure_beside_the_headline_fails_the_load_before_it_publishes(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    derivation = AtLoad()

    def broken(store: object, info: object) -> dict[str, str]:
        raise RuntimeError("kept answers: failed")

    derivation.kept.answers = broken
    with pytest.raises(RuntimeError, match="kept answers: failed"):
        write_batch(db[0], bundled_batch, db[1], derive=derivation)
    # The headline's rows were written beside the failed computation, to their end; nothing was published.
    assert derivation.headline.report.action_points == 41
    info = Neo4jStore(*db).dataset_info()
    assert info is None or info.fingerprint is None


class HeldAhead(AtLoad):
    """Made ahead only once released; fails if it was waited for until then."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.dropped: threading.Event | None = None
        self.dropped_when_derived: bool | None = None

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        self.dropped = dropped
        if not self.release.wait(20):
            raise RuntimeError("waited for, though not used")

    def derive(self, publishing: Publishing) -> None:
        self.dropped_when_derived = self.dropped is not None and self.dropped.is_set()
        super().derive(publishing)


def test_what_is_made_ahead_is_not_waited_for_when_it_cannot_be_used(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    write_batch(db[0], bundled_batch, db[1], derive=AtLoad())
    # Another dataset shares the graph: the facts are read back, and what is made ahead is not waited for.
    held = HeldAhead()
    try:
        write_batch(db[0], second_dataset(), db[1], derive=held)
    finally:
        held.release.set()
    assert not held.headline.report.ahead and held.headline.report.action_points > 0
    assert held.dropped_when_derived  # told to stop before the derivation reads the facts itself
    check_kept(Neo4jStore(*db))
    # The graph is the batch alone again, compared row by row (its marker gone), its answers already derived:
    # nothing asks for the facts, so what is made ahead is not waited for either.
    wipe(*db)
    write_batch(db[0], bundled_batch, db[1], derive=AtLoad())
    db[0].execute_query("MATCH (d:Dataset) REMOVE d.fingerprint", database_=db[1])
    held = HeldAhead()
    try:
        write_batch(db[0], bundled_batch, db[1], derive=held)
    finally:
        held.release.set()
    assert held.headline.report.skipped and held.kept.report.skipped
