"""The pages in headless Chromium with networking off: they load, draw, navigate, and run no data as code."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from bpkg.app.store.memory import MemoryStore
from bpkg.app.web import network
from bpkg.app.web.server import RunningServer
from tests.browser.conftest import AT_NODE, SCREENSHOTS, XSS_IMG, XSS_LINK, Watch, wait_for_network

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/view/node/ap-17",
    "/view/node/country-pak?depth=2",
    "/view/overview",
    "/view/trace/ap-17?direction=up",
    "/view/trace/pg-4?direction=down",
    "/view/search?q=resource+centre",
    "/view/label/ActionPoint",
]
NEAREST_TO_CENTRE = """(focus) => {
  const box = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  const centre = {x: box.width / 2, y: box.height / 2};
  let best = null;
  for (const id of nodes.getIds()) {
    if (id === focus) continue;
    const p = network.canvasToDOM(network.getPositions([id])[id]);
    const d = Math.hypot(p.x - centre.x, p.y - centre.y);
    if (best === null || d < best.d) best = {id: id, x: box.left + p.x, y: box.top + p.y, d: d};
  }
  return best;
}"""
TOOLTIP_SHOWS = """(id) => {
  const tip = document.querySelector('div.vis-tooltip');
  return tip !== null && tip.style.visibility !== 'hidden' && tip.innerText.includes(id);
}"""


def drawn(page: Page) -> tuple[list[str], list[str]]:
    """Ids of the nodes and edges in the page's vis DataSets."""
    ids: list[str] = page.evaluate("nodes.getIds()")
    edges: list[str] = page.evaluate("edges.getIds()")
    return sorted(ids), sorted(edges)


@pytest.mark.parametrize("path", PAGES)
def test_every_page_loads_offline(offline: tuple[Page, Watch], live: RunningServer, path: str) -> None:
    page, watch = offline
    response = page.goto(live.url + path)
    assert response is not None and response.status == 200
    if page.locator("#mynetwork").count():
        wait_for_network(page)
    assert page.locator("h1").first.inner_text().strip()
    watch.check()


def test_node_network_matches_the_store_and_a_click_opens_the_node(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore
) -> None:
    page, watch = offline
    page.goto(f"{live.url}/view/node/ap-17?depth=2")
    wait_for_network(page)
    expected = memory_store.neighbourhood("ap-17", 2, None, network.MAX_NODES)
    ids, edges = drawn(page)
    assert ids == sorted(n.id for n in expected.nodes)
    assert edges == sorted(f"{e.source}|{e.type}|{e.target}" for e in expected.edges)
    summary = page.locator("#network-summary").inner_text()
    assert f"{len(expected.nodes)} nodes, {len(expected.edges)} links" in summary

    page.locator("#mynetwork").scroll_into_view_if_needed()
    target = page.evaluate(NEAREST_TO_CENTRE, "ap-17")
    page.mouse.click(target["x"], target["y"])
    # A click selects the node without leaving the page; its page is one link away.
    page.locator("#selected").get_by_role("link", name="Open its page").click()
    page.wait_for_url(f"{live.url}/view/node/{target['id']}")
    wait_for_network(page)
    assert memory_store.node(target["id"]).name in page.locator("h1").inner_text()
    watch.check()


def test_overview_and_trace_draw_what_the_store_answers(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore
) -> None:
    page, watch = offline
    page.goto(f"{live.url}/view/overview")
    wait_for_network(page)
    labels = ["Declaration", "ActionPlan", "Commitment", "PriorityGoal", "ActionPoint", "Component", "Project"]
    expected = memory_store.whole_graph(labels, network.MAX_NODES)
    assert drawn(page)[0] == sorted(n.id for n in expected.nodes)

    page.goto(f"{live.url}/view/trace/pg-4?direction=down")
    wait_for_network(page)
    trace = memory_store.trace("pg-4", "down", 4, None)
    ids, edges = drawn(page)
    assert ids == sorted(n.id for n in trace.nodes)
    assert edges == sorted(f"{e.source}|{e.type}|{e.target}" for e in trace.edges)
    # Laid out by level: the goal above its action points, which are above what responds to them.
    y = page.evaluate("(ids) => ids.map((id) => network.getPositions([id])[id].y)", ["pg-4", "ap-23", "country-pak"])
    assert y[0] < y[1] < y[2]
    watch.check()


