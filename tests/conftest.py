"""Shared fixtures: the bundled dataset, both backends, and the Neo4j requirement.

Neo4j-backed tests connect with NEO4J_URI / NEO4J_USER / NEO4J_PASSWORD / NEO4J_DATABASE. Locally they
skip when no Neo4j answers; with BPKG_REQUIRE_NEO4J=1 (as .ci/run sets) an unreachable Neo4j, or any
skipped test at all, is a failure.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Generator, Iterator
from typing import Any

import neo4j
import networkx as nx
import pytest

from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.loaders import GraphBatch, build_graph, load_dataset

REQUIRE_NEO4J = os.environ.get("BPKG_REQUIRE_NEO4J") == "1"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Generator[None, Any, None]:
    outcome = yield
    report = outcome.get_result()
    if REQUIRE_NEO4J and report.skipped and not hasattr(report, "wasxfail"):
        # In CI nothing may skip: a skipped Neo4j test would count as passed without having run.
        report.outcome = "failed"
        report.longrepr = f"skipped while BPKG_REQUIRE_NEO4J=1: {report.longrepr}"


@functools.cache
def neo4j_problem() -> str | None:
    """Why Neo4j cannot be used (None when it answers): checked once per run."""
    from bpkg.app.errors import BackendUnavailable
    from bpkg.app.neo4j_driver import open_driver

    try:
        open_driver(Settings()).close()
    except BackendUnavailable as exc:
        return str(exc)
    return None


NEO4J_FIXTURES = {"neo4j_driver", "neo4j_bundled"}


# Tests are laid out by cost, and each folder's marker is set here so that `-m` selects by cost:
# unit (in-process, nothing written), files (datasets written and read), contract and api (in-process,
# both backends), integration (subprocesses, servers, Neo4j restarts), browser (Chromium), notebooks.
FOLDER_MARKERS = {"integration": "integration", "browser": "browser", "notebooks": "notebook"}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        parts = item.path.parts
        folder = parts[parts.index("tests") + 1] if "tests" in parts and parts.index("tests") + 1 < len(parts) else ""
        if folder in FOLDER_MARKERS:
            item.add_marker(FOLDER_MARKERS[folder])
    # A test that asks for Neo4j without the marker would escape the gate below: refuse to run it.
    unmarked = [
        item.nodeid
        for item in items
        if NEO4J_FIXTURES & set(getattr(item, "fixturenames", ())) and item.get_closest_marker("neo4j") is None
    ]
    if unmarked:
        raise pytest.UsageError(f"tests that use Neo4j must be marked neo4j: {', '.join(unmarked)}")


def pytest_runtest_setup(item: pytest.Item) -> None:
    # The one place that gates Neo4j tests, by their marker (not by whichever fixture they happen to
    # use): without Neo4j they skip locally, and fail when it is required (CI).
    if item.get_closest_marker("neo4j") is None:
        return
    problem = neo4j_problem()
    if problem is None:
        return
    if REQUIRE_NEO4J:
        pytest.fail(f"Neo4j is required (BPKG_REQUIRE_NEO4J=1) but unavailable: {problem}", pytrace=False)
    pytest.skip(f"no Neo4j: {problem}")


@pytest.fixture(scope="session")
def bundled_batch() -> GraphBatch:
    return load_dataset()


@pytest.fixture(scope="session")
def bundled_graph(bundled_batch: GraphBatch) -> nx.MultiDiGraph:
    return build_graph(bundled_batch)


@pytest.fixture(scope="session")
def memory_store(bundled_graph: nx.MultiDiGraph) -> MemoryStore:
    return MemoryStore(bundled_graph)


@pytest.fixture(scope="session")
def neo4j_settings() -> Settings:
    return Settings()


@pytest.fixture(scope="session")
def neo4j_driver(neo4j_settings: Settings) -> Iterator[neo4j.Driver]:
    from bpkg.app.neo4j_driver import open_driver

    # Reached only from tests marked neo4j (pytest_runtest_setup has checked that Neo4j answers).
    with open_driver(neo4j_settings) as driver:
        yield driver


def wipe(driver: neo4j.Driver, database: str) -> None:
    """Remove every node and relationship (constraints and indexes stay)."""
    # CALL ... IN TRANSACTIONS needs an auto-commit (implicit) transaction, hence session.run. Relationships
    # first: a DETACH DELETE of 5,000 nodes with their hubs' links ran out of Neo4j's transaction memory on a
    # database holding 100k relationships (benchmarks/scale.py wipes the same way).
    with driver.session(database=database) as session:
        session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()


def ensure_loaded(driver: neo4j.Driver, database: str, batch: GraphBatch) -> None:
    """Load ``batch`` unless the database already holds exactly it (tests that wipe may run in between)."""
    from bpkg.app.at_load import AtLoad
    from bpkg.loaders.neo4j_sink import write_batch

    records, _, _ = driver.execute_query(
        "MATCH (d:Dataset) RETURN d.fingerprint AS fp", database_=database, routing_=neo4j.RoutingControl.READ
    )
    if [r["fp"] for r in records] != [batch.fingerprint()]:
        wipe(driver, database)
        write_batch(driver, batch, database, derive=AtLoad())


@pytest.fixture
def neo4j_bundled(neo4j_driver: neo4j.Driver, neo4j_settings: Settings, bundled_batch: GraphBatch) -> neo4j.Driver:
    """A Neo4j holding exactly the bundled dataset."""
    ensure_loaded(neo4j_driver, neo4j_settings.neo4j_database, bundled_batch)
    return neo4j_driver


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def store(request: pytest.FixtureRequest, memory_store: MemoryStore, neo4j_settings: Settings) -> GraphStore:
    """The bundled dataset behind each backend: contract tests run once per backend."""
    if request.param == "memory":
        return memory_store
    from bpkg.app.store.neo4j.store import Neo4jStore

    driver = request.getfixturevalue("neo4j_bundled")
    return Neo4jStore(driver, neo4j_settings.neo4j_database, timeout=neo4j_settings.query_timeout)
