"""The matrix pages and streams: a page is the whole matrix's rows from its offset, with the total; a large
matrix and every CSV are written row by row with the same content as the whole answer (both backends)."""

from __future__ import annotations

import csv
import io

import pytest
from fastapi.testclient import TestClient

from bpkg.app.services import matrix as service

COLS = ["component", "country", "project", "goal", "gcm"]


@pytest.mark.parametrize("cols", COLS)
def test_pages_add_up_to_the_whole_matrix(any_client: TestClient, cols: str) -> None:
    whole = any_client.get(f"/matrix?cols={cols}").json()
    assert whole["total"] == len(whole["rows"]) == 41
    assert (whole["offset"], whole["limit"]) == (0, None)
    rows = []
    for offset in range(0, 41, 15):
        page = any_client.get(f"/matrix?cols={cols}&offset={offset}&limit=15").json()
        assert (page["offset"], page["limit"], page["total"]) == (offset, 15, 41)
        assert len(page["rows"]) == min(15, 41 - offset)
        assert {k: v for k, v in page.items() if k not in ("rows", "offset", "limit")} == {
            k: v for k, v in whole.items() if k not in ("rows", "offset", "limit")
        }
        rows += page["rows"]
    assert rows == whole["rows"]
    past = any_client.get(f"/matrix?cols={cols}&offset=41&limit=5").json()
    assert past["rows"] == [] and past["total"] == 41


def test_bad_pages_are_refused(any_client: TestClient) -> None:
    for query in ("limit=0", f"limit={service.MAX_PAGE + 1}", "offset=-1&limit=5", "limit=x"):
        response = any_client.get(f"/matrix?cols=component&{query}")
        assert response.status_code == 422, query
    # An offset alone asks for a page of the most rows a page holds.
    page = any_client.get("/matrix?cols=component&offset=40").json()
    assert (len(page["rows"]), page["limit"]) == (1, service.MAX_PAGE)


@pytest.mark.parametrize("cols", ["component", "gcm"])
def test_a_large_matrix_is_streamed_as_the_same_json(
    any_client: TestClient, cols: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    whole = any_client.get(f"/matrix?cols={cols}")
    monkeypatch.setattr(service, "MAX_WHOLE", 10)  # the bundled 41 rows count as large
    monkeypatch.setattr(service, "_CHUNK", 7)  # and come in several pieces
    streamed = any_client.get(f"/matrix?cols={cols}")
    assert streamed.status_code == 200 and streamed.headers["content-type"] == "application/json"
    assert streamed.json() == whole.json()


@pytest.mark.parametrize("cols", ["component", "country", "goal"])
def test_the_streamed_csv_is_the_whole_table(
    any_client: TestClient, cols: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(service, "_CHUNK", 4)
    body = any_client.get(f"/matrix?cols={cols}").json()
    response = any_client.get(f"/matrix?cols={cols}&format=csv")
    assert response.content.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 42
    assert [int(r[0]) for r in rows[1:]] == [r["number"] for r in body["rows"]]
    assert rows[1:][5][4 : 4 + len(body["columns"])] == [c["text"] if c else "" for c in body["rows"][5]["cells"]]
    page = any_client.get(f"/matrix?cols={cols}&format=csv&offset=10&limit=3")
    page_rows = list(csv.reader(io.StringIO(page.content.decode("utf-8-sig"))))
    assert page_rows == [rows[0], *rows[11:14]]
