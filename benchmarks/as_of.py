"""Answers as of a date on the bundled dataset: the figures, and what asking as of a day costs.

For each backend (memory always; Neo4j from NEO4J_URI / NEO4J_PASSWORD when it answers and holds the bundled
dataset, or after ``--load``), it prints the coverage of the Call for Action 2019 as of the end of 2020, 2022
and 2024 and today (the plan in force on the day; today with ``plan=`` the 2019 plan, which has ended), with
each answer's account; then the median time of a trace, the responses to one action point and the (uncached)
coverage facts, without and with ``as_of``, and their ratio.

    .venv/bin/python -m benchmarks.as_of [--load] [--iterations 50]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from datetime import date
from typing import Final

from bpkg.app.errors import BackendUnavailable
from bpkg.app.services import coverage
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema.asof import AsOf, parse_as_of
from bpkg.loaders import GraphBatch, build_graph, load_dataset

PLAN: Final = "plan-call-for-action-2019"
DAYS: Final = ("2020-12-31", "2022-12-31", "2024-12-31")


def figures(store: GraphStore) -> None:
    today = parse_as_of(date.today().isoformat())
    asks: list[tuple[str, AsOf, str | None]] = [(d, parse_as_of(d), None) for d in DAYS]
    asks += [(f"{today.iso} (today)", today, None), (f"{today.iso} (today, plan={PLAN})", today, PLAN)]
    for label, as_of, plan in asks:
        found = coverage.coverage(store, "goal", as_of=as_of, plan=plan)
        s = found.summary
        told = found.as_of
        assert told is not None
        print(
            f"  {label}: {s.covered} of {s.action_points} action points responded to directly "
            f"({s.share_covered:.1%}); goal only {s.goal_only}, gaps {s.gap}"
        )
        print(f"    {told.sentence}")
    s = coverage.coverage(store, "goal").summary
    print(f"  without as_of: {s.covered} of {s.action_points} ({s.share_covered:.1%})")


def median_ms(call: Callable[[], object], iterations: int) -> float:
    call()
    times = []
    for _ in range(iterations):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def timings(store: GraphStore, iterations: int, fresh: Callable[[], GraphStore]) -> None:
    day = parse_as_of("2022-12-31")
    cases: list[tuple[str, Callable[[GraphStore, AsOf | None], object]]] = [
        ("trace ap-17 both depth 3", lambda s, a: s.trace("ap-17", "both", 3, None, a)),
        ("responses ap-17 (+goal)", lambda s, a: s.action_point("ap-17", True, a)),
        (
            "paths mrc-lahore -> commitment",
            lambda s, a: s.paths("activity-mrc-lahore", "commitment-knowledge", 4, 10, a),
        ),
    ]
    for name, ask in cases:
        plain = median_ms(functools.partial(ask, store, None), iterations)
        dated = median_ms(functools.partial(ask, store, day), iterations)
        print(f"  {name}: {plain:.2f} ms without, {dated:.2f} ms as of {day.iso} (x{dated / plain:.2f})")
    # Coverage facts are cached per dataset (and day): time a first read on a fresh store each time.
    rounds = max(3, iterations // 10)
    plain = median_ms(lambda: fresh().action_point_facts(), rounds)
    dated = median_ms(lambda: fresh().action_point_facts(day), rounds)
    print(f"  coverage facts, uncached: {plain:.1f} ms without, {dated:.1f} ms as of (x{dated / plain:.2f})")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--load", action="store_true", help="load the bundled dataset into Neo4j first")
    parser.add_argument("--iterations", type=int, default=50)
    args = parser.parse_args()
    batch: GraphBatch = load_dataset()
    graph = build_graph(batch)
    memory = MemoryStore(graph)
    print("memory:")
    figures(memory)
    timings(memory, args.iterations, lambda: MemoryStore(graph))
    try:
        neo = _neo4j(batch, args.load)
    except BackendUnavailable as exc:
        print(f"neo4j: skipped ({exc})")
        return
    if neo is None:
        print("neo4j: skipped (it holds another dataset; --load replaces it with the bundled one)")
        return
    print("neo4j:")
    figures(neo)
    timings(neo, args.iterations, lambda: _neo4j_store(neo))


def _neo4j(batch: GraphBatch, load: bool) -> GraphStore | None:
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.app.store.neo4j import Neo4jStore
    from bpkg.loaders.neo4j_sink import write_batch

    settings = Settings()
    driver = open_driver(settings)
    if load:
        write_batch(driver, batch, settings.neo4j_database)
    store = Neo4jStore(driver, settings.neo4j_database, timeout=settings.query_timeout)
    info = store.dataset_info()
    return store if info is not None and info.fingerprint == batch.fingerprint() else None


def _neo4j_store(store: GraphStore) -> GraphStore:
    from bpkg.app.store.neo4j import Neo4jStore

    assert isinstance(store, Neo4jStore)
    return Neo4jStore(store.driver, store.database, timeout=store.timeout)


if __name__ == "__main__":
    main()
