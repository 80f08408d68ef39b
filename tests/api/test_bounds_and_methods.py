"""Parameters past their bounds are 422 on every backend (pages as HTML, the API as JSON), never a 500;
the search text's OpenAPI pattern matches what search accepts; HEAD works wherever GET does; the key
form and the 401 page need no backend and show no dataset.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.http.params import MAX_QUERY
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from tests.api.conftest import settings
from tests.unit.test_search_words import schema_pattern_matches

CLOSED = "bolt://127.0.0.1:1"  # nothing listens there: every connection is refused at once

PAGE_OUT_OF_BOUNDS = [
    "/view/label/ActionPoint?offset=9223372036854775807",
    "/view/label/ActionPoint?offset=1e20",
    "/view/label/ActionPoint?offset=-1",
    f"/view/search?q={'a' * 315}",
    f"/view/search?q={'a' * (MAX_QUERY + 1)}",
    "/view/node/ap-17?depth=0",
    "/view/node/ap-17?depth=99",
    "/view/trace/ap-17?depth=9223372036854775807",
    f"/view/node/{'x' * 300}",
    f"/view/label/{'x' * 300}",
    "/view/node/ap-17?download=maybe",
]


@pytest.mark.parametrize("path", PAGE_OUT_OF_BOUNDS)
def test_pages_refuse_out_of_bounds_parameters_with_a_422_page(any_client: TestClient, path: str) -> None:
    response = any_client.get(path)
    assert response.status_code == 422, response.text[:300]
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>Bad request</h1>" in response.text and "Traceback" not in response.text
    name = re.search(r"[?&](\w+)=", path)
    assert (name.group(1) if name else "node_id" if "/node/" in path else "label") in response.text


@pytest.mark.parametrize("path", ["/view/label/ActionPoint?offset=1000000", f"/view/search?q={'a' * MAX_QUERY}"])
def test_pages_at_the_bounds_answer(any_client: TestClient, path: str) -> None:
    assert any_client.get(path).status_code == 200


def test_the_api_bounds_search_text_like_the_pages(any_client: TestClient) -> None:
    assert any_client.get(f"/search?q={'a' * MAX_QUERY}").status_code == 200
    too_long = any_client.get(f"/search?q={'a' * 315}")
    assert too_long.status_code == 422 and "q" in too_long.json()["error"]["message"]


# -- the search text's pattern (on every code point: tests/unit/test_search_words.py) ---------------


@pytest.mark.parametrize("q", ["\x0b@", "...", " ", "÷", "Ǆ", "K", "İ", "a", "\x0b@x", "Ünal", "東京", "_", "½"])
def test_search_answers_422_exactly_when_the_schema_forbids_the_text(client: TestClient, q: str) -> None:
    schema = client.get("/openapi.json").json()
    (param,) = [p for p in schema["paths"]["/search"]["get"]["parameters"] if p["name"] == "q"]
    allowed = schema_pattern_matches(param["schema"]["pattern"], q)
    response = client.get("/search", params={"q": q})
    assert response.status_code == (200 if allowed else 422), (q, response.text)


# -- HEAD -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["/health", "/nodes/ap-17", "/search?q=lahore", "/view/node/ap-17", "/view/static/site.css", "/docs"]
)
def test_head_answers_like_get_without_a_body(client: TestClient, path: str) -> None:
    get = client.get(path)
    head = client.head(path)
    assert head.status_code == get.status_code == 200
    assert head.content == b""
    assert head.headers["content-type"] == get.headers["content-type"]
    assert head.headers["content-length"] == str(len(get.content))


def test_head_keeps_errors_and_unknown_routes(client: TestClient) -> None:
    assert client.head("/nodes/no-such-node").status_code == 404
    assert client.head("/no/such/route").status_code == 404
    assert client.head("/nodes?limit=0").status_code == 422


# -- the key form without a backend, and without the dataset ------------------------------------------


@pytest.fixture
def keyed(memory_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(api_keys="alpha-key"), store=memory_store)) as client:
        yield client


@pytest.mark.parametrize("path", ["/view/node/ap-17", "/", "/view/key"])
def test_pages_without_a_key_show_nothing_of_the_dataset(
    keyed: TestClient, memory_store: MemoryStore, path: str
) -> None:
    page = keyed.get(path)
    assert page.status_code == (200 if path == "/view/key" else 401)
    assert 'name="key"' in page.text
    info = memory_store.dataset_info()
    assert info is not None
    assert info.name not in page.text and "Illustrative links" not in page.text
    assert info.illustrative[:40] not in page.text


def test_the_key_form_renders_while_neo4j_is_down() -> None:
    app = create_app(settings(backend="neo4j", neo4j_uri=CLOSED, api_keys="alpha-key"))
    with TestClient(app) as down:
        form = down.get("/view/key")
        assert form.status_code == 200 and 'name="key"' in form.text
        asked = down.get("/view/node/ap-17")
        assert asked.status_code == 401 and 'name="key"' in asked.text
        bad = down.get("/view/label/ActionPoint?offset=-1", headers={"X-API-Key": "alpha-key"})
        assert bad.status_code == 422 and "offset" in bad.text  # the 422 page needs no backend either
        unavailable = down.get("/view/node/ap-17", headers={"X-API-Key": "alpha-key"})
        assert unavailable.status_code == 503 and unavailable.headers["retry-after"] == "1"


def test_while_the_backend_is_down_503s_come_at_once_with_retry_after() -> None:
    app = create_app(settings(backend="neo4j", neo4j_uri=CLOSED))
    with TestClient(app) as down:
        first = down.get("/stats")  # finds the outage: a few quick connection attempts
        assert first.status_code == 503 and first.headers["retry-after"] == "1"
        timings = []
        for path in ["/stats", "/nodes/ap-17", "/search?q=lahore", "/view/node/ap-17", "/"] * 4:
            start = time.perf_counter()
            response = down.get(path)
            timings.append(time.perf_counter() - start)
            assert response.status_code == 503 and response.headers["retry-after"] == "1"
        # Not a speed target: waiting out the driver's retries took 2.6 s a request; 1 s leaves room for a busy machine.
        assert max(timings) < 1.0, timings
        health = down.get("/health").json()
        assert (health["status"], health["reachable"]) == ("unavailable", False)


def test_the_store_itself_searches_long_words(store: GraphStore) -> None:
    # Notebooks call the store without the API's bound: a 315-letter word made Lucene give up on Neo4j.
    assert store.search("a" * 315, 10) == []
    assert [hit.node.id for hit in store.search("lahore" + "x" * 300, 10)] == []
