"""A memory server derives every action point's facts when it loads its dataset, before its first question: no
coverage, gaps, list or matrix answer after a start pays for them (issue 17, item 1)."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app, long_lived
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.question_types import ActionPointFacts
from bpkg.graph_schema.asof import AsOf
from bpkg.loaders import build_graph, load_dataset
from tests.api.conftest import settings


class CountingStore(MemoryStore):
    """The memory store, counting how often every action point's facts are built."""

    built = 0

    def action_point_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        if as_of is None:
            self.built += 1
        return super().action_point_facts(as_of)


@pytest.fixture
def started() -> Iterator[CountingStore]:
    store = CountingStore(build_graph(load_dataset(settings().dataset)))
    long_lived(store)
    yield store
    gc.unfreeze()


def test_facts_are_built_once_at_start_and_only_read_afterwards(started: CountingStore) -> None:
    assert started.built == 1  # before any question
    with TestClient(create_app(settings(), store=started)) as client:
        for path in ("/coverage?by=goal", "/coverage?by=country", "/gaps", "/action-points", "/matrix?cols=component"):
            response = client.get(path)
            assert response.status_code == 200, path
        assert client.get("/coverage?by=goal").json()["summary"]["action_points"] == 41
    assert started.built == 1
