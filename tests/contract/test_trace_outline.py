"""A trace in outline (``GraphStore.trace_outline``), what the trace page of a busy node is made from: every backend
gives the same outline, and it is what the whole trace (``trace``) gives.

The reference is made here from ``trace`` alone: a node's hops are the smallest depth whose trace reaches it,
each label's nodes are sorted by ``node_sort_key``, and the graph of the nearest is the whole trace's graph
restricted to them. On the bundled dataset (every node, up and down, at three depths) and on a generated dataset
whose action point 10 reaches hundreds of nodes.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

import neo4j
import pytest

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.settings import Settings
from bpkg.app.store import base
from bpkg.app.store.graph_types import GraphOut, TraceOutline, Way
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.app.store.traversal import MAX_TRACE_DEPTH
from bpkg.loaders import GraphBatch, build_graph, load_dataset, synth
from tests.conftest import ensure_loaded
from tests.contract.compare import dump, same

WAYS: tuple[Way, ...] = ("up", "down")


def reference(store: GraphStore, node_id: str, way: Way, depth: int, listed: int, near: int) -> object:
    """The outline as it must be, from the whole trace at each depth up to ``depth``."""
    whole = store.trace(node_id, way, depth, None)
    hops: dict[str, int] = {}
    for d in range(depth, 0, -1):  # the last depth that reaches a node is the fewest hops that do
        for ref in store.trace(node_id, way, d, None).nodes:
            hops[ref.id] = d
    others = [ref.id for ref in whole.nodes if ref.id != node_id]
    assert set(hops) - {node_id} == set(others)
    data = store.nodes_by_id(others)
    key = {i: base.node_sort_key(data[i]) for i in others}
    refs = {ref.id: ref for ref in whole.nodes}
    levels = []
    for label in sorted({refs[i].label for i in others}):
        ids = sorted((i for i in others if refs[i].label == label), key=key.__getitem__)
        levels.append({"label": label, "count": len(ids), "first": [dump(refs[i]) for i in ids[:listed]]})
    nearest = sorted(others, key=lambda i: (hops[i], key[i]))[: near - 1]
    shown = {node_id, *nearest}
    graph = GraphOut(
        nodes=[ref for ref in whole.nodes if ref.id in shown],
        edges=[e for e in whole.edges if e.source in shown and e.target in shown],
        truncated=len(others) + 1 > near,
    )
    return {"total": len(others), "levels": levels, "graph": dump(graph)}


def ask(store: GraphStore, node_id: str, way: Way, depth: int, listed: int, near: int) -> TraceOutline:
    return store.trace_outline(node_id, way, depth, listed, near)


def test_an_outline_that_fits_is_the_whole_trace(store: GraphStore) -> None:
    for ref in store.nodes(None, None, 100_000, 0).items:
        for way in WAYS:
            for depth in (1, MAX_TRACE_DEPTH):
                outline = store.trace_outline(ref.id, way, depth, 100_000, 100_000)
                assert outline.graph == store.trace(ref.id, way, depth, None), (ref.id, way, depth)
                assert outline.total == len(outline.graph.nodes) - 1
                listed = [r for level in outline.levels for r in level.first]
                assert sorted(r.id for r in listed) == sorted(r.id for r in outline.graph.nodes if r.id != ref.id)


def test_every_node_of_the_bundled_dataset_cut(store: GraphStore, memory_store: MemoryStore) -> None:
    cut = listed_cut = 0
    for ref in memory_store.nodes(None, None, 100_000, 0).items:
        for way in WAYS:
            for depth in (1, 2, MAX_TRACE_DEPTH):
                got = same(store, memory_store, partial(ask, node_id=ref.id, way=way, depth=depth, listed=2, near=5))
                assert got == reference(memory_store, ref.id, way, depth, 2, 5), (ref.id, way, depth)
                cut += got["graph"]["truncated"]
                listed_cut += any(level["count"] > 2 for level in got["levels"])
    assert cut and listed_cut, "some outline is cut, and some level lists fewer than it counts"


def test_an_unknown_node_and_bad_bounds(store: GraphStore, memory_store: MemoryStore) -> None:
    unknown = partial(ask, node_id="nope", way="down", depth=2, listed=2, near=5)
    assert same(store, memory_store, unknown)["raised"] == NotFound.__name__
    for depth, listed, near in ((0, 2, 5), (MAX_TRACE_DEPTH + 1, 2, 5), (2, -1, 5), (2, 2, 0)):
        bad = partial(ask, node_id="ap-17", way="down", depth=depth, listed=listed, near=near)
        assert same(store, memory_store, bad)["raised"] == InvalidQuery.__name__
        assert same(store, memory_store, partial(bad, node_id="nope"))["raised"] == NotFound.__name__


@pytest.fixture(scope="module")
def synth_batch(tmp_path_factory: pytest.TempPathFactory) -> GraphBatch:
    folder: Path = tmp_path_factory.mktemp("synth-outline")
    synth.write(folder, 3000, 0)
    return load_dataset(str(folder))


@pytest.mark.parametrize("backend", ["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def test_a_busy_action_point_in_outline(
    backend: str, synth_batch: GraphBatch, neo4j_settings: Settings, request: pytest.FixtureRequest
) -> None:
    memory = MemoryStore(build_graph(synth_batch))
    store: GraphStore = memory
    if backend == "neo4j":
        from bpkg.app.store.neo4j.store import Neo4jStore

        driver: neo4j.Driver = request.getfixturevalue("neo4j_driver")
        ensure_loaded(driver, neo4j_settings.neo4j_database, synth_batch)
        store = Neo4jStore(driver, neo4j_settings.neo4j_database)
    starts: tuple[tuple[str, Way], ...] = (("ap-10", "down"), ("activity-synth-1", "up"), ("pg-1", "down"))
    for node_id, way in starts:
        for listed, near in ((3, 40), (50, 400)):
            got = same(
                store, memory, partial(ask, node_id=node_id, way=way, depth=MAX_TRACE_DEPTH, listed=listed, near=near)
            )
            assert got == reference(memory, node_id, way, MAX_TRACE_DEPTH, listed, near), (node_id, listed, near)
    assert same(store, memory, partial(ask, node_id="ap-10", way="down", depth=MAX_TRACE_DEPTH, listed=3, near=40))[
        "graph"
    ]["truncated"]
