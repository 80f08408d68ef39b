"""``/health``: whether the service is up for anyone; the datasets loaded only for key holders (issue 16)."""

from __future__ import annotations

from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from tests.api.conftest import settings


def test_health_without_a_key_says_only_whether_the_service_is_up(memory_store: MemoryStore) -> None:
    with TestClient(create_app(settings(api_keys="alpha-key"), store=memory_store)) as keyed:
        anonymous = keyed.get("/health")
        wrong = keyed.get("/health", headers={"X-API-Key": "gamma-key"})
        holder = keyed.get("/health", headers={"X-API-Key": "alpha-key"})
    assert anonymous.status_code == wrong.status_code == holder.status_code == 200
    assert anonymous.json() == wrong.json() == {"status": "ok", "reachable": True}
    info = memory_store.dataset_info()
    assert info is not None and info.name not in anonymous.text
    body = holder.json()
    assert body["backend"] == "memory" and body["dataset"]["name"] == info.name
    assert [(d["name"], d["version"]) for d in body["datasets"]] == [(info.name, info.version)]
    assert body["datasets"][0]["loaded_at"]


def test_health_with_keys_off_lists_the_datasets(client: TestClient, memory_store: MemoryStore) -> None:
    body = client.get("/health").json()
    info = memory_store.dataset_info()
    assert info is not None
    assert [(d["name"], d["version"]) for d in body["datasets"]] == [(info.name, info.version)]
