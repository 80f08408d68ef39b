"""A node's sources say where on the page the fact stands, when the page was read and what kind of source it is
(issue 20): in the API's node answer and on the node page, as "Source: title — where — read on"."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient


def test_the_node_answer_gives_each_source_its_locator_read_on_and_kind(client: TestClient) -> None:
    sources = {s["id"]: s for s in client.get("/nodes/project-imm-mp").json()["sources"]}
    eeas = sources["source-eeas-protect"]
    assert eeas["kind"] == "official page" and eeas["read_on"] == "2026-12-06"
    assert eeas["where"] and "fact box" in eeas["where"]
    islamabad = sources["source-islamabadscene-imm-mp-2023"]
    assert islamabad["kind"] == "news" and islamabad["where"] is None and islamabad["read_on"] is None


def test_the_node_page_shows_source_title_where_and_read_on(client: TestClient) -> None:
    page = client.get("/view/node/project-imm-mp").text
    listed = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('id="sources"')[1].split("</ul>")[0]))
    assert "Source: EU Delegation to Kazakhstan (EEAS): PROTECT" in listed
    assert "— project fact box at the top" in listed and "— read on 2026-12-06" in listed
    assert "(official page)" in listed and "(news)" in listed
