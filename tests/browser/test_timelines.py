"""Timeline pages, suspect links and the as-of form, read as a policy officer reads them: in headless Chromium with
networking off, on a small dataset with dates of every kind and a link reviewed before a node it rests on
changed (``tests.browser.dated``), and a timeline of the bundled dataset."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from bpkg.app.api.main import create_app
from bpkg.app.services import timelines
from bpkg.app.services.coverage import coverage
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.server import RunningServer, serve_in_background
from bpkg.graph_schema.asof import parse_as_of
from bpkg.loaders import build_graph, load_dataset
from tests.browser.conftest import XSS_IMG, XSS_LINK, Watch, settings
from tests.browser.dated import REVIEWED, UPDATED, write_dated
from tests.browser.test_officer import _context, serious, tab_to, text_of

pytestmark = pytest.mark.browser

KINDS = {"pg-1": "goal", "country-pak": "country", "component-c": "component", "project-p": "project"}


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    return MemoryStore(build_graph(load_dataset(write_dated(tmp_path_factory.mktemp("dated") / "dated"))))


@pytest.fixture(scope="module")
def dated_live(dated_store: MemoryStore) -> Iterator[RunningServer]:
    with serve_in_background(create_app(settings(), store=dated_store)) as server:
        yield server


def table_numbers(page: Page) -> list[list[str]]:
    """The timeline table as the page shows it: year, events, started, running, ended, approximate, covered,
    action points (empty strings when no action point is counted)."""
    rows: list[list[str]] = page.evaluate(
        """() => [...document.querySelectorAll('#timeline-table tbody tr')].map((tr) => {
          const cell = (sel) => { const e = tr.querySelector(sel); return e ? e.innerText.trim() : ''; };
          return [tr.dataset.year, cell('td.events'), cell('td.started'), cell('td.running'), cell('td.ended'),
                  cell('td.approximate'), cell('span.covered'), cell('span.total')];
        })"""
    )
    return rows


def download_csv(page: Page) -> list[list[str]]:
    """Click "Download CSV" as a person would and read the file the browser saved."""
    with page.expect_download() as info:
        page.get_by_role("link", name="Download CSV").click()
    path = info.value.path()
    text = Path(path).read_text(encoding="utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


@pytest.mark.parametrize("node_id", list(KINDS))
def test_a_timeline_of_each_kind_reads_by_year_and_its_csv_has_the_same_numbers(
    offline: tuple[Page, Watch], dated_live: RunningServer, dated_store: MemoryStore, node_id: str
) -> None:
    page, watch = offline
    found = timelines.timeline(dated_store, node_id)
    response = page.goto(f"{dated_live.url}/view/timeline/{node_id}")
    assert response is not None and response.status == 200
    assert page.locator("h1").inner_text() == f"Timeline: {found.node.name}"
    summary = text_of(page, "#summary")
    assert f"{found.counts('event')} event" in summary and f"{found.counts('activity')} activit" in summary
    # What the service answers is what the page shows, year by year; and the drawing has a column per year.
    shown = table_numbers(page)
    assert [int(r[0]) for r in shown] == [y.year for y in found.years] != []
    for row, y in zip(shown, found.years, strict=True):
        assert row[1:6] == [
            str(len(y.events)),
            str(len(y.started)),
            str(len(y.running)),
            str(len(y.ended)),
            str(y.approximate),
        ]
        assert row[6:] == ([str(y.covered), str(y.total)] if y.total else ["", ""])
    assert page.locator("svg#timeline-chart g.year").count() == len(found.years)
    # Uncertain dates are said, in words, and undated items are listed apart (not on a guessed year).
    accounts = text_of(page, "#accounts")
    for sentence in found.accounts:
        assert sentence in accounts
    unplaced = text_of(page, "#unplaced") if found.unplaced else ""
    for item in found.unplaced:
        assert item.node.name in unplaced and item.unplaced in unplaced
    # The CSV the page offers holds the same numbers.
    rows = download_csv(page)
    header, body = rows[0], rows[1:]
    assert header[:5] == ["year", "events", "activities started", "activities running", "activities ended"]
    by_year = {r[0]: r for r in body}
    for row in shown:
        saved = by_year[row[0]]
        assert saved[1:5] == row[1:5]
        assert saved[header.index("approximate dates counted")] == row[5]
        covered = saved[header.index("action points responded to at year-end")]
        assert covered.split(" - ")[0] == row[6]
        assert saved[header.index("action points")] == (row[7] if row[6] else "")
    placed_off = [r for r in body if r[0].startswith("not placed")]
    assert sum(int(r[1]) + int(r[header.index("activities not placed on a year")]) for r in placed_off) == len(
        found.unplaced
    )
    watch.check()


def test_dates_of_every_kind_are_placed_or_listed_apart(offline: tuple[Page, Watch], dated_live: RunningServer) -> None:
    page, watch = offline
    page.goto(f"{dated_live.url}/view/timeline/component-c")
    rows = {r[0]: r for r in table_numbers(page)}
    # Activity B runs "about 2021" to 2022: started 2021 (approximate), ended 2022; Activity A from March 2020 on.
    assert rows["2021"][2] == "1" and rows["2021"][5] == "1"
    assert rows["2022"][4] == "1"
    assert rows["2020"][2] == "1"
    happened = text_of(page, "#items-table")
    assert "Activity B ~ (about 2021 to 2022)" in happened
    assert "Activity A (from March 2020, no end recorded)" in happened
    # Activity C has no date; Activity D is one of two dates a year apart: neither is put on a year.
    unplaced = text_of(page, "#unplaced")
    assert "Activity C — no date recorded" in unplaced
    assert "Activity D — its date may fall in any year from 2019 to 2020" in unplaced
    assert "Activity C" not in happened and "Activity D" not in happened
    assert "counted as running up to" in text_of(page, "#accounts")
    watch.check()


def test_timelines_are_reached_from_node_country_and_gaps_pages(
    offline: tuple[Page, Watch], dated_live: RunningServer
) -> None:
    page, watch = offline
    for start, name in (("/view/node/pg-1", "Goal one"), ("/view/node/component-c", "Component C")):
        page.goto(dated_live.url + start)
        page.get_by_role("link", name="Timeline", exact=True).click()
        page.wait_for_url(re.compile(r".*/view/timeline/.*"))
        assert page.locator("h1").inner_text() == f"Timeline: {name}"
    page.goto(f"{dated_live.url}/view/country/PAK")
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url(f"{dated_live.url}/view/timeline/country-pak")
    page.goto(f"{dated_live.url}/view/gaps")
    page.locator("#by-goal + .table-wrap").get_by_role("link", name="over time").first.click()
    page.wait_for_url(f"{dated_live.url}/view/timeline/pg-1")
    # An action point has no timeline: its page offers none (asking for one is a 422, tests/api).
    page.goto(f"{dated_live.url}/view/node/ap-1")
    assert page.get_by_role("link", name="Timeline", exact=True).count() == 0
    watch.check()


def test_a_timeline_by_keyboard_on_a_small_screen_and_in_print(browser: Browser, dated_live: RunningServer) -> None:
    context = _context(browser, 390)
    page = context.new_page()
    page.goto(f"{dated_live.url}/view/timeline/country-pak")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
    # The drawing scrolls in its own box, which the keyboard reaches; the CSV link is reached and followed.
    tab_to(page, "Download CSV")
    with page.expect_download() as info:
        page.keyboard.press("Enter")
    assert info.value.suggested_filename == "timeline-country-pak.csv"
    for _ in range(10):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.getAttribute('role')") == "region":
            break
    else:
        raise AssertionError("the drawing's box is not reachable by keyboard")
    assert "Timeline drawing" in (page.evaluate("document.activeElement.getAttribute('aria-label')") or "")
    # Print: no controls, the drawing and the table on the page, nothing wider than A4.
    page.set_viewport_size({"width": 794, "height": 1123})
    page.emulate_media(media="print")
    widths = page.evaluate("[document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert widths[0] <= widths[1]
    controls = page.evaluate(
        "[...document.querySelectorAll('button, input, form, nav, .button')].filter((e) => e.offsetParent !== null)"
        ".length"
    )
    assert controls == 0
    assert page.locator("#timeline-table").is_visible() and page.locator("svg#timeline-chart").is_visible()
    assert page.pdf(format="A4").startswith(b"%PDF")
    context.close()


def test_a_timeline_of_the_bundled_dataset(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore
) -> None:
    page, watch = offline
    found = timelines.timeline(memory_store, "component-mrc")
    page.goto(f"{live.url}/view/timeline/component-mrc")
    shown = table_numbers(page)
    assert [r[3] for r in shown] == [str(len(y.running)) for y in found.years]
    assert "Migrant Resource Centre Lahore" in text_of(page, "#items-table")
    watch.check()


def test_an_activity_has_its_own_timeline_reached_from_its_page(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore
) -> None:
    page, watch = offline
    found = timelines.timeline(memory_store, "activity-mrc-lahore")
    page.goto(f"{live.url}/view/node/activity-mrc-lahore")
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url(f"{live.url}/view/timeline/activity-mrc-lahore")
    assert page.locator("h1").inner_text() == "Timeline: Migrant Resource Centre Lahore"
    assert "Migrant Resource Centre Lahore and the events, activities and outputs linked to it" in text_of(
        page, "#summary"
    )
    # It runs from 2015 with no recorded end, and it responds to one action point while the 2019 plan is in force.
    shown = table_numbers(page)
    assert shown[0][0] == "2015" and all(r[3] == "1" for r in shown)
    assert [r[6:] for r in shown if r[0] in ("2019", "2024")] == [["1", "41"], ["1", "41"]]
    expected = [[str(y.covered), str(y.total)] if y.total else ["", ""] for y in found.years]
    assert [[r[6], r[7]] for r in shown] == expected
    assert "the action points this activity responds to directly itself" in text_of(page, "#by-year + p")
    watch.check()


@pytest.mark.parametrize(
    ("node_id", "label", "own_year"),
    [("output-afg-comprehensive-migration-policy", "Output", "2019"), ("event-mc-3", "Event", "1997")],
)
def test_an_output_and_an_event_have_timelines_too(
    offline: tuple[Page, Watch], live: RunningServer, memory_store: MemoryStore, node_id: str, label: str, own_year: str
) -> None:
    page, watch = offline
    found = timelines.timeline(memory_store, node_id)
    page.goto(f"{live.url}/view/node/{node_id}")
    page.get_by_role("link", name="Timeline", exact=True).click()
    page.wait_for_url(f"{live.url}/view/timeline/{node_id}")
    assert page.locator("h1").inner_text() == f"Timeline: {found.node.name}"
    # The item itself is on its own year, in the list of what happened.
    items = text_of(page, "#items-table")
    assert items.startswith("Year") and f"{own_year} " in items and found.node.name in items
    # What it is linked to without a date is listed apart, in words.
    for item in found.unplaced:
        assert item.node.name in text_of(page, "#unplaced")
    if label == "Event":
        assert "an event does not respond to action points" in text_of(page, "#timeline-table")
    watch.check()


@pytest.mark.parametrize("node_id", ["activity-mrc-lahore", "event-mc-3", "component-mrc"])
def test_the_timeline_drawing_fills_its_card(offline: tuple[Page, Watch], live: RunningServer, node_id: str) -> None:
    page, watch = offline
    page.goto(f"{live.url}/view/timeline/{node_id}")
    drawn, card = page.evaluate(
        "[document.getElementById('timeline-chart').getBoundingClientRect().width,"
        " document.querySelector('.flow-wrap').clientWidth]"
    )
    assert drawn >= 0.95 * card, f"the drawing is {drawn} px wide in a {card} px card"
    # ... and its bars are visible, not slivers: at least 8 px wide on screen.
    bar = page.locator("svg#timeline-chart rect.running, svg#timeline-chart rect.events").first.bounding_box()
    assert bar is not None and bar["width"] >= 8
    watch.check()


@pytest.fixture
def axe_page(browser: Browser) -> Iterator[Page]:
    context = _context(browser, 1360, bypass_csp=True)
    yield context.new_page()
    context.close()


@pytest.mark.parametrize("node_id", ["pg-1", "country-pak"])
def test_axe_on_timeline_pages(axe_page: Page, dated_live: RunningServer, node_id: str) -> None:
    axe_page.goto(f"{dated_live.url}/view/timeline/{node_id}")
    assert serious(axe_page) == []


# -- suspect links ---------------------------------------------------------------------------------------

TO_REVIEW = f"To review: Activity A changed on {UPDATED}, after this link was reviewed on {REVIEWED}"


def test_a_suspect_link_is_marked_in_words_where_it_is_listed(
    offline: tuple[Page, Watch], dated_live: RunningServer
) -> None:
    page, watch = offline
    # The action point's page: how many of its links are to review, and which (in its responses and its links).
    page.goto(f"{dated_live.url}/view/node/ap-1")
    assert "1 of its" in text_of(page, "#suspects") and "is to review" in text_of(page, "#suspects")
    body = text_of(page, "main")
    assert body.count(TO_REVIEW) == 2  # the responses table and the "responded to by" list
    # The changed node's page says the same of the link, seen from its end.
    page.goto(f"{dated_live.url}/view/node/activity-a")
    assert "is to review" in text_of(page, "#suspects")
    assert TO_REVIEW in text_of(page, "#responds-to")
    # A node with reviewed links none of which is suspect says so; other links carry no mark.
    page.goto(f"{dated_live.url}/view/node/ap-2")
    assert page.locator(".suspect").count() == 0
    # The links behind a matrix cell and the steps of a connection.
    page.goto(f"{dated_live.url}/view/matrix/cell?row=ap-1&col=component-c&cols=component")
    assert TO_REVIEW in text_of(page, "#cell-links")
    page.goto(f"{dated_live.url}/view/paths?from=activity-a&to=ap-1&max_hops=1")
    assert TO_REVIEW in text_of(page, "#paths")
    watch.check()


# -- the as-of form --------------------------------------------------------------------------------------


def test_the_as_of_form_answers_for_a_day_and_the_site_keeps_it(
    offline: tuple[Page, Watch], dated_live: RunningServer, dated_store: MemoryStore
) -> None:
    page, watch = offline
    page.goto(f"{dated_live.url}/view/gaps")
    assert page.locator("#as-of-note").count() == 0
    field = page.get_by_label("Answer as of")
    field.fill("2019")
    field.press("Enter")
    page.wait_for_url(re.compile(r".*/view/gaps\?as_of=2019$"))
    assert "as of 31 December 2019" in page.locator("h1").inner_text()
    told = coverage(dated_store, "goal", as_of=parse_as_of("2019")).as_of
    assert told is not None and text_of(page, "#as-of-account") == told.sentence
    assert "Answers as of 31 December 2019" in text_of(page, "#as-of-note")
    # Moving on keeps the day: the action points, then one of them, are as of the same day.
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Action points").click()
    page.wait_for_url(re.compile(r".*/view/action-points\?as_of=2019$"))
    assert "as of 31 December 2019" in page.locator("h1").inner_text()
    page.locator("#action-points").get_by_role("link", name="Action point 1", exact=True).click()
    page.wait_for_url(re.compile(r".*/view/node/ap-1\?as_of=2019$"))
    assert "As of 31 December 2019" in text_of(page, "#as-of-account")
    # Activity A responds from March 2020: not on that day; today it does.
    assert page.locator("#responded-to-by").count() == 0 or "Activity A" not in text_of(page, "#responded-to-by")
    page.get_by_role("link", name="Answer for today").click()
    page.wait_for_url(f"{dated_live.url}/view/node/ap-1")
    assert page.locator("#as-of-note").count() == 0 and "Activity A" in text_of(page, "#responded-to-by")
    # The form works from the keyboard alone, on the matrix too, and keeps the page's own choices.
    page.goto(f"{dated_live.url}/view/matrix?rows=action_point&cols=project")
    tab_to(page, "Download XLSX")
    page.keyboard.press("Tab")  # the next stop is the day's field
    page.keyboard.type("2021-06")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/view/matrix\?rows=action_point&cols=project&as_of=2021-06$"))
    assert "as of 30 June 2021" in page.locator("h1").inner_text()
    watch.check()


@pytest.mark.parametrize("node_id", ["pg-1", "component-c", "country-pak"])
def test_names_with_markup_on_a_timeline_are_text(
    offline: tuple[Page, Watch], xss_live: RunningServer, node_id: str
) -> None:
    page, watch = offline
    page.add_init_script("window.__ran = 0;")
    page.goto(f"{xss_live.url}/view/timeline/{node_id}")
    body = page.locator("body").inner_text()
    assert XSS_IMG in body or XSS_LINK in body
    assert page.evaluate("document.querySelectorAll('img').length") == 0
    assert page.evaluate("document.querySelectorAll('a[href^=\"javascript\"]').length") == 0
    assert page.evaluate("window.__ran") == 0
    watch.check()
