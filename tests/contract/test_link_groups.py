"""A node's links by group without reading them all (``GraphStore.link_groups``): every backend gives the same
groups, totals, pages, reviewed links and trace buttons, and they are what the node's links read whole give.

On the bundled dataset (every node, first and later pages, one group alone) and on a generated dataset whose
action point 10 has hundreds of responders (its first, a middle, the last and a page past the end); on Neo4j both
ways of reading: the one pass over a node's links and a hub's (the threshold set to 0 makes every node a hub)."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial
from pathlib import Path

import neo4j
import networkx as nx
import pytest

from bpkg.app.services import node_view
from bpkg.app.settings import Settings
from bpkg.app.store import memory
from bpkg.app.store.base import GroupKey, groups_of_links
from bpkg.app.store.graph_types import Direction, LinkGroups
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import RelType
from bpkg.loaders import GraphBatch, build_graph, load_dataset, synth
from tests.conftest import ensure_loaded
from tests.contract.compare import dump, same

PAGES = ((1, 0), (3, 1), (50, 0))


def reference(store: GraphStore, node_id: str, limit: int, offset: int = 0, only: GroupKey | None = None) -> object:
    """What the groups must be: made from the node and every link of it, read whole."""
    return dump(groups_of_links(store.node(node_id), store.links(node_id), limit, offset, only))


def ask(store: GraphStore, node_id: str, limit: int, offset: int = 0, only: GroupKey | None = None) -> LinkGroups:
    return store.link_groups(node_id, limit, offset, only)


def page_of(store: GraphStore, node_id: str, keys: list[GroupKey], offset: int) -> object:
    return node_view.group_page(store, node_id, keys, 2, offset)


def test_every_node_of_the_bundled_dataset(store: GraphStore, memory_store: MemoryStore) -> None:
    ids = [ref.id for ref in memory_store.nodes(None, None, 100_000, 0).items]
    assert len(ids) > 100
    cut = 0
    for node_id in ids:
        for limit, offset in PAGES:
            got = same(store, memory_store, partial(ask, node_id=node_id, limit=limit, offset=offset))
            assert got == reference(memory_store, node_id, limit, offset), node_id
            cut += any(len(g["links"]) < g["total"] for g in got["groups"])
    assert cut, "some group is cut at a page of one"


def test_the_groups_hold_what_the_node_page_needs(store: GraphStore) -> None:
    found = store.link_groups("ap-17", 2)
    every = store.links("ap-17")
    assert found.node.link_counts == store.node("ap-17").link_counts
    assert sum(g.total for g in found.groups) == len(every)
    assert all(len(g.links) == min(2, g.total) and g.offset == 0 for g in found.groups)
    assert found.reviewed == [link for link in every if link.reviewed is not None]
    assert found.traces == node_view.traces(found.node, every)


def test_one_group_alone(store: GraphStore, memory_store: MemoryStore) -> None:
    cases: tuple[tuple[str, GroupKey], ...] = (("ap-17", ("RESPONDS_TO", "in")), ("component-mrc", ("PART_OF", "in")))
    for node_id, key in cases:
        got = same(store, memory_store, partial(ask, node_id=node_id, limit=2, offset=1, only=key))
        assert got == reference(memory_store, node_id, 2, 1, key)
        assert [(g["type"], g["direction"]) for g in got["groups"]] == [key]
        # The other groups are still counted: the node's link counts are all of them.
        assert len(got["node"]["link_counts"]) > 1


def test_an_unknown_node(store: GraphStore, memory_store: MemoryStore) -> None:
    got = same(store, memory_store, lambda s: s.link_groups("nope", 5))
    assert got["raised"] == "NotFound"


@pytest.fixture(scope="module")
def synth_batch(tmp_path_factory: pytest.TempPathFactory) -> GraphBatch:
    folder: Path = tmp_path_factory.mktemp("synth-groups")
    synth.write(folder, 3000, 0)
    return load_dataset(str(folder))


@pytest.fixture(
    params=[
        "memory",
        pytest.param("neo4j", marks=pytest.mark.neo4j),
        pytest.param("neo4j hub", marks=pytest.mark.neo4j),
    ]
)
def synth_stores(
    request: pytest.FixtureRequest, synth_batch: GraphBatch, neo4j_settings: Settings
) -> Iterator[tuple[GraphStore, MemoryStore]]:
    memory = MemoryStore(build_graph(synth_batch))
    if request.param == "memory":
        yield memory, memory
        return
    from bpkg.app.store.neo4j.store import Neo4jStore

    driver: neo4j.Driver = request.getfixturevalue("neo4j_driver")
    ensure_loaded(driver, neo4j_settings.neo4j_database, synth_batch)
    neo = Neo4jStore(driver, neo4j_settings.neo4j_database)
    # Both ways on the busy group: the one pass over every link, and the hub's (counts from the degree store, a
    # top-N per group asked for); ap-10 has more links than the threshold, so "neo4j" sets it out of reach.
    neo.hub_links = 0 if request.param == "neo4j hub" else 1_000_000
    yield neo, memory
    neo.outage.close()


@pytest.mark.neo4j
def test_every_node_read_the_hubs_way(
    memory_store: MemoryStore, neo4j_settings: Settings, request: pytest.FixtureRequest
) -> None:
    # The bundled dataset has no hub: with the threshold at 0 every node is read the hub's way (totals from the
    # degree store, typed reads of the groups asked for, traces from the schema's labels), and must give what
    # memory gives and what its links read whole give, for every node, page and group alone.
    from bpkg.app.store.neo4j.store import Neo4jStore

    neo = Neo4jStore(request.getfixturevalue("neo4j_bundled"), neo4j_settings.neo4j_database)
    neo.hub_links = 0
    try:
        for ref in memory_store.nodes(None, None, 100_000, 0).items:
            for limit, offset in PAGES:
                got = same(neo, memory_store, partial(ask, node_id=ref.id, limit=limit, offset=offset))
                assert got == reference(memory_store, ref.id, limit, offset), ref.id
            for key in {(c.type, c.direction) for c in memory_store.node(ref.id).link_counts}:
                got = same(neo, memory_store, partial(ask, node_id=ref.id, limit=2, offset=1, only=key))
                assert got == reference(memory_store, ref.id, 2, 1, key), (ref.id, key)
        assert same(neo, memory_store, lambda s: s.link_groups("nope", 5))["raised"] == "NotFound"
    finally:
        neo.outage.close()


def test_every_node_read_the_hubs_way_in_memory(
    bundled_graph: nx.MultiDiGraph, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The memory store keeps a hub's links by group and its neighbours in order once asked (more than
    # HUB_NEIGHBOURS neighbours); the bundled dataset has no hub: with the threshold at 0 every node is read that
    # way, and gives what its links read whole give, and the nearest nodes the breadth-first walk chooses.
    hubs = MemoryStore(bundled_graph)
    ids = [ref.id for ref in memory_store.nodes(None, None, 100_000, 0).items]
    caps = (1, 2, 5, 60)
    walked = {(i, cap): dump(memory_store.neighbourhood(i, 1, None, cap)) for i in ids for cap in caps}
    counted = {i: dump(memory_store.node(i)) for i in ids}
    monkeypatch.setattr(memory, "HUB_NEIGHBOURS", 0)
    for node_id in ids:
        for _ in range(2):  # counted, then kept
            assert dump(hubs.node(node_id)) == counted[node_id], node_id
        for limit, offset in PAGES:
            assert dump(ask(hubs, node_id, limit, offset)) == reference(memory_store, node_id, limit, offset), node_id
        for key in {(c.type, c.direction) for c in memory_store.node(node_id).link_counts}:
            got = dump(ask(hubs, node_id, 2, 1, key))
            assert got == reference(memory_store, node_id, 2, 1, key), (node_id, key)
        for cap in caps:
            assert dump(hubs.neighbourhood(node_id, 1, None, cap)) == walked[(node_id, cap)], (node_id, cap)
    assert len(hubs._hubs._values) == memory.HUBS_KEPT  # the last hubs asked, no more


def test_a_busy_group_a_page_at_a_time(synth_stores: tuple[GraphStore, MemoryStore]) -> None:
    store, memory = synth_stores
    key: GroupKey = (RelType.RESPONDS_TO.value, "in")
    every = [link for link in memory.links("ap-10") if (link.type, link.direction) == key]
    total = len(every)
    assert total > 120
    for offset in (0, total // 2, total - 7, total, total + 50):
        got = same(store, memory, partial(ask, node_id="ap-10", limit=20, offset=offset, only=key))
        assert got == reference(memory, "ap-10", 20, offset, key)
        (group,) = got["groups"]
        assert group["total"] == total and group["offset"] == offset
        assert [x["node"]["id"] for x in group["links"]] == [x.node.id for x in every[offset : offset + 20]]
    first = same(store, memory, lambda s: s.link_groups("ap-10", 20))
    assert first == reference(memory, "ap-10", 20)
    assert sum(g["total"] for g in first["groups"]) == len(memory.links("ap-10"))


@pytest.mark.parametrize("node_id", ["ap-17", "component-mrc", "pg-4"])
def test_groups_under_one_heading_page_as_one_list(store: GraphStore, memory_store: MemoryStore, node_id: str) -> None:
    # A page heads a few groups as one list (SUCCEEDS in and out: "Succeeds"): any groups of a node, a page of 2
    # at each offset, walk their concatenation in links order, one read per group a page reaches.
    every = store.links(node_id)
    keys: list[GroupKey] = sorted({(x.type, x.direction) for x in every}, key=lambda k: (k[1], k[0]))[:3]
    joined = [x for key in keys for x in every if (x.type, x.direction) == key]
    assert len(keys) > 1 and len(joined) > 4
    for offset in range(len(joined)):
        got = same(store, memory_store, partial(page_of, node_id=node_id, keys=keys, offset=offset))
        assert got[1] == dump(joined[offset : offset + 2]) and got[2] == len(joined)


def links_reference(store: GraphStore, node_id: str, rel_type: str | None, direction: Direction | None) -> list[object]:
    """What ``/nodes/{id}/links`` must list: every link of the node read whole, in links order, filtered."""
    return [
        link.model_dump(mode="json")
        for link in store.links(node_id)
        if (rel_type is None or link.type == rel_type) and (direction is None or link.direction == direction)
    ]


@pytest.mark.parametrize("one_read", [node_view.ONE_READ_LINKS, 0])
def test_a_page_of_a_nodes_links_is_its_links_read_whole(
    store: GraphStore, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch, one_read: int
) -> None:
    # ``/nodes/{id}/links`` (``links_page``): every node of the bundled dataset, unfiltered and by direction, type,
    # and type and direction (its first group's), pages that start inside a group and run over into the next, and
    # past the end; read in one go, and a group at a time. Each backend on its own run (the fixture's).
    monkeypatch.setattr(node_view, "ONE_READ_LINKS", one_read)
    asked = 0
    for ref in memory_store.nodes(None, None, 100_000, 0).items:
        kinds = sorted((c.type, c.direction) for c in memory_store.node(ref.id).link_counts)
        filters: list[tuple[str | None, Direction | None]] = [(None, None), (None, "in")]
        filters += [(kinds[0][0], None), kinds[0]] if kinds else []
        for rel_type, direction in filters:
            every = links_reference(memory_store, ref.id, rel_type, direction)
            for limit, offset in ((2, 1), (3, max(0, len(every) - 2)), (50, 0), (5, len(every))):
                shown, total = node_view.links_page(store, ref.id, rel_type, direction, limit, offset)
                want = every[offset : offset + limit]
                assert ([x.model_dump(mode="json") for x in shown], total) == (want, len(every)), (
                    ref.id,
                    rel_type,
                    direction,
                    limit,
                    offset,
                )
                asked += 1
    assert asked > 1000


@pytest.mark.parametrize("one_read", [node_view.ONE_READ_LINKS, 0])
def test_a_page_of_links_read_the_hubs_way_in_memory(
    bundled_graph: nx.MultiDiGraph, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch, one_read: int
) -> None:
    # A memory hub's links come from its kept order: with the threshold at 0 every bundled node is read that way.
    every = {
        (ref.id, rel_type): links_reference(memory_store, ref.id, rel_type, None)
        for ref in memory_store.nodes(None, None, 100_000, 0).items
        for rel_type in (None, "RESPONDS_TO")
    }
    hubs = MemoryStore(bundled_graph)
    monkeypatch.setattr(memory, "HUB_NEIGHBOURS", 0)
    monkeypatch.setattr(node_view, "ONE_READ_LINKS", one_read)
    for (node_id, rel_type), want in every.items():
        for limit, offset in ((1, 0), (2, 1), (50, 0), (3, max(0, len(want) - 2))):
            shown, total = node_view.links_page(hubs, node_id, rel_type, None, limit, offset)
            assert ([x.model_dump(mode="json") for x in shown], total) == (want[offset : offset + limit], len(want))


@pytest.mark.parametrize("one_read", [node_view.ONE_READ_LINKS, 0])
def test_a_busy_nodes_links_a_page_at_a_time(
    synth_stores: tuple[GraphStore, MemoryStore], monkeypatch: pytest.MonkeyPatch, one_read: int
) -> None:
    monkeypatch.setattr(node_view, "ONE_READ_LINKS", one_read)
    store, memory = synth_stores
    every = links_reference(memory, "ap-10", None, None)
    assert len(every) > 120
    for offset in (0, 37, len(every) // 2, len(every) - 7, len(every)):
        for backend in (store, memory):
            shown, total = node_view.links_page(backend, "ap-10", None, None, 20, offset)
            assert ([x.model_dump(mode="json") for x in shown], total) == (every[offset : offset + 20], len(every))
