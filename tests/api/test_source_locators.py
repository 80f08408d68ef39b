"""A node's sources say where on the page the fact stands, when the page was read and what kind of source it is
(issue 20): in the API's node answer and on the node page, as "Source: title — where — read on"."""

from __future__ import annotations

import io
import re

from fastapi.testclient import TestClient
from pypdf import PdfReader

from bpkg.app.store.base import source_line


def test_the_node_answer_gives_each_source_its_locator_read_on_and_kind(client: TestClient) -> None:
    sources = {s["id"]: s for s in client.get("/nodes/project-imm-mp").json()["sources"]}
    eeas = sources["source-eeas-protect"]
    assert eeas["kind"] == "official page" and eeas["read_on"] == "2026-12-06"
    assert eeas["where"] and "fact box" in eeas["where"]
    islamabad = sources["source-islamabadscene-imm-mp-2023"]
    assert islamabad["kind"] == "news" and islamabad["where"] is None and islamabad["read_on"] is None
    # the one line a reader weighs a source by, as the pages and briefs print it
    assert eeas["line"].startswith(f"Source: {eeas['name']} — {eeas['where']} — read on 2026-12-06 (official page; ")
    assert islamabad["line"] == f"Source: {islamabad['name']} (news; {islamabad['url']})"


def test_the_node_page_shows_source_title_where_and_read_on(client: TestClient) -> None:
    page = client.get("/view/node/project-imm-mp").text
    listed = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('id="sources"')[1].split("</ul>")[0]))
    assert "Source: EU Delegation to Kazakhstan (EEAS): PROTECT" in listed
    assert "— project fact box at the top" in listed and "— read on 2026-12-06" in listed
    assert "(official page)" in listed and "(news)" in listed


def test_the_pdf_briefs_list_each_source_with_its_kind_read_on_and_address(client: TestClient) -> None:
    response = client.get("/view/country/PAK/brief.pdf")
    assert response.status_code == 200
    words = re.sub(r"\s+", " ", " ".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages))
    listed = words[words.index("Sources 1. ") :]
    assert "Source: " in listed
    # a source read on a known day says so, with its kind and address, in the one line a reader weighs it by
    eeas = client.get("/nodes/source-eeas-protect").json()["properties"]
    if eeas["name"] in listed:  # the brief lists at most 8 sources: check the line when it is among them
        assert f"{eeas['name']} — read on {eeas['read_on']} (official page; " in listed
    assert re.search(r"Source: [^.]+ — read on \d{4}-\d{2}-\d{2} \((official page|news|third party|document); ", listed)


def test_a_source_line_says_where_when_what_kind_and_whether_to_review() -> None:
    props = {"read_on": "2026-12-06", "kind": "news", "url": "https://example.org/n"}
    assert source_line("News item", props, "second paragraph") == (
        "Source: News item — second paragraph — read on 2026-12-06 (news; https://example.org/n)"
    )
    gone = {**props, "check_status": "gone", "checked_on": "2026-12-07"}
    assert source_line("News item", gone).endswith("— to review: its page was found gone on 2026-12-07")
    assert source_line("A document", {}) == "Source: A document"
    assert "to review" not in source_line("News item", {**props, "check_status": "unchanged"})
