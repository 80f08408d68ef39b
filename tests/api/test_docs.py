"""The interactive API docs work with no network: Swagger UI comes from the package, not a CDN."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_docs_page_references_only_local_assets(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert urls, page.text
    assert all(u.startswith("/") for u in urls), urls
    for url in urls:
        if url.startswith("/docs-static/"):
            assert client.get(url).status_code == 200, url
    assert (
        client.get("/docs-static/swagger-ui-bundle.js")
        .headers["content-type"]
        .startswith(("application/javascript", "text/javascript"))
    )
