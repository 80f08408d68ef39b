"""Coverage facts: every action point with its goal and responses, kept per loaded dataset (and day asked).

They depend only on the dataset (and, for answers as of a date, the day), so an adapter computes them once per
dataset fingerprint and day (memory: once per day, the graph never changes; Neo4j: again when the ``Dataset``
node's fingerprint changes, and every time while a load is under way and the database has no fingerprint).
The answers as of a date are kept for the last ``MAX_DAYS`` days asked, the answer without one always.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Final, Generic, TypeVar

from bpkg.app.store.question_types import ActionPointFacts

MAX_DAYS: Final = 8
"""How many days' answers as of a date a store keeps (least recently asked dropped first)."""


class PerDataset:
    """The answers computed, kept for as long as the dataset fingerprint stays the same: the one without a day,
    and those of the last ``MAX_DAYS`` days asked."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._key: str | None = None
        self._values: OrderedDict[str | None, list[ActionPointFacts]] = OrderedDict()

    def get(
        self, fingerprint: str | None, compute: Callable[[], list[ActionPointFacts]], day: str | None = None
    ) -> list[ActionPointFacts]:
        with self._lock:
            if fingerprint is not None and fingerprint == self._key and day in self._values:
                self._values.move_to_end(day)
                return list(self._values[day])
        value = compute()
        if fingerprint is not None:
            with self._lock:
                if fingerprint != self._key:
                    self._key, self._values = fingerprint, OrderedDict()
                self._values[day] = value
                self._values.move_to_end(day)
                days = [d for d in self._values if d is not None]
                for old in days[: max(0, len(days) - MAX_DAYS)]:
                    del self._values[old]
        return list(value)


T = TypeVar("T")

MAX_KEPT: Final = 64
"""How many answers per dataset a ``PerVersion`` keeps (least recently asked dropped first)."""


class PerVersion(Generic[T]):
    """Answers that depend only on the dataset version and a key (for example an action point's summarised
    response links), computed once per dataset fingerprint and kept for the last ``size`` keys asked; with no
    fingerprint (a load under way) nothing is kept. The values are shared: callers must not change them."""

    def __init__(self, size: int = MAX_KEPT) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._key: str | None = None
        self._values: OrderedDict[Hashable, T] = OrderedDict()

    def get(self, fingerprint: str | None, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if fingerprint is not None and fingerprint == self._key and key in self._values:
                self._values.move_to_end(key)
                return self._values[key]
        value = compute()
        if fingerprint is not None:
            with self._lock:
                if fingerprint != self._key:
                    self._key, self._values = fingerprint, OrderedDict()
                self._values[key] = value
                self._values.move_to_end(key)
                while len(self._values) > self._size:
                    self._values.popitem(last=False)
        return value
