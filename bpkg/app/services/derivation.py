"""What the answers read, derived once per dataset version when the service meets it, not by a first question.

Every action point's facts (its responses direct and at goal level, its status and counts) feed coverage, gaps,
the list of action points, the matrix, the briefs and the timelines; the coverage rows (by each grouping) and the
gaps are derived from them with them. Built from every link of the graph, they
take seconds at 100k relationships and a minute at 1M: work that does not depend on the question. So:

- a memory server derives them when it loads its dataset, before it answers (``bpkg.app.api.main.long_lived``);
- a Neo4j server follows the database: a daemon thread reads the published version every few seconds
  (``Settings.derive_interval``) and derives for a version it has not derived yet, so the first question after
  a ``bpkg load`` finds the answer built, or waits for the one build under way (``dataset_cache``: one
  computation per version and key) instead of starting another.

What is derived lands in the one cache layer (``dataset_cache.per_dataset``), keyed by the dataset's fingerprint,
where the requests look for it.
"""

from __future__ import annotations

import gc
import logging
import threading
from collections.abc import Mapping
from typing import Final, get_args

from bpkg.app.services.coverage import CoverageBy, coverage, gaps, read_facts
from bpkg.app.services.dataset_cache import pin, pin_as
from bpkg.app.store.graph_types import DatasetOut
from bpkg.app.store.port import GraphStore

LOG: Final = logging.getLogger(__name__)


def derive(store: GraphStore) -> str | None:
    """Derive what the answers read for the store's current dataset version; the version's fingerprint (None
    while a load is under way, when nothing is kept)."""
    pinned = pin(store)
    return _derive(pinned, pinned.dataset_info())


def _derive(pinned: GraphStore, info: DatasetOut | None) -> str | None:
    # ``pinned`` reads the dataset once: every answer below is kept under that one version (on Neo4j, one
    # round trip instead of one per answer).
    if info is None or info.fingerprint is None:
        return None
    read_facts(pinned)
    for by in get_args(CoverageBy):
        coverage(pinned, by)
    gaps(pinned)
    return info.fingerprint


KEPT_KEYS: Final = (*(f"coverage:{by}" for by in get_args(CoverageBy)), "gaps")
"""The answers a Neo4j load keeps with its version (``bpkg.app.store.neo4j.keep``), by the key services read."""


def kept_answers(store: GraphStore, info: DatasetOut) -> Mapping[str, str]:
    """Today's coverage by each grouping and the gaps, as JSON, for the store as dataset version ``info`` shows it
    (a load computes them before it publishes the version: the store does not name the version yet)."""
    pinned = pin_as(store, info)
    kept = {f"coverage:{by}": coverage(pinned, by, kept=False).model_dump_json() for by in get_args(CoverageBy)}
    kept["gaps"] = gaps(pinned, kept=False).model_dump_json()
    return kept


class Follower:
    """Keeps the derivation of a store's current dataset version ready, on a daemon thread."""

    def __init__(self, store: GraphStore, interval: float) -> None:
        self._store = store
        self._interval = interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="bpkg-derive", daemon=True)
        self.derived: str | None = None
        """The fingerprint of the last version derived."""

    def start(self) -> None:
        self._thread.start()

    def check(self) -> bool:
        """Derive if the store holds a version not derived yet; whether it did."""
        pinned = pin(self._store)
        info = pinned.dataset_info()
        if info is None or info.fingerprint is None or info.fingerprint == self.derived:
            return False
        self.derived = _derive(pinned, info)
        # What is derived lives as long as its version is served: out of the collector's reach once made, as a
        # memory server's derivation is (``bpkg.app.api.main.long_lived``). Left tracked, every full collection
        # walked it again, during whichever request triggered one (at 1M relationships, 2.6 s). Frozen without a
        # collection first: one over the new version's objects held every request for 117 ms at 100k to find 60.
        gc.freeze()
        return self.derived is not None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.check()
            except Exception as exc:  # Neo4j down or a load under way: try again next time
                LOG.debug("derivation not done: %s", exc)
            self._stop.wait(self._interval)

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
