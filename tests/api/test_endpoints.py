"""Every endpoint through HTTP on the bundled dataset; the ones taking ``any_client`` run on each backend."""

from __future__ import annotations

import csv as csv_module
import io
from collections.abc import Callable
from typing import Any, get_args

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pydantic import BaseModel

from bpkg.app.services import coverage as coverage_service
from bpkg.app.services.coverage import CoverageBy
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def links_in(body: dict[str, Any]) -> list[dict[str, Any]]:
    """Every response link of a grouped answer, from every level of the tree."""
    found: list[dict[str, Any]] = []
    for project in body["projects"]:
        found += project["responses"]
        for component in project["components"]:
            found += component["responses"]
            for activity in component["activities"]:
                found += activity["responses"]
    return found


# -- health, stats, nodes ---------------------------------------------------------------------------


def test_health(any_client: TestClient, memory_store: MemoryStore) -> None:
    body = any_client.get("/health").json()

    assert body["status"] == "ok"
    assert body["reachable"] is True
    info = memory_store.dataset_info()
    assert info is not None
    assert (body["dataset"]["name"], body["dataset"]["version"]) == (info.name, info.version)
    assert body["dataset"]["loaded_at"]


def test_stats(any_client: TestClient, memory_store: MemoryStore) -> None:
    assert any_client.get("/stats").json() == memory_store.stats().model_dump()


def test_nodes_filter_page_and_order(client: TestClient) -> None:
    first = client.get("/nodes?label=ActionPoint&limit=5").json()
    assert first["total"] == 41
    assert ids(first["items"]) == ["ap-1", "ap-2", "ap-3", "ap-4", "ap-5"]  # by number, not as text
    second = client.get("/nodes?label=ActionPoint&limit=5&offset=5").json()
    assert ids(second["items"])[0] == "ap-6"
    found = client.get("/nodes?q=lahore").json()
    assert "activity-mrc-lahore" in ids(found["items"])
    assert client.get("/nodes?label=Nope").status_code == 422


def test_node_detail(any_client: TestClient) -> None:
    body = any_client.get("/nodes/country-pak").json()

    assert (body["label"], body["name"], body["properties"]["iso3"]) == ("Country", "Pakistan", "PAK")
    assert body["sources"] and all(s["id"] and s["name"] for s in body["sources"])
    counts = {(c["type"], c["direction"]): c["count"] for c in body["link_counts"]}
    assert counts[("PARTICIPATES_IN", "out")] == 1
    assert counts[("IN_COUNTRY", "in")] >= 1


def test_node_links_filter_and_page(client: TestClient) -> None:
    every = client.get("/nodes/country-pak/links?limit=500").json()
    incoming = client.get("/nodes/country-pak/links?direction=in&type=IN_COUNTRY&limit=500").json()

    assert every["total"] == len(every["items"])
    assert incoming["items"] and all(i["type"] == "IN_COUNTRY" and i["direction"] == "in" for i in incoming["items"])
    assert incoming["total"] < every["total"]
    page = client.get("/nodes/country-pak/links?limit=2&offset=1").json()
    assert page["items"] == every["items"][1:3]
    assert every["illustrative"] is None  # the country's own links are sourced facts
    assert client.get("/nodes/ap-17/links?limit=500").json()["illustrative"]  # the sample plan's links are not


# -- action points and the headline question ---------------------------------------------------------


def test_action_points_list(client: TestClient) -> None:
    body = client.get("/action-points?limit=500").json()

    assert body["total"] == 41
    assert [i["number"] for i in body["items"]] == list(range(1, 42))
    for i in body["items"]:
        want = "direct" if i["responses"] else "goal_only" if i["goal_responses"] else "gap"
        words = {"direct": "responded to directly", "goal_only": "only through its goal", "gap": "gap"}[want]
        assert (i["status"], i["status_words"]) == (want, words)
        assert (i["status_confidence"] is None) == (want == "gap")
    # The sample plan places every action point under its goal and links responders illustratively.
    assert {i["status_confidence"] for i in body["items"] if i["status"] == "direct"} == {"illustrative"}
    assert body["illustrative"]


