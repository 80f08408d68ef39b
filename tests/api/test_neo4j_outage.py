"""Neo4j goes away and comes back: the API answers 503 meanwhile, then 200 again without a restart.

A second, throw-away Neo4j runs on a free port with its own state folder, so the shared server is
never touched.
"""

from __future__ import annotations

import os
import socket
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from app.api.main import create_app
from app.neo4j_driver import open_driver
from app.settings import Settings
from loaders import GraphBatch
from loaders.neo4j_sink import write_batch
from tests.api.conftest import settings
from tests.conftest import REQUIRE_NEO4J

SCRIPT = Path(__file__).resolve().parents[2] / "tools" / "neo4j" / "neo4j.sh"
PASSWORD = "outage-test-password"  # a throw-away local server's, not a secret


@dataclass
class Server:
    home: Path
    port: int

    def run(self, command: str, check: bool = True) -> None:
        env = {
            **os.environ,
            "NEO4J_PASSWORD": PASSWORD,
            "NEO4J_BOLT_PORT": str(self.port),
            "BPKG_NEO4J_HOME": str(self.home),
        }
        done = subprocess.run(
            ["bash", str(SCRIPT), command], env=env, capture_output=True, text=True, timeout=300, check=False
        )
        if done.returncode != 0 and check:
            message = f"neo4j.sh {command} failed: {done.stdout}{done.stderr}"
            if REQUIRE_NEO4J:
                pytest.fail(message)
            pytest.skip(message)

    @property
    def settings(self) -> Settings:
        return settings(backend="neo4j", neo4j_uri=f"bolt://127.0.0.1:{self.port}", neo4j_password=PASSWORD)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def second_neo4j(tmp_path_factory: pytest.TempPathFactory, bundled_batch: GraphBatch) -> Iterator[Server]:
    server = Server(home=tmp_path_factory.mktemp("neo4j-outage"), port=free_port())
    try:
        server.run("start")
        with open_driver(server.settings) as driver:
            write_batch(driver, bundled_batch, server.settings.neo4j_database)
        yield server
    finally:
        server.run("stop", check=False)  # also after a failed start, which may leave a process behind


@pytest.mark.neo4j
def test_503_while_neo4j_is_down_then_200_again(second_neo4j: Server) -> None:
    # The app opens its one driver in the lifespan, as ``bpkg serve --backend neo4j`` does.
    with TestClient(create_app(second_neo4j.settings)) as client:
        before = client.get("/action-points/17/responses")
        assert before.status_code == 200
        assert client.get("/health").json()["reachable"] is True

        second_neo4j.run("stop")
        down = client.get("/action-points/17/responses")
        assert down.status_code == 503
        assert down.json()["error"]["status"] == 503
        assert "Neo4j" in down.json()["error"]["message"]
        health = client.get("/health")
        assert health.status_code == 200
        assert (health.json()["reachable"], health.json()["status"]) == (False, "unavailable")

        second_neo4j.run("start")
        after = client.get("/action-points/17/responses")
        assert after.status_code == 200
        assert after.json() == before.json()
        assert client.get("/health").json()["reachable"] is True
