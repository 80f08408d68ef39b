"""An action point's responses a page at a time, by keyboard: Tab reaches "next", Enter opens the next page,
and "previous" brings back the first; and a group of links cut on the node page leads to its own pages, walked
the same way; and a hub's network, cut on its page, leads to the whole one (on a generated dataset whose action
point 10 has hundreds of responders)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.network import MAX_NODES
from bpkg.app.web.pages import LINKS_SHOWN, NODE_NETWORK_NODES, RESPONSES_SHOWN
from bpkg.app.web.rendering import PAGE_SIZE
from bpkg.app.web.server import RunningServer, serve_in_background
from bpkg.loaders import build_graph, load_dataset, synth
from tests.browser.conftest import Watch, settings


@pytest.fixture(scope="module")
def synth_live(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningServer]:
    folder: Path = tmp_path_factory.mktemp("synth-browser")
    synth.write(folder, 3000, 0)
    store = MemoryStore(build_graph(load_dataset(str(folder))))
    with serve_in_background(create_app(settings(), store=store)) as server:
        yield server


def tab_to(page: Page, rel: str, limit: int = 400) -> str:
    """Press Tab until the ``rel`` link of the responses has the focus; its address."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('rel')") == rel:
            return str(page.evaluate("document.activeElement.getAttribute('href')"))
    raise AssertionError(f"no {rel} link reached by keyboard")


def first_responder(page: Page) -> str:
    return page.locator("#responses ~ .table-wrap tbody tr").first.inner_text()


def test_next_and_previous_by_keyboard(offline: tuple[Page, Watch], synth_live: RunningServer) -> None:
    page, _ = offline
    page.goto(f"{synth_live.url}/view/node/ap-10?as_of=2030-12-31")
    range_text = page.locator("#responses-range").inner_text()
    assert range_text.startswith(f"Showing 1–{RESPONSES_SHOWN} of ")
    first = first_responder(page)
    target = tab_to(page, "next")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{target}")
    assert "as_of=2030-12-31" in page.url
    assert page.locator("#responses-range").inner_text().startswith(f"Showing {RESPONSES_SHOWN + 1}–")
    assert first_responder(page) != first
    back = tab_to(page, "prev")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{back}")
    assert page.locator("#responses-range").inner_text().startswith(f"Showing 1–{RESPONSES_SHOWN} of ")
    assert first_responder(page) == first


def test_a_cut_group_leads_to_its_pages_by_keyboard(offline: tuple[Page, Watch], synth_live: RunningServer) -> None:
    page, _ = offline
    page.goto(f"{synth_live.url}/view/node/ap-10")
    more = page.locator("#responded-to-by ~ .more-links")
    text = more.inner_text()
    assert text.startswith(f"Showing {LINKS_SHOWN} of ") and "links of this kind" in text
    total = text.split(" of ", 1)[1].split(" ", 1)[0]
    assert int(total.replace(",", "")) > 2 * PAGE_SIZE
    # The link to every responder, a page at a time, reached and opened by keyboard.
    target = more.locator("a").get_attribute("href")
    assert target is not None
    more.locator("a").focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{target}")
    assert page.locator("#links-range").inner_text() == f"Showing 1–{PAGE_SIZE} of {total} links."
    first = page.locator("#links li").first.inner_text()
    following = tab_to(page, "next")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{following}")
    assert page.locator("#links-range").inner_text().startswith(f"Showing {PAGE_SIZE + 1}–{2 * PAGE_SIZE} of {total}")
    assert page.locator("#links li").first.inner_text() != first
    back = tab_to(page, "prev")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{back}")
    assert page.locator("#links li").first.inner_text() == first


def test_a_hubs_network_is_cut_and_leads_to_the_whole_one_by_keyboard(
    offline: tuple[Page, Watch], synth_live: RunningServer
) -> None:
    page, watch = offline
    page.goto(f"{synth_live.url}/view/node/ap-10")
    # The node page draws the nearest NODE_NETWORK_NODES of the neighbourhood and says so, in words.
    cut = page.locator(".network-box .cut").inner_text()
    assert cut.startswith(f"Showing {NODE_NETWORK_NODES} nodes of its neighbourhood, not all of them (it has ")
    assert len(page.evaluate("nodes.getIds()")) == NODE_NETWORK_NODES
    # The whole network (up to the views' cap), reached by keyboard from the sentence's link.
    link = page.locator("#network-whole a")
    assert link.inner_text() == f"See its whole network, up to {MAX_NODES:,} nodes"
    target = tab_to_link(page, "#network-whole a")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{synth_live.url}{target}")
    assert "network=all" in page.url
    page.wait_for_function("typeof nodes !== 'undefined' && nodes.getIds().length > 0")
    whole = len(page.evaluate("nodes.getIds()"))
    assert NODE_NETWORK_NODES < whole <= MAX_NODES
    assert page.locator("#network-whole").count() == 0
    assert not watch.external and not watch.errors


def tab_to_link(page: Page, selector: str, limit: int = 600) -> str:
    """Press Tab until the link ``selector`` has the focus; its address."""
    wanted = page.locator(selector).get_attribute("href")
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('href')") == wanted and wanted:
            return wanted
    raise AssertionError(f"{selector} not reached by keyboard")
