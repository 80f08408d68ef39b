"""Timelines in one pass: ``timelines.Pass`` gives, at every year-end, exactly the coverage of the year-at-a-time
way (``timelines.coverage_at``: ``read_facts`` as of that day), on both backends.

On the bundled dataset, the dataset with dates of every precision (``asof_data``) and generated graphs given
dates of every kind (``generated.batches`` with a ``when`` drawn for some nodes and links): every goal, country,
component, project, activity and output, at each year-end from before the first date to after the last, and
the years of whole timelines against ``coverage_at`` year by year.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import replace
from datetime import date

import neo4j
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpkg.app.services import timelines
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Label
from bpkg.loaders import GraphBatch, Node, Rel, build_graph
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import wipe
from tests.contract import asof_data
from tests.contract.generated import batches

KINDS = [label.value for label in (Label.PRIORITY_GOAL, Label.COUNTRY, Label.COMPONENT, Label.PROJECT)]
SINGLES = [label.value for label in (Label.ACTIVITY, Label.OUTPUT, Label.EVENT)]
WHENS = (
    "2015",
    "2016-10",
    "2019-02-20",
    "2019-02-20/2024",
    "2019-06-15/..",
    "../2018",
    "2022/2023",
    "2020~",
    "2021-03?/2021-09",
    "[2015,2016]/..",
    "[2016-12-15,2017-12-15]",
    "2025/2030",
    "2010/2012",
)
TODAY = date(2031, 6, 30)


def check(store: GraphStore, years: range, sample: int | None = None) -> int:
    """Compare one pass with the year-at-a-time coverage for the nodes of every timeline kind (``sample`` of
    each label at most); return how many comparisons were made (so that a test sees it compared some)."""
    once = timelines.Pass.read(store)
    assert once is not None
    nodes = [n for label in (*KINDS, *SINGLES) for n in store.nodes(label, None, 10_000, 0).items]
    if sample is not None:
        nodes = [n for label in (*KINDS, *SINGLES) for n in [m for m in nodes if m.label == label][:sample]]
    data = store.nodes_by_id([n.id for n in nodes])
    made = 0
    for year in years:  # the day outside: the year-at-a-time answers are kept per day
        day = date(year, 12, 31)
        for node in data.values():
            kind = timelines.KINDS[node.label]
            assert once.coverage_at(kind, node, day) == timelines.coverage_at(store, kind, node.id, day), (
                node.id,
                day,
            )
            made += 1
    return made


def test_bundled_one_pass_equals_year_by_year(store: GraphStore) -> None:
    assert check(store, range(2009, 2028), sample=6) > 100


def test_bundled_timelines_equal_year_by_year(store: GraphStore) -> None:
    """Whole timelines (the page's years): each year's coverage is the year-at-a-time one."""
    for node_id in ("country-pak", "pg-4", "component-mrc", "project-imm", "activity-mrc-lahore"):
        found = timelines.timeline(store, node_id, TODAY)
        assert found.years
        for year in found.years:
            assert year.coverage == timelines.coverage_at(store, found.kind, node_id, year.day), (node_id, year.year)


@pytest.fixture(scope="module")
def dated_neo4j(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> Iterator[GraphStore]:
    from bpkg.app.store.neo4j.store import Neo4jStore

    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    write_batch(neo4j_driver, asof_data.batch(), database)
    yield Neo4jStore(neo4j_driver, database, timeout=neo4j_settings.query_timeout)
    wipe(neo4j_driver, database)  # the bundled fixtures load their dataset again when they find none


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def dated(request: pytest.FixtureRequest) -> GraphStore:
    if request.param == "memory":
        return MemoryStore(build_graph(asof_data.batch()))
    store: GraphStore = request.getfixturevalue("dated_neo4j")
    return store


def test_dated_one_pass_equals_year_by_year(dated: GraphStore) -> None:
    """Plans that follow each other, links and responders of every precision: every year-end 2014-2032."""
    assert check(dated, range(2014, 2033)) > 100


@st.composite
def dated_batches(draw: st.DrawFn) -> GraphBatch:
    """A generated graph with a ``when`` drawn for some of its nodes and links (or none)."""
    batch = draw(batches())
    rng = random.Random(draw(st.integers(0, 2**32 - 1)))

    def dated(props: dict[str, object]) -> dict[str, object]:
        return {**props, "when": rng.choice(WHENS)} if rng.random() < 0.6 else props

    nodes = [Node(n.label, n.id, dated(dict(n.props))) for n in batch.nodes]
    rels = [Rel(r.type, r.source, r.target, dated(dict(r.props))) for r in batch.rels]
    return replace(batch, nodes=nodes, rels=rels)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=dated_batches())
def test_generated_one_pass_equals_year_by_year_in_memory(batch: GraphBatch) -> None:
    assert check(MemoryStore(build_graph(batch)), range(2008, 2033, 2)) > 0


@pytest.mark.neo4j
@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=dated_batches())
def test_generated_one_pass_equals_year_by_year_on_neo4j(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings, batch: GraphBatch
) -> None:
    from bpkg.app.store.neo4j.store import Neo4jStore

    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    write_batch(neo4j_driver, batch, database)
    assert check(Neo4jStore(neo4j_driver, database), range(2008, 2033, 2)) > 0


def test_a_pass_is_read_once_per_dataset(store: GraphStore) -> None:
    """Timelines share one pass until the dataset changes: the second asks no read of the store."""
    first = timelines.shared_pass(store)
    assert first is not None
    assert timelines.shared_pass(store) is first