def test_action_point_6_is_not_a_gap_that_looks_answered(client: TestClient) -> None:
    # Action point 6 has no direct responder; its goal has some: every answer says "only through its goal".
    listed = {i["number"]: i for i in client.get("/action-points?limit=500").json()["items"]}
    detail = client.get("/action-points/6").json()
    responses = client.get("/action-points/6/responses?include_goal_level=true").json()
    for body in (listed[6], detail, responses):
        assert (body["status"], body["status_words"]) == ("goal_only", "only through its goal")
    assert detail["responses"] == 0 and detail["goal_responses"] > 0
    links = [
        link
        for g in responses["projects"]
        for link in [*g["responses"], *(x for c in g["components"] for x in c["responses"])]
    ]
    assert links and all(link["level"] == "goal" for link in links)


def test_action_point_detail(any_client: TestClient) -> None:
    body = any_client.get("/action-points/17").json()

    assert (body["action_point"]["id"], body["number"]) == ("ap-17", 17)
    assert body["text"] is None  # the official wording is not public
    assert any_client.get("/action-points/999").status_code == 404


@pytest.mark.parametrize("number", [5, 17])
def test_headline_matches_the_store(any_client: TestClient, memory_store: MemoryStore, number: int) -> None:
    body = any_client.get(f"/action-points/{number}/responses").json()
    expected = memory_store.action_point(f"ap-{number}", include_goal_level=False).responses

    found = links_in(body)
    assert {r["responder"]["id"] for r in found} == {r.responder.id for r in expected}
    assert body["counts"]["links"] == len(expected)
    assert all(r["strength"] and r["confidence"] and r["sources"] and r["path"] for r in found)
    # Every link sits under the project and component its path names.
    for project in body["projects"]:
        for component in project["components"]:
            for activity in component["activities"]:
                for link in activity["responses"]:
                    steps = {(s["source"]["id"], s["type"], s["target"]["id"]) for s in link["path"]}
                    if component["component"] and project["project"]:
                        pair = (project["project"]["id"], "HAS_COMPONENT", component["component"]["id"])
                        assert pair in steps
    assert body["illustrative"]  # the bundled plan is illustrative


def test_headline_goal_level_and_filters(any_client: TestClient) -> None:
    plain = any_client.get("/action-points/5/responses").json()
    wide = any_client.get("/action-points/5/responses?include_goal_level=true").json()
    assert {r["level"] for r in links_in(plain)} == {"action_point"}
    assert {r["level"] for r in links_in(wide)} == {"action_point", "goal"}
    assert all(r["target"]["label"] == "PriorityGoal" for r in links_in(wide) if r["level"] == "goal")

    pak = any_client.get("/action-points/5/responses?country=PAK").json()
    assert pak["filters"]["country"]["id"] == "country-pak"
    assert all("country-pak" in ids(r["countries"]) for r in links_in(pak))
    direct = any_client.get("/action-points/5/responses?strength=direct").json()
    assert {r["strength"] for r in links_in(direct)} <= {"direct"}
    assert any_client.get("/action-points/5/responses?country=XXX").status_code == 404
    assert any_client.get("/action-points/5/responses?strength=strong").status_code == 422


def test_headline_component_filter(client: TestClient) -> None:
    body = client.get("/action-points/5/responses?component=component-mrc").json()
    assert links_in(body)
    # The component is on every kept link's path (the activity is PART_OF it, or it is the responder).
    assert all("component-mrc" in {s["target"]["id"] for s in r["path"]} for r in links_in(body))
    assert client.get("/action-points/5/responses?component=project-imm").status_code == 404


# -- traversals ----------------------------------------------------------------------------------------


def test_trace_up_reaches_the_commitments(any_client: TestClient) -> None:
    body = any_client.get("/trace/activity-mrc-islamabad?direction=up&depth=4").json()

    labels = {n["label"] for n in body["nodes"]}
    assert {"Component", "Project", "ActionPoint", "PriorityGoal"} <= labels
    node_ids = set(ids(body["nodes"]))
    assert all(e["source"] in node_ids and e["target"] in node_ids for e in body["edges"])


def test_trace_types_and_limits(client: TestClient) -> None:
    body = client.get("/trace/ap-17?direction=down&depth=1&types=RESPONDS_TO").json()
    assert body["edges"] and {e["type"] for e in body["edges"]} == {"RESPONDS_TO"}
    assert client.get("/trace/ap-17?depth=5").status_code == 422
    assert client.get("/trace/ap-17?direction=sideways").status_code == 422
    assert client.get("/trace/nope").status_code == 404


