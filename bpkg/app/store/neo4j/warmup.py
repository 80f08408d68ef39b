"""Warming a cold Neo4j: each of the store's reads run once in the background, so their plans are cached.

After a start or a restart the server plans every query again (3.3 s for the trace query's first plan on a
loaded machine, 1 ms once cached), its compiled code and its page cache are gone: the first questions took
5-47 s (docs/performance.md, "restart"). Neo4j keeps the plan of a query under the exact query string and
its parameter types, so running the store's own constants once, with parameters that match next to
nothing, is enough to have them planned before (or while) the first questions come. Community Edition has
no page cache warm-up of its own (that setting is Enterprise-only).

The warm-up never blocks a request: it runs on a daemon thread with its own reads, and a request that
comes first plans its query itself, as without a warm-up.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

HISTORY: Final = 16
"""How many warm-ups the store remembers (newest last)."""


@dataclass(frozen=True, slots=True)
class Read:
    """One read to warm: a name to report, and the call that runs the store's query constant once with
    parameters that touch little."""

    name: str
    run: Callable[[], None]


@dataclass(frozen=True, slots=True)
class WarmUp:
    """What one warm-up did: why it ran, when (epoch seconds), how long it took, which reads ran and which
    failed (with the reason), and whether it stopped early because Neo4j went away again."""

    reason: str
    started: float
    took: float
    ran: tuple[str, ...]
    failed: tuple[tuple[str, str], ...]
    stopped: bool


class Warmer:
    """Runs the reads of ``reads()`` once each on a daemon thread when asked (``start``).

    A read's ``run`` returns normally, raises an exception that means this read failed (the
    warm-up goes on), or raises ``Stop`` when Neo4j is gone (the warm-up ends: the outage breaker starts a
    new one when Neo4j is back). A start while a warm-up runs asks for one more afterwards, so a restart
    in the middle of a warm-up is followed by a whole one.
    """

    def __init__(self, reads: Callable[[], Sequence[Read]]) -> None:
        self._reads = reads
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._again: str | None = None
        self._idle = threading.Event()
        self._idle.set()
        self._closed = False
        self.history: deque[WarmUp] = deque(maxlen=HISTORY)

    def start(self, reason: str) -> None:
        """Warm in the background (or once more after the running warm-up); returns at once."""
        with self._lock:
            if self._closed:
                return
            if self._thread is not None:
                self._again = reason
                return
            self._idle.clear()
            self._thread = threading.Thread(target=self._loop, args=(reason,), name="neo4j-warm-up", daemon=True)
            self._thread.start()

    def wait(self, timeout: float) -> bool:
        """Wait until no warm-up runs (True) or ``timeout`` seconds passed (False)."""
        return self._idle.wait(timeout)

    def close(self) -> None:
        """No new warm-up; a running one stops after its current read."""
        with self._lock:
            self._closed = True
            self._again = None

    def _loop(self, reason: str | None) -> None:
        while reason is not None:
            self.history.append(self.warm(reason))
            with self._lock:
                reason, self._again = self._again, None
                if reason is None:
                    self._thread = None
                    self._idle.set()

    def warm(self, reason: str) -> WarmUp:
        """Run every read once, in this thread; what it did."""
        started, begun = time.time(), time.monotonic()
        ran: list[str] = []
        failed: list[tuple[str, str]] = []
        stopped = False
        for read in self._reads():
            if self._closed:
                stopped = True
                break
            try:
                read.run()
            except Stop as exc:
                failed.append((read.name, str(exc)))
                stopped = True
                break
            except Exception as exc:  # a read that fails to warm is reported, not raised: no request waits on it
                failed.append((read.name, f"{type(exc).__name__}: {exc}"))
                continue
            ran.append(read.name)
        return WarmUp(reason, started, time.monotonic() - begun, tuple(ran), tuple(failed), stopped)


class Stop(Exception):
    """Raised by a warm-up read when Neo4j is gone: the rest of the warm-up is pointless."""
