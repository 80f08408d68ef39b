"""The pages read as a policy officer reads them, in headless Chromium with networking off: the questions of
issue 8 answered by visible text, the keyboard, a 390 px screen, print, and axe-core (run offline)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page

from bpkg.app.services.countries import country
from bpkg.app.services.coverage import coverage
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.server import RunningServer
from tests.browser.conftest import _local, click_node, wait_for_network

pytestmark = pytest.mark.browser

# axe-core 4 from npm (MPL-2.0, licence header kept in the file), injected from disk: nothing is fetched.
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PAGE_KINDS = [
    "/",
    "/view/flow",
    "/view/paths?from=activity-mrc-lahore&to=Knowledge",
    "/view/node/ap-17",
    "/view/node/activity-mrc-lahore",
    "/view/country/PAK",
    "/view/overview",
    "/view/trace/activity-mrc-lahore?direction=up",
    "/view/action-points",
    "/view/gaps",
    "/view/matrix",
    "/view/matrix?rows=action_point&cols=project",
    "/view/matrix/cell?row=pg-1&col=component-mrc&cols=component",
    "/view/label/Country",
    "/view/label/Component",
    "/view/search?q=lahore",
    "/view/key",
]


def _context(browser: Browser, width: int, bypass_csp: bool = False) -> BrowserContext:
    context = browser.new_context(viewport={"width": width, "height": 900}, bypass_csp=bypass_csp)
    context.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
    return context


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = _context(browser, 390)
    yield context.new_page()
    context.close()


@pytest.fixture
def desk(browser: Browser) -> Iterator[Page]:
    context = _context(browser, 1360)
    yield context.new_page()
    context.close()


def open_page(page: Page, url: str) -> None:
    response = page.goto(url)
    assert response is not None and response.status == 200, url
    if page.locator("#mynetwork").count():
        wait_for_network(page)


def text_of(page: Page, selector: str = "body") -> str:
    return re.sub(r"\s+", " ", page.locator(selector).first.inner_text())


# -- the questions ---------------------------------------------------------------------------------------


def test_which_projects_respond_to_action_point_17_and_how_firmly(
    desk: Page, live: RunningServer, memory_store: MemoryStore
) -> None:
    open_page(desk, f"{live.url}/view/node/ap-17")
    status = text_of(desk, "#status")
    assert "Status: responded to directly" in status and "illustrative" in status
    table = text_of(desk, "table")
    for r in memory_store.action_point("ap-17", include_goal_level=False).responses:
        assert r.responder.name in table
        for p in r.projects:
            assert p.name in table
    assert "direct" in table or "partial" in table


def test_where_are_the_gaps(desk: Page, live: RunningServer, memory_store: MemoryStore) -> None:
    cov = coverage(memory_store, "goal")
    open_page(desk, f"{live.url}/view/gaps")
    summary = text_of(desk, "#summary")
    assert f"{cov.summary.uncovered} of {cov.summary.action_points} action points" in summary
    gaps = text_of(desk, "#gaps")
    for s in cov.action_points:
        if s.status != "direct":
            assert f"Action point {s.number} " in gaps + " " and s.status_words in gaps
    for heading in ("By priority goal", "By component", "By country"):
        assert desk.get_by_role("heading", name=heading).is_visible()


def test_what_do_we_do_in_pakistan(desk: Page, live: RunningServer, memory_store: MemoryStore) -> None:
    served_here = len(country(memory_store, "PAK").action_points)
    open_page(desk, f"{live.url}/")
    desk.get_by_role("link", name="Pakistan").first.click()
    desk.wait_for_url(re.compile(r".*/view/country/country-pak.*"))
    wait_for_network(desk)
    assert desk.locator("h1").inner_text() == "Pakistan"
    assert f"responds to {served_here} action points" in text_of(desk, "#summary")
    served = text_of(desk, "#served tbody")
    assert len(re.findall(r"Action point \d+", served)) == served_here and "responded to directly" in served
    centres = text_of(desk, "#centres-table")
    assert "Migrant Resource Centre Lahore" in centres and "2015" in centres
    csv_link = desk.get_by_role("link", name="Download CSV")
    response = httpx.get(live.url + str(csv_link.get_attribute("href")), timeout=30)
    assert response.status_code == 200 and "Action point 17" in response.text


def test_what_the_mrc_in_lahore_serves_up_to_the_commitments(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/node/activity-mrc-lahore")
    desk.get_by_role("link", name="Trace up: what it serves").click()
    wait_for_network(desk)
    reached = text_of(desk, "#reached")
    assert "Commitment" in reached and "Priority goal" in reached and "Action point" in reached
    assert "responded to directly" in reached


def test_action_points_table_sorts_and_downloads(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/action-points")
    desk.get_by_role("link", name="Status").click()
    desk.wait_for_url(re.compile(r".*sort=status.*"))
    first = text_of(desk, "#action-points tbody tr")
    assert "only through its goal" in first or "gap" in first
    assert desk.locator("th[aria-sort]").inner_text().startswith("Status")
    href = desk.get_by_role("link", name="Download CSV").get_attribute("href")
    response = httpx.get(f"{live.url}{href}", timeout=30)
    assert response.status_code == 200 and response.text.count("\n") == 42  # header and 41 action points


def test_overview_coverage_equals_the_home_page_and_the_api(
    desk: Page, live: RunningServer, memory_store: MemoryStore
) -> None:
    api = httpx.get(f"{live.url}/coverage", timeout=30).json()["summary"]["covered"]
    open_page(desk, f"{live.url}/")
    home = text_of(desk, "#summary")
    open_page(desk, f"{live.url}/view/overview")
    drawn = desk.evaluate(
        "new Set(edges.get().filter((e) => e.id.split('|')[1] === 'RESPONDS_TO' && e.to.startsWith('ap-'))"
        ".map((e) => e.to)).size"
    )
    assert drawn == api == coverage(memory_store, "goal").summary.covered
    assert f"{api} of 41 action points" in home
    assert f"{api} of 41 action points" in text_of(desk, "#overview-summary")
    # Labels are readable at the default (fitted) zoom: at least 11 px on screen.
    size = desk.evaluate("network.getScale() * nodes.get('ap-17').font.size")
    assert size >= 11
    assert desk.locator("#overview-table").is_visible()


# -- keyboard, small screens, print, axe --------------------------------------------------------------------


def test_every_node_is_reachable_by_keyboard(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/node/ap-17")
    ids = sorted(desk.evaluate("nodes.getIds()"))
    summary = desk.locator("#node-list summary")
    summary.focus()
    desk.keyboard.press("Enter")
    listed = desk.evaluate(
        "[...document.querySelectorAll('#node-list a')].map((a) => decodeURIComponent(a.getAttribute('href')"
        ".split('/').pop()))"
    )
    assert sorted(listed) == ids
    desk.keyboard.press("Tab")
    focused = desk.evaluate("document.activeElement.getAttribute('href')")
    assert focused is not None and focused.startswith("/view/node/")
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"{live.url}{focused}")


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_no_horizontal_scroll_at_390_px(phone: Page, live: RunningServer, path: str) -> None:
    open_page(phone, live.url + path)
    widths = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path}: page {widths[0]} px wide on a {widths[1]} px screen"


def _as_of(path: str, day: str = "2021") -> str:
    return f"{path}{'&' if '?' in path else '?'}as_of={day}"


@pytest.mark.parametrize(
    "path",
    [
        *(_as_of(p) for p in PAGE_KINDS if p != "/view/key"),
        "/view/timeline/activity-mrc-lahore",
        "/view/timeline/country-pak",
        _as_of("/view/timeline/component-mrc"),
    ],
)
def test_no_horizontal_scroll_at_390_px_as_of_a_day_and_on_timelines(
    phone: Page, live: RunningServer, path: str
) -> None:
    open_page(phone, live.url + path)
    widths = phone.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path}: page {widths[0]} px wide on a {widths[1]} px screen"
    # Where the page answers as of the day, "Answer for today" is on the screen, not beyond its right edge.
    for link in phone.get_by_role("link", name="Answer for today").all():
        box = link.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= widths[1]


@pytest.mark.parametrize(
    "path",
    ["/view/node/ap-17", "/view/country/PAK", "/view/overview", "/view/trace/activity-mrc-lahore?direction=up"],
)
def test_a_skip_link_leads_past_the_controls_to_the_node_list(desk: Page, live: RunningServer, path: str) -> None:
    open_page(desk, live.url + path)
    desk.keyboard.press("Tab")
    assert desk.evaluate("document.activeElement.innerText.trim()") == "Skip to the list of the network's nodes"
    assert desk.locator("a.skip-nodes").is_visible()  # seen once it has the focus
    desk.keyboard.press("Enter")
    assert desk.evaluate("document.activeElement.closest('#node-list') !== null")
    assert desk.evaluate("document.getElementById('node-list').open")
    # The next stop is the first node of the list, a link to its page.
    desk.keyboard.press("Tab")
    href = desk.evaluate("document.activeElement.getAttribute('href')")
    assert href is not None and "/view/node/" in href
    assert desk.locator("#node-list").is_visible()


def test_arrow_keys_choose_nodes_of_the_focused_network_and_enter_opens_its_actions(
    desk: Page, live: RunningServer
) -> None:
    open_page(desk, f"{live.url}/view/node/ap-17")
    for _ in range(80):  # Tab to the network, as a keyboard user would
        desk.keyboard.press("Tab")
        if desk.evaluate("document.activeElement.id") == "mynetwork":
            break
    else:
        raise AssertionError("the network never takes the focus")
    chosen: list[str] = []
    for key in ["ArrowRight", "ArrowRight", "ArrowDown", "ArrowLeft", "ArrowUp", "ArrowLeft"]:
        desk.keyboard.press(key)
        selected = desk.evaluate("network.getSelectedNodes()")
        assert len(selected) == 1
        said = text_of(desk, "#selected")
        name = desk.evaluate("(id) => (nodes.get(id).title || id).split('\\n')[0]", selected[0])
        # The choice is said in words (the live region reads it out), by the node's name.
        assert said.startswith(("Chosen: ", "No node further that way")) and name in said
        chosen.append(selected[0])
    assert len(set(chosen)) >= 3, chosen
    # Enter shows what can be done with it, and the focus goes to the first action: opening its page.
    desk.keyboard.press("Enter")
    focused = desk.evaluate("[document.activeElement.innerText, document.activeElement.getAttribute('href')]")
    assert focused[0] == "Open its page" and focused[1].endswith("/" + chosen[-1].replace(" ", "%20"))
    assert "Show its neighbours here" in text_of(desk, "#selected")
    desk.keyboard.press("Enter")
    desk.wait_for_url(f"{live.url}{focused[1]}")


def test_an_action_points_answer_and_network_are_above_the_fold_on_a_laptop(
    browser: Browser, live: RunningServer, memory_store: MemoryStore
) -> None:
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    context.route("**/*", lambda r: r.continue_() if _local(r.request.url) else r.abort())
    page = context.new_page()
    open_page(page, f"{live.url}/view/node/ap-17")
    rows = page.locator("#responses-table tbody tr")
    levels = [t.strip() for t in rows.evaluate_all("(rs) => rs.map((r) => r.children[1].innerText)")]
    direct = len(memory_store.action_point("ap-17", include_goal_level=False).responses)
    # Direct responders first, then those to its goal only.
    assert levels[:direct] == ["this action point"] * direct
    assert all(v.startswith("only its goal") for v in levels[direct:]) and len(levels) > direct
    first = rows.first.bounding_box()
    net = page.locator("#mynetwork").bounding_box()
    status = page.locator("#status").bounding_box()
    assert status is not None and status["y"] + status["height"] <= 768
    assert first is not None
    assert first["y"] + 40 <= 768, f"the first responder starts {first['y']} px down"
    # At least 150 px of the network's drawing shows on the first screen.
    assert net is not None
    assert net["y"] + 150 <= 768, f"the network starts {net['y']} px down"
    context.close()


@pytest.mark.parametrize(
    "path", ["/view/node/ap-17", "/view/country/PAK", "/view/gaps", "/view/action-points", "/view/matrix", "/view/flow"]
)
def test_print_is_a_clean_brief(desk: Page, live: RunningServer, path: str) -> None:
    desk.set_viewport_size({"width": 794, "height": 1123})  # A4 at 96 dpi
    open_page(desk, live.url + path)
    desk.emulate_media(media="print")
    widths = desk.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"{path} is wider than A4 in print"
    visible_controls = desk.evaluate(
        "[...document.querySelectorAll('button, input, select, form, nav, .button')]"
        ".filter((e) => e.offsetParent !== null).map((e) => e.outerHTML.slice(0, 80))"
    )
    assert visible_controls == []
    assert desk.locator("h1").is_visible()
    assert desk.locator("table").first.is_visible()
    pdf = desk.pdf(format="A4")
    assert pdf.startswith(b"%PDF")


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    # axe runs as an injected script: the page's CSP would refuse it, so this context alone bypasses it.
    context = _context(browser, 1360, bypass_csp=True)
    yield context.new_page()
    context.close()


def serious(page: Page) -> list[tuple[str, str, list[str]]]:
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    return [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]


def test_axe_on_error_pages_and_downloads(axe_page: Page, live: RunningServer, tmp_path: Path) -> None:
    response = axe_page.goto(f"{live.url}/view/node/no-such-node")
    assert response is not None and response.status == 404
    assert serious(axe_page) == []
    saved = tmp_path / "ap-17.html"
    saved.write_bytes(httpx.get(f"{live.url}/view/node/ap-17?download=1", timeout=30).content)
    axe_page.goto(saved.as_uri())
    wait_for_network(axe_page)
    assert serious(axe_page) == []


@pytest.mark.parametrize("path", PAGE_KINDS)
def test_axe_finds_no_serious_or_critical_violations(axe_page: Page, live: RunningServer, path: str) -> None:
    open_page(axe_page, live.url + path)
    axe_page.add_script_tag(path=str(AXE))
    result = axe_page.evaluate("axe.run(document, {resultTypes: ['violations']})")
    bad = [
        (v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
        for v in result["violations"]
        if v["impact"] in ("serious", "critical")
    ]
    assert bad == [], bad


def test_a_downloaded_country_view_works_from_disk(
    desk: Page, live: RunningServer, tmp_path: Path, memory_store: MemoryStore
) -> None:
    response = httpx.get(f"{live.url}/view/country/PAK?download=1", timeout=30)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    saved = tmp_path / "pak.html"
    saved.write_bytes(response.content)
    desk.goto(saved.as_uri())
    wait_for_network(desk)
    served_here = len(country(memory_store, "PAK").action_points)
    assert f"responds to {served_here} action points" in text_of(desk, "#summary")
    assert desk.locator("article[id='node-country-pak']").count() == 1


def test_explore_without_leaving_the_page(desk: Page, live: RunningServer, memory_store: MemoryStore) -> None:
    open_page(desk, f"{live.url}/view/node/ap-17")
    before = set(desk.evaluate("nodes.getIds()"))
    goal = memory_store.action_point("ap-17", include_goal_level=False).goal
    assert goal is not None and goal.id in before
    # Select the action point's goal and add its neighbours in place.
    click_node(desk, goal.id)
    desk.get_by_role("button", name="Show its neighbours here").click()
    desk.wait_for_function("() => document.getElementById('selected').textContent.includes('added')")
    after = set(desk.evaluate("nodes.getIds()"))
    around = {n.id for n in memory_store.neighbourhood(goal.id, 1, None, 200).nodes}
    assert around <= after and after - before == around - before
    assert desk.url == f"{live.url}/view/node/ap-17"
    # ... and hide it.
    click_node(desk, goal.id)
    desk.get_by_role("button", name="Hide it").click()
    assert desk.evaluate("(id) => nodes.get(id)", goal.id) is None
    # What was added is in the text list too.
    desk.locator("#node-list summary").click()
    assert "Added on this page" in text_of(desk, "#node-list")


def test_how_is_a_connected_to_b(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/node/activity-mrc-lahore")
    desk.get_by_label("How is it connected to").fill("Knowledge")
    desk.get_by_label("How is it connected to").press("Enter")
    desk.wait_for_url(re.compile(r".*/view/paths\?.*"))
    wait_for_network(desk)
    summary = text_of(desk, "#summary")
    assert "from Migrant Resource Centre Lahore to Knowledge" in summary
    steps = text_of(desk, "#paths")
    assert "responds to" in steps and "Action point" in steps and "makes" in steps


def test_flow_view_is_drawn_on_the_server(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/flow")
    assert desk.locator("svg#flow path.band").count() > 40
    assert desk.locator("svg#flow path.band.illustrative").count() > 0
    assert "AP 17" in (desk.locator("svg#flow").text_content() or "")
    assert desk.locator("#flow-table tbody tr").count() > 0


def tab_to(page: Page, text: str, limit: int = 80) -> None:
    """Press Tab until the focused element's text starts with ``text`` (as a keyboard user would)."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate("(document.activeElement.innerText || '').trim()")
        if focused.startswith(text):
            return
    raise AssertionError(f"no focusable element reads {text!r}")


