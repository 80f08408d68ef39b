"""The headline question ("which projects respond to action point N") timed raw and through REST.

For each backend, in the same run, on the bundled dataset:

- raw: the store call the API makes (``MemoryStore.action_point`` / ``Neo4jStore.action_point``), plus a floor:
  one networkx look-up of the RESPONDS_TO edges, or one Cypher query doing the same through the driver;
- REST: ``GET /action-points/N/responses`` against ``bpkg serve`` running in its own process on
  127.0.0.1 (real uvicorn, real sockets), called with one keep-alive ``httpx.Client``. That includes
  the lookups, grouping, validation and JSON the API adds on top of the store call. The "REST floor"
  (an unknown route answered with a JSON 404) is what HTTP alone costs on this machine.

It prints p50 and p99 per measure and the ratio REST / raw (store call). Neo4j comes from NEO4J_URI /
NEO4J_PASSWORD; when it cannot be reached, or holds another dataset, that half is skipped with a note
(``--load`` loads the bundled dataset first, replacing what the database holds).

    .venv/bin/python -m benchmarks.headline [--ap 17] [--iterations 300]
"""

from __future__ import annotations

import argparse
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Final, LiteralString

import httpx
import neo4j

from bpkg.app.errors import BackendUnavailable
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import GraphBatch, build_graph, load_dataset

RESPONDERS_FLOOR: Final[LiteralString] = """
MATCH (r:Entity)-[l:RESPONDS_TO]->(ap:ActionPoint {id: $id})
RETURN r.id AS responder, properties(l) AS props
ORDER BY responder
"""
DATASET_FINGERPRINT: Final[LiteralString] = "MATCH (d:Dataset) RETURN d.fingerprint AS fp"


@dataclass
class Timing:
    backend: str
    measure: str
    samples: list[float]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples)

    @property
    def p99(self) -> float:
        ordered = sorted(self.samples)
        return ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def measure(backend: str, name: str, call: Callable[[], object], iterations: int, warmup: int) -> Timing:
    for _ in range(warmup):
        call()
    samples: list[float] = []
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    return Timing(backend, name, samples)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def bpkg_serve(*flags: str) -> Iterator[str]:
    """``bpkg serve`` in a child process on a free port; yields its base URL."""
    port = free_port()
    child = subprocess.Popen(
        [sys.executable, "-m", "bpkg.app.cli", "serve", "--port", str(port), *flags],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            if child.poll() is not None:
                raise RuntimeError(f"bpkg serve exited: {child.stderr.read() if child.stderr else ''}")
            try:
                httpx.get(f"{url}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.25)
        yield url
    finally:
        child.terminate()
        child.wait(timeout=30)


def rest(url: str, number: int, iterations: int, warmup: int, backend: str) -> list[Timing]:
    """The headline through HTTP, and the HTTP floor: an unknown route (a JSON 404, no store work)."""
    with httpx.Client(base_url=url, timeout=30) as client:

        def call() -> None:
            client.get(f"/action-points/{number}/responses").raise_for_status()

        def floor() -> None:
            assert client.get("/no-such-route").status_code == 404

        return [
            measure(backend, "REST floor: 404 route, no store", floor, iterations, warmup),
            measure(backend, "REST: uvicorn process + httpx", call, iterations, warmup),
        ]


def memory_half(batch: GraphBatch, number: int, iterations: int, warmup: int) -> list[Timing]:
    graph = build_graph(batch)
    store = MemoryStore(graph)
    ap = f"ap-{number}"

    def floor() -> object:
        return sorted(s for s, _, k in graph.in_edges(ap, keys=True) if k == "RESPONDS_TO")

    timings = [
        measure("memory", "floor: networkx in_edges", floor, iterations, warmup),
        measure("memory", "raw: MemoryStore.action_point", lambda: store.action_point(ap, False), iterations, warmup),
    ]
    with bpkg_serve("--backend", "memory") as url:
        timings += rest(url, number, iterations, warmup, "memory")
    return timings


def neo4j_half(batch: GraphBatch, number: int, iterations: int, warmup: int, load: bool) -> list[Timing]:
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.app.store.neo4j.store import Neo4jStore

    settings = Settings()
    try:
        driver = open_driver(settings)
    except BackendUnavailable as exc:
        print(f"\nNeo4j half skipped: {exc}")
        return []
    ap = f"ap-{number}"
    with driver:
        db = settings.neo4j_database
        records, _, _ = driver.execute_query(DATASET_FINGERPRINT, database_=db, routing_=neo4j.RoutingControl.READ)
        if [r["fp"] for r in records] != [batch.fingerprint()]:
            if not load:
                print(f"\nNeo4j half skipped: {settings.neo4j_uri} does not hold the bundled dataset (use --load)")
                return []
            from bpkg.loaders.neo4j_sink import write_batch

            write_batch(driver, batch, db, prune=True)
        store = Neo4jStore(driver, db, timeout=settings.query_timeout)

        def floor() -> object:
            found, _, _ = driver.execute_query(
                RESPONDERS_FLOOR, {"id": ap}, database_=db, routing_=neo4j.RoutingControl.READ
            )
            return found

        timings = [
            measure("neo4j", "floor: one Cypher query (driver)", floor, iterations, warmup),
            measure("neo4j", "raw: Neo4jStore.action_point", lambda: store.action_point(ap, False), iterations, warmup),
        ]
    with bpkg_serve("--backend", "neo4j") as url:
        timings += rest(url, number, iterations, warmup, "neo4j")
    return timings


def report(timings: list[Timing]) -> None:
    print(f"\n{'backend':<8} {'measure':<36} {'n':>5} {'p50 ms':>9} {'p99 ms':>9}")
    for t in timings:
        print(f"{t.backend:<8} {t.measure:<36} {len(t.samples):>5} {t.p50:>9.3f} {t.p99:>9.3f}")
    for backend in dict.fromkeys(t.backend for t in timings):
        by: dict[str, Timing] = {t.measure.split(":")[0]: t for t in timings if t.backend == backend}
        if "raw" in by and "REST" in by:
            raw, api = by["raw"], by["REST"]
            print(f"{backend}: REST / raw = {api.p50 / raw.p50:.1f}x at p50, {api.p99 / raw.p99:.1f}x at p99")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--ap", type=int, default=17, help="action point number (default 17)")
    parser.add_argument("--iterations", type=int, default=300, help="timed calls per measure (default 300)")
    parser.add_argument("--warmup", type=int, default=30, help="untimed calls first (default 30)")
    parser.add_argument("--load", action="store_true", help="load the bundled dataset into Neo4j if needed")
    args = parser.parse_args(argv)
    iterations = max(1, min(args.iterations, 5000))  # bounded
    batch = load_dataset()
    print(f"headline: GET /action-points/{args.ap}/responses on {batch.info.name} {batch.info.version}")
    print(f"{iterations} timed calls per measure after {args.warmup} warm-up calls; {os.cpu_count()} CPUs")
    timings: list[Timing] = memory_half(batch, args.ap, iterations, args.warmup)
    timings += neo4j_half(batch, args.ap, iterations, args.warmup, args.load)
    report(timings)
    return 0


if __name__ == "__main__":
    sys.exit(main())
