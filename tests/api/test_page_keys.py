"""With API keys configured, pages ask for a key once and keep it in an HttpOnly cookie."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from tests.api.conftest import settings


@pytest.fixture
def keyed(memory_store: MemoryStore) -> Iterator[TestClient]:
    app = create_app(settings(api_keys="alpha-key, beta-key"), store=memory_store)
    with TestClient(app, follow_redirects=False) as client:
        yield client


def test_pages_without_a_key_show_the_key_form(keyed: TestClient) -> None:
    page = keyed.get("/view/node/ap-17")
    assert page.status_code == 401 and page.headers["content-type"].startswith("text/html")
    assert 'name="key"' in page.text and 'value="/view/node/ap-17"' in page.text
    assert "Action point 17" not in page.text
    assert keyed.get("/view/static/site.css").status_code == 200  # the form needs its stylesheet


def test_a_wrong_key_is_refused_and_sets_nothing(keyed: TestClient) -> None:
    answer = keyed.post("/view/key", data={"key": "gamma-key", "next": "/"})
    assert answer.status_code == 401 and "not valid" in answer.text
    assert "set-cookie" not in answer.headers


def test_a_right_key_opens_the_pages_but_not_the_json_api(keyed: TestClient) -> None:
    answer = keyed.post("/view/key", data={"key": "beta-key", "next": "/view/node/ap-17"})
    assert answer.status_code == 303 and answer.headers["location"] == "/view/node/ap-17"
    cookie = answer.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    page = keyed.get("/view/node/ap-17")
    assert page.status_code == 200 and "Action point 17" in page.text
    # The cookie is for browsing; the JSON API still wants the header.
    assert keyed.get("/stats").status_code == 401
    assert keyed.get("/stats", headers={"X-API-Key": "beta-key"}).status_code == 200


def test_the_header_works_for_pages_too(keyed: TestClient) -> None:
    assert keyed.get("/", headers={"X-API-Key": "alpha-key"}).status_code == 200


@pytest.mark.parametrize("target", ["//elsewhere.example/x", "https://elsewhere.example/", "/\\elsewhere.example"])
def test_no_open_redirect(keyed: TestClient, target: str) -> None:
    answer = keyed.post("/view/key", data={"key": "alpha-key", "next": target})
    assert answer.status_code == 303 and answer.headers["location"] == "/"


def test_without_keys_pages_are_open(client: TestClient) -> None:
    assert client.get("/").status_code == 200
