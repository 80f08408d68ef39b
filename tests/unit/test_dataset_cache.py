"""What the services keep per dataset version: computed once per fingerprint and key, again after a new load;
and one request's view of a store reads the dataset once."""

from __future__ import annotations

import functools
import gc
import threading

import pytest

from bpkg.app.collector import cycles_left_alone
from bpkg.app.services.dataset_cache import MAX_KEPT, PerVersion, held, origin, per_dataset, pin
from bpkg.app.store.graph_types import DatasetOut
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset


def test_kept_per_fingerprint_and_key() -> None:
    kept: PerVersion[list[str]] = PerVersion(size=2)
    calls: list[str] = []

    def compute(value: str) -> list[str]:
        calls.append(value)
        return [value]

    assert kept.get("v1", "ap-1", lambda: compute("a")) == ["a"]
    assert kept.get("v1", "ap-1", lambda: compute("b")) == ["a"]  # kept: not computed again
    assert kept.get("v1", "ap-2", lambda: compute("c")) == ["c"]
    assert kept.get("v2", "ap-1", lambda: compute("d")) == ["d"]  # a new load: everything again
    assert kept.get("v2", "ap-1", lambda: compute("e")) == ["d"]
    assert calls == ["a", "c", "d"]


def test_nothing_kept_without_a_fingerprint() -> None:
    kept: PerVersion[int] = PerVersion()
    assert kept.get(None, "ap-1", lambda: 1) == 1
    assert kept.get(None, "ap-1", lambda: 2) == 2


def test_the_least_recently_asked_goes_first() -> None:
    kept: PerVersion[int] = PerVersion(size=2)
    kept.get("v", "a", lambda: 1)
    kept.get("v", "b", lambda: 2)
    kept.get("v", "a", lambda: 0)  # asked again: now the most recent
    kept.get("v", "c", lambda: 3)  # drops b
    assert kept.get("v", "a", lambda: -1) == 1
    assert kept.get("v", "b", lambda: -2) == -2


class Counting(MemoryStore):
    """A memory store that counts how often the dataset is read."""

    reads = 0

    def dataset_info(self) -> DatasetOut | None:
        self.reads += 1
        return super().dataset_info()


def test_a_request_reads_the_dataset_once_and_shares_the_kept_answers() -> None:
    store = Counting(build_graph(load_dataset()))
    first = pin(store)
    assert origin(first) is store and origin(pin(first)) is store
    assert per_dataset(first, ("question",), lambda: 1) == 1
    assert per_dataset(first, ("other",), lambda: 2) == 2
    assert first.dataset_info() is not None
    assert store.reads == 1, "one request, one read of the dataset"
    # A later request reads it again (a load may have happened), and finds the answers kept for that version.
    second = pin(store)
    assert per_dataset(second, ("question",), lambda: -1) == 1
    assert store.reads == 2
    assert second.nodes("ActionPoint", None, 1, 0).total == first.nodes("ActionPoint", None, 1, 0).total


def test_each_kind_of_answer_keeps_its_own() -> None:
    store = MemoryStore(build_graph(load_dataset()))
    per_dataset(store, ("coverage", "goal"), lambda: "kept")
    for number in range(MAX_KEPT + 5):  # more action points asked than a kind keeps
        per_dataset(store, ("action-point", str(number)), functools.partial(int, number))
    assert per_dataset(store, ("coverage", "goal"), lambda: "again") == "kept"
    assert per_dataset(store, ("action-point", "0"), lambda: -1) == -1, "the oldest action point was dropped"
    # What a measure of their memory walks: the answers each kind keeps, least recently asked first.
    kept = held(pin(store))
    assert kept["coverage"] == ["kept"]
    assert kept["action-point"] == [*range(6, MAX_KEPT + 5), -1]
    assert held(MemoryStore(build_graph(load_dataset()))) == {}


def test_the_cycle_collector_rests_while_an_answer_is_built_and_comes_back() -> None:
    kept: PerVersion[list[bool]] = PerVersion()
    assert gc.isenabled()
    seen = kept.get("v", "a", lambda: [gc.isenabled(), kept.get("v", "b", lambda: [gc.isenabled()])[0]])
    assert seen == [False, False]  # the outer build and the one nested in it
    assert gc.isenabled()

    def fails() -> list[bool]:
        raise RuntimeError("broken")

    with pytest.raises(RuntimeError):
        kept.get("v", "c", fails)
    assert gc.isenabled()  # back after a failed build too


def test_a_collector_switched_off_elsewhere_stays_off() -> None:
    gc.disable()
    try:
        with cycles_left_alone():
            assert not gc.isenabled()
        assert not gc.isenabled()
    finally:
        gc.enable()


def test_askers_of_an_answer_being_computed_wait_for_it() -> None:
    kept: PerVersion[list[str]] = PerVersion()
    started, release = threading.Event(), threading.Event()
    calls: list[str] = []

    def slow() -> list[str]:
        calls.append("slow")
        started.set()
        assert release.wait(10)
        return ["answer"]

    answers: list[list[str]] = []
    first = threading.Thread(target=lambda: answers.append(kept.get("v", "coverage", slow)))
    first.start()
    assert started.wait(10)
    second = threading.Thread(target=lambda: answers.append(kept.get("v", "coverage", lambda: ["again"])))
    second.start()
    second.join(0.2)
    assert second.is_alive()  # waiting for the first computation, not computing its own
    release.set()
    first.join(10)
    second.join(10)
    assert answers == [["answer"], ["answer"]] and answers[0] is answers[1]
    assert calls == ["slow"]


def test_a_failed_computation_leaves_its_waiters_to_compute_it_themselves() -> None:
    kept: PerVersion[str] = PerVersion()
    started, release = threading.Event(), threading.Event()

    def broken() -> str:
        started.set()
        assert release.wait(10)
        raise RuntimeError("Neo4j went away")

    failures: list[BaseException] = []

    def first_asker() -> None:
        try:
            kept.get("v", "k", broken)
        except RuntimeError as exc:
            failures.append(exc)

    first = threading.Thread(target=first_asker)
    first.start()
    assert started.wait(10)
    answers: list[str] = []
    second = threading.Thread(target=lambda: answers.append(kept.get("v", "k", lambda: "computed again")))
    second.start()
    release.set()
    first.join(10)
    second.join(10)
    assert len(failures) == 1 and answers == ["computed again"]
    assert kept.get("v", "k", lambda: "not asked") == "computed again"
