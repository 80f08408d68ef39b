"""How many queries a headline request sends to Neo4j, counted at the driver: one once the answer is kept for
the dataset version (the read of the dataset itself), two the first time (and the material of the answer)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, cast

import neo4j
import pytest
from fastapi.testclient import TestClient

from benchmarks.round_trips import CountingDriver
from bpkg.app.api.main import create_app
from bpkg.app.store.neo4j.store import Neo4jStore
from tests.api.conftest import settings

pytestmark = pytest.mark.neo4j


@pytest.fixture
def counted(neo4j_bundled: neo4j.Driver, neo4j_settings: Any) -> Iterator[tuple[TestClient, CountingDriver]]:
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
        "/action-points/17/responses?include_goal_level=true&as_of=2022",
    ],
)
def test_one_round_trip_per_headline_request(counted: tuple[TestClient, CountingDriver], url: str) -> None:
    client, driver = counted
    first = _sent(client, driver, url)
    # The first time: the dataset, the answer's material (and, as of a day, today's answer to count what is
    # left out), unless an earlier test of this process already keeps them.
    assert first <= (3 if "as_of" in url else 2), driver.sent
    assert _sent(client, driver, url) == 1, driver.sent
    assert "Dataset" in driver.sent[0]
