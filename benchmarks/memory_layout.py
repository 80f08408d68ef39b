"""Bytes per relationship of the memory backend, by structure, as resident memory growth over the process.

    python -m benchmarks.memory_layout DATASET [--trace]

``DATASET`` is a dataset folder (``bpkg synth /tmp/synth-100k --relationships 100000``). The script measures what
``bpkg serve`` keeps (``bpkg.app.api.main``): the resident set of this process (``/proc/self/statm``, after a full
collection) before the load, after validating the dataset (the batch: transient), after building the networkx
graph with the batch dropped, after building the store's indexes, and after deriving what the answers read
(``bpkg.app.services.derivation``). Each step's growth is printed per relationship; the total is the figure
issue 17 sets a target for (400 B/rel at 1M). What validation leaves behind (freed, but not given back to the
system) is counted in the graph's line: a server pays for it too.

With ``--trace`` the same steps run under ``tracemalloc`` (several times slower) and the figures are the bytes
Python still holds after each step, which does not count the allocator's fragmentation: the layout's own size.
Then each of the store's attributes is sized too (objects counted once, under the first structure that holds
them, in the order the store builds them). Not a test: it prints a table.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import os
import sys
import time
import tracemalloc
from collections.abc import Callable, Iterable
from pathlib import Path

from bpkg.app.services import dataset_cache
from bpkg.app.services.derivation import derive
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset
from bpkg.loaders.limits import Limits


def resident() -> int:
    """Bytes of this process's resident set (Linux), after a full collection."""
    gc.collect()
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE")


def deep_size(roots: Iterable[object], seen: set[int]) -> int:
    """Bytes of the objects reachable from ``roots`` not in ``seen`` (which it fills), by ``sys.getsizeof``:
    classes, modules and functions are not followed (they exist before the load)."""
    total = 0
    todo = list(roots)
    while todo:
        obj = todo.pop()
        if id(obj) in seen or isinstance(obj, type | type(sys) | Callable):
            continue
        seen.add(id(obj))
        total += sys.getsizeof(obj)
        todo.extend(gc.get_referents(obj))
    return total


def structures(store: MemoryStore) -> list[tuple[str, int]]:
    """Each attribute of the store with the bytes first reachable from it (the graph first)."""
    return structures_seen(store, {id(store)})


def census(roots: Iterable[object], seen: set[int]) -> dict[str, list[int]]:
    """Objects reachable from ``roots`` not in ``seen`` (which it fills), by kind: a model by its class, a
    container or string by what holds it (``dict of Response``: a response's field dict; ``list of dict of
    Response``: its lists, of which its path), each kind's [count, bytes]."""
    found: dict[str, list[int]] = {}
    todo: list[tuple[object, str]] = [(root, "root") for root in roots]
    while todo:
        obj, holder = todo.pop()
        if id(obj) in seen or isinstance(obj, type | type(sys) | Callable):
            continue
        seen.add(id(obj))
        name = type(obj).__name__
        kind = f"{name} of {holder}" if isinstance(obj, dict | list | tuple | set | frozenset | str) else name
        if isinstance(obj, list) and obj and type(obj[0]).__name__ == "Step":
            kind = "path (list of Step)"
        entry = found.setdefault(kind, [0, 0])
        entry[0] += 1
        entry[1] += sys.getsizeof(obj)
        todo.extend((child, kind if len(kind) < 40 else name) for child in gc.get_referents(obj))
    return found


def derived(store: MemoryStore, rels: int) -> None:
    """Print what the derivation keeps, by kind of answer, then the facts' objects by kind (counted after the
    store's structures, so the strings and lists the graph holds are not counted again)."""
    seen: set[int] = {id(store)}
    structures_seen(store, seen)
    kept = dataset_cache.held(store)
    print()
    print("| derived answer (dataset_cache, each object once) | MB | B/rel |")
    print("|---|---|---|")
    facts = kept.pop("facts", [])
    inner = set(seen)
    facts_size = deep_size(facts, inner)
    print(f"| facts | {facts_size / 1e6:.1f} | {facts_size / rels:,.0f} |")
    for kind, values in sorted(kept.items()):
        size = deep_size(values, inner)
        print(f"| {kind} | {size / 1e6:.1f} | {size / rels:,.0f} |")
    print()
    print("| the facts' objects, by kind | count | MB | B/rel |")
    print("|---|---|---|---|")
    kinds = census(facts, seen)
    for kind, (count, size) in sorted(kinds.items(), key=lambda kv: -kv[1][1])[:25]:
        print(f"| {kind} | {count:,} | {size / 1e6:.1f} | {size / rels:,.0f} |")


def structures_seen(store: MemoryStore, seen: set[int]) -> list[tuple[str, int]]:
    """``structures``, filling ``seen``."""
    out = [("graph (networkx)", deep_size([store.graph], seen))]
    for name, value in vars(store).items():
        if name != "graph":
            out.append((name, deep_size([value], seen)))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("dataset", type=Path)
    parser.add_argument("--trace", action="store_true", help="tracemalloc figures and sizes per structure")
    parser.add_argument("--no-derive", action="store_true", help="stop after the store's indexes")
    args = parser.parse_args(argv)

    def traced() -> int:
        gc.collect()
        return tracemalloc.get_traced_memory()[0]

    size: Callable[[], int] = resident
    if args.trace:
        tracemalloc.start()
        size = traced

    limits = Limits()
    limits = dataclasses.replace(limits, max_dataset_bytes=max(limits.max_dataset_bytes, 10**9))
    marks: list[tuple[str, int, float]] = [("before the load", size(), 0.0)]

    def mark(step: str, start: float) -> None:
        marks.append((step, size(), time.perf_counter() - start))

    start = time.perf_counter()
    batch = load_dataset(args.dataset, limits=limits)
    rels = len(batch.rels)
    mark("validated batch (transient)", start)
    start = time.perf_counter()
    graph = build_graph(batch)
    del batch
    mark("graph (batch dropped)", start)
    start = time.perf_counter()
    store = MemoryStore(graph)
    mark("store indexes", start)
    if not args.no_derive:
        start = time.perf_counter()
        derive(store)
        mark("derivations (facts, coverage, gaps)", start)
    how = "tracemalloc, bytes held" if args.trace else "resident set"
    print(f"{args.dataset}: {rels:,} relationships; {how}")
    print("| step | s | total MB | step MB | step B/rel | total B/rel |")
    print("|---|---|---|---|---|---|")
    base = marks[0][1]
    previous = base
    for step, held, seconds in marks:
        growth = held - previous
        print(
            f"| {step} | {seconds:.1f} | {(held - base) / 1e6:.0f} | {growth / 1e6:.0f} | "
            f"{growth / rels:,.0f} | {(held - base) / rels:,.0f} |"
        )
        if "transient" not in step:
            previous = held
    if args.trace:
        tracemalloc.stop()
        print()
        print("| structure (sys.getsizeof, each object once) | MB | B/rel |")
        print("|---|---|---|")
        for name, held in structures(store):
            print(f"| {name} | {held / 1e6:.1f} | {held / rels:,.0f} |")
        if not args.no_derive:
            derived(store, rels)
    return 0


if __name__ == "__main__":
    sys.exit(main())
