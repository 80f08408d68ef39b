"""Neo4j goes away and comes back: the API answers 503 meanwhile (at once, with Retry-After, once the
outage is known), then 200 again within seconds, without a restart.

A second, throw-away Neo4j runs on a free port with its own state folder, so the shared server is
never touched.
"""

from __future__ import annotations

import gc
import os
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.neo4j_driver import open_driver
from bpkg.app.settings import Settings
from bpkg.loaders import GraphBatch
from bpkg.loaders.neo4j_sink import write_batch
from tests.api.conftest import settings
from tests.conftest import REQUIRE_NEO4J

# These tests stop Neo4j under the driver. A connection that dies with the server is dropped by the driver without
# its socket being closed; the socket sits in a cycle and is finalized (with a ResourceWarning, an error under this
# project's warning filters) whenever the cyclic collector next runs: in the middle of an assertion, or in whatever
# test runs then. Here that warning is expected: it is ignored for these tests, and each test collects its own
# before it ends (``driver_sockets_let_go``), so that none reaches another test.
pytestmark = pytest.mark.filterwarnings("ignore:unclosed <socket.socket:ResourceWarning")


@pytest.fixture(autouse=True)
def driver_sockets_let_go() -> Iterator[None]:
    yield
    gc.collect()


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


@dataclass
class Sample:
    at: float
    status: int
    took: float
    retry_after: str | None


class Poller:
    """Asks one data route over and over from a thread, recording when each answer came and how long it took."""

    def __init__(self, client: TestClient, path: str) -> None:
        self.client = client
        self.path = path
        self.samples: list[Sample] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            start = time.monotonic()
            response = self.client.get(self.path)
            end = time.monotonic()
            self.samples.append(Sample(end, response.status_code, end - start, response.headers.get("retry-after")))
            time.sleep(0.02)

    def __enter__(self) -> Poller:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)

    def first(self, status: int, after: float) -> Sample | None:
        return next((s for s in self.samples if s.status == status and s.at >= after), None)


def bolt_closes(port: int, found: list[float], stop: threading.Event) -> None:
    """Record in ``found`` when Bolt stops accepting connections (the stop script returns much later)."""
    while not stop.is_set():
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            found.append(time.monotonic())
            return
        time.sleep(0.02)


@pytest.mark.neo4j
def test_an_outage_is_admitted_while_it_lasts_and_answered_without_waiting(second_neo4j: Server) -> None:
    path = "/action-points/17/responses"
    with TestClient(create_app(second_neo4j.settings)) as client:
        assert client.get(path).status_code == 200
        closed: list[float] = []
        watching = threading.Event()
        watcher = threading.Thread(target=bolt_closes, args=(second_neo4j.port, closed, watching), daemon=True)
        with Poller(client, path) as poller:
            time.sleep(0.3)
            asked_to_stop = time.monotonic()
            watcher.start()
            second_neo4j.run("stop")  # returns once the server process has exited (a checkpoint first)
            watching.set()
            stopped = min([*closed, time.monotonic()])  # Bolt gone, or the process gone, whichever came first
            time.sleep(2.0)
            second_neo4j.run("start")  # returns once Bolt answers
            answering = time.monotonic()
            deadline = answering + 10
            while time.monotonic() < deadline and poller.first(200, answering) is None:
                time.sleep(0.05)

        first_503 = poller.first(503, asked_to_stop)
        assert first_503 is not None
        # Behaviour, not a speed target (the figures are printed below and by benchmarks/soak.py): the outage
        # is admitted while it lasts, not only after Neo4j is back.
        assert first_503.at < answering, (first_503.at - asked_to_stop, stopped - asked_to_stop)
        assert all(s.status == 200 for s in poller.samples if s.at < first_503.at)
        outage = [s for s in poller.samples if s.status == 503]
        assert len(outage) >= 10
        # Once the outage is known, every 503 is answered without waiting on Neo4j (no connection timeout, no
        # retries: a second is far above what that takes, and far below a timeout plus a retry) and says when
        # to retry.
        slow = [round(s.took, 3) for s in outage[1:] if s.took >= 1.0]
        assert slow == []
        assert all(s.retry_after == "1" for s in outage)
        # Nothing else: no 500. A 504 says a question passed its time limit: after the restart a cold server's
        # first query can, on a busy machine (issue 17, item 7: a slow query is not an outage), never before.
        assert {s.status for s in poller.samples} <= {200, 503, 504}
        assert all(s.at >= asked_to_stop for s in poller.samples if s.status == 504)
        back = poller.first(200, answering)
        assert back is not None and back.at - answering < 5.0, back
        print(
            f"\nfirst 503 {first_503.at - stopped:+.2f} s after Bolt closed ({first_503.at - asked_to_stop:.2f} s "
            f"after the stop began); {len(outage)} 503s, "
            f"slowest {max(s.took for s in outage):.3f} s; 200 again {back.at - answering:.2f} s after Bolt answered"
        )


QUESTION_KINDS = (
    "/health",
    "/stats",
    "/action-points/17/responses",
    "/action-points/17/responses?include_goal_level=true",
    "/action-points/17",
    "/trace/activity-mrc-lahore?direction=up&depth=4",
    "/trace/commitment-knowledge?direction=down&depth=2",
    "/paths?from=component-relec&to=commitment-knowledge",
    "/search?q=resource+centre",
    "/nodes?label=ActionPoint&limit=50",
    "/gaps",
    "/view/node/ap-17",
    "/view/search?q=lahore",
    "/view/label/Country",
)


@pytest.mark.neo4j
def test_a_restarted_neo4j_is_warmed_in_the_background_then_every_question_answers(second_neo4j: Server) -> None:
    with TestClient(create_app(second_neo4j.settings)) as client:
        store = client.app.state.store  # type: ignore[attr-defined]  # starlette's TestClient.app is ASGIApp
        assert store.warmer.wait(120)
        first = list(store.warmer.history)
        assert [w.reason for w in first] == ["connected"]
        reads = [r.name for r in store._warm_up_reads()]
        assert first[0].ran == tuple(reads) and not first[0].stopped, first[0].failed

        second_neo4j.run("stop")
        assert client.get("/action-points/17/responses").status_code == 503  # the breaker opens
        second_neo4j.run("start")
        deadline = time.monotonic() + 30
        while client.get("/health").json()["reachable"] is not True and time.monotonic() < deadline:
            time.sleep(0.1)
        # The breaker closed on its probe and started a warm-up of the restarted server; a request is
        # answered meanwhile (the warm-up runs beside it, never in front).
        assert client.get("/action-points/17/responses").status_code == 200
        assert store.warmer.wait(120)
        again = list(store.warmer.history)[len(first) :]
        assert again and again[-1].reason == "reconnected", again
        last = again[-1]
        # Every read was tried (none skipped: the warm-up was not stopped) and most ran; a read the server failed
        # (once seen on a loaded machine: "unexpected error" while a request planned the same query) is
        # recorded with its reason, not raised.
        assert not last.stopped and len(last.ran) > len(reads) // 2, last
        assert sorted([*last.ran, *(name for name, _ in last.failed)]) == sorted(reads), last
        assert [(path, client.get(path).status_code) for path in QUESTION_KINDS] == [
            (path, 200) for path in QUESTION_KINDS
        ]
        print(f"\nwarm-ups: {[(w.reason, round(w.took, 2), len(w.ran), w.failed) for w in store.warmer.history]}")
