"""``?as_of=`` on the API: validated with a 422 naming it, an account in every answer, downloads that say the day."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl
import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph
from tests.api.conftest import settings
from tests.contract import asof_data

ROUTES = (
    "/action-points",
    "/action-points/2/responses",
    "/trace/ap-1",
    "/paths?from=activity-day&to=pg-1",
    "/coverage",
    "/gaps",
    "/matrix",
    "/countries/AAA",
)


@pytest.fixture(scope="module")
def dated_client() -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=MemoryStore(build_graph(asof_data.batch())))) as client:
        yield client


def _with(route: str, query: str) -> str:
    return f"{route}{'&' if '?' in route else '?'}{query}"


@pytest.mark.parametrize("route", ROUTES)
@pytest.mark.parametrize("bad", ["2019-13", "2019-02-30", "20190", "2019/02", "soon", "2019-1-1", "0000", "2015-10/.."])
def test_a_bad_day_is_a_422_naming_as_of_in_words(dated_client: TestClient, route: str, bad: str) -> None:
    response = dated_client.get(_with(route, f"as_of={bad}"))
    assert response.status_code == 422, response.text
    message = response.json()["error"]["message"]
    assert message.startswith("as_of") and ("a year (2022), a month (2022-06) or a day" in message or "no " in message)
    # Words, not the machinery: no regular expression, no pattern syntax.
    assert "pattern" not in message and "\\d" not in message and "^" not in message, message


@pytest.mark.parametrize("route", ROUTES)
def test_every_answer_as_of_carries_its_account(dated_client: TestClient, route: str) -> None:
    today = dated_client.get(route)
    assert today.status_code == 200 and "as_of" not in today.json()
    answer = dated_client.get(_with(route, "as_of=2022-06"))
    assert answer.status_code == 200, answer.text
    told = answer.json()["as_of"]
    assert (told["date"], told["given"]) == ("2022-06-30", "2022-06")
    assert told["sentence"].startswith("As of 30 June 2022:")
    assert told["undated"] + told["imprecise"] + told["approximate"] <= told["counted"]


def test_coverage_as_of_is_that_of_the_plan_in_force(dated_client: TestClient) -> None:
    old = dated_client.get("/coverage?as_of=2022").json()
    assert [p["id"] for p in old["as_of"]["plans"]] == ["plan-old"]
    assert [s["number"] for s in old["action_points"]] == [1, 2]
    new = dated_client.get("/coverage?as_of=2026").json()
    assert [s["number"] for s in new["action_points"]] == [3]
    asked = dated_client.get("/coverage?as_of=2026&plan=plan-old").json()
    assert [s["number"] for s in asked["action_points"]] == [1, 2]
    assert "not in force then" in asked["as_of"]["sentence"]
    assert dated_client.get("/coverage?as_of=2026&plan=nope").status_code == 404


@pytest.mark.parametrize("route", ["/coverage", "/gaps", "/matrix", "/countries/AAA", "/action-points"])
def test_downloads_say_the_day(dated_client: TestClient, route: str) -> None:
    csv = dated_client.get(_with(route, "as_of=2022&format=csv"))
    assert csv.status_code == 200 and "-as-of-2022-12-31.csv" in csv.headers["content-disposition"]
    xlsx = dated_client.get(_with(route, "as_of=2022&format=xlsx"))
    assert xlsx.status_code == 200 and "-as-of-2022-12-31.xlsx" in xlsx.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(xlsx.content))
    about = [" ".join(str(c) for c in row if c is not None) for row in book["about"].iter_rows(values_only=True)]
    assert any("As of 2022-12-31" in line and "As of 31 December 2022:" in line for line in about), about
    plain = dated_client.get(_with(route, "format=xlsx"))
    assert "as-of" not in plain.headers["content-disposition"]
