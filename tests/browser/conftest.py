"""Headless Chromium (the Debian package, never a downloaded build) against the app served on 127.0.0.1.

Every page is opened in a context whose network is off: any request that is not for 127.0.0.1 (or the
file under test) is aborted and recorded, and the test fails if one was made, if a dialog opened, or if
the console reported an error (a Content-Security-Policy violation shows up there).
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Dialog,
    Page,
    Playwright,
    Route,
    sync_playwright,
)

from bpkg.app.api.main import create_app
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.server import RunningServer, serve_in_background
from bpkg.loaders import build_graph, load_dataset
from tests.factories import base_graph, write_dataset

CHROMIUM = os.environ.get("BPKG_CHROMIUM", "/usr/bin/chromium")
LAUNCH_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "<a href=javascript:alert(1)>x</a>"


def settings() -> Settings:
    return Settings(backend="memory", api_keys="")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    with sync_playwright() as p:
        yield p


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if shutil.which(CHROMIUM) is None:
        pytest.fail(
            f"no Chromium at {CHROMIUM}: install the Debian package (apt-get install chromium) or set BPKG_CHROMIUM"
        )
    browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def live(memory_store: MemoryStore) -> Iterator[RunningServer]:
    """The app over the bundled dataset, served by uvicorn on 127.0.0.1."""
    with serve_in_background(create_app(settings(), store=memory_store)) as server:
        yield server


def xss_graph() -> dict[str, list[dict[str, object]]]:
    """The tiny test dataset with names that are HTML and script."""
    graph = base_graph()
    names = {
        "pg-1": f"Goal {XSS_IMG}",
        "ap-1": f"Action point {XSS_LINK}",
        "activity-a": f"Activity {XSS_LINK} {XSS_IMG}",
        "component-c": f"{XSS_IMG}",
    }
    for item in graph["nodes"]:
        if item["id"] in names:
            item["name"] = names[str(item["id"])]
    return graph


@pytest.fixture(scope="session")
def xss_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    folder = write_dataset(tmp_path_factory.mktemp("xss") / "xss", graph=xss_graph())
    return MemoryStore(build_graph(load_dataset(folder)))


@pytest.fixture(scope="session")
def xss_live(xss_store: MemoryStore) -> Iterator[RunningServer]:
    with serve_in_background(create_app(settings(), store=xss_store)) as server:
        yield server


@dataclass
class Watch:
    """What a page did that it should not: requests off this machine, dialogs, console errors."""

    external: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def check(self) -> None:
        assert self.external == [], f"requests left 127.0.0.1: {self.external}"
        assert self.dialogs == [], f"a script opened dialogs: {self.dialogs}"
        assert self.errors == [], f"console or page errors: {self.errors}"


def _local(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in ("data", "file", "about") or (parts.scheme == "http" and parts.hostname == "127.0.0.1")


@pytest.fixture
def offline(browser: Browser) -> Iterator[tuple[Page, Watch]]:
    """A page whose network reaches only 127.0.0.1; the test fails if anything else was tried."""
    watch = Watch()
    context: BrowserContext = browser.new_context(viewport={"width": 1360, "height": 1000}, service_workers="block")

    def route(r: Route) -> None:
        if _local(r.request.url):
            r.continue_()
        else:
            watch.external.append(r.request.url)
            r.abort()

    def on_dialog(dialog: Dialog) -> None:
        watch.dialogs.append(dialog.message)
        dialog.dismiss()

    def on_console(message: ConsoleMessage) -> None:
        if message.type == "error":
            watch.errors.append(message.text)

    context.route("**/*", route)
    page = context.new_page()
    page.on("request", lambda request: watch.requests.append(request.url))
    page.on("dialog", on_dialog)
    page.on("console", on_console)
    page.on("pageerror", lambda error: watch.errors.append(str(error)))
    yield page, watch
    context.close()
    watch.external += [url for url in watch.requests if not _local(url)]
    watch.check()


def wait_for_network(page: Page) -> None:
    page.wait_for_function(
        "() => window.network && window.nodes && nodes.length > 0 && document.querySelector('#mynetwork canvas')"
    )


AT_NODE = """(id) => {
  const box = document.querySelector('#mynetwork canvas').getBoundingClientRect();
  const p = network.canvasToDOM(network.getPositions([id])[id]);
  return {x: box.left + p.x, y: box.top + p.y};
}"""


def click_node(page: Page, node_id: str) -> None:
    """Bring a network node into view and click it as a person would, with the mouse."""
    page.locator("#mynetwork").scroll_into_view_if_needed()
    page.evaluate("(id) => network.focus(id, {scale: 1})", node_id)
    at = page.evaluate(AT_NODE, node_id)
    page.mouse.click(at["x"], at["y"])
