"""API fixtures: the app over the bundled dataset (memory, and each backend), and over a tiny dataset."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.exceptions import StarletteDeprecationWarning

from bpkg.app.api.main import create_app
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from tests.factories import base_graph, write_dataset

with warnings.catch_warnings():
    # Starlette prefers httpx2 for its test client; httpx (which the project pins) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient


def settings(**overrides: object) -> Settings:
    """Settings for tests: memory backend and no API keys unless asked, whatever the environment says."""
    values: dict[str, object] = {"backend": "memory", "api_keys": "", **overrides}
    return Settings(**values)  # type: ignore[arg-type]


@pytest.fixture(scope="session")
def client(memory_store: MemoryStore) -> Iterator[TestClient]:
    """The API over the bundled dataset in memory."""
    with TestClient(create_app(settings(), store=memory_store)) as test_client:
        yield test_client


@pytest.fixture
def any_client(store: GraphStore) -> Iterator[TestClient]:
    """The API over the bundled dataset, once per backend (memory, Neo4j)."""
    with TestClient(create_app(settings(), store=store)) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def tiny_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The API started the way ``bpkg serve --dataset FOLDER`` starts it, over the tiny test dataset."""
    graph = base_graph()
    # A goal-level link: project-p responds to pg-2 as a whole (it does not cover ap-3 under it).
    goal_link = {"from": "project-p", "type": "RESPONDS_TO", "to": "pg-2", "strength": "indirect"}
    graph["relationships"].append({**goal_link, "sources": ["source-a"], "confidence": "inferred"})
    folder: Path = write_dataset(tmp_path_factory.mktemp("tiny") / "tiny", graph=graph)
    with TestClient(create_app(settings(dataset=str(folder)))) as test_client:
        yield test_client