def test_paths(any_client: TestClient) -> None:
    body = any_client.get("/paths?from=activity-mrc-islamabad&to=commitment-knowledge&max_hops=6").json()

    assert (body["source"]["id"], body["target"]["id"]) == ("activity-mrc-islamabad", "commitment-knowledge")
    assert body["paths"]
    lengths = {p["length"] for p in body["paths"]}
    assert len(lengths) == 1  # shortest paths only
    for path in body["paths"]:
        assert path["nodes"][0]["id"] == "activity-mrc-islamabad"
        assert path["nodes"][-1]["id"] == "commitment-knowledge"
        assert all(step["relationships"] and step["explanation"] for step in path["steps"])
    assert any_client.get("/paths?from=ap-1&to=ap-2&max_hops=7").status_code == 422


def test_subgraph_and_truncation(client: TestClient) -> None:
    body = client.get("/subgraph?focus=ap-17&depth=1").json()
    assert "ap-17" in ids(body["nodes"])
    assert body["truncated"] is False

    cut = client.get("/subgraph?focus=country-pak&depth=2&max_nodes=5").json()
    assert len(cut["nodes"]) == 5
    assert cut["truncated"] is True and cut["note"]
    only = client.get("/subgraph?focus=component-mrc&depth=1&labels=Activity").json()
    assert {n["label"] for n in only["nodes"]} == {"Component", "Activity"}  # the focus always stays
    assert client.get("/subgraph?max_nodes=2001").status_code == 422


def test_search_ranks(any_client: TestClient) -> None:
    body = any_client.get("/search?q=Migrant Resource Centre Lahore").json()
    assert body["hits"][0]["node"]["id"] == "activity-mrc-lahore"
    scores = [h["score"] for h in body["hits"]]
    assert scores == sorted(scores, reverse=True)


# -- coverage, matrix, countries --------------------------------------------------------------------------


@pytest.mark.parametrize("by", ["goal", "component", "project", "country"])
def test_coverage_rows_add_up(client: TestClient, by: str) -> None:
    body = client.get(f"/coverage?by={by}").json()

    summary = body["summary"]
    assert summary["action_points"] == 41
    assert summary["covered"] + summary["uncovered"] == 41
    if by == "goal":
        assert sum(r["action_points"] for r in body["rows"]) == 41
        assert sum(r["covered"] for r in body["rows"]) == summary["covered"]
    else:
        assert all(r["action_points"] == 41 and r["covered"] <= summary["covered"] for r in body["rows"])
    assert len(body["commitments"]) == 5
    assert body["illustrative"]


def test_coverage_on_both_backends(any_client: TestClient, client: TestClient) -> None:
    assert any_client.get("/coverage?by=goal").json() == client.get("/coverage?by=goal").json()


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        *((f"/coverage?by={by}", lambda s, by=by: coverage_service.coverage(s, by)) for by in get_args(CoverageBy)),
        ("/gaps", lambda s: coverage_service.gaps(s)),
    ],
)
def test_todays_coverage_and_gaps_are_the_models_json_compressed_or_not(
    any_client: TestClient, store: GraphStore, url: str, answer: Callable[[GraphStore], BaseModel]
) -> None:
    """Written once per version: gzip for a client that accepts it, plain JSON for one that does not, the same
    document as the response model's (and HEAD as GET)."""
    want = answer(store).model_dump(mode="json", by_alias=True)
    for encoding, expected in (("gzip, deflate", "gzip"), ("identity", None)):
        for _ in range(2):  # written, then the bytes kept
            response = any_client.get(url, headers={"Accept-Encoding": encoding})
            assert response.status_code == 200
            assert response.headers.get("content-encoding") == expected
            assert response.headers["content-type"] == "application/json"
            assert response.headers["vary"] == "Accept-Encoding"  # said once, compressed or not
            assert response.json() == want
    head = any_client.head(url, headers={"Accept-Encoding": "identity"})
    assert head.status_code == 200 and head.content == b""


def test_gaps_are_the_uncovered(client: TestClient) -> None:
    gaps = client.get("/gaps").json()
    items = client.get("/action-points?limit=500").json()["items"]
    assert [g["number"] for g in gaps["gaps"]] == [i["number"] for i in items if i["status"] != "direct"]
    summary = gaps["summary"]
    assert summary["uncovered"] == len(gaps["gaps"]) == summary["goal_only"] + summary["gap"]
    assert summary["confidence"] == "illustrative"  # the covered count rests on the sample plan
    only_goal = client.get("/action-points?status=goal_only&limit=500").json()["items"]
    assert [i["number"] for i in only_goal] == [g["number"] for g in gaps["gaps"] if g["status"] == "goal_only"]


