"""Table downloads carry the sources of each row, and matrix cells and path steps say when they are to review
(issue 20), on both backends: the files are read back as a spreadsheet program would read them."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.loaders import build_graph, load_dataset
from bpkg.loaders.validation.columns import SOURCE_CHECKS
from tests.factories import PLAN_ROWS, base_graph, write_csv, write_dataset

HOSTILE = '=HYPERLINK("https://example.org/x","open me")'


def _dataset(folder: Path) -> Path:
    """The tiny dataset with two more sources: ``source-b`` (cited by action point 1's plan row, found changed
    by the last check) and ``hostile-source`` (a title a spreadsheet would run as a formula); action point 1
    says where on Source A it stands."""
    graph = base_graph()
    graph["nodes"].append(
        {"id": "source-b", "label": "Source", "name": "Source B", "url": "https://example.org/b"}
        | {"kind": "news", "read_on": "2026-12-06", "sources": ["source-a"], "confidence": "confirmed"}
    )
    graph["nodes"].append(
        {"id": "hostile-source", "label": "Source", "name": HOSTILE, "url": "https://example.org/h"}
        | {"sources": ["source-a"], "confidence": "confirmed"}
    )
    for node in graph["nodes"]:
        if node["id"] == "ap-1":
            node["locators"] = ["source-a: list of action points, item 1"]
        if node["id"] == "component-c":
            node["sources"] = ["hostile-source"]
    plan = [dict(PLAN_ROWS[0], source="source-b"), *PLAN_ROWS[1:]]
    write_dataset(folder, graph=graph, plan=plan)
    write_csv(
        folder / SOURCE_CHECKS,
        ["source", "checked_on", "status", "reason", "moved_to"],
        [
            ["source-b", "2026-12-06", "changed", "the page's text differs", ""],
            ["source-a", "2026-12-06", "unchanged", "", ""],
        ],
    )
    return folder


@pytest.fixture(params=["memory", pytest.param("neo4j", marks=pytest.mark.neo4j)])
def cited(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TestClient]:
    """The API over the tiny dataset with a changed page, once per backend."""
    batch = load_dataset(_dataset(tmp_path / "tiny"))
    store: GraphStore
    if request.param == "memory":
        store = MemoryStore(build_graph(batch))
    else:
        from bpkg.app.store.neo4j.store import Neo4jStore
        from bpkg.loaders.neo4j_sink import write_batch
        from tests.conftest import wipe

        driver: Any = request.getfixturevalue("neo4j_driver")
        settings: Settings = request.getfixturevalue("neo4j_settings")
        wipe(driver, settings.neo4j_database)
        write_batch(driver, batch, settings.neo4j_database)
        store = Neo4jStore(driver, settings.neo4j_database, timeout=settings.query_timeout)
    with TestClient(create_app(Settings(backend="memory", api_keys=""), store=store)) as client:
        yield client


def _csv(client: TestClient, url: str) -> list[dict[str, str]]:
    response = client.get(url)
    assert response.status_code == 200, response.text
    return list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))


def _sources_of(client: TestClient) -> set[str]:
    return {n["id"] for n in client.get("/nodes", params={"label": "Source", "limit": 500}).json()["items"]}


TABLES = [
    "/action-points?format=csv",
    "/gaps?format=csv",
    "/matrix?cols=component&format=csv",
    "/matrix?cols=goal&format=csv",
    "/coverage?by=goal&format=csv",
    "/coverage?by=component&format=csv",
    "/countries/country-pak?format=csv",
]


@pytest.mark.parametrize("url", TABLES)
def test_each_csv_row_names_its_sources_as_title_where_and_read_on(cited: TestClient, url: str) -> None:
    rows = _csv(cited, url)
    known = _sources_of(cited)
    assert rows and list(rows[0])[-2:] == ["sources", "source ids"]
    listed = [r for r in rows if r["source ids"]]
    assert listed, "no row says what it rests on"
    for row in listed:
        ids = row["source ids"].split("; ")
        assert set(ids) <= known
        assert len(row["sources"].split(" | ")) == len(ids)  # one "title — where — read on" per id


def test_an_action_points_row_cites_its_node_placement_and_responses(cited: TestClient) -> None:
    rows = {r["number"]: r for r in _csv(cited, "/action-points?format=csv")}
    first = rows["1"]
    # action point 1: its own node and its goal (source-a), its placement and its response (source-b)
    assert first["source ids"].split("; ") == ["source-a", "source-b"]
    lines = first["sources"].split(" | ")
    assert lines[0] == "Source A — list of action points, item 1"
    assert lines[1] == "Source B — read on 2026-12-06 — to review: its page was found changed on 2026-12-06"
    # action point 3 has no response and its plan row cites source-a only
    assert rows["3"]["source ids"] == "source-a"


def test_a_component_row_cites_the_component_and_only_the_responses_involving_it(cited: TestClient) -> None:
    rows = {r["component"]: r for r in _csv(cited, "/coverage?by=component&format=csv")}
    ids = rows["Component C"]["source ids"].split("; ")
    assert ids == ["hostile-source", "source-a", "source-b"]
    # the formula of a title in the middle of a cell is inert; a cell is neutralised where it starts one
    assert rows["Component C"]["sources"].startswith("'" + HOSTILE)


def test_the_xlsx_has_a_sources_sheet_the_rows_point_into(cited: TestClient) -> None:
    response = cited.get("/matrix", params={"cols": "component", "format": "xlsx"})
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["matrix", "Sources", "about"]
    header, *rows = list(book["matrix"].iter_rows(values_only=True))
    assert header[-1] == "source ids"
    pointed = {i for r in rows if r[-1] for i in str(r[-1]).split("; ")}
    sheet_header, *sources = list(book["Sources"].iter_rows(values_only=True))
    assert sheet_header == (
        "id",
        "title",
        "url",
        "citation",
        "kind",
        "where",
        "read_on",
        "fingerprint",
        "checked_on",
        "check status",
        "to review",
    )
    by_id = {s[0]: dict(zip(sheet_header, s, strict=True)) for s in sources}
    assert set(by_id) == pointed  # every source a row points to is listed, and no other
    b = by_id["source-b"]
    assert (b["title"], b["url"], b["kind"]) == ("Source B", "https://example.org/b", "news")
    assert b["read_on"] == "2026-12-06"
    assert (b["checked_on"], b["check status"]) == ("2026-12-06", "changed")
    assert str(b["to review"]).startswith("yes")
    assert str(b["fingerprint"]).startswith("none stored")  # never a made-up fingerprint
    assert by_id["source-a"]["where"] == "list of action points, item 1"
    assert by_id["source-a"]["to review"] == "no"
    about = {str(row[0]): row[1] for row in book["about"].iter_rows(values_only=True)}
    assert "source ids" in str(about["sources"])


def test_the_hostile_title_stays_text_in_the_sources_sheet(cited: TestClient) -> None:
    response = cited.get("/coverage", params={"by": "component", "format": "xlsx"})
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    titles = {row[0]: row[1] for row in book["Sources"].iter_rows(min_row=2, values_only=True)}
    assert titles["hostile-source"] == "'" + HOSTILE
    assert all(c.data_type != "f" for row in book["Sources"].iter_rows() for c in row)


def test_matrix_cells_say_in_words_when_a_page_they_rest_on_changed(cited: TestClient) -> None:
    answer = cited.get("/matrix", params={"cols": "component"}).json()
    column = [c["id"] for c in answer["columns"]].index("component-c")
    cells = {r["number"]: r["cells"][column] for r in answer["rows"]}
    assert cells[1]["to_review"] == ["the page of Source B (source-b) was found changed on 2026-12-06"]
    assert cells[2]["to_review"] == []  # its response cites source-a, found unchanged
    rows = {r["number"]: r for r in _csv(cited, "/matrix?cols=component&format=csv")}
    assert rows["1"]["Component C"].endswith(" - to review")
    assert not rows["2"]["Component C"].endswith(" - to review")
    by_goal = cited.get("/matrix", params={"cols": "goal"}).json()
    goal_cells = {r["number"]: next(c for c in r["cells"] if c) for r in by_goal["rows"]}
    assert goal_cells[1]["to_review"] and not goal_cells[3]["to_review"]


def test_the_matrix_page_marks_the_cell_in_words(cited: TestClient) -> None:
    page = cited.get("/view/matrix", params={"rows": "action_point", "cols": "component"}).text
    body = page.split('id="matrix"')[1]
    assert body.count("<strong>To review</strong>") == 1
    assert "the page of Source B (source-b) was found changed on 2026-12-06" in body
    by_goal = cited.get("/view/matrix", params={"rows": "goal", "cols": "component"}).text
    assert "<strong>To review</strong>" in by_goal.split('id="matrix"')[1]
    cell = cited.get("/view/matrix/cell", params={"row": "ap-1", "col": "component-c"}).text
    assert "the page of Source B was found changed on 2026-12-06; check this fact against it" in cell


def test_each_path_step_says_whether_it_is_to_review(cited: TestClient) -> None:
    found = cited.get("/paths", params={"from": "activity-a", "to": "ap-1"}).json()
    steps = [st for p in found["paths"] for st in p["steps"]]
    direct = [st for st in steps if {st["source"]["id"], st["target"]["id"]} == {"activity-a", "ap-1"}]
    assert direct and all(
        st["to_review"] == ["the page of Source B (source-b) was found changed on 2026-12-06"] for st in direct
    )
    other = cited.get("/paths", params={"from": "project-p", "to": "component-c", "every": True, "max_hops": 1}).json()
    assert [st["to_review"] for p in other["paths"] for st in p["steps"]] == [[]]
    page = cited.get("/view/paths", params={"from": "activity-a", "to": "ap-1"}).text
    words = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", page.split('id="paths"')[1]))
    assert "To review: the page of Source B (source-b) was found changed on 2026-12-06; check this step" in words
    quiet = cited.get("/view/paths", params={"from": "project-p", "to": "component-c"}).text
    assert "check this step" not in quiet


def test_the_bundled_tables_cite_only_sources_of_the_dataset(any_client: TestClient) -> None:
    rows = _csv(any_client, "/action-points?format=csv")
    known = _sources_of(any_client)
    cited_ids = {i for r in rows for i in r["source ids"].split("; ") if i}
    assert cited_ids and cited_ids <= known
    assert all(r["source ids"] for r in rows)  # every action point rests on something cited


def test_a_trace_lists_the_links_to_review_in_words(cited: TestClient) -> None:
    up = cited.get("/trace/activity-a", params={"direction": "up"}).json()
    assert any(e["source"] == "activity-a" and e["target"] == "ap-1" for e in up["edges"])
    why = "the page of Source B (source-b) was found changed on 2026-12-06"
    # action point 1's plan row cites source-b: its response and its placement under the goal
    assert sorted(up["to_review"]) == [f"activity-a -[RESPONDS_TO]-> ap-1: {why}", f"ap-1 -[UNDER]-> pg-1: {why}"]
    assert cited.get("/trace/project-p", params={"direction": "down", "depth": 1}).json()["to_review"] == []
    page = cited.get("/view/trace/activity-a", params={"direction": "up"}).text
    review = page.split('id="trace-review"')[1].split("</div>")[0]
    assert "activity-a -[RESPONDS_TO]-&gt; ap-1: the page of Source B (source-b) was found changed" in review
    assert 'id="trace-review"' not in cited.get("/view/trace/project-p", params={"direction": "down", "depth": 1}).text


@pytest.mark.neo4j
def test_the_sources_read_for_answers_follow_a_new_version(
    tmp_path: Path, neo4j_driver: Any, neo4j_settings: Settings
) -> None:
    """Answers read a source's row once per dataset version: a load whose check finds the page unchanged again
    clears what the answers of the version before said, in the same running service."""
    from bpkg.app.store.neo4j.store import Neo4jStore
    from bpkg.loaders.neo4j_sink import write_batch
    from tests.conftest import wipe

    database = neo4j_settings.neo4j_database
    folder = _dataset(tmp_path / "tiny")
    wipe(neo4j_driver, database)
    write_batch(neo4j_driver, load_dataset(folder), database)
    store = Neo4jStore(neo4j_driver, database, timeout=neo4j_settings.query_timeout)
    with TestClient(create_app(Settings(backend="memory", api_keys=""), store=store)) as client:
        for _ in range(2):  # the second answer from the rows kept
            up = client.get("/trace/activity-a", params={"direction": "up"}).json()
            assert len(up["to_review"]) == 2
        write_csv(
            folder / SOURCE_CHECKS,
            ["source", "checked_on", "status", "reason", "moved_to"],
            [["source-b", "2026-12-07", "unchanged", "", ""], ["source-a", "2026-12-06", "unchanged", "", ""]],
        )
        write_batch(neo4j_driver, load_dataset(folder), database)
        assert client.get("/trace/activity-a", params={"direction": "up"}).json()["to_review"] == []
        found = client.get("/paths", params={"from": "activity-a", "to": "ap-1"}).json()
        steps = [st for p in found["paths"] for st in p["steps"]]
        assert steps and all(st["to_review"] == [] for st in steps)
