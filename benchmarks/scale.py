"""Figures at scale: generated datasets of 10k, 100k, 1M relationships on the memory and Neo4j backends.

    python -m benchmarks.scale --relationships 10000 [100000 ...] [--backends memory,neo4j] [--calls 50]

For each size: generate (``bpkg.loaders.synth``), validate, load (memory: build the graph and the store; Neo4j:
into an empty database, then again unchanged (the dataset's marker, confirmed by counts), unchanged with the
full compare of per-row hashes (the marker removed first), then with 1 % of the relationships changed),
memory held and bytes per relationship of the memory store, then per question through the REST API
(in-process ``TestClient``, JSON included): the first call (which computes what is cached per dataset),
then p50/p99 beside a raw baseline in the same run: a direct networkx call (memory) or one hand-written
Cypher query through the driver (Neo4j). Cold start is measured once, as the time from ``bpkg serve`` to
its first answer on the bundled dataset. Not a test: it prints tables.

Bounded for 1M: each question is timed for at most ``--calls`` calls and ``--budget`` seconds (after one
warm-up call), and the memory held is measured with ``tracemalloc`` up to ``--trace-up-to`` relationships
(tracemalloc slows building several times), above that as the growth of the resident set.

Neo4j settings come from the environment (``NEO4J_URI``, ``NEO4J_PASSWORD``...). The Neo4j database is
WIPED before each size: point it at a throwaway server.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import itertools
import logging
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

from bpkg.app.services.derivation import derive
from bpkg.app.settings import Settings
from bpkg.loaders import GraphBatch, Rel, build_graph, load_dataset, synth
from bpkg.loaders.limits import Limits

QUESTIONS: Final = {
    "headline": "/action-points/10/responses",
    "headline goal level, page 3": "/action-points/10/responses?include_goal_level=true&offset=100&limit=50",
    "headline, strength filter": "/action-points/10/responses?strength=partial",
    "trace up d3": "/trace/activity-synth-1?direction=up&depth=3",
    "trace down d3": "/trace/pg-1?direction=down&depth=3",
    "paths": "/paths?from=activity-synth-1&to=commitment-1",
    "coverage": "/coverage",
    "gaps": "/gaps",
    "matrix": "/matrix?rows=action_point&cols=component",
    "matrix page of 50": "/matrix?rows=action_point&cols=component&offset=100&limit=50",
    "matrix CSV": "/matrix?rows=action_point&cols=component&format=csv",
    "search": "/search?q=border",
    "view node": "/view/node/ap-10",
    # What any answer costs through the REST API (routing, a dataset check, validation, JSON): the floor under
    # every ratio against a hand-written query that skips all of it.
    "REST floor: health": "/health",
}
# Hand-written baselines per question, timed in the same run, interleaved call by call with the REST
# question: what an analyst would write in ten lines. Neo4j: the headline as one query returning every row
# with its component ("all rows") and as one returning the page of 50 with the total ("page of 50"); each
# trace as one directed variable-length pattern; paths as one ``shortestPath``.
RAW_CYPHER: Final[dict[str, dict[str, LiteralString]]] = {
    "headline": {
        "all-rows Cypher": "MATCH (:Entity {id: 'ap-10'})<-[r:RESPONDS_TO]-(x) "
        "OPTIONAL MATCH (x)-[p:PART_OF]->(c) RETURN x.id, x.name, properties(r), c.id",
        "page-of-50 Cypher": "MATCH (a:Entity {id: 'ap-10'}) "
        "CALL (a) { MATCH (a)<-[:RESPONDS_TO]-() RETURN count(*) AS total } "
        "CALL (a) { MATCH (a)<-[r:RESPONDS_TO]-(x) WITH r, x ORDER BY x.id LIMIT 50 "
        "OPTIONAL MATCH (x)-[:PART_OF]->(c) "
        "RETURN collect({id: x.id, name: x.name, props: properties(r), component: c.id}) AS page } "
        "RETURN total, page",
    },
    "trace up d3": {
        "directed [*1..3] Cypher": "MATCH (s:Entity {id: 'activity-synth-1'})-[*1..3]->(n) "
        "RETURN DISTINCT n.id, properties(n)"
    },
    "trace down d3": {
        "directed [*1..3] Cypher": "MATCH (s:Entity {id: 'pg-1'})<-[*1..3]-(n) RETURN DISTINCT n.id, properties(n)"
    },
    "paths": {
        "shortestPath Cypher": "MATCH (a:Entity {id: 'activity-synth-1'}), (b:Entity {id: 'commitment-1'}) "
        "MATCH p = shortestPath((a)-[*..6]-(b)) RETURN [n IN nodes(p) | n.id]",
        # What the answer holds: every shortest path (up to the page), with the nodes' and links' properties.
        "allShortestPaths Cypher": "MATCH (a:Entity {id: 'activity-synth-1'}), (b:Entity {id: 'commitment-1'}) "
        "MATCH p = allShortestPaths((a)-[*..6]-(b)) WITH p LIMIT 20 "
        "RETURN [n IN nodes(p) | properties(n)], [r IN relationships(p) | properties(r)]",
    },
}
Baselines = dict[str, dict[str, Callable[[], object]]]


@dataclasses.dataclass
class Row:
    size: int
    backend: str
    question: str
    p50: float
    p99: float
    baselines: dict[str, tuple[float, float]] = dataclasses.field(default_factory=dict)
    kb: float = 0.0
    first: float = 0.0
    calls: int = 0
    load: float = 0.0


def timed(
    calls: dict[str, Callable[[], object]], n: int, budget: float = float("inf")
) -> tuple[dict[str, tuple[float, float]], int]:
    """p50 and p99 in ms of each call, timed interleaved (one of each per round, so a busy moment of the
    shared machine hits all alike), for up to ``n`` rounds (fewer once ``budget`` seconds are spent), after
    up to 3 warm-up rounds (as many as fit in a tenth of the budget); and how many rounds were timed."""
    began = time.perf_counter()
    for _ in range(3):
        for call in calls.values():
            call()
        if time.perf_counter() - began > budget / 10:
            break
    samples: dict[str, list[float]] = {name: [] for name in calls}
    rounds = 0
    began = time.perf_counter()
    while rounds < n and (not rounds or time.perf_counter() - began < budget):
        for name, call in calls.items():
            start = time.perf_counter()
            call()
            samples[name].append((time.perf_counter() - start) * 1000)
        rounds += 1
    out = {}
    for name, values in samples.items():
        values.sort()
        out[name] = (statistics.median(values), values[min(len(values) - 1, int(len(values) * 0.99))])
    return out, rounds


def raw_memory(graph: nx.MultiDiGraph) -> Baselines:
    """The networkx scripts an analyst would write: a reverse walk over ``RESPONDS_TO`` and ``UNDER`` for
    the headline (every responder with its components), directed breadth-first walks for the traces, one
    bidirectional shortest path."""
    rev = graph.reverse(copy=False)

    def headline() -> object:
        rows = []
        targets = ["ap-10", *(g for _, g, k in graph.out_edges("ap-10", keys=True) if k == "UNDER")]
        for target in targets:
            for u, _, k, d in graph.in_edges(target, keys=True, data=True):
                if k == "RESPONDS_TO":
                    parts = [c for _, c, pk in graph.out_edges(u, keys=True) if pk == "PART_OF"]
                    rows.append((u, graph.nodes[u].get("name"), d, parts))
        rows.sort(key=lambda row: row[0])
        return rows

    undirected = graph.to_undirected(as_view=True)
    return {
        "headline": {"networkx script": headline},
        "trace up d3": {
            "networkx script": lambda: nx.single_source_shortest_path_length(graph, "activity-synth-1", cutoff=3)
        },
        "trace down d3": {"networkx script": lambda: nx.single_source_shortest_path_length(rev, "pg-1", cutoff=3)},
        "paths": {
            "networkx script": lambda: nx.bidirectional_shortest_path(undirected, "activity-synth-1", "commitment-1"),
            "networkx all shortest paths": lambda: list(
                itertools.islice(nx.all_shortest_paths(undirected, "activity-synth-1", "commitment-1"), 20)
            ),
        },
    }


def measure_api(
    store: Any, size: int, backend: str, calls: int, raw: Baselines, budget: float, only: list[str] | None = None
) -> list[Row]:
    from fastapi.testclient import TestClient

    from bpkg.app.api.main import create_app

    rows = []
    with TestClient(create_app(Settings(backend=backend), store=store)) as client:
        for name, url in QUESTIONS.items():
            if only and name not in only:
                continue
            start = time.perf_counter()
            response = client.get(url)
            first = time.perf_counter() - start
            print(f"  {size:,} {backend} {name}: first call {first:.1f} s, HTTP {response.status_code}", flush=True)
            if response.status_code != 200:
                print(f"  {name}: HTTP {response.status_code} {response.text[:200]}", file=sys.stderr)
                continue
            figures, n = timed({"project": partial(client.get, url), **raw.get(name, {})}, calls, budget)
            p50, p99 = figures.pop("project")
            rows.append(
                Row(
                    size,
                    backend,
                    name,
                    p50,
                    p99,
                    baselines=figures,
                    kb=len(response.content) / 1024,
                    first=first,
                    calls=n,
                    load=os.getloadavg()[0],
                )
            )
            # As it is measured: a run that dies later (at 1M, out of memory) keeps what it measured.
            against = ", ".join(f"{b}: {b50:.1f} ms ({p50 / b50:.2f}x)" for b, (b50, _) in figures.items())
            print(f"    REST p50 {p50:.1f} ms, p99 {p99:.1f} ms{'; ' + against if against else ''}", flush=True)
    return rows


def step(lines: list[str], line: str) -> None:
    """A line of the steps' table, printed as soon as it is measured (a run that dies later keeps it)."""
    lines.append(line)
    print(line, flush=True)


