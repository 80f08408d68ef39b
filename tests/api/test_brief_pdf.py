"""The one-page briefs (PDF) of an action point and a country, read as a person reads the file: its text,
extracted with pypdf, and its page count; on both backends."""

from __future__ import annotations

import io
import re
from datetime import date

import networkx as nx
import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader

from bpkg.app.services import onepager
from bpkg.app.services.briefs import statuses
from bpkg.app.services.countries import country
from bpkg.app.services.coverage import read_facts
from bpkg.app.services.responses import todays_facts
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from tests.contract.compare import refused


def read_pdf(client: TestClient, url: str) -> tuple[int, str]:
    """The number of pages and the text of the PDF at ``url`` (whitespace made single spaces)."""
    response = client.get(url)
    assert response.status_code == 200, response.text[:300]
    assert response.headers["content-type"] == "application/pdf"
    assert "attachment" in response.headers["content-disposition"]
    assert response.content.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(response.content))
    words = " ".join(page.extract_text() for page in reader.pages)
    return len(reader.pages), re.sub(r"\s+", " ", words)


def test_an_action_points_brief_is_one_page_with_status_responders_countries_and_sources(
    any_client: TestClient, store: GraphStore
) -> None:
    pages, words = read_pdf(any_client, "/view/node/ap-17/brief.pdf")
    assert pages == 1
    detail = store.action_point("ap-17", include_goal_level=True)
    status = statuses(store)["ap-17"]
    assert words.startswith("Action point 17 One-page brief")
    assert f"Status {status.status_words}" in words
    assert detail.goal is not None and detail.goal.name in words
    # Who responds directly comes first, then who responds to its goal only, each named.
    direct = words.index("Who responds to it directly")
    goal_only = words.index("Who responds to its priority goal only")
    assert direct < goal_only
    for r in detail.responses:
        assert r.responder.name in words[direct:goal_only]
    for r in detail.goal_responses:
        assert r.responder.name in words[goal_only:]
    for c in {c.name for r in detail.responses for c in r.countries}:
        assert c in words[words.index("Countries where it is responded to") :]
    # What rests on illustrative links is said in words, with the count.
    every = [*detail.responses, *detail.goal_responses]
    weak = sum(r.confidence == "illustrative" for r in every)
    assert f"{weak} of the {len(every)} responses rest on illustrative links" in words
    # Sources, by name and address; the official wording is not invented.
    assert "Sources 1. " in words and "https://" in words
    assert "Official wording not public" in words


def test_a_countrys_brief_is_one_page_and_says_what_it_leaves_out(any_client: TestClient, store: GraphStore) -> None:
    pages, words = read_pdf(any_client, "/view/country/PAK/brief.pdf")
    assert pages == 1
    answer = country(store, "PAK")
    assert words.startswith("Pakistan One-page brief")
    assert f"Action points its work responds to directly {len(answer.action_points)} of 41" in words
    listed = re.findall(r"Action point (\d+) ", words)
    assert listed, words
    # Every action point listed is one the work there responds to, in order; what did not fit is counted.
    numbers = [a.number for a in answer.action_points]
    assert [int(n) for n in listed] == numbers[: len(listed)]
    if len(listed) < len(numbers):
        assert f"and {len(numbers) - len(listed)} more on its page in the tool" in words
    # The sample plan is illustrative, so every action point counted for a country rests on it.
    n = len(numbers)
    assert f"{n} of the {n} action points counted here rest on illustrative links" in words
    assert "Migrant Resource Centre Lahore" in words


def test_the_brief_is_reached_from_the_pages(client: TestClient) -> None:
    for page, pdf in [("/view/node/ap-17", "/view/node/ap-17/brief.pdf"), ("/view/country/PAK", "brief.pdf")]:
        html = client.get(page).text
        assert "One-page brief (PDF)" in html and pdf in html
    # As of a day, the link leads to the brief of every date (which says so).
    html = client.get("/view/node/ap-17?as_of=2021").text
    link = re.search(r'id="brief-pdf" href="([^"]+)"', html)
    assert link is not None and "as_of" not in link.group(1)
    assert "counts every date recorded" in read_pdf(client, "/view/node/ap-17/brief.pdf")[1]


