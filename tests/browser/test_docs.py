"""The interactive API docs render in Chromium with no network and list the API's operations."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page

from bpkg.app.web.server import RunningServer
from tests.browser.conftest import Watch

pytestmark = pytest.mark.browser


def test_docs_list_every_operation_offline(offline: tuple[Page, Watch], live: RunningServer) -> None:
    page, _ = offline
    spec = httpx.get(f"{live.url}/openapi.json", timeout=30).json()
    assert spec["openapi"].startswith("3.1"), spec["openapi"]
    expected = sorted((method.upper(), path) for path, operations in spec["paths"].items() for method in operations)
    page.goto(f"{live.url}/docs")
    page.wait_for_selector(".opblock", timeout=20_000)
    body = page.inner_text("body")
    assert "Unable to render" not in body
    assert "Budapest Process traceability API" in body
    shown = page.eval_on_selector_all(
        ".opblock",
        """blocks => blocks.map(b => [
            b.querySelector('.opblock-summary-method').innerText.trim(),
            b.querySelector('.opblock-summary-path').getAttribute('data-path')])""",
    )
    assert sorted((m, p) for m, p in shown) == expected