def resident() -> int:
    """Bytes of this process's resident set (Linux)."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def memory_size(batch: GraphBatch, trace: bool) -> tuple[float, int, str]:
    """Seconds to build graph and store, the bytes they hold, and how those were measured: what
    tracemalloc counts after a second build (``trace``), or the growth of the resident set in the first."""
    from bpkg.app.store.memory import MemoryStore

    gc.collect()
    before = resident()
    start = time.perf_counter()
    kept = MemoryStore(build_graph(batch))
    seconds = time.perf_counter() - start
    gc.collect()
    held, how = resident() - before, "resident set growth"
    del kept
    if trace:
        gc.collect()
        tracemalloc.start()
        kept = MemoryStore(build_graph(batch))
        held, _ = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        del kept
        how = "tracemalloc"
    return seconds, held, how


def changed(batch: GraphBatch, share: float) -> GraphBatch:
    step = max(1, int(1 / share))
    rels = [
        Rel(r.type, r.source, r.target, {**r.props, "note": "changed for the benchmark"}) if i % step == 0 else r
        for i, r in enumerate(batch.rels)
    ]
    return dataclasses.replace(batch, rels=rels)


def neo4j_part(
    batch: GraphBatch,
    size: int,
    calls: int,
    lines: list[str],
    budget: float,
    batch_size: int,
    only: list[str] | None = None,
) -> list[Row]:
    import neo4j

    from bpkg.app.at_load import AtLoad
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.app.store.neo4j import Neo4jStore
    from bpkg.loaders import neo4j_sink
    from bpkg.loaders.neo4j_sink import write_batch

    settings = Settings(backend="neo4j")
    with open_driver(settings) as driver:
        database = settings.neo4j_database
        with driver.session(database=database) as session:
            # Relationships first: DETACH DELETE of 5,000 nodes with their hubs' links exceeds a 1 GB heap.
            session.run("MATCH ()-[r]->() CALL (r) { DELETE r } IN TRANSACTIONS OF 10000 ROWS").consume()
            session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 5000 ROWS").consume()
        start = time.perf_counter()
        batch.fingerprint()
        step(lines, f"| {size:,} | fingerprint of the batch | {time.perf_counter() - start:.1f} s | |")
        some = changed(batch, 0.01)
        steps = (
            ("empty", batch, False),
            ("unchanged: fingerprint", batch, False),
            ("unchanged: full compare", batch, True),
            ("1 % changed", some, False),
        )
        for what, content, prune in steps:
            if what == "1 % changed":
                start = time.perf_counter()
                neo4j_sink.compare(driver, database, content, batch_size=batch_size)
                step(lines, f"| {size:,} | of which compare (id/hash pages) | {time.perf_counter() - start:.1f} s | |")
            if what == "unchanged: full compare":
                # A marker that disagrees: since issue 16 a prune trusts a marker its counts confirm.
                driver.execute_query("MATCH (d:Dataset) REMOVE d.fingerprint", database_=database)
            start = time.perf_counter()
            derivation = AtLoad()
            summary = write_batch(driver, content, database, prune=prune, batch_size=batch_size, derive=derivation)
            seconds = time.perf_counter() - start
            written = summary.rels.created + summary.rels.updated + summary.nodes.created + summary.nodes.updated
            step(
                lines,
                f"| {size:,} | Neo4j load ({what}) | {seconds:.1f} s | {len(batch.rels) / seconds:,.0f} rels/s, "
                f"{written:,} rows written |",
            )
            step(lines, f"| {size:,} | of which the headline's derivation | | {derivation.headline.report.line()} |")
            step(lines, f"| {size:,} | of which coverage and gaps kept | | {derivation.kept.report.line()} |")
        write_batch(driver, batch, database, batch_size=batch_size, derive=AtLoad())
        store = Neo4jStore(driver, database)
        # What a Neo4j-backed API does when it meets the version (bpkg/app/services/derivation.py, on its thread).
        start = time.perf_counter()
        derive(store)
        step(
            lines,
            f"| {size:,} | the API's derivation of the version (facts, coverage, gaps) | "
            f"{time.perf_counter() - start:.1f} s | |",
        )

        def raw_query(text: LiteralString) -> Callable[[], object]:
            return lambda: driver.execute_query(text, database_=database, routing_=neo4j.RoutingControl.READ)

        raw = {question: {k: raw_query(v) for k, v in texts.items()} for question, texts in RAW_CYPHER.items()}
        # The batch and its changed copy (millions of objects) live on in this process, not in a served one:
        # kept out of the cyclic collector's walks while the questions are timed, as `bpkg serve` keeps its
        # long-lived objects (bpkg.app.api.main.long_lived; on Neo4j, what its follower derives for each version,
        # bpkg.app.services.derivation.Follower), so a full collection's pause is not the batch's.
        gc.freeze()
        try:
            return measure_api(store, size, "neo4j", calls, raw, budget, only)
        finally:
            gc.unfreeze()


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
    parser.add_argument("--budget", type=float, default=60.0, help="seconds of timed calls per question at most")
    parser.add_argument("--trace-up-to", type=int, default=200_000, help="tracemalloc up to this many relationships")
    parser.add_argument("--batch-size", type=int, default=None, help="Neo4j rows per write transaction")
    parser.add_argument("--questions", nargs="*", default=None, help="only these questions (names of QUESTIONS)")
    args = parser.parse_args(argv)
    # The driver's notes on properties a first load has not written yet: not figures.
    logging.getLogger("neo4j.notifications").setLevel(logging.ERROR)
    backends = args.backends.split(",")
    print(f"machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    if not args.no_cold_start:
        print(f"cold start to first answer (bundled dataset, memory): {min(cold_start() for _ in range(3)):.2f} s")
    from bpkg.loaders.neo4j_sink import BATCH_SIZE

    batch_size = args.batch_size or BATCH_SIZE
    lines = ["| size | step | time | rate / size |", "|---|---|---|---|"]
    rows: list[Row] = []
    for size in args.relationships:
        with tempfile.TemporaryDirectory() as tmp:
            start = time.perf_counter()
            synth.write(Path(tmp), size, args.seed)
            step(lines, f"| {size:,} | generate | {time.perf_counter() - start:.1f} s | |")
            start = time.perf_counter()
            # 1M relationships come to about 130 MB of CSV, over the default bound on a dataset's size.
            limits = Limits()
            limits = dataclasses.replace(limits, max_dataset_bytes=max(limits.max_dataset_bytes, 200 * size))
            batch = load_dataset(tmp, limits=limits)
            step(lines, f"| {size:,} | validate | {time.perf_counter() - start:.1f} s | |")
        if "memory" in backends:
            from bpkg.app.api.main import long_lived
            from bpkg.app.store.memory import MemoryStore

            seconds, held, how = memory_size(batch, size <= args.trace_up_to)
            step(lines, f"| {size:,} | memory load (graph + indexes) | {seconds:.1f} s | |")
            step(
                lines, f"| {size:,} | memory held ({how}) | {held / 1e6:.0f} MB | {held / len(batch.rels):,.0f} B/rel |"
            )
            graph = build_graph(batch)
            served = MemoryStore(graph)
            start = time.perf_counter()
            # As `bpkg serve` does before it answers: derive, then move what lives as long as the process out of
            # the cyclic collector's reach (gc.freeze), so full collections do not walk it during the questions.
            long_lived(served)
            step(
                lines,
                f"| {size:,} | memory derivation at start (facts, coverage, gaps) | "
                f"{time.perf_counter() - start:.1f} s | |",
            )
            rows += measure_api(served, size, "memory", args.calls, raw_memory(graph), args.budget, args.questions)
            del served
            del graph
            gc.unfreeze()
            gc.collect()
        if "neo4j" in backends:
            rows += neo4j_part(batch, size, args.calls, lines, args.budget, batch_size, args.questions)
    print(f"load average (1, 5, 15 min) at the end: {', '.join(f'{x:.1f}' for x in os.getloadavg())}")
    print("\n".join(lines))
    print()
    print(
        "| size | backend | question | first call s | REST p50 ms | REST p99 ms | rounds | load avg "
        "| baseline | baseline p50 ms | baseline p99 ms | REST/baseline p50 | KB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        head = f"| {r.size:,} | {r.backend} | {r.question} | {r.first:.1f} | {r.p50:.1f} | {r.p99:.1f} | {r.calls} "
        head += f"| {r.load:.1f} "
        if not r.baselines:
            print(f"{head}| | | | | {r.kb:,.0f} |")
        for name, (b50, b99) in r.baselines.items():
            print(f"{head}| {name} | {b50:.1f} | {b99:.1f} | {r.p50 / b50:.2f} | {r.kb:,.0f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
