"""Page routes that answer in time: timelines (page and file), ``?as_of=`` on the question pages (a bad day is a
422 page naming the parameter; a good one is said in the heading with its account, and links keep it), and
suspect links marked on the pages that list links."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from bpkg.app.api.main import create_app
from bpkg.app.services import timelines
from bpkg.app.services.coverage import coverage
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema.asof import parse_as_of
from bpkg.loaders import build_graph, load_dataset
from tests.api.conftest import settings
from tests.browser.dated import REVIEWED, UPDATED, write_dated

AS_OF_PAGES = [
    "/",
    "/view/node/ap-1",
    "/view/node/activity-a",
    "/view/trace/ap-1?direction=down",
    "/view/paths?from=activity-a&to=pg-1",
    "/view/action-points",
    "/view/gaps",
    "/view/matrix",
    "/view/matrix/cell?row=pg-1&col=component-c&cols=component",
    "/view/country/PAK",
]


@pytest.fixture(scope="module")
def dated_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    folder: Path = write_dated(tmp_path_factory.mktemp("dated") / "dated")
    return MemoryStore(build_graph(load_dataset(folder)))


@pytest.fixture(scope="module")
def dated(dated_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=dated_store)) as client:
        yield client


def text(html: str) -> str:
    """What a reader sees of a page, roughly: tags dropped, entities decoded, spaces collapsed."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)))


# -- timelines ---------------------------------------------------------------------------------------------


def test_a_timeline_of_a_node_of_another_kind_is_a_422_page_saying_why(dated: TestClient) -> None:
    response = dated.get("/view/timeline/ap-1")
    assert response.status_code == 422 and response.headers["content-type"].startswith("text/html")
    assert (
        "a timeline is for a priority goal, a country, a component, a project, an activity, an output or an event"
        in text(response.text)
    )
    missing = dated.get("/view/timeline/no-such-node")
    assert missing.status_code == 404 and "no-such-node" in text(missing.text)
    too_long = dated.get("/view/timeline/" + "x" * 300)
    assert too_long.status_code == 422 and "node_id" in text(too_long.text)
    bad_format = dated.get("/view/timeline/pg-1/table?format=pdf")
    assert bad_format.status_code == 422 and "format" in text(bad_format.text)


@pytest.mark.parametrize("node_id", ["pg-1", "country-pak", "component-c", "project-p"])
def test_the_timeline_files_hold_the_services_numbers(
    dated: TestClient, dated_store: MemoryStore, node_id: str
) -> None:
    found = timelines.timeline(dated_store, node_id)
    response = dated.get(f"/view/timeline/{node_id}/table?format=csv")
    assert response.status_code == 200 and response.headers["x-content-type-options"] == "nosniff"
    assert f'filename="timeline-{node_id}.csv"' in response.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    years = {r[0]: r for r in body if not r[0].startswith("not placed")}
    assert [int(y) for y in years] == [y.year for y in found.years]
    for y in found.years:
        row = years[str(y.year)]
        assert [int(c) for c in row[1:5]] == [len(y.events), len(y.started), len(y.running), len(y.ended)]
        assert row[header.index("action points")] == (str(y.total) if y.total else "")
    # The share at each year-end is the services' coverage as of that day, not one of the page's own.
    for y in found.years:
        cov = coverage(dated_store, timelines.group(found.kind), as_of=parse_as_of(y.day.isoformat()))
        mine = next((r for r in cov.rows if r.node is not None and r.node.id == node_id), None)
        assert y.covered == (mine.covered if mine and cov.as_of and cov.as_of.plans else 0)
    book = load_workbook(io.BytesIO(dated.get(f"/view/timeline/{node_id}/table?format=xlsx").content))
    about = {str(k): str(v) for k, v in book["about"].iter_rows(values_only=True)}
    assert found.coverage_rule in about["legend"]
    assert [c.value for c in book["timeline"][1]] == header


def test_dates_that_do_not_say_the_year_are_counted_apart(dated_store: MemoryStore) -> None:
    found = timelines.timeline(dated_store, "component-c")
    apart = {i.node.id: i.unplaced for i in found.unplaced}
    assert apart == {"activity-c": "no date recorded", "activity-d": "its date may fall in any year from 2019 to 2020"}
    b = next(i for i in found.items if i.node.id == "activity-b")
    assert (b.start, b.end, b.approximate, b.open_end) == (2021, 2022, True, False)
    a = next(i for i in found.items if i.node.id == "activity-a")
    assert (a.start, a.open_end) == (2020, True)
    assert found.years[-1].year >= 2024 and all(a in y.running for y in found.years if y.year >= 2020)
    assert any("counted as running up to" in s for s in found.accounts)


# -- as_of on pages ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", AS_OF_PAGES)
@pytest.mark.parametrize("bad", ["2020-13", "20", "2019-02-30", "yesterday"])
def test_a_bad_as_of_is_a_422_page_naming_the_parameter(dated: TestClient, path: str, bad: str) -> None:
    response = dated.get(path + ("&" if "?" in path else "?") + f"as_of={bad}")
    assert response.status_code == 422, path
    assert response.headers["content-type"].startswith("text/html")
    assert "as_of" in text(response.text)