def test_tables_sort_and_cells_open_by_keyboard(desk: Page, live: RunningServer) -> None:
    open_page(desk, f"{live.url}/view/action-points")
    tab_to(desk, "Status")
    desk.keyboard.press("Enter")
    desk.wait_for_url(re.compile(r".*sort=status.*"))
    assert "only through its goal" in text_of(desk, "#action-points tbody tr")
    open_page(desk, f"{live.url}/view/matrix")
    tab_to(desk, "1 of")
    desk.keyboard.press("Enter")
    desk.wait_for_url(re.compile(r".*/view/matrix/cell\?.*"))
    assert desk.locator("#cell-links tbody tr").count() >= 1


@pytest.mark.parametrize(
    "path", ["/view/overview", "/view/trace/pg-4?direction=down", "/view/paths?from=ap-17&to=Knowledge"]
)
def test_downloads_work_from_disk(desk: Page, live: RunningServer, tmp_path: Path, path: str) -> None:
    response = httpx.get(f"{live.url}{path}{'&' if '?' in path else '?'}download=1", timeout=30)
    assert response.status_code == 200 and "attachment" in response.headers["content-disposition"]
    saved = tmp_path / "view.html"
    saved.write_bytes(response.content)
    requests: list[str] = []
    desk.on("request", lambda r: requests.append(r.url))
    desk.goto(saved.as_uri())
    wait_for_network(desk)
    assert desk.locator("#details article").count() == desk.evaluate("nodes.length")
    assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
