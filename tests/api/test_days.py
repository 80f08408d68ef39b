"""One rule for days: home, overview, the page of action points not responded to directly, the matrix and the
API give the same figures on every day (both backends); a day after the last plan with action points falls back
to it and says so, never "0 of 0"; an answer without a day says it counts every date."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest

from tests.api.test_viz_pages import visible

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

DAYS = ["", "2015", "2019-01-31", "2019-06", "2021", "2024-12-31", "2025-01-01", "2026-12-06", "2031"]
SHOWING = (
    "showing the action points of A Call for Action - a five year plan (2019-2024), which ended in 2024, the most "
    "recent plan that has them."
)
FALLBACK = "The action points of Call for Action 2025-2030 (in force on {day}) are not public; " + SHOWING
NO_PLAN = "No action plan was in force on {day}; " + SHOWING


def figures(client: TestClient, day: str) -> dict[str, tuple[int, int] | None]:
    query = {"as_of": day} if day else {}

    def pair(text: str, pattern: str) -> tuple[int, int] | None:
        found = re.search(pattern, text)
        return (int(found[1]), int(found[2])) if found else None

    home = visible(client.get("/", params=query).text)
    overview = visible(client.get("/view/overview", params=query).text)
    gaps = visible(client.get("/view/gaps", params=query).text)
    api = client.get("/coverage", params=query).json()["summary"]
    matrix = client.get("/matrix", params={"cols": "component", **query}).json()["rows"]
    not_direct = pair(gaps, r"(\d+) of (\d+) action points are not responded to directly")
    for text in (home, overview, gaps):
        assert "0 of 0" not in text and "(0%)" not in text
    return {
        "home": pair(home, r"(\d+) of (\d+) action points \(\d+%\) are responded to directly"),
        "overview": pair(overview, r"(\d+) of (\d+) action points are responded to directly in this view"),
        "gaps": (not_direct[1] - not_direct[0], not_direct[1]) if not_direct else None,
        "matrix": (sum(r["status"] == "direct" for r in matrix), len(matrix)) if matrix else None,
        "api": (api["covered"], api["action_points"]) if api["action_points"] else None,
    }


@pytest.mark.parametrize("day", DAYS)
def test_every_page_and_the_api_agree_on_a_day(any_client: TestClient, day: str) -> None:
    found = figures(any_client, day)
    assert len(set(found.values())) == 1, found
    counted = found["api"]
    # Before the first plan with action points began there is nothing to count, and the pages say so.
    assert (counted is None) == (day in ("2015", "2019-01-31")), found


@pytest.mark.parametrize("day", ["2025-01-01", "2026-12-06", "2031"])
def test_a_day_after_the_last_plan_with_action_points_falls_back_to_it(any_client: TestClient, day: str) -> None:
    told = any_client.get("/coverage", params={"as_of": day}).json()["as_of"]
    words = told["sentence"].split(": ", 1)[0].removeprefix("As of ")
    said = (NO_PLAN if day == "2031" else FALLBACK).format(day=words)  # the 2025-2030 plan ended in 2030
    assert said in told["sentence"]
    assert [p["id"] for p in told["plans"]] == ["plan-call-for-action-2019"]
    for path in ("/", "/view/gaps", "/view/overview", "/view/matrix"):
        assert said in visible(any_client.get(path, params={"as_of": day}).text), path


def test_before_any_plan_the_pages_say_there_is_nothing_to_count(any_client: TestClient) -> None:
    for path in ("/", "/view/gaps", "/view/overview"):
        text = visible(any_client.get(path, params={"as_of": "2015"}).text)
        assert "No action point to count as of 31 December 2015: no action plan with action points had begun" in text


def test_without_a_day_pages_say_they_count_every_date(any_client: TestClient) -> None:
    for path in ("/", "/view/gaps", "/view/overview", "/view/matrix", "/view/country/country-pak"):
        assert "Every date counted" in visible(any_client.get(path).text), path


def test_the_page_of_action_points_not_responded_to_directly_is_named_for_them(any_client: TestClient) -> None:
    text = visible(any_client.get("/view/gaps").text)
    assert "Action points not responded to directly" in text and "Gaps ·" not in text
    assert re.search(r"7 of 41 action points are not responded to directly: 7 only through their goal and 0 gaps", text)


def test_the_matrix_shows_responders_outside_the_components(any_client: TestClient) -> None:
    text = visible(any_client.get("/view/matrix", params={"rows": "action_point", "cols": "component"}).text)
    assert "Outside the components" in text
    row = re.search(r"Action point 12 responded to directly .*? by ([^A]+)", text)
    assert row and "Online training platform" in row[1]
    body = any_client.get("/matrix", params={"cols": "component"}).json()
    for r in body["rows"]:
        # A row responded to directly has a cell somewhere: a component's or the outside one.
        if r["status"] == "direct":
            assert any(r["cells"]) or r["outside"], r["number"]


def test_label_lists_honour_the_day_or_say_they_count_every_date(any_client: TestClient) -> None:
    total = any_client.get("/nodes", params={"label": "Activity", "limit": 1}).json()["total"]  # from the data
    every = visible(any_client.get("/view/label/Activity").text)
    assert f"{total} activities, whatever their dates: every date counted." in every
    then = visible(any_client.get("/view/label/Activity", params={"as_of": "2016"}).text)
    found = re.search(
        rf"As of 31 December 2016: (\d+) of the {total} activities in the data may have existed then", then
    )
    assert found and 0 < int(found[1]) < total
    listed = re.findall(
        r'<ul class="linklist" id="nodes">(.*?)</ul>', any_client.get("/view/label/Activity?as_of=2016").text, re.S
    )
    assert listed and listed[0].count("<li>") == int(found[1])


def node_ids_drawn(html: str) -> set[str]:
    return set(re.findall(r'\\?"id\\?": \\?"([a-z0-9-]+)\\?"', html))


@pytest.mark.parametrize("path", ["/view/node/component-mrc", "/view/country/country-pak"])
def test_neighbourhood_networks_honour_the_day(any_client: TestClient, path: str) -> None:
    today = node_ids_drawn(any_client.get(path).text)
    then = node_ids_drawn(any_client.get(path, params={"as_of": "2014"}).text)
    assert then < today  # the centres opened from 2015 are not drawn as of 2014
    assert "activity-mrc-lahore" in today and "activity-mrc-lahore" not in then


@pytest.mark.parametrize("path", ["/coverage", "/gaps", "/matrix", "/action-points", "/countries/PAK"])
def test_api_answers_say_which_dates_they_count(any_client: TestClient, path: str) -> None:
    assert any_client.get(path).json()["dates"].startswith("every date: work that has ended and work not begun")
    dated = any_client.get(path, params={"as_of": "2021"}).json()
    assert dated["dates"] == "as of 2021-12-31: only what may have existed then" and dated["as_of"]["sentence"]
