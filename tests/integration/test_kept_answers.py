"""Coverage and gaps kept in Neo4j when a version is loaded (issue 17 item 1), on a real Neo4j.

The kept JSON equals the answer computed from the graph, by every grouping, for the bundled dataset, a
``bpkg synth`` graph and two datasets in one database; a service's first coverage reads it (no facts are read);
a reload of the same version keeps what it has; a new version replaces the old one's; answers as of a day are
still computed; while a load is unfinished, the answers of the version published before it are served.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path
from typing import cast, get_args

import neo4j
import pytest
from fastapi.testclient import TestClient

from benchmarks.round_trips import CountingDriver
from bpkg.app.api.main import create_app
from bpkg.app.at_load import AtLoad
from bpkg.app.services.coverage import CoverageBy, coverage, gaps
from bpkg.app.services.dataset_cache import pin
from bpkg.app.services.derivation import KEPT_KEYS
from bpkg.app.settings import Settings
from bpkg.app.store.neo4j import Neo4jStore, parts
from bpkg.app.store.neo4j import queries as cypher
from bpkg.graph_schema.asof import parse_as_of
from bpkg.loaders import GraphBatch, load_dataset, synth
from bpkg.loaders.neo4j_sink import Publishing, write_batch
from tests.api.conftest import settings
from tests.conftest import wipe
from tests.integration.test_headline_derived import second_dataset, without_links_into

pytestmark = pytest.mark.neo4j


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


@contextlib.contextmanager
def served(db: tuple[neo4j.Driver, str]) -> Iterator[tuple[TestClient, CountingDriver, Neo4jStore]]:
    """A new API on the database, its queries counted at the driver."""
    driver = CountingDriver(db[0])
    store = Neo4jStore(cast(neo4j.Driver, driver), db[1])
    try:
        with TestClient(create_app(settings(backend="neo4j"), store=store)) as client:
            yield client, driver, store
    finally:
        store.outage.close()


def load(db: tuple[neo4j.Driver, str], batch: GraphBatch) -> AtLoad:
    derivation = AtLoad()
    write_batch(db[0], batch, db[1], derive=derivation)
    return derivation


def kept_versions(db: tuple[neo4j.Driver, str]) -> dict[str, set[str]]:
    records, _, _ = db[0].execute_query("MATCH (k:KeptAnswer) RETURN k.version AS v, k.key AS k", database_=db[1])
    out: dict[str, set[str]] = {}
    for r in records:
        out.setdefault(r["v"], set()).add(r["k"])
    return out


def check_kept(store: Neo4jStore) -> None:
    """What the store kept for its current version equals what the services compute from the graph."""
    pinned = pin(store)
    info = pinned.dataset_info()
    assert info is not None and info.fingerprint is not None
    for by in get_args(CoverageBy):
        text = store.kept_answer(info.fingerprint, f"coverage:{by}")
        assert text is not None, by
        assert text == coverage(pinned, by, kept=False).model_dump_json(), by
        # What the services answer today is that same kept answer.
        assert coverage(pinned, by).model_dump_json() == text
    assert store.kept_answer(info.fingerprint, "gaps") == gaps(pinned, kept=False).model_dump_json()


def test_bundled_coverage_and_gaps_are_kept(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    derivation = load(db, bundled_batch)
    assert derivation.kept.report.kept == len(KEPT_KEYS) and not derivation.kept.report.skipped
    assert "kept 6 answers" in derivation.lines()[1]
    check_kept(Neo4jStore(*db))
    # The illustrative notice, read from the dataset while it was being loaded, is the published one.
    text = Neo4jStore(*db).kept_answer(Neo4jStore(*db).dataset_info().fingerprint or "", "gaps")  # type: ignore[union-attr]
    assert json.loads(text or "{}")["illustrative"], "the bundled dataset's answers carry its notice"
    # The same version again keeps what it has.
    again = load(db, bundled_batch)
    assert again.kept.report.skipped and "already kept" in again.lines()[1]
    assert len(kept_versions(db)) == 1


def test_a_new_version_replaces_the_old_ones(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    before = set(kept_versions(db))
    changed = dataclasses.replace(bundled_batch, rels=bundled_batch.rels[:-3])
    load(db, changed)
    after = kept_versions(db)
    assert len(after) == 1 and set(after) != before
    assert next(iter(after.values())) == set(KEPT_KEYS)
    check_kept(Neo4jStore(*db))


def test_synth_and_two_datasets(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch, tmp_path: Path) -> None:
    synth.write(tmp_path, 3000, 7)
    load(db, load_dataset(tmp_path))
    check_kept(Neo4jStore(*db))
    wipe(*db)
    load(db, bundled_batch)
    load(db, other_dataset(bundled_batch))
    store = Neo4jStore(*db)
    check_kept(store)
    by_goal = json.loads(store.kept_answer(store.dataset_info().fingerprint or "", "coverage:goal") or "{}")  # type: ignore[union-attr]
    assert by_goal["summary"], "the kept answer counts both datasets' links"


def other_dataset(bundled: GraphBatch) -> GraphBatch:
    """A second dataset with the bundled nodes its links end at."""
    other = second_dataset()
    ends = {r.target for r in other.rels} | {r.source for r in other.rels}
    return dataclasses.replace(other, nodes=[*other.nodes, *(n for n in bundled.nodes if n.id in ends)])


def test_the_first_coverage_after_a_load_reads_what_was_kept(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    load(db, bundled_batch)
    with served(db) as (client, driver, store):
        for url, key in (("/coverage?by=country", "coverage:country"), ("/gaps", "gaps")):
            driver.sent.clear()
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            # The dataset, then the kept answer: nothing else (no facts, no link of the graph).
            assert driver.sent == [cypher.DATASET, cypher.KEPT_ANSWER], (url, driver.sent)
            expected = store.kept_answer(store.dataset_info().fingerprint or "", key)  # type: ignore[union-attr]
            assert answer.json() == json.loads(expected or "{}"), url
        # As of a day the answer is computed: it reads the facts of that day.
        driver.sent.clear()
        assert client.get("/coverage?by=goal&as_of=2020-01-01").status_code == 200
        assert len(driver.sent) > 2 and cypher.KEPT_ANSWER not in driver.sent


def test_answers_as_of_a_day_are_not_the_kept_ones(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    store = pin(Neo4jStore(*db))
    today, then = coverage(store, "goal"), coverage(store, "goal", as_of=parse_as_of("2019-12-31"))
    assert then.as_of is not None and today.as_of is None


def test_a_load_reads_the_facts_once_for_both_derivations(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    # Another dataset in the database first: the facts are then read back from it (tests/integration/
    # test_batch_facts.py: a graph that is the batch alone is not read back at all).
    load(db, bundled_batch)
    driver = CountingDriver(db[0])
    derivation = AtLoad()
    write_batch(cast(neo4j.Driver, driver), other_dataset(bundled_batch), db[1], derive=derivation)
    assert not derivation.headline.report.skipped and derivation.kept.report.kept == len(KEPT_KEYS)
    # The links of the facts' types are read once, for the headline's rows and the kept answers alike.
    assert driver.sent.count(cypher.EDGES_OF_TYPES) == 1, [q[:60] for q in driver.sent]
    check_kept(Neo4jStore(*db))


def test_an_answer_kept_in_many_parts_reads_back_whole(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 2000)
    derivation = load(db, bundled_batch)
    assert derivation.kept.report.stored > 2000
    records, _, _ = db[0].execute_query("MATCH (k:KeptAnswer) RETURN max(k.parts) AS most", database_=db[1])
    assert records[0]["most"] > 1
    check_kept(Neo4jStore(*db))
    # A part lost: the answer is computed instead of read half.
    db[0].execute_query("MATCH (k:KeptAnswer {key: 'gaps', part: 1}) DELETE k", database_=db[1])
    store = Neo4jStore(*db)
    assert store.kept_answer(store.dataset_info().fingerprint or "", "gaps") is None  # type: ignore[union-attr]
    assert gaps(pin(store)).model_dump_json() == gaps(pin(store), kept=False).model_dump_json()
    # The next load of the same version writes what is missing.
    again = load(db, bundled_batch)
    assert not again.kept.report.skipped
    check_kept(Neo4jStore(*db))


def test_a_page_s_status_chips_read_the_kept_coverage_not_every_fact(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    load(db, bundled_batch)
    with served(db) as (client, driver, _):
        driver.sent.clear()
        page = client.get("/view/node/ap-17")
        assert page.status_code == 200 and "ap-17" in page.text
        # Statuses come from the kept coverage; the links of the facts' types are never read.
        assert cypher.KEPT_ANSWER in driver.sent and cypher.EDGES_OF_TYPES not in driver.sent, driver.sent


class Interrupted(AtLoad):
    """Every derivation written, then the load stops before it publishes its version."""

    def derive(self, publishing: Publishing) -> None:
        super().derive(publishing)
        raise KeyboardInterrupt


def test_an_unfinished_load_serves_the_answers_of_the_version_published_before_it(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    load(db, bundled_batch)
    urls = ("/coverage", "/coverage?by=country", "/gaps", "/action-points/17/responses")
    with served(db) as (client, _, _):
        published = {url: client.get(url).json() for url in urls}
    changed = without_links_into(bundled_batch, "ap-17", keep=0)
    with pytest.raises(KeyboardInterrupt):
        write_batch(db[0], changed, db[1], derive=Interrupted(), prune=True, yes=True)
    with served(db) as (client, driver, store):
        info = store.dataset_info()
        assert info is not None and info.loading and info.fingerprint is None and info.serving
        for url in urls:
            driver.sent.clear()
            answer = client.get(url)
            assert answer.status_code == 200, answer.text
            # The version published last, read as it was kept: not computed from the graph half written.
            assert answer.json() == published[url], url
            assert cypher.EDGES_OF_TYPES not in driver.sent, (url, driver.sent)
        # Computed from the graph as it stands, ap-17 is a gap now: the served answer says what was published.
        assert gaps(pin(store), kept=False).model_dump() != published["/gaps"]
        page = client.get("/view/node/ap-17")
        assert page.status_code == 200
        footer = " ".join(page.text.split("<footer>")[1].split())
        assert "(load unfinished)" in footer and "those of the version published last" in footer
    # Once the load is finished, its own answers are served.
    load(db, changed)
    with served(db) as (client, _, store):
        info = store.dataset_info()
        assert info is not None and info.fingerprint and info.serving is None
        assert client.get("/gaps").json() != published["/gaps"]
        assert "version published last" not in client.get("/view/node/ap-17").text
    check_kept(Neo4jStore(*db))


def gap_numbers(store: Neo4jStore) -> set[int]:
    return {row.number for row in gaps(pin(store)).gaps}


def test_a_load_that_kept_rows_and_the_pruned_one_after_it_are_two_versions(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """The same files loaded without --prune (the rows they dropped are kept) and then with it are two graphs: each
    gets its own version, and its own answers (before, the second found the first's answers and kept them)."""
    load(db, bundled_batch)
    store = Neo4jStore(*db)
    first = store.dataset_info()
    fewer = without_links_into(bundled_batch, "ap-17", keep=0)
    load(db, fewer)
    kept = store.dataset_info()
    assert kept is not None and first is not None and kept.fingerprint not in (None, first.fingerprint)
    check_kept(store)
    assert 17 not in gap_numbers(store), "the links kept still answer"
    write_batch(db[0], fewer, db[1], derive=AtLoad(), prune=True, yes=True)
    pruned = store.dataset_info()
    assert pruned is not None and pruned.fingerprint not in (None, first.fingerprint, kept.fingerprint)
    check_kept(store)
    assert 17 in gap_numbers(store), "pruned, ap-17 has no response left"


def test_a_new_notice_alone_is_a_new_version(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    """Files whose rows did not change but whose manifest did (the notice, the version label): the dataset and
    the answers derived at load say the new words (before, the load found nothing to do)."""
    load(db, bundled_batch)
    store = Neo4jStore(*db)
    before = store.dataset_info()
    info = dataclasses.replace(bundled_batch.info, version="2.0", illustrative="Every link here is a sample.")
    renamed = dataclasses.replace(bundled_batch, info=info)
    derivation = load(db, renamed)
    assert not derivation.kept.report.skipped
    after = store.dataset_info()
    assert before is not None and after is not None and after.fingerprint != before.fingerprint
    assert (after.version, after.illustrative) == ("2.0", "Every link here is a sample.")
    assert gaps(pin(store)).illustrative == "Every link here is a sample."
    check_kept(store)


def test_a_running_service_sends_the_new_versions_coverage_once_it_is_published(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """Today's coverage and gaps are sent as bytes written once per version: the next version's are sent as soon
    as it is published, by the same service, compressed or not."""
    load(db, bundled_batch)
    with served(db) as (client, _, store):
        before = {url: client.get(url).json() for url in ("/gaps", "/coverage?by=goal")}
        changed = without_links_into(bundled_batch, "ap-17", keep=0)
        write_batch(db[0], changed, db[1], derive=AtLoad(), prune=True, yes=True)  # ap-17 a gap now
        for encoding in ("gzip", "identity"):
            after = client.get("/gaps", headers={"Accept-Encoding": encoding}).json()
            assert after != before["/gaps"] and after == gaps(pin(store), kept=False).model_dump(mode="json")
            by_goal = client.get("/coverage?by=goal", headers={"Accept-Encoding": encoding}).json()
            assert by_goal != before["/coverage?by=goal"]
            assert by_goal == coverage(pin(store), "goal", kept=False).model_dump(mode="json")
