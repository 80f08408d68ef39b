"""Every way between two nodes (Connections) on the bundled dataset: what a page of ways costs on each backend,
side by side with networkx's all_simple_paths enumerating every way within the same bound.

For a few pairs and bounds it prints, per backend (memory always; Neo4j from NEO4J_URI / NEO4J_PASSWORD when it
holds the bundled dataset), the median time of the first page (10 ways), of the last page the store gives
(ways 491-500), and of the shortest paths; and, for memory, the time nx.all_simple_paths takes to list every way
(from which a sorted page could be cut) with the number of ways, and the ratio.

    .venv/bin/python -m benchmarks.ways [--load] [--iterations 5]
"""

from __future__ import annotations

import argparse
import functools
import time
from typing import Final

import networkx as nx

from benchmarks.as_of import _neo4j, median_ms
from bpkg.app.errors import BackendUnavailable
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.app.store.traversal import MAX_WAYS
from bpkg.loaders import build_graph, load_dataset

PAIRS: Final = (
    ("org-eu", "ap-17", 3),
    ("org-eu", "ap-17", 5),
    ("process-budapest", "ap-17", 5),
    ("activity-mrc-lahore", "commitment-knowledge", 5),
)


def timings(name: str, store: GraphStore, iterations: int) -> None:
    print(f"{name}:")
    for source, target, hops in PAIRS:
        first = median_ms(functools.partial(store.ways, source, target, hops, 10, 0), iterations)
        last = median_ms(functools.partial(store.ways, source, target, hops, 10, MAX_WAYS - 10), iterations)
        shortest = median_ms(functools.partial(store.paths, source, target, hops, 10), iterations)
        print(
            f"  {source} -> {target}, {hops} steps: first page {first:.1f} ms, ways {MAX_WAYS - 9}-{MAX_WAYS} "
            f"{last:.1f} ms, shortest paths {shortest:.1f} ms"
        )


def every_way(store: MemoryStore) -> None:
    print("memory, nx.all_simple_paths listing every way within the bound (one run):")
    for source, target, hops in PAIRS:
        start = time.perf_counter()
        count = len({tuple(p) for p in nx.all_simple_paths(store.graph.to_undirected(), source, target, hops)})
        whole = (time.perf_counter() - start) * 1000
        page = median_ms(functools.partial(store.ways, source, target, hops, 10, 0), 3)
        print(f"  {source} -> {target}, {hops} steps: {count} ways in {whole:.0f} ms; first page x{whole / page:.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--iterations", type=int, default=5)
    parser.add_argument("--load", action="store_true", help="load the bundled dataset into Neo4j first")
    args = parser.parse_args()
    batch = load_dataset()
    memory = MemoryStore(build_graph(batch))
    timings("memory", memory, args.iterations)
    every_way(memory)
    try:
        neo = _neo4j(batch, load=args.load)
    except BackendUnavailable as exc:
        print(f"neo4j: skipped ({exc})")
        return
    if neo is None:
        print("neo4j: skipped (it holds another dataset; --load replaces it with the bundled one)")
        return
    timings("neo4j", neo, args.iterations)


if __name__ == "__main__":
    main()
