"""How many queries a headline request sends to Neo4j, counted at the driver: one, cold or warm, for today's
headline (the dataset version, the page, its totals and status read from what the load derived, together); as of
a day the answer is computed as before: the dataset and the material the first time, one once it is kept."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import neo4j
import pytest
from fastapi.testclient import TestClient

from benchmarks.round_trips import CountingDriver
from bpkg.app.api.main import create_app
from bpkg.app.at_load import AtLoad
from bpkg.app.store.neo4j import queries
from bpkg.app.store.neo4j.store import Neo4jStore
from bpkg.loaders import GraphBatch
from bpkg.loaders.neo4j_sink import write_batch
from tests.api.conftest import settings

pytestmark = pytest.mark.neo4j


@pytest.fixture
def counted(
    neo4j_bundled: neo4j.Driver, neo4j_settings: Any, bundled_batch: GraphBatch
) -> Iterator[tuple[TestClient, CountingDriver]]:
    # The same version again: nothing is written, and the headline is derived if an earlier load did not.
    write_batch(neo4j_bundled, bundled_batch, neo4j_settings.neo4j_database, derive=AtLoad())
    driver = CountingDriver(neo4j_bundled)
    store = Neo4jStore(cast(neo4j.Driver, driver), neo4j_settings.neo4j_database)
    with TestClient(create_app(settings(backend="neo4j"), store=store)) as client:
        yield client, driver
    store.outage.close()


def _sent(client: TestClient, driver: CountingDriver, url: str) -> int:
    driver.sent.clear()
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.json()["projects"], "the answer holds responses"
    return len(driver.sent)


@pytest.mark.parametrize(
    "url",
    [
        "/action-points/17/responses",
        "/action-points/6/responses?include_goal_level=true&limit=2&offset=1",
        "/action-points/6/responses?include_goal_level=true&confidence=illustrative&strength=partial",
    ],
)
def test_one_round_trip_per_headline_request(counted: tuple[TestClient, CountingDriver], url: str) -> None:
    client, driver = counted
    # Cold and warm alike: the derived page, its totals and the dataset version in one query.
    for _ in range(2):
        assert _sent(client, driver, url) == 1, driver.sent
        assert "Dataset" in driver.sent[0] and "HeadlineRow" in driver.sent[0]


def test_as_of_headline_is_computed_and_kept(counted: tuple[TestClient, CountingDriver]) -> None:
    client, driver = counted
    url = "/action-points/17/responses?include_goal_level=true&as_of=2022"
    # The first time: the dataset, the answer's material and today's answer to count what is left out, unless
    # an earlier test of this process already keeps them; then the read of the dataset only.
    assert _sent(client, driver, url) <= 3, driver.sent
    assert _sent(client, driver, url) == 1, driver.sent
    assert "Dataset" in driver.sent[0]


@pytest.mark.parametrize(
    "url", ["/view/node/ap-17", "/view/node/component-mrc", "/view/links/ap-17", "/view/links/ap-17?offset=1"]
)
def test_a_node_page_reads_a_page_of_each_group_of_links_once(
    counted: tuple[TestClient, CountingDriver], url: str
) -> None:
    client, driver = counted
    for _ in range(2):  # cold and warm alike
        driver.sent.clear()
        assert client.get(url).status_code == 200
        # The node, its groups' totals and one page of each in one read; never every link of the node.
        assert driver.sent.count(queries.NODE_LINK_GROUPS) == 1, driver.sent
        assert queries.NODE_LINKS not in driver.sent
        assert len(driver.sent) <= 12, driver.sent


@pytest.mark.parametrize("node_id", ["ap-17", "component-mrc", "country-pak"])
def test_a_node_is_counted_without_reading_its_links(counted: tuple[TestClient, CountingDriver], node_id: str) -> None:
    # ``/nodes/{id}`` (and the one-pagers) need the node's links counted, not read: one query, whatever its degree.
    client, driver = counted
    for _ in range(2):
        driver.sent.clear()
        response = client.get(f"/nodes/{node_id}")
        assert response.status_code == 200, response.text
        assert response.json()["link_counts"], "the node has links, counted"
        assert driver.sent.count(queries.NODE_COUNTED) == 1, driver.sent
        assert queries.NODE_LINKS not in driver.sent, driver.sent


@pytest.mark.parametrize("url", ["/nodes/ap-17/links?limit=3&offset=2", "/nodes/component-mrc/links?direction=in"])
def test_a_page_of_a_nodes_links_reads_the_groups_it_reaches(
    counted: tuple[TestClient, CountingDriver], url: str
) -> None:
    # ``/nodes/{id}/links`` reads a group at a time (``NODE_LINK_GROUPS``), never every link of the node.
    client, driver = counted
    driver.sent.clear()
    response = client.get(url)
    assert response.status_code == 200, response.text
    assert response.json()["items"]
    assert queries.NODE_LINK_GROUPS in driver.sent and queries.NODE_LINKS not in driver.sent, driver.sent
    if "direction" not in url:  # near the start of the whole list: every group's first links in one read
        assert driver.sent.count(queries.NODE_LINK_GROUPS) == 1, driver.sent


def test_a_node_page_as_of_a_day_reads_the_links_of_the_day(counted: tuple[TestClient, CountingDriver]) -> None:
    # As of a day the page keeps the slower path: today's node, then every link that may have existed then.
    client, driver = counted
    driver.sent.clear()
    assert client.get("/view/node/ap-17?as_of=2022").status_code == 200
    assert queries.NODE_LINKS in driver.sent and queries.NODE_LINK_GROUPS not in driver.sent, driver.sent


@pytest.mark.parametrize("url", ["/view/node/ap-17", "/view/node/component-mrc", "/view/links/ap-17?group=Part+of"])
def test_a_hubs_page_reads_as_often_as_any_nodes(
    counted: tuple[TestClient, CountingDriver], neo4j_settings: Any, url: str
) -> None:
    # Read the hub's way (the threshold at 0 makes every node a hub), a page sends the same queries, warm: one
    # NODE_LINK_GROUPS per group read, plus NODE_LINK_KINDS only where the schema's far labels leave the traces open.
    client, driver = counted
    client.get(url)
    driver.sent.clear()
    assert client.get(url).status_code == 200
    usual = list(driver.sent)
    hub_driver = CountingDriver(driver.driver)
    store = Neo4jStore(cast(neo4j.Driver, hub_driver), neo4j_settings.neo4j_database)
    store.hub_links = 0
    with TestClient(create_app(settings(backend="neo4j"), store=store)) as hub_client:
        hub_client.get(url)
        hub_driver.sent.clear()
        assert hub_client.get(url).status_code == 200
    store.outage.close()
    assert [q for q in hub_driver.sent if q != queries.NODE_LINK_KINDS] == usual
    assert hub_driver.sent.count(queries.NODE_LINK_KINDS) <= usual.count(queries.NODE_LINK_GROUPS)


@pytest.mark.parametrize("url", ["/view/node/ap-17", "/view/overview", "/view/trace/ap-17"])
def test_the_filter_forms_choices_are_read_once_per_dataset_version(
    counted: tuple[TestClient, CountingDriver], url: str
) -> None:
    # Every country and component the network's filter form offers depends on the dataset version only: a warm
    # page does not list them again (at 1M relationships that read was a quarter of a node page's time).
    client, driver = counted
    assert client.get(url).status_code == 200
    driver.sent.clear()
    page = client.get(url)
    assert page.status_code == 200
    assert queries.PAGE_NODE_REFS not in driver.sent, driver.sent
    assert 'name="country"' in page.text and 'name="component"' in page.text


def _second_answer(client: TestClient, driver: CountingDriver, url: str, part: str) -> list[str]:
    """The queries of the second request of ``url`` (the first has read what is kept per version)."""
    assert client.get(url).status_code == 200
    driver.sent.clear()
    response = client.get(url)
    assert response.status_code == 200 and response.json()[part], response.text
    return list(driver.sent)


def test_a_trace_is_one_walk_and_the_dataset_once_its_sources_are_read(
    counted: tuple[TestClient, CountingDriver],
) -> None:
    # The walk returns its start (no read of the node first); the sources its links cite are read once per
    # dataset version, then kept.
    client, driver = counted
    sent = _second_answer(client, driver, "/trace/activity-mrc-lahore?direction=up&depth=3", "edges")
    assert sorted(sent) == sorted([queries.DATASET, queries.TRACE_UP]), sent


def test_paths_read_their_ends_layers_and_details_not_each_node(counted: tuple[TestClient, CountingDriver]) -> None:
    client, driver = counted
    sent = _second_answer(client, driver, "/paths?from=activity-mrc-lahore&to=commitment-knowledge", "paths")
    assert queries.NODES_BY_ID not in sent, sent
    assert sent.count(queries.PATH_ENDS) == sent.count(queries.PATH_DETAILS) == 1, sent
    assert 1 <= sent.count(queries.PATH_LAYER) <= 6, sent