def test_matrix_json_csv_xlsx(client: TestClient) -> None:
    body = client.get("/matrix?cols=component").json()
    assert len(body["rows"]) == 41
    assert all(len(r["cells"]) == len(body["columns"]) for r in body["rows"])
    names = [c["name"] for c in body["columns"]]

    csv = client.get("/matrix?cols=component&format=csv")
    assert csv.headers["content-type"].startswith("text/csv")
    assert csv.headers["content-disposition"].endswith('.csv"')
    lines = csv.content.decode("utf-8-sig").splitlines()
    assert lines[0].split(",")[:4] == ["number", "action point", "goal", "status"]
    assert all(name in lines[0] for name in names)  # readable headers, not ids
    assert len(lines) == 42

    xlsx = client.get("/matrix?cols=country&format=xlsx")
    book = load_workbook(io.BytesIO(xlsx.content))
    sheet = book["matrix"]
    assert sheet.max_row == 42
    assert [c.value for c in sheet[1]][:2] == ["number", "action point"]
    assert "illustrative" in [row[0].value for row in book["about"].iter_rows()]
    assert client.get("/matrix?rows=component").status_code == 422


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_saved_matrix_files_say_which_cells_rest_on_illustrative_links(client: TestClient, fmt: str) -> None:
    # The file alone (no HTTP header, no JSON notice) must say it: every cell of the bundled matrix rests
    # on the illustrative sample plan, and so does every status and every goal placement.
    body = client.get("/matrix?cols=component").json()
    response = client.get(f"/matrix?cols=component&format={fmt}")
    if fmt == "csv":
        rows = list(csv_module.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    else:
        sheet = load_workbook(io.BytesIO(response.content))["matrix"]
        rows = [["" if c is None else str(c) for c in row] for row in sheet.iter_rows(values_only=True)]
    # The sources of each row come last (sources and source ids in CSV, source ids in XLSX).
    cited = 2 if fmt == "csv" else 1
    assert rows[0][-1] == "source ids"
    rows = [row[:-cited] for row in rows]
    cells = [cell for row in rows[1:] for cell in row[4:] if cell]
    assert cells and all(cell.endswith(" - illustrative") for cell in cells)
    # The last column of the matrix holds the responses outside every component.
    assert rows[0][-1] == body["outside"] == "Outside the components"
    filled = sum(1 for r in body["rows"] for c in [*r["cells"], r["outside"]] if c)
    assert len(cells) == filled
    assert all(row[2].endswith(" - illustrative") for row in rows[1:])  # the goal placements
    statuses = {row[3] for row in rows[1:]}
    assert "responded to directly - illustrative" in statuses and "only through its goal - illustrative" in statuses


@pytest.mark.parametrize("path", ["/coverage", "/coverage?by=country", "/gaps", "/action-points", "/countries/PAK"])
def test_every_table_answer_comes_as_csv_and_xlsx(client: TestClient, path: str) -> None:
    join = "&" if "?" in path else "?"
    as_csv = client.get(f"{path}{join}format=csv")
    assert as_csv.status_code == 200 and as_csv.headers["content-type"].startswith("text/csv"), as_csv.text
    rows = list(csv_module.reader(io.StringIO(as_csv.content.decode("utf-8-sig"))))
    assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    as_xlsx = client.get(f"{path}{join}format=xlsx")
    book = load_workbook(io.BytesIO(as_xlsx.content))
    assert book.worksheets[0].max_row == len(rows)
    assert "illustrative" in [row[0].value for row in book["about"].iter_rows()]
    assert any("illustrative" in cell for row in rows[1:] for cell in row)
    assert client.get(f"{path}{join}format=pdf").status_code == 422


def test_country(any_client: TestClient) -> None:
    body = any_client.get("/countries/pak").json()

    assert (body["country"]["id"], body["iso3"]) == ("country-pak", "PAK")
    assert [r["role"] for r in body["roles"]] == ["member"]
    assert body["activities"] and all(a["label"] == "Activity" for a in body["activities"])
    assert "component-mrc" in ids(body["components"])
    numbers = [a["number"] for a in body["action_points"]]
    assert numbers == sorted(numbers) and numbers
    assert any_client.get("/countries/country-pak").json()["country"]["id"] == "country-pak"
    assert any_client.get("/countries/XYZ").status_code == 404
    assert any_client.get("/countries/ap-1").status_code == 404
