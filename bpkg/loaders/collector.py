"""Python's cyclic garbage collector paused while long-lived answers are built.

Building every action point's facts (and what is derived from them) makes hundreds of thousands of small objects
that live on, none of them in a cycle; each full collection the allocations trigger walks all of them again (at
100k relationships the first coverage took 10-17 s with the collector and 4.5-4.8 s without it, see
docs/performance.md). Used by the validation of a dataset (``bpkg.loaders.dataset``), the services' cache of
answers per dataset version and the derivation written at load (through ``bpkg.app.collector``): one pause for them
all, so that one ending does not turn the collector back on under another, or leave it off for good.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TypeVar

T = TypeVar("T")

_PAUSE_LOCK = threading.Lock()
_pauses = 0
_resume = False


@contextmanager
def cycles_left_alone() -> Iterator[None]:
    """The cyclic collector paused for the block. Nested and concurrent blocks share one pause; the collector
    comes back, as it was, when the last one ends. Reference counting still frees what is dropped meanwhile."""
    global _pauses, _resume
    with _PAUSE_LOCK:
        if _pauses == 0:
            _resume = gc.isenabled()
            gc.disable()
        _pauses += 1
    try:
        yield
    finally:
        with _PAUSE_LOCK:
            _pauses -= 1
            if _pauses == 0 and _resume:
                gc.enable()


def lasting(make: Callable[[], T]) -> T:
    """What ``make`` builds, to live as long as the process (a memory store's structure made the first time a
    question needs it): built with the collector paused, then the garbage of the moment collected and every object
    tracked now moved out of the collector's reach (``gc.freeze``), as a memory server does with its graph before
    it answers. Left tracked, each full collection walks it again: at 100k relationships, with the busiest action
    point's headline derived, trace down's p99 over 200 requests was 46 ms, against 27 ms with it frozen (55 full
    collections in those requests)."""
    with cycles_left_alone():
        made = make()
    gc.collect()
    gc.freeze()
    return made
