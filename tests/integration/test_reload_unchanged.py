"""A load of the files a current version was loaded from, on a graph that still holds that version, reads and
checks nothing again (issue 17: a reload with nothing changed), on a real Neo4j.

``bpkg load`` records the digest of the files and of the rules that checked them with the version it publishes
(``bpkg.loaders.files_digest``); the next load of the same files verifies the graph's counts under the lease and
stops. Any change (a byte of a file, a file added, the limits, a row changed in the database, another load since,
a prune that would remove kept rows) goes the whole way, which repairs what differs.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, cast

import neo4j
import pytest

from benchmarks.round_trips import CountingDriver
from bpkg.app.at_load import AtLoad
from bpkg.app.cli import main
from bpkg.app.settings import Settings
from bpkg.loaders import load_dataset, neo4j_sink
from bpkg.loaders.files_digest import dataset_digest
from bpkg.loaders.limits import Limits
from bpkg.loaders.neo4j_sink import reload_unchanged, write_batch
from tests.conftest import wipe
from tests.factories import base_graph, write_dataset

pytestmark = pytest.mark.neo4j


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


def published(db: tuple[neo4j.Driver, str], folder: Path) -> str:
    files = dataset_digest(folder)
    assert files is not None
    write_batch(db[0], load_dataset(folder), db[1], derive=AtLoad(), files=files)
    return files


def seq(db: tuple[neo4j.Driver, str]) -> int:
    records, _, _ = db[0].execute_query("MATCH (l:LoadLease) RETURN l.seq AS seq", database_=db[1])
    return int(records[0]["seq"])


def test_the_digest_covers_the_files_and_the_limits(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "one")
    first = dataset_digest(folder)
    assert first is not None and first == dataset_digest(folder)
    # The same files elsewhere are the same files.
    assert dataset_digest(shutil.copytree(folder, tmp_path / "two")) == first
    # A byte changed, a file added, a file renamed; a hidden file is not the dataset's.
    changed = shutil.copytree(folder, tmp_path / "three")
    graph = changed / "reference.yaml"
    graph.write_bytes(graph.read_bytes() + b"\n")
    assert dataset_digest(changed) != first
    added = shutil.copytree(folder, tmp_path / "four")
    (added / "notes.txt").write_text("x")
    assert dataset_digest(added) != first
    hidden = shutil.copytree(folder, tmp_path / "five")
    (hidden / ".editor-state").write_text("x")
    assert dataset_digest(hidden) == first
    # Other limits check the same files by other rules.
    assert dataset_digest(folder, Limits(max_dataset_bytes=1234)) != first
    assert dataset_digest(tmp_path / "missing") is None


def test_an_unchanged_reload_reads_and_writes_nothing(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "tiny")
    files = published(db, folder)
    before = seq(db)
    driver = CountingDriver(db[0])
    summary = reload_unchanged(cast(neo4j.Driver, driver), db[1], files, derive=AtLoad())
    assert summary is not None and summary.dataset == "tiny"
    assert (summary.nodes.unchanged, summary.rels.unchanged) == (15, 16)
    assert summary.nodes.created == summary.rels.created == 0
    # The marker, the lease, the marker again, the owned counts, the derivations' checks: no row read, none written.
    assert neo4j_sink.OWNED_COUNTS in driver.sent and neo4j_sink.READ_NODE_PAGE not in driver.sent
    assert not any(query in driver.sent for query in (neo4j_sink.CREATE_NODES, neo4j_sink.BEGIN_LOAD))
    assert seq(db) == before
    # Files never published: nothing to say, and the lease was not taken.
    assert reload_unchanged(db[0], db[1], "0" * 64) is None


def test_a_graph_changed_since_goes_the_whole_way(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "tiny")
    files = published(db, folder)
    db[0].execute_query("MATCH (:Entity)-[r:PART_OF]->(:Entity) WITH r LIMIT 1 DELETE r", database_=db[1])
    assert reload_unchanged(db[0], db[1], files) is None
    # The whole load repairs it; then the shortcut holds again.
    summary = write_batch(db[0], load_dataset(folder), db[1], files=files)
    assert summary.rels.created == 1
    assert reload_unchanged(db[0], db[1], files) is not None


def test_another_load_since_or_a_prune_of_kept_rows_goes_the_whole_way(
    db: tuple[neo4j.Driver, str], tmp_path: Path
) -> None:
    folder = write_dataset(tmp_path / "tiny")
    graph = base_graph()
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] != "event-e"]
    graph["relationships"] = [r for r in graph["relationships"] if r["from"] != "event-e"]
    smaller = write_dataset(tmp_path / "smaller", graph=graph)
    files = published(db, folder)
    kept = published(db, smaller)  # without --prune: event-e and its link are kept
    assert reload_unchanged(db[0], db[1], files) is None, "another version was published since"
    assert reload_unchanged(db[0], db[1], kept) is not None
    assert reload_unchanged(db[0], db[1], kept, prune=True) is None, "a prune has rows to remove"
    # A load given no digest (the API of the sink, a test) records none.
    write_batch(db[0], load_dataset(smaller), db[1], prune=True, yes=True)
    assert reload_unchanged(db[0], db[1], kept) is None


def test_missing_derivations_are_completed(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "tiny")
    files = published(db, folder)
    db[0].execute_query("MATCH (k:KeptAnswer) DETACH DELETE k", database_=db[1])
    derivation = AtLoad()
    assert reload_unchanged(db[0], db[1], files, derive=derivation) is not None
    assert not derivation.kept.report.skipped and derivation.headline.report.skipped
    records, _, _ = db[0].execute_query("MATCH (k:KeptAnswer) RETURN count(k) AS n", database_=db[1])
    assert records[0]["n"] > 0


def test_bpkg_load_twice_checks_the_files_once(
    db: tuple[neo4j.Driver, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = write_dataset(tmp_path / "tiny")
    read: list[Any] = []
    real = load_dataset

    def counted(*args: Any, **kwargs: Any) -> Any:
        read.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr("bpkg.app.cli.load_dataset", counted)
    assert main(["load", str(folder), "--backend", "neo4j"]) == 0
    first = capsys.readouterr()
    assert "created 15" in first.out and len(read) == 1
    assert main(["load", str(folder), "--backend", "neo4j"]) == 0
    again = capsys.readouterr()
    assert "nodes          created 0, updated 0, unchanged 15, removed 0" in again.out
    assert "nothing to read, check or write" in again.err and len(read) == 1
    # A changed file is read and checked, and loaded.
    (folder / "countries.csv").write_text((folder / "countries.csv").read_text().rstrip("\n") + "\n\n")
    assert main(["load", str(folder), "--backend", "neo4j"]) == 0
    assert len(read) == 2 and "nothing to read" not in capsys.readouterr().err
    # Files with a problem are reported as ever, and nothing is written.
    (folder / "countries.csv").write_text("not,a,countries,table\n")
    assert main(["load", str(folder), "--backend", "neo4j"]) == 1
    assert len(read) == 3 and "countries.csv" in capsys.readouterr().err
