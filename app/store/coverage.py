"""Coverage facts: every action point with its goal and responses, kept per loaded dataset.

They depend only on the dataset, so an adapter computes them once per dataset fingerprint (memory: once, the
graph never changes; Neo4j: again when the ``Dataset`` node's fingerprint changes, and every time while a
load is under way and the database has no fingerprint).
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from app.store.results import ActionPointFacts


class PerDataset:
    """The last answer computed, kept for as long as the dataset fingerprint stays the same."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._value: list[ActionPointFacts] = []

    def get(self, fingerprint: str | None, compute: Callable[[], list[ActionPointFacts]]) -> list[ActionPointFacts]:
        with self._lock:
            if fingerprint is not None and fingerprint == self._key:
                return list(self._value)
        value = compute()
        if fingerprint is not None:
            with self._lock:
                self._key, self._value = fingerprint, value
        return list(value)
