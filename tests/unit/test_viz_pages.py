"""The HTML pages over HTTP (in-process): content, escaping, security headers, downloads, errors."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from markupsafe import escape
from starlette.exceptions import StarletteDeprecationWarning

from app.api.main import create_app
from app.services.coverage import coverage
from app.settings import Settings
from app.store.memory import MemoryStore
from app.web import network
from loaders import build_graph, load_dataset
from tests.factories import base_graph, write_dataset

with warnings.catch_warnings():
    # Starlette prefers httpx2 for its test client; httpx (which the project pins) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "<a href=javascript:alert(1)>x</a>"
PAGES = [
    "/",
    "/view/node/ap-17",
    "/view/node/ap-17?depth=2&label=Activity&label=Project",
    "/view/node/country-pak",
    "/view/overview",
    "/view/trace/ap-17?direction=up",
    "/view/trace/pg-4?direction=down",
    "/view/search?q=resource+centre",
    "/view/label/Country",
]
# A tag that makes the browser fetch something (a data: URL fetches nothing).
LOADS_SOMETHING = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*(?![\"']?data:)", re.I)
REMOTE = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)


def settings() -> Settings:
    return Settings(backend="memory", api_keys="")


@pytest.fixture(scope="module")
def client(memory_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=memory_store)) as test_client:
        yield test_client


def xss_graph() -> dict[str, list[dict[str, object]]]:
    graph = base_graph()
    for item in graph["nodes"]:
        if item["id"] == "pg-1":
            item["name"] = f"Goal {XSS_IMG}"
        if item["id"] == "ap-1":
            item["name"] = f"Action point {XSS_LINK}"
            item["description"] = f"described as {XSS_IMG}"
        if item["id"] == "activity-a":
            item["name"] = f"Activity {XSS_LINK} {XSS_IMG}"
    return graph


@pytest.fixture(scope="module")
def xss_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = write_dataset(tmp_path_factory.mktemp("xss") / "xss", graph=xss_graph())
    store = MemoryStore(build_graph(load_dataset(folder)))
    with TestClient(create_app(settings(), store=store)) as test_client:
        yield test_client


def scripts_without_nonce(text: str, nonce: str) -> list[str]:
    """Opening tags of script elements (not "<script" inside a script's text) that lack the nonce."""
    tags = [m.group(1) for m in re.finditer(r"(<script\b[^>]*>).*?</script>", text, re.DOTALL)]
    return [tag for tag in tags if f'nonce="{nonce}"' not in tag]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_with_a_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert "default-src 'none'" in csp and "http" not in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert scripts_without_nonce(response.text, nonce) == []
    assert not REMOTE.search(response.text)
    assert "Illustrative links" in response.text


def test_home_shows_each_goal_with_the_coverage_service_figures(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/").text
    cov = coverage(memory_store, "goal")
    for row in cov.rows:
        assert row.node is not None
        assert str(escape(row.node.name)) in text
        pct = round(row.share_covered * 100)
        assert f"{row.covered} of {row.action_points} action points responded to directly ({pct}%)" in text
        assert f'aria-valuenow="{pct}"' in text
    s = cov.summary
    summary = re.sub(r"<[^>]+>|\s+", " ", text.split('id="summary">')[1].split("</p>")[0])
    assert f"{s.covered} of {s.action_points} action points" in summary
    assert "rests on illustrative links" in summary  # the home page's figure rests on the sample plan
    assert f"{s.goal_only} only through their goal" in summary and f"{s.gap} " in summary
    info = memory_store.dataset_info()
    assert info is not None and str(escape(info.illustrative)) in text
    for entry in ("/view/label/Commitment", "/view/label/Component", "/view/label/Country", "/view/search"):
        assert entry in text


def test_node_page_lists_responders_and_sources(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/node/ap-17").text
    responders = [r.responder for r in memory_store.responses("ap-17", include_goal_level=False)]
    assert responders
    section = text.split('id="responded-to-by"')[1].split("</ul>")[0]
    first_links = re.findall(r'<li>.*?href="/view/node/([^"]+)"', section, re.DOTALL)
    assert first_links == [r.id for r in responders]
    for source in memory_store.node("ap-17").sources:
        if source.url:
            assert f'href="{escape(source.url)}"' in text
    assert "badge inferred" in text and "badge illustrative" in text
    assert "Status: responded to directly" in text


def test_a_gap_page_says_it_is_answered_only_through_its_goal(client: TestClient, memory_store: MemoryStore) -> None:
    # Action point 6 has no direct responder: its page must not look answered.
    text = client.get("/view/node/ap-6").text
    status = re.sub(r"<[^>]+>", "", text.split('id="status">')[1].split("</p>")[0])
    assert "Status: only through its goal" in status and "rests on illustrative links" in status
    assert "Responses to this action point (through its goal only)" in text
    assert "only its goal: " in text and "<td>this action point</td>" not in text


def test_node_page_network_matches_the_store(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/node/ap-17?depth=2&label=Activity&label=PriorityGoal").text
    expected = memory_store.neighbourhood("ap-17", 2, ["Activity", "PriorityGoal"], network.MAX_NODES)
    ids = re.findall(r'"id": "([^"|]+)", "kind"', text)
    assert sorted(ids) == sorted(n.id for n in expected.nodes)
    assert 'value="Activity" checked' in text and 'value="Project" checked' not in text


def test_download_is_one_self_contained_file(client: TestClient) -> None:
    response = client.get("/view/node/ap-17?download=1")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="bpkg-node-ap-17.html"'
    text = response.text
    assert not LOADS_SOMETHING.search(text)
    assert "vis.Network" in text and "new vis.DataSet" in text and "<style>" in text
    nonce = re.search(r"script-src (?:'|&#39;)nonce-([\w-]+)", text).group(1)  # type: ignore[union-attr]
    assert '<meta http-equiv="Content-Security-Policy"' in text and scripts_without_nonce(text, nonce) == []
    for path in ("/view/overview?download=1", "/view/trace/pg-4?direction=down&download=1"):
        other = client.get(path)
        assert other.status_code == 200 and "attachment" in other.headers["content-disposition"]
        assert not LOADS_SOMETHING.search(other.text)


@pytest.mark.parametrize(
    "path", ["/view/node/ap-17?download=1", "/view/overview?download=1", "/view/trace/pg-4?download=1"]
)
def test_a_download_works_for_whoever_receives_it(client: TestClient, memory_store: MemoryStore, path: str) -> None:
    # No link to the address the request came in on (127.0.0.1, or whatever Host header was sent): every
    # link in the file leads to details the file holds itself, or to a cited source.
    text = client.get(path, headers={"Host": "evil.example"}).text
    assert "evil.example" not in text and "testserver" not in text and "127.0.0.1" not in text
    hrefs = set(re.findall(r'href="([^"]*)"', text))
    local = {h for h in hrefs if not h.startswith(("#", "data:", "https://", "http://"))}
    assert local == set(), local
    anchors = set(re.findall(r'id="node-([^"]+)"', text))
    assert anchors and {unquote(h[len("#node-") :]) for h in hrefs if h.startswith("#node-")} <= {
        unquote(a) for a in anchors
    }
    assert "Everything in this view" in text


def test_a_download_links_to_the_public_site_when_one_is_configured(memory_store: MemoryStore) -> None:
    app = create_app(Settings(backend="memory", api_keys="", public_url="https://bpkg.example.org/"), memory_store)
    with TestClient(app) as public:
        text = public.get("/view/node/ap-17?download=1", headers={"Host": "evil.example"}).text
    assert "evil.example" not in text
    assert 'href="https://bpkg.example.org/view/node/pg-2"' in text
    assert "its links lead back to the live site" in text
    with pytest.raises(ValueError, match="public_url"):
        Settings(public_url="javascript:alert(1)")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/view/node/no-such-node", 404),
        ("/view/trace/no-such-node", 404),
        ("/view/trace/ap-17?direction=sideways", 422),
        ("/view/node/ap-17?label=Spaceship", 422),
        ("/view/label/Spaceship", 404),
    ],
)
def test_errors_are_pages(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text and "Traceback" not in response.text


def test_static_files_are_a_fixed_list(client: TestClient) -> None:
    assert client.get("/view/static/vis-network.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/view/static/site.css").headers["x-content-type-options"] == "nosniff"
    assert client.get("/view/static/pages.py").status_code == 404
    assert client.get("/view/static/..%2Fpages.py").status_code == 404


def test_search_page_lists_the_store_hits(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/search?q=lahore").text
    hits = memory_store.search("lahore", 50)
    assert hits
    listed = re.findall(r'href="/view/node/([^"]+)"', text.split('id="hits"')[1])
    assert listed == [h.node.id for h in hits]
    assert "has no letters or digits" in client.get("/view/search?q=%21%21").text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/view/node/ap-1",
        "/view/node/pg-1",
        "/view/node/activity-a",
        "/view/trace/ap-1?direction=up",
        "/view/overview",
        "/view/search?q=goal",
        "/view/node/ap-1?download=1",
    ],
)
def test_names_from_data_are_escaped(xss_client: TestClient, path: str) -> None:
    text = xss_client.get(path).text
    assert XSS_IMG not in text and "<a href=javascript" not in text
    assert "<img src=x" not in text and "<a href=javascript" not in text
    assert "popup.innerHTML" not in text
    assert str(escape(XSS_IMG)) in text or "\\u003cimg src=x onerror=alert(1)\\u003e" in text


def test_an_unreachable_backend_gives_a_503_page() -> None:
    # Nothing listens on port 1: every read fails fast with BackendUnavailable.
    app = create_app(Settings(backend="neo4j", api_keys="", neo4j_uri="bolt://127.0.0.1:1", connect_timeout=0.5))
    with TestClient(app) as down:
        response = down.get("/view/node/ap-17")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "The graph is unavailable" in response.text and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"
