"""Timelines, year at a time against one pass: what a timeline page's coverage costs (issue 16, item 5).

For each backend (memory always; Neo4j from NEO4J_URI / NEO4J_PASSWORD when it answers, after ``--load``
writes the datasets), the median time of a whole timeline (``timelines.timeline``) of a country and of a goal,
each year's coverage computed on its own (``one_pass=False``: ``read_facts`` as of each year-end, as before)
and in one pass (``Pass``: the store read once), and their ratio. On the bundled dataset, then on the same
with one event dated 50 years back linked to the country and to the goal, so that the timeline shows its
most years (``MAX_YEARS``). Every call is on a fresh store (answers are kept per store and day), after one
read of today's facts, which both ways share. Bounded: ``--rounds`` calls of each (default 3).

    .venv/bin/python -m benchmarks.timelines [--load] [--rounds 3]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import time
from collections.abc import Callable
from dataclasses import replace
from datetime import date
from typing import Final

from bpkg.app.errors import BackendUnavailable
from bpkg.app.services import coverage, timelines
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Label, RelType
from bpkg.loaders import GraphBatch, Node, Rel, build_graph, load_dataset

COUNTRY: Final = "country-pak"
GOAL: Final = "pg-4"
TODAY: Final = date(2026, 6, 30)
FAR: Final = "event-benchmark-far-past"


def far_past(batch: GraphBatch) -> GraphBatch:
    """The bundled dataset with one more event, 50 years back, in the country and discussing the goal."""
    source = next(n for n in batch.nodes if n.label == Label.SOURCE).id
    provenance = {"sources": [source], "confidence": "illustrative"}
    event = Node(Label.EVENT, FAR, {"id": FAR, "name": "A meeting long ago", "when": "1977", **provenance})
    rels = [
        Rel(RelType.IN_COUNTRY, FAR, COUNTRY, dict(provenance)),
        Rel(RelType.DISCUSSED, FAR, GOAL, dict(provenance)),
    ]
    return replace(batch, nodes=[*batch.nodes, event], rels=[*batch.rels, *rels])


def median_ms(fresh: Callable[[], GraphStore], node_id: str, one_pass: bool, rounds: int) -> tuple[float, int]:
    times, years = [], 0
    for _ in range(rounds):
        store = fresh()
        coverage.read_facts(store)  # today's facts: read by both ways, not what is compared
        start = time.perf_counter()
        found = timelines.timeline(store, node_id, TODAY, one_pass=one_pass)
        times.append(time.perf_counter() - start)
        years = len(found.years)
    return statistics.median(times) * 1000, years


def timings(name: str, fresh: Callable[[], GraphStore], rounds: int) -> None:
    for node_id in (COUNTRY, GOAL):
        before, years = median_ms(fresh, node_id, False, rounds)
        after, _ = median_ms(fresh, node_id, True, rounds)
        print(
            f"  {name}, timeline of {node_id} ({years} years): {before:.0f} ms year at a time, "
            f"{after:.0f} ms in one pass (x{before / after:.1f} faster)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--load", action="store_true", help="write each dataset into Neo4j before timing it there")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    bundled = load_dataset()
    cases = [("bundled", bundled), ("bundled + an event in 1977", far_past(bundled))]
    for name, batch in cases:
        graph = build_graph(batch)
        print(f"memory, {name}:")
        timings("memory", functools.partial(MemoryStore, graph), args.rounds)
    if not args.load:
        print("neo4j: skipped (--load writes each dataset into the Neo4j of NEO4J_URI, replacing what it holds)")
        return
    for name, batch in cases:
        try:
            fresh = _neo4j(batch)
        except BackendUnavailable as exc:
            print(f"neo4j: skipped ({exc})")
            return
        print(f"neo4j, {name}:")
        timings("neo4j", fresh, args.rounds)


def _neo4j(batch: GraphBatch) -> Callable[[], GraphStore]:
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.app.store.neo4j import Neo4jStore
    from bpkg.loaders.neo4j_sink import write_batch

    settings = Settings()
    driver = open_driver(settings)
    write_batch(driver, batch, settings.neo4j_database, prune=True)  # the far-past event goes again after it
    return lambda: Neo4jStore(driver, settings.neo4j_database, timeout=settings.query_timeout)


if __name__ == "__main__":
    main()
