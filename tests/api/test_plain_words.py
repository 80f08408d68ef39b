"""Plain words: dates in words instead of interval syntax, and country tables ordered as people look them up
(by name, the countries where work responds first), on both backends."""

from __future__ import annotations

import csv
import io
import re
from typing import TYPE_CHECKING

from tests.api.test_viz_pages import visible

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

INTERVAL = re.compile(r"\b\d{4}(?:-\d{2}){0,2}[~?%]?/(?:\.\.|\d{4})|\.\./\d{4}")


def test_node_pages_give_dates_in_words(any_client: TestClient) -> None:
    lahore = visible(any_client.get("/view/node/activity-mrc-lahore").text)
    assert "dates from October 2015, no end recorded" in lahore
    plan = visible(any_client.get("/view/node/plan-call-for-action-2019").text)
    assert "dates 20 February 2019 to 2024" in plan
    for text in (lahore, plan, visible(any_client.get("/", params={"as_of": "2024-12-31"}).text)):
        assert not INTERVAL.findall(text), INTERVAL.findall(text)


def test_country_tables_are_by_name_with_responding_countries_first(any_client: TestClient) -> None:
    rows = any_client.get("/coverage", params={"by": "country"}).json()["rows"]
    responding = [r for r in rows if r["responses"]]
    assert responding and rows[: len(responding)] == responding  # every responding country before the others
    for part in (responding, rows[len(responding) :]):
        names = [r["node"]["name"].casefold() for r in part]
        assert names == sorted(names)
    table = list(csv.reader(io.StringIO(any_client.get("/coverage?by=country&format=csv").text.lstrip("\ufeff"))))
    assert [r[0] for r in table[1 : len(responding) + 1]] == [r["node"]["name"] for r in responding]
