"""The warm-up runner (bpkg.app.store.neo4j.warmup) and the breaker's hook that starts it, without a server."""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import partial

from bpkg.app.store.neo4j.store import Outage
from bpkg.app.store.neo4j.warmup import Read, Stop, Warmer

NAMES = ("a", "b", "c")


def reads(run: Callable[[str], None]) -> list[Read]:
    return [Read(name, partial(run, name)) for name in NAMES]


def test_a_warm_up_runs_every_read_and_records_failures_without_raising() -> None:
    def run(name: str) -> None:
        if name == "b":
            raise ValueError("no plan")

    warmer = Warmer(lambda: reads(run))
    warmer.start("connected")
    assert warmer.wait(10)
    (done,) = warmer.history
    assert (done.reason, done.ran, done.failed, done.stopped) == (
        "connected",
        ("a", "c"),
        (("b", "ValueError: no plan"),),
        False,
    )


def test_a_warm_up_stops_when_neo4j_is_gone() -> None:
    def run(name: str) -> None:
        if name == "b":
            raise Stop("connection refused")

    warmer = Warmer(lambda: reads(run))
    done = warmer.warm("reconnected")
    assert (done.ran, done.failed, done.stopped) == (("a",), (("b", "connection refused"),), True)


def test_a_start_during_a_warm_up_runs_one_more_afterwards_and_never_blocks() -> None:
    release = threading.Event()
    seen: list[str] = []

    def run(name: str) -> None:
        seen.append(name)
        release.wait(10)

    warmer = Warmer(lambda: reads(run))
    warmer.start("connected")
    warmer.start("reconnected")  # returns at once although the first warm-up is held
    warmer.start("reconnected")
    assert not warmer.wait(0.05)
    release.set()
    assert warmer.wait(10)
    assert [w.reason for w in warmer.history] == ["connected", "reconnected"]
    assert seen == ["a", "b", "c"] * 2


def test_a_closed_warmer_starts_nothing() -> None:
    warmer = Warmer(lambda: reads(lambda name: None))
    warmer.close()
    warmer.start("connected")
    assert warmer.wait(1) and list(warmer.history) == []


def test_the_breaker_calls_its_hook_when_it_closes() -> None:
    closed = threading.Event()
    outage = Outage(lambda: None, 0.01, on_close=closed.set)
    outage.trip("down")
    assert closed.wait(10)
    outage.check()  # closed: no error
    outage.close()
