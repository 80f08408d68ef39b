"""Time and memory of the linked-data and IATI exports on a synthetic dataset (``bpkg synth``).

    .venv/bin/python -m benchmarks.formats_export [--relationships 100000] [--seed 0]

In a temporary folder it writes a synthetic dataset, validates it once, then for each format streams the
export to a file, printing the seconds and the bytes written side by side with the GraphML export the product
already had (networkx), measured in the same run; with ``--memory``, a second pass gives the peak memory Python
allocated during each export (tracemalloc, which slows the code it watches). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

import networkx as nx

from bpkg.app.formats import iati, rdf
from bpkg.app.graphml_safe import graphml_ready
from bpkg.app.services.formats import batch_parts
from bpkg.loaders import build_graph, load_dataset
from bpkg.loaders.formats.vocab import base_of
from bpkg.loaders.synth import write


def _measure(
    name: str, out: Path, produce: Callable[[], Iterable[bytes] | None], memory: bool
) -> tuple[str, float, int, int]:
    if memory:
        tracemalloc.start()
    started = time.perf_counter()
    chunks = produce()
    if chunks is not None:
        with out.open("wb") as fh:
            for chunk in chunks:
                fh.write(chunk)
    seconds = time.perf_counter() - started
    peak = 0
    if memory:
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
    return name, seconds, out.stat().st_size, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--relationships", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--memory", action="store_true", help="also measure peak allocations (a second pass)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bpkg-formats-") as tmp:
        folder = Path(tmp) / "synth"
        write(folder, args.relationships, args.seed)
        started = time.perf_counter()
        batch = load_dataset(folder)
        print(
            f"dataset: {len(batch.nodes)} nodes, {len(batch.rels)} relationships "
            f"(validated in {time.perf_counter() - started:.1f} s)"
        )
        nodes, links = batch_parts(batch)
        base = base_of("")
        graph = build_graph(batch)

        def table(memory: bool) -> list[tuple[str, float, int, int]]:
            return [
                _measure(
                    "graphml (networkx, for comparison)",
                    Path(tmp) / "g.graphml",
                    lambda: nx.write_graphml(graphml_ready(graph), Path(tmp) / "g.graphml"),
                    memory,
                ),
                _measure(
                    "turtle", Path(tmp) / "g.ttl", lambda: rdf.serialise(rdf.blocks(nodes, links, base), "ttl"), memory
                ),
                _measure(
                    "json-ld",
                    Path(tmp) / "g.jsonld",
                    lambda: rdf.serialise(rdf.blocks(nodes, links, base), "jsonld"),
                    memory,
                ),
                _measure("iati xml", Path(tmp) / "g.xml", lambda: iati.write(nodes, links, "BPKG", base), memory),
            ]

        rows = table(False)
        peaks = [row[3] for row in table(True)] if args.memory else [0] * len(rows)
        triples = sum(len(pairs) for _, pairs in rdf.blocks(nodes, links, base))
        graphml_seconds = rows[0][1]
        print(f"RDF triples: {triples}")
        print(f"{'format':<36} {'seconds':>8} {'x graphml':>10} {'MB written':>11} {'peak MB (tracemalloc)':>22}")
        for (name, seconds, size, _), peak in zip(rows, peaks, strict=True):
            shown = f"{peak / 1e6:.1f}" if args.memory else "-"
            print(f"{name:<36} {seconds:>8.1f} {seconds / graphml_seconds:>10.2f} {size / 1e6:>11.1f} {shown:>22}")


if __name__ == "__main__":
    main()
