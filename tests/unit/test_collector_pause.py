"""The validation of a dataset and the application's answers share one pause of the cyclic collector
(``bpkg.loaders.collector``): whichever ends first, the collector stays paused until the last one ends, then comes
back. With a pause of its own, a validation that began before an answer and ended during it turned the collector
back on under the answer, and the answer, ending, then restored the state it had found: off, for good."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bpkg.app.collector import cycles_left_alone
from bpkg.app.store.headline import HeadlineQuery
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset
from bpkg.loaders.dataset import _no_cycle_collection


@pytest.fixture(autouse=True)
def collector_back() -> Iterator[None]:
    # A failing case must not leave the collector off for the tests that follow.
    yield
    gc.enable()


def test_a_validation_inside_an_answers_pause_leaves_it_paused() -> None:
    assert gc.isenabled()
    with cycles_left_alone():
        load_dataset()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_interleaved_pauses_give_the_collector_back_when_the_last_ends() -> None:
    assert gc.isenabled()
    validation = _no_cycle_collection()
    validation.__enter__()
    answer = cycles_left_alone()
    answer.__enter__()
    validation.__exit__(None, None, None)
    assert not gc.isenabled()  # the answer still wants it paused
    answer.__exit__(None, None, None)
    assert gc.isenabled()


def test_what_a_memory_store_makes_on_first_need_leaves_the_collectors_reach() -> None:
    # A memory store's headline of an action point, its search words and its moves of every type are made the first
    # time a question needs them and kept for the process's life: once made they are frozen (lasting), as the graph
    # is when a server starts, so that full collections do not walk them at every large answer.
    store = MemoryStore(build_graph(load_dataset()))
    try:
        store.headline_page(17, HeadlineQuery())
        store.search("smuggling", 5)
        store.trace("project-srpp", "both", 1, ["FUNDS"])
        made = [*store._headlines.values(), store._words.made, store._any_moves.made]
        assert len(made) == 3 and all(m is not None for m in made)
        tracked = {id(o) for o in gc.get_objects()}
        assert not any(id(m) in tracked for m in made)
    finally:
        gc.unfreeze()
