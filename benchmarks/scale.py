"""Figures at scale: generated datasets of 10k, 100k, 1M relationships on the memory and Neo4j backends.

    python -m benchmarks.scale --relationships 10000 [100000 ...] [--backends memory,neo4j] [--calls 50]

For each size: generate (``loaders.synth``), validate, load (memory: build the graph and the store; Neo4j:
into an empty database, then again unchanged, then with 1 % of the relationships changed), peak memory
and bytes per relationship of the memory store, then p50/p99 per question through the REST API
(in-process ``TestClient``, JSON included) beside a raw baseline in the same run: a direct networkx call
(memory) or one hand-written Cypher query through the driver (Neo4j). Cold start is measured once, as the
time from ``bpkg serve`` to its first answer on the bundled dataset. Not a test: it prints tables.

Neo4j settings come from the environment (``NEO4J_URI``, ``NEO4J_PASSWORD``...). The Neo4j database is
WIPED before each size: point it at a throwaway server.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
import urllib.request
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any, Final, LiteralString

import networkx as nx

from app.settings import Settings
from loaders import GraphBatch, Rel, build_graph, load_dataset, synth

QUESTIONS: Final = {
    "headline": "/action-points/10/responses",
    "trace up d3": "/trace/activity-synth-1?direction=up&depth=3",
    "trace down d3": "/trace/pg-1?direction=down&depth=3",
    "paths": "/paths?from=activity-synth-1&to=commitment-1",
    "coverage": "/coverage",
    "gaps": "/gaps",
    "matrix": "/matrix?rows=action_point&cols=component",
    "search": "/search?q=border",
    "view node": "/view/node/ap-10",
}
# One hand-written Cypher query per question: what the driver alone costs.
RAW_CYPHER: Final[dict[str, LiteralString]] = {
    "headline": "MATCH (:Entity {id: 'ap-10'})<-[r:RESPONDS_TO]-(x) "
    "OPTIONAL MATCH (x)-[p:PART_OF]->(c) RETURN x.id, x.name, properties(r), c.id",
    "trace up d3": "MATCH (s:Entity {id: 'activity-synth-1'})-[*1..3]->(n) RETURN DISTINCT n.id, properties(n)",
    "trace down d3": "MATCH (s:Entity {id: 'pg-1'})<-[*1..3]-(n) RETURN DISTINCT n.id, properties(n)",
    "paths": "MATCH (a:Entity {id: 'activity-synth-1'}), (b:Entity {id: 'commitment-1'}) "
    "MATCH p = allShortestPaths((a)-[*..6]-(b)) RETURN [n IN nodes(p) | n.id] LIMIT 5",
}


@dataclasses.dataclass
class Row:
    size: int
    backend: str
    question: str
    p50: float
    p99: float
    raw_p50: float | None = None
    raw_p99: float | None = None
    kb: float = 0.0


def timed(call: Callable[[], object], n: int) -> tuple[float, float]:
    """p50 and p99 in ms of ``n`` calls after 3 warm-up calls."""
    for _ in range(3):
        call()
    samples = []
    for _ in range(n):
        start = time.perf_counter()
        call()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, int(len(samples) * 0.99))]


def raw_memory(graph: nx.MultiDiGraph) -> dict[str, Callable[[], object]]:
    rev = graph.reverse(copy=False)
    return {
        "headline": lambda: [
            (u, d, list(graph.successors(u))) for u, _, k, d in graph.in_edges("ap-10", keys=True, data=True)
        ],
        "trace up d3": lambda: nx.single_source_shortest_path_length(graph, "activity-synth-1", cutoff=3),
        "trace down d3": lambda: nx.single_source_shortest_path_length(rev, "pg-1", cutoff=3),
        "paths": lambda: list(
            nx.all_shortest_paths(graph.to_undirected(as_view=True), "activity-synth-1", "commitment-1")
        )[:5],
    }


def measure_api(store: Any, size: int, backend: str, calls: int, raw: dict[str, Callable[[], object]]) -> list[Row]:
    from fastapi.testclient import TestClient

    from app.api.main import create_app

    rows = []
    with TestClient(create_app(Settings(backend=backend), store=store)) as client:
        for name, url in QUESTIONS.items():
            response = client.get(url)
            if response.status_code != 200:
                print(f"  {name}: HTTP {response.status_code} {response.text[:200]}", file=sys.stderr)
                continue
            p50, p99 = timed(partial(client.get, url), calls)
            row = Row(size, backend, name, p50, p99, kb=len(response.content) / 1024)
            if name in raw:
                row.raw_p50, row.raw_p99 = timed(raw[name], calls)
            rows.append(row)
    return rows


def memory_size(batch: GraphBatch) -> tuple[float, int]:
    """Seconds to build graph and store, and the bytes they hold (tracemalloc peak, measured apart)."""
    from app.store.memory import MemoryStore

    start = time.perf_counter()
    MemoryStore(build_graph(batch))
    seconds = time.perf_counter() - start
    gc.collect()
    tracemalloc.start()
    kept = MemoryStore(build_graph(batch))
    current, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    del kept
    return seconds, current


def changed(batch: GraphBatch, share: float) -> GraphBatch:
    step = max(1, int(1 / share))
    rels = [
        Rel(r.type, r.source, r.target, {**r.props, "note": "changed for the benchmark"}) if i % step == 0 else r
        for i, r in enumerate(batch.rels)
    ]
    return dataclasses.replace(batch, rels=rels)


def neo4j_part(batch: GraphBatch, size: int, calls: int, lines: list[str]) -> list[Row]:
    import neo4j

    from app.neo4j_driver import open_driver
    from app.store.neo4j import Neo4jStore
    from loaders.neo4j_sink import write_batch

    settings = Settings(backend="neo4j")
    with open_driver(settings) as driver:
        database = settings.neo4j_database
        with driver.session(database=database) as session:
            # Relationships first: DETACH DELETE of 5,000 nodes with their hubs' links exceeds a 1 GB heap.
            session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        for what, content in (("empty", batch), ("unchanged", batch), ("1 % changed", changed(batch, 0.01))):
            start = time.perf_counter()
            write_batch(driver, content, database)
            seconds = time.perf_counter() - start
            lines.append(
                f"| {size:,} | Neo4j load ({what}) | {seconds:.1f} s | {len(batch.rels) / seconds:,.0f} rels/s |"
            )
        write_batch(driver, batch, database)
        store = Neo4jStore(driver, database)

        def raw_query(text: LiteralString) -> Callable[[], object]:
            return lambda: driver.execute_query(text, database_=database, routing_=neo4j.RoutingControl.READ)

        return measure_api(store, size, "neo4j", calls, {k: raw_query(v) for k, v in RAW_CYPHER.items()})


def cold_start() -> float:
    """Seconds from starting ``bpkg serve`` (bundled dataset, memory) to its first answer."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    bpkg = Path(sys.executable).with_name("bpkg")
    start = time.perf_counter()
    proc = subprocess.Popen(
        [str(bpkg), "serve", "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while time.perf_counter() - start < 60:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/action-points/17/responses", timeout=1):
                    return time.perf_counter() - start
            except OSError:
                time.sleep(0.02)
        return float("nan")
    finally:
        proc.terminate()
        proc.wait()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--relationships", type=int, nargs="+", default=[10_000])
    parser.add_argument("--backends", default="memory,neo4j")
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-cold-start", action="store_true")
    args = parser.parse_args(argv)
    backends = args.backends.split(",")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if not args.no_cold_start:
        print(f"cold start to first answer (bundled dataset, memory): {min(cold_start() for _ in range(3)):.2f} s")
    lines = ["| size | step | time | rate / size |", "|---|---|---|---|"]
    rows: list[Row] = []
    for size in args.relationships:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            synth.write(Path(tmp), size, args.seed)
            lines.append(f"| {size:,} | generate | {time.perf_counter() - start:.1f} s | |")
            start = time.perf_counter()
            batch = load_dataset(tmp)
            lines.append(f"| {size:,} | validate | {time.perf_counter() - start:.1f} s | |")
        if "memory" in backends:
            from app.store.memory import MemoryStore

            seconds, held = memory_size(batch)
            lines.append(f"| {size:,} | memory load (graph + indexes) | {seconds:.1f} s | |")
            lines.append(f"| {size:,} | memory held | {held / 1e6:.0f} MB | {held / len(batch.rels):,.0f} B/rel |")
            graph = build_graph(batch)
            rows += measure_api(MemoryStore(graph), size, "memory", args.calls, raw_memory(graph))
        if "neo4j" in backends:
            rows += neo4j_part(batch, size, args.calls, lines)
    print("\n".join(lines))
    print()
    print("| size | backend | question | REST p50 ms | REST p99 ms | raw p50 ms | raw p99 ms | REST/raw p50 | KB |")
    print("|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        raw = f"{r.raw_p50:.1f} | {r.raw_p99:.1f} | {r.p50 / r.raw_p50:.1f}" if r.raw_p50 else " | | "
        print(f"| {r.size:,} | {r.backend} | {r.question} | {r.p50:.1f} | {r.p99:.1f} | {raw} | {r.kb:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
