"""The validation of a dataset and the application's answers share one pause of the cyclic collector
(``bpkg.loaders.collector``): whichever ends first, the collector stays paused until the last one ends, then comes
back. With a pause of its own, a validation that began before an answer and ended during it turned the collector
back on under the answer, and the answer, ending, then restored the state it had found: off, for good."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest

from bpkg.app.collector import cycles_left_alone
from bpkg.loaders import load_dataset
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