def test_screenshots_for_review(offline: tuple[Page, Watch], live: RunningServer) -> None:
    page, watch = offline
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for name, path in [
        ("home", "/"),
        ("node-ap-17", "/view/node/ap-17"),
        ("trace-pg-4-down", "/view/trace/pg-4?direction=down"),
        ("overview", "/view/overview"),
    ]:
        page.goto(live.url + path)
        if page.locator("#mynetwork").count():
            wait_for_network(page)
            page.wait_for_timeout(200)  # let vis finish its first draw
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)
        assert (SCREENSHOTS / f"{name}.png").stat().st_size > 10_000
    watch.check()


def test_downloaded_view_works_from_disk_without_network(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore, tmp_path: Path
) -> None:
    page, watch = offline
    response = httpx.get(f"{live.url}/view/node/pg-4?download=1", timeout=30)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    saved = tmp_path / "pg-4.html"
    saved.write_bytes(response.content)

    page.goto(saved.as_uri())
    wait_for_network(page)
    expected = memory_store.neighbourhood("pg-4", 1, None, network.MAX_NODES)
    assert drawn(page)[0] == sorted(n.id for n in expected.nodes)
    page.locator("#mynetwork").scroll_into_view_if_needed()
    target = page.evaluate(NEAREST_TO_CENTRE, "pg-4")
    page.mouse.click(target["x"], target["y"])
    # Offline, a click shows what the node is instead of leaving the file.
    page.wait_for_function("() => document.getElementById('selected').textContent.length > 0")
    assert page.url == saved.as_uri()
    assert memory_store.node(target["id"]).name in page.locator("#selected").inner_text()
    # ... and leads to the node's details inside the file, not to a server the receiver cannot reach.
    page.locator("#selected a").click()
    details = page.locator(f"article[id='node-{target['id']}']")
    details.wait_for()
    assert memory_store.node(target["id"]).name in details.inner_text()
    assert page.url.split("#")[0] == saved.as_uri()
    assert [url for url in watch.requests if url.split("#")[0] != saved.as_uri()] == []
    watch.check()


@pytest.mark.parametrize(
    "path",
    ["/", "/view/node/ap-1", "/view/node/activity-a", "/view/trace/ap-1?direction=down", "/view/search?q=goal"],
)
def test_names_with_markup_are_shown_as_text(offline: tuple[Page, Watch], xss_live: RunningServer, path: str) -> None:
    page, watch = offline
    page.add_init_script("window.__ran = 0;")
    page.goto(xss_live.url + path)
    if page.locator("#mynetwork").count():
        wait_for_network(page)
    body = page.locator("body").inner_text()
    assert XSS_IMG in body or XSS_LINK in body
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert page.evaluate("window.__ran") == 0
    assert not [url for url in watch.requests if url.endswith("/x")]
    watch.check()


def test_tooltips_of_markup_names_are_plain_text(offline: tuple[Page, Watch], xss_live: RunningServer) -> None:
    page, watch = offline
    page.goto(f"{xss_live.url}/view/node/activity-a")
    wait_for_network(page)
    assert page.locator("h1").inner_text() == f"Activity {XSS_LINK} {XSS_IMG}"
    for node_id, name in (("ap-1", "Action point <a"), ("activity-a", "Activity <a")):
        at = page.evaluate(AT_NODE, node_id)
        page.mouse.move(at["x"], at["y"])
        page.wait_for_function(TOOLTIP_SHOWS, arg=name)  # tooltips name the node (in words, not by id)
        text = page.locator("div.vis-tooltip").inner_text().replace("\u2060", "")
        assert XSS_LINK in text
        # innerText turns line breaks into <br>; nothing else may be an element.
        tags = page.evaluate("[...document.querySelectorAll('div.vis-tooltip *')].map((e) => e.tagName)")
        assert set(tags) <= {"BR"}
    watch.check()