@pytest.mark.parametrize("path", AS_OF_PAGES)
def test_a_page_as_of_a_day_says_so_gives_its_account_and_keeps_the_day_in_its_links(
    dated: TestClient, path: str
) -> None:
    response = dated.get(path + ("&" if "?" in path else "?") + "as_of=2019")
    assert response.status_code == 200, path
    shown = text(response.text)
    # The home page's heading is its goals' (its title is not an answer); every other page's is its h1.
    pattern = r'<h2 id="goals">(.*?)</h2>' if path == "/" else r"<h1>(.*?)</h1>"
    heading = re.search(pattern, response.text, re.S)
    assert heading is not None and "as of 31 December 2019" in text(heading[1])
    assert "Answers as of 31 December 2019" in shown
    assert 'id="as-of-form"' in response.text and 'name="as_of" value="2019"' in response.text
    if path not in ("/view/matrix/cell?row=pg-1&col=component-c&cols=component",):
        assert "As of 31 December 2019:" in text(response.text.split('id="as-of-account"', 1)[1])
    links = re.findall(r'<a (?!class="as-of-today")[^>]*href="(/view/[^"]+)"', response.text)
    # Every link keeps the day, but to the static files, to timelines (which span every year) and to the one-page
    # PDF briefs (which count every date and say so).
    page_links = [
        unescape(h) for h in links if not h.startswith(("/view/static/", "/view/timeline/")) and "/brief.pdf" not in h
    ]
    assert page_links and all("as_of=2019" in h for h in page_links), [h for h in page_links if "as_of" not in h][:5]
    # The way back to today's answer drops the day and keeps the question.
    found = re.search(r'<a class="as-of-today" href="([^"]*)">Answer for today</a>', response.text)
    assert found is not None
    today = unescape(found[1])
    assert "as_of" not in today and today.split("?")[0] == path.split("?")[0]


def test_as_of_changes_the_answer_where_the_dates_say_so(dated: TestClient, dated_store: MemoryStore) -> None:
    # Activity A responds to action point 1 from March 2020: at the end of 2019 it did not yet.
    before = text(dated.get("/view/node/ap-1", params={"as_of": "2019"}).text)
    after = text(dated.get("/view/node/ap-1", params={"as_of": "2021"}).text)
    assert "Activity A" not in before.split("Its network")[0] and "Activity A" in after.split("Its network")[0]
    for day in ("2019", "2021"):
        cov = coverage(dated_store, "goal", as_of=parse_as_of(day))
        assert cov.as_of is not None
        page = text(dated.get("/view/gaps", params={"as_of": day}).text)
        assert cov.as_of.sentence in page
        assert f"{cov.summary.uncovered} of {cov.summary.action_points} action points" in page
    # Before any action plan was in force no action point is counted, and the page says why.
    early = text(dated.get("/view/gaps", params={"as_of": "2010"}).text)
    assert "No action plan with action points was in force" in early


def test_page_downloads_as_of_a_day_say_so(dated: TestClient) -> None:
    response = dated.get("/view/gaps/table", params={"format": "xlsx", "as_of": "2019"})
    assert response.status_code == 200
    about = {
        str(k): str(v) for k, v in load_workbook(io.BytesIO(response.content))["about"].iter_rows(values_only=True)
    }
    assert "As of 31 December 2019" in about["legend"]


# -- suspect links -----------------------------------------------------------------------------------------

TO_REVIEW = f"To review: Activity A changed on {UPDATED}, after this link was reviewed on {REVIEWED}"


def test_suspect_links_are_marked_and_counted(dated: TestClient, client: TestClient) -> None:
    page = text(dated.get("/view/node/ap-1").text)
    assert "1 of its 3 links is to review" in page and page.count(TO_REVIEW) == 2
    assert TO_REVIEW in text(dated.get("/view/matrix/cell?row=ap-1&col=component-c&cols=component").text)
    assert TO_REVIEW in text(dated.get("/view/paths?from=activity-a&to=ap-1&max_hops=1").text)
    # A link with no review date is never suspect: the bundled dataset has none, and no page marks one.
    for path in ("/view/node/ap-17", "/view/node/activity-mrc-lahore"):
        assert "To review" not in client.get(path).text


@pytest.mark.parametrize("node_id", ["pg-4", "country-pak", "component-mrc", "project-srpp"])
def test_timelines_are_the_same_on_every_backend(store: GraphStore, memory_store: MemoryStore, node_id: str) -> None:
    day = date(2025, 6, 30)
    found = timelines.timeline(store, node_id, today=day)
    assert timelines.table(found) == timelines.table(timelines.timeline(memory_store, node_id, today=day))
    assert found.accounts == timelines.timeline(memory_store, node_id, today=day).accounts
    assert found.years and found.years[-1].year == 2025


@pytest.mark.parametrize("node_id", ["activity-mrc-lahore", "output-afg-comprehensive-migration-policy", "event-mc-3"])
def test_a_single_items_timeline_is_the_same_on_both_backends(
    any_client: TestClient, memory_store: MemoryStore, node_id: str
) -> None:
    # What the page's CSV holds on either backend is what the service answers over the embedded graph.
    found = timelines.timeline(memory_store, node_id)
    response = any_client.get(f"/view/timeline/{node_id}/table?format=csv")
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    header, body = rows[0], rows[1:]
    years = [r for r in body if not r[0].startswith("not placed")]
    assert [int(r[0]) for r in years] == [y.year for y in found.years] != []
    for row, y in zip(years, found.years, strict=True):
        assert int(row[header.index("events")]) == len(y.events)
        assert int(row[header.index("outputs")]) == len(y.outputs)
        assert int(row[header.index("activities running")]) == len(y.running)
        covered = row[header.index("action points responded to at year-end")].split(" - ")[0]
        assert covered == (str(y.covered) if y.total else "")
    placed_off = [r for r in body if r[0].startswith("not placed")]
    counted = sum(
        int(r[1])
        + int(r[header.index("activities not placed on a year")] or 0)
        + int(r[header.index("outputs not placed on a year")] or 0)
        for r in placed_off
    )
    assert counted == len(found.unplaced)
    page = any_client.get(f"/view/timeline/{node_id}")
    assert page.status_code == 200 and f"Timeline: {found.node.name}" in text(page.text)
