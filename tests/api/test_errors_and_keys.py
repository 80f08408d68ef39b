"""One JSON error shape for every failure, documented in OpenAPI; optional API keys."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from tests.api.conftest import settings


def assert_error(response: Any, status: int) -> str:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert set(body) == {"error"}
    assert body["error"]["status"] == status
    message: str = body["error"]["message"]
    assert message and "Traceback" not in message
    return message


@pytest.mark.parametrize(
    ("url", "status", "says"),
    [
        ("/nodes/no-such-node", 404, "no-such-node"),
        ("/action-points/40000", 422, "number"),  # beyond the path's bound: FastAPI's own validation
        ("/action-points/0/responses", 422, "number"),
        ("/nodes?limit=501", 422, "limit"),
        ("/nodes?offset=-1", 422, "offset"),
        ("/trace/ap-1?depth=0", 422, "depth"),
        ("/trace/ap-1?types=LIKES", 422, "types"),
        ("/paths?from=ap-1&to=nowhere", 404, "nowhere"),
        ("/search?q=...", 422, "letters"),
        ("/coverage?by=planet", 422, "by"),
        ("/matrix?format=pdf", 422, "format"),
        ("/export/graph.json?focus=nowhere", 404, "nowhere"),
        ("/no/such/route", 404, "Not Found"),
    ],
)
def test_errors_are_json(client: TestClient, url: str, status: int, says: str) -> None:
    assert says in assert_error(client.get(url), status)


def test_wrong_method_is_json(client: TestClient) -> None:
    assert_error(client.post("/nodes"), 405)


def test_errors_are_documented(client: TestClient) -> None:
    schema = client.get("/openapi.json").json()
    error_ref = "#/components/schemas/ErrorOut"
    responses = schema["paths"]["/action-points/{number}/responses"]["get"]["responses"]
    for status in ("404", "422", "503"):
        assert responses[status]["content"]["application/json"]["schema"]["$ref"] == error_ref
    assert "HTTPValidationError" not in schema["components"]["schemas"]  # FastAPI's 422 shape is replaced
    health = schema["paths"]["/health"]["get"]
    assert "reachable" in health["description"] and "200" in health["responses"]


@pytest.fixture(scope="module")
def keyed(memory_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(api_keys="alpha-key, beta-key"), store=memory_store)) as client:
        yield client


def test_api_keys_guard_data_but_not_health_or_docs(keyed: TestClient) -> None:
    assert "X-API-Key" in assert_error(keyed.get("/stats"), 401)
    assert_error(keyed.get("/stats", headers={"X-API-Key": "gamma-key"}), 401)
    assert keyed.get("/stats", headers={"X-API-Key": "beta-key"}).status_code == 200
    assert keyed.get("/action-points/1/responses", headers={"X-API-Key": "alpha-key"}).status_code == 200
    assert keyed.get("/health").status_code == 200
    assert keyed.get("/docs").status_code == 200
    schema = keyed.get("/openapi.json").json()
    assert "401" in schema["paths"]["/stats"]["get"]["responses"]
    assert "401" not in schema["paths"]["/health"]["get"]["responses"]


def test_no_keys_no_guard(client: TestClient) -> None:
    assert client.get("/stats").status_code == 200
    assert "401" not in client.get("/openapi.json").json()["paths"]["/stats"]["get"]["responses"]
