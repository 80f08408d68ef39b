"""An action point's responses a page at a time, by keyboard: Tab reaches "next", Enter opens the next page,
and "previous" brings back the first; and a group of links cut on the node page leads to its own pages, walked
the same way (on a generated dataset whose action point 10 has hundreds of responders)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.pages import LINKS_SHOWN, RESPONSES_SHOWN
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
