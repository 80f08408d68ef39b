"""How many queries each kind of request sends to Neo4j, counted at the driver, on the bundled dataset.

For each URL, a fresh application over a fresh ``Neo4jStore`` whose driver counts every ``execute_query``;
the URL is asked three times: the first request finds nothing kept for the dataset version (cold), the next
two read what the first kept (warm). The headline's target is one round trip once warm (the dataset read).
Neo4j comes from NEO4J_URI / NEO4J_PASSWORD and must hold the bundled dataset (``bpkg load``).

    .venv/bin/python -m benchmarks.round_trips
"""

from __future__ import annotations

import warnings
from typing import Any, cast

import neo4j

from bpkg.app.api.main import create_app
from bpkg.app.neo4j_driver import open_driver
from bpkg.app.settings import Settings
from bpkg.app.store.neo4j.store import Neo4jStore

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

URLS = [
    "/action-points/17/responses",
    "/action-points/17/responses?include_goal_level=true&as_of=2022",
    "/action-points/6/responses?include_goal_level=true&limit=2&offset=1",
    "/action-points/17",
    "/coverage?by=goal",
    "/view/node/ap-17",
    "/view/node/component-mrc",
    "/view/links/ap-17?group=Responded+to+by",
    "/view/node/ap-17?as_of=2022",
]


class CountingDriver:
    """Sends every query on to the driver and remembers it; closing it leaves the driver open."""

    def __init__(self, driver: neo4j.Driver) -> None:
        self.driver = driver
        self.sent: list[str] = []

    def execute_query(self, query: Any, *args: Any, **kwargs: Any) -> Any:
        self.sent.append(query.text if isinstance(query, neo4j.Query) else str(query))
        return self.driver.execute_query(query, *args, **kwargs)

    def close(self) -> None:
        return None

    def __getattr__(self, name: str) -> Any:
        return getattr(self.driver, name)


def main() -> None:
    settings = Settings(backend="neo4j", api_keys="")
    with open_driver(settings) as real:
        print(f"{'request':70s} queries: cold, warm, warm")
        for url in URLS:
            driver = CountingDriver(real)
            store = Neo4jStore(cast(neo4j.Driver, driver), settings.neo4j_database)
            counts = []
            with TestClient(create_app(settings, store=store)) as client:
                for _ in range(3):
                    driver.sent.clear()
                    answer = client.get(url)
                    if answer.status_code != 200:
                        raise SystemExit(f"{url}: {answer.status_code} {answer.text[:200]}")
                    counts.append(len(driver.sent))
            store.outage.close()
            print(f"{url:70s} {counts[0]:>5} {counts[1]:>5} {counts[2]:>5}")


if __name__ == "__main__":
    main()