@pytest.mark.parametrize(
    ("url", "status", "words"),
    [
        ("/view/node/pg-1/brief.pdf", 422, "a one-page brief is for an action point or a country"),
        ("/view/node/no-such-node/brief.pdf", 404, ""),
        ("/view/country/XYZ/brief.pdf", 404, ""),
    ],
)
def test_a_brief_of_something_else_is_a_plain_error(client: TestClient, url: str, status: int, words: str) -> None:
    response = client.get(url)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert words in response.text


def test_names_with_markup_and_characters_outside_the_fonts_are_printed_as_text(client: TestClient) -> None:
    from bpkg.app.web.pdf import pdf

    brief = onepager.OnePager(
        title="<b>Türkiye</b> & <img src=x> → ok",
        subtitle="s",
        facts=[("Status", "a < b")],
        sections=[onepager.Section("Rows", ["A", "B"], [["<i>x</i>", "y"]])],
        illustrative="none",
        sources=[],
        footer="f",
        file_name="x.pdf",
    )
    reader = PdfReader(io.BytesIO(pdf(brief)))
    words = reader.pages[0].extract_text()
    assert "<b>Türkiye</b> & <img src=x> ? ok" in words and "a < b" in words and "<i>x</i>" in words


def test_a_brief_with_thousands_of_rows_lays_out_no_cut_that_cannot_fit(monkeypatch: pytest.MonkeyPatch) -> None:
    # A busy action point has tens of thousands of responders: the brief is cut to what fits on a page, and no cut
    # longer than a page's height could hold is laid out (each took minutes at 48,567 rows).
    from bpkg.app.web import pdf

    rows = [[f"Responder {i:05d}", "activity"] for i in range(20_000)]
    brief = onepager.OnePager(
        "Busy", "s", [("Status", "x")], [onepager.Section("Rows", ["A", "B"], rows)], "", [], "f", "b.pdf"
    )
    laid_out: list[int] = []
    render = pdf._render

    def counted(cut: onepager.OnePager) -> tuple[bytes, int]:
        laid_out.append(max(len(s.rows) for s in cut.sections))
        return render(cut)

    monkeypatch.setattr(pdf, "_render", counted)
    reader = PdfReader(io.BytesIO(pdf.pdf(brief)))
    words = reader.pages[0].extract_text()
    assert len(reader.pages) == 1
    shown = re.findall(r"Responder (\d{5})", words)
    assert shown and [int(n) for n in shown] == list(range(len(shown)))
    assert f"and {20_000 - len(shown)} more on its page in the tool" in " ".join(words.split())
    assert max(laid_out) <= pdf.MOST_ON_A_PAGE, laid_out
    # And the bound is one: that many rows never fit on one page, however short.
    short = onepager.OnePager(
        "B",
        "s",
        [("Status", "x")],
        [onepager.Section("Rows", ["A"], [["x"]] * pdf.MOST_ON_A_PAGE)],
        "",
        [],
        "f",
        "b.pdf",
    )
    assert render(short)[1] > 1


def test_a_brief_from_todays_derived_facts_is_the_brief_of_the_action_point_read_whole(
    store: GraphStore, bundled_graph: nx.MultiDiGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The brief reads the action point's responses from the facts derived once per version: for each of the 41,
    # the same brief as from the action point read whole with every response, with that read refused once the
    # facts are there. (A store with nothing kept: the session's memory store keeps what other tests asked.)
    day = date(2026, 1, 1)
    fresh = MemoryStore(bundled_graph) if store.backend == "memory" else store
    monkeypatch.setattr(onepager, "todays_responses", lambda s, i: s.action_point(i, include_goal_level=True))
    whole = {n: onepager.action_point(fresh, f"ap-{n}", day) for n in range(1, 42)}
    monkeypatch.undo()
    read_facts(fresh)
    assert todays_facts(fresh, "ap-17") is not None, "the facts are derived: the brief reads them"
    monkeypatch.setattr(fresh, "action_point", refused)
    for n in range(1, 42):
        assert onepager.action_point(fresh, f"ap-{n}", day) == whole[n], n
