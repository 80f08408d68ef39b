"""What citing each row's sources costs a table download (issue 20): the same CSV and XLSX written without and
with the rows' sources, side by side.

For the bundled dataset and a generated one of ``--relationships`` links (memory; Neo4j too with ``--neo4j``, from
NEO4J_URI / NEO4J_PASSWORD, loading the bundled dataset first), it prints per table (action points, gaps,
coverage by goal and by component, the component matrix) the median time to build the file without sources,
with them, and their ratio, and the number of distinct sources the file cites. The answers themselves are
computed (and cached) before timing: what is timed is the file.

    .venv/bin/python -m benchmarks.table_sources [--relationships 20000] [--iterations 5] [--neo4j]
"""

from __future__ import annotations

import argparse
import functools
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Final, Literal

from bpkg.app.http.files import table_file
from bpkg.app.services import coverage, matrix, sheets
from bpkg.app.services.citations import Cited, row_sources
from bpkg.app.services.responses import list_action_points
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.loaders import build_graph, load_dataset, synth

Tables = dict[str, Callable[[GraphStore], Cited]]
TABLES: Final[Tables] = {
    "action points": lambda s: sheets.action_points(list_action_points(s, None, None, 500, 0)),
    "gaps": lambda s: sheets.gaps(coverage.gaps(s)),
    "coverage by goal": lambda s: sheets.coverage(coverage.coverage(s, "goal")),
    "coverage by component": lambda s: sheets.coverage(coverage.coverage(s, "component")),
    "matrix (components)": lambda s: matrix.table(matrix.matrix(s, "component")),
}


def _median(run: Callable[[], object], iterations: int) -> float:
    times = []
    for _ in range(iterations):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(label: str, store: GraphStore, iterations: int) -> None:
    print(f"\n{label}")
    print(f"{'table':24} {'fmt':4} {'rows':>6} {'plain ms':>9} {'cited ms':>9} {'ratio':>6} {'sources':>8}")
    for name, build in TABLES.items():
        cited = build(store)  # the answer, computed and cached once
        plain = (cited.header, cited.rows)
        fmt: Literal["csv", "xlsx"]
        for fmt in ("csv", "xlsx"):
            bare = _median(functools.partial(table_file, store, fmt, "t", plain, None), iterations)
            full = _median(functools.partial(table_file, store, fmt, "t", cited, None), iterations)
            sources = _cited(store, cited)
            print(
                f"{name:24} {fmt:4} {len(cited.rows):>6} {bare * 1000:>9.1f} {full * 1000:>9.1f} "
                f"{full / bare:>6.1f} {sources:>8}"
            )


def _cited(store: GraphStore, cited: Cited) -> int:
    rows, _ = row_sources(store, cited)
    return len({s for row in rows for s in row.ids})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--relationships", type=int, default=20_000, help="links of the generated dataset")
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--neo4j", action="store_true", help="also on Neo4j (loads the bundled dataset)")
    args = parser.parse_args()
    bundled = load_dataset()
    measure("bundled dataset, memory", MemoryStore(build_graph(bundled)), args.iterations)
    with tempfile.TemporaryDirectory() as folder:
        synth.write(Path(folder), args.relationships, 0)
        generated = load_dataset(folder)
    measure(f"generated dataset ({args.relationships:,} links), memory", MemoryStore(build_graph(generated)), 1)
    if args.neo4j:
        from bpkg.app.neo4j_driver import open_driver
        from bpkg.app.settings import Settings
        from bpkg.app.store.neo4j.store import Neo4jStore
        from bpkg.loaders.neo4j_sink import write_batch

        settings = Settings()
        with open_driver(settings) as driver:
            write_batch(driver, bundled, settings.neo4j_database)
            store = Neo4jStore(driver, settings.neo4j_database, timeout=settings.query_timeout)
            measure("bundled dataset, Neo4j", store, args.iterations)


if __name__ == "__main__":
    main()
