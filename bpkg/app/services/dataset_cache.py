"""Answers that depend only on the loaded dataset, kept in one place, and the dataset read once per request.

Every answer that depends on nothing but the dataset version (and a key: the question, the action point, the
day and plan of an answer as of a date) is computed once per store and dataset fingerprint and kept here:
coverage facts, coverage, gaps, the matrix, each action point's responses, the flow. The stores keep nothing.

A request sees one dataset version: ``pin`` gives it a view of the store whose ``dataset_info`` is read once
(on Neo4j a round trip) however many answers the request asks for; the answers are kept per underlying store.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, Final, Generic, TypeVar, cast

from pydantic import BaseModel

from bpkg.app.collector import cycles_left_alone
from bpkg.app.store.graph_types import DatasetOut
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema.asof import AsOf

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

MAX_KEPT: Final = 64
"""Answers kept per store and dataset (least recently asked dropped first): today's few, and those of the last
action points, days and plans asked for."""


class _Flight:
    """An answer being computed: later askers of the same version and key wait for it instead of computing it
    again (a first coverage after a load takes seconds; ten officers opening the page at once cost one)."""

    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.failed = False


class PerVersion(Generic[T]):
    """Answers computed once per dataset fingerprint and key, for the last ``size`` keys asked; with no
    fingerprint (a load under way) nothing is kept. The values are shared: callers must not change them.
    An answer is computed by one asker at a time; the others wait for it (and compute it themselves if that
    computation failed)."""

    def __init__(self, size: int = MAX_KEPT) -> None:
        self._lock = threading.Lock()
        self._size = size
        self._key: str | None = None
        self._values: OrderedDict[Hashable, T] = OrderedDict()
        self._flights: dict[tuple[str, Hashable], _Flight] = {}

    def get(self, fingerprint: str | None, key: Hashable, compute: Callable[[], T]) -> T:
        if fingerprint is None:
            with cycles_left_alone():
                return compute()
        while True:
            with self._lock:
                if fingerprint == self._key and key in self._values:
                    self._values.move_to_end(key)
                    return self._values[key]
                flight = self._flights.get((fingerprint, key))
                if flight is None:
                    flight = self._flights[(fingerprint, key)] = _Flight()
                    break
            flight.done.wait()
            if not flight.failed:
                return cast(T, flight.value)
            # The computation waited for failed: ask again (this asker may compute it now).
        try:
            with cycles_left_alone():
                flight.value = value = compute()
        except BaseException:
            flight.failed = True
            raise
        else:
            self._keep(fingerprint, key, value)
        finally:
            with self._lock:
                del self._flights[(fingerprint, key)]
            flight.done.set()
        return value

    def peek(self, fingerprint: str | None, key: Hashable) -> T | None:
        """The answer kept for ``key`` at ``fingerprint``, without computing it (None when it is not kept)."""
        with self._lock:
            if fingerprint is None or fingerprint != self._key:
                return None
            return self._values.get(key)

    def values(self) -> list[T]:
        """The answers kept, least recently asked first."""
        with self._lock:
            return list(self._values.values())

    def _keep(self, fingerprint: str, key: Hashable, value: T) -> None:
        with self._lock:
            if fingerprint != self._key:
                self._key, self._values = fingerprint, OrderedDict()
            self._values[key] = value
            self._values.move_to_end(key)
            while len(self._values) > self._size:
                self._values.popitem(last=False)


class _Pinned:
    """A store as one request sees it: every question goes through, the dataset is read once."""

    def __init__(self, origin: GraphStore) -> None:
        self.origin = origin
        self._info: tuple[DatasetOut | None] | None = None

    @property
    def backend(self) -> str:
        return self.origin.backend

    def dataset_info(self) -> DatasetOut | None:
        if self._info is None:
            self._info = (self.origin.dataset_info(),)
        return self._info[0]

    def __getattr__(self, name: str) -> Any:
        return getattr(self.origin, name)


def pin(store: GraphStore) -> GraphStore:
    """The store for one request: ``dataset_info`` read once, every other question passed through."""
    return cast(GraphStore, _Pinned(origin(store)))


def pin_as(store: GraphStore, info: DatasetOut) -> GraphStore:
    """The store as dataset version ``info`` shows it: what a load derives before it publishes that version
    (answers are kept under ``info.fingerprint``)."""
    pinned = _Pinned(origin(store))
    pinned._info = (info,)
    return cast(GraphStore, pinned)


def remember_dataset(store: GraphStore, info: DatasetOut | None) -> None:
    """The dataset as a question read it in its own round trip (the Neo4j headline): a request's view of the
    store that has not read the dataset yet keeps it, so that the request reads it no more."""
    if isinstance(store, _Pinned) and store._info is None:
        store._info = (info,)


def origin(store: GraphStore) -> GraphStore:
    """The store behind a request's view of it (the store itself when it is not one)."""
    return store.origin if isinstance(store, _Pinned) else store


_KEPT: weakref.WeakKeyDictionary[GraphStore, dict[str, PerVersion[Any]]] = weakref.WeakKeyDictionary()
_KEPT_LOCK = threading.Lock()


def per_dataset(store: GraphStore, key: tuple[str, ...], compute: Callable[[], T]) -> T:
    """The answer to ``key`` computed once per store and dataset fingerprint, shared between requests, so never
    to be changed by a caller. Without a fingerprint (Neo4j while a load is under way) it is computed afresh.

    Each kind of answer (the first part of ``key``: "facts", "coverage", "action-point"...) keeps its own last
    ``MAX_KEPT``: many action points asked do not push out the coverage, whose first computation is the
    longest."""
    info = store.dataset_info()
    with _KEPT_LOCK:
        kinds = _KEPT.setdefault(origin(store), {})
        kept = kinds.setdefault(key[0] if key else "", PerVersion())
    return cast(T, kept.get(info.fingerprint if info else None, key, compute))


def kept_already(store: GraphStore, key: tuple[str, ...]) -> Any:
    """What ``per_dataset`` keeps for ``key`` at the store's current dataset version, if some question has computed
    it already in this process; else None (nothing is computed)."""
    info = store.dataset_info()
    with _KEPT_LOCK:
        kept = _KEPT.get(origin(store), {}).get(key[0] if key else "")
    return kept.peek(info.fingerprint if info else None, key) if kept is not None else None


def held(store: GraphStore) -> dict[str, list[Any]]:
    """The answers kept for ``store`` (its current dataset version), by kind: what a measure of the memory they
    take walks (``benchmarks/memory_layout.py``)."""
    with _KEPT_LOCK:
        kinds = dict(_KEPT.get(origin(store), {}))
    return {kind: kept.values() for kind, kept in kinds.items()}


def kept_or_computed(store: GraphStore, key: str, model: type[M], compute: Callable[[], M]) -> M:
    """The answer the store kept under ``key`` for its current dataset version when the version was loaded
    (Neo4j: coverage and gaps; while a load is under way, the version published before it), else ``compute()``."""
    info = store.dataset_info()
    version = info.fingerprint or info.serving if info is not None else None
    if version is not None:
        text = store.kept_answer(version, key)
        if text is not None:
            return model.model_validate_json(text)
    return compute()


def day_key(as_of: AsOf | None, plan: str | None) -> tuple[str, ...]:
    """The part of a cache key that says which day and plan an answer is about (empty for today's), with the day
    as it was asked: an answer's account repeats it (``2021`` and ``2021-12-31`` are one day, two accounts)."""
    if as_of is None and plan is None:
        return ()
    return (as_of.iso if as_of is not None else "", as_of.text if as_of is not None else "", plan or "")
