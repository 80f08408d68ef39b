"""Exact answers on a tiny dataset small enough to check by hand.

ap-1 <- activity-a (in component-c of project-p; direct; Pakistan); ap-2 <- component-c (partial);
ap-3 has no response, but project-p responds to its goal pg-2 as a whole. ap-1 and ap-2 sit under
pg-1, ap-3 under pg-2; decl-x makes commitment-k and launches plan-x, which contains the three action
points. Every plan link is illustrative.
"""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def ids(items: list[dict[str, Any]]) -> list[str]:
    return [item["id"] for item in items]


def test_headline_groups_project_component_activity(tiny_client: TestClient) -> None:
    body = tiny_client.get("/action-points/1/responses").json()

    assert body["action_point"]["id"] == "ap-1"
    assert body["goal"]["id"] == "pg-1"
    assert (body["status"], body["status_words"], body["status_confidence"]) == (
        "direct",
        "responded to directly",
        "illustrative",
    )
    assert body["counts"] == {"links": 1, "projects": 1, "components": 1, "activities": 1}
    [project] = body["projects"]
    assert project["project"]["id"] == "project-p"
    assert project["responses"] == []
    [component] = project["components"]
    assert component["component"]["id"] == "component-c"
    [activity] = component["activities"]
    assert activity["activity"]["id"] == "activity-a"
    [link] = activity["responses"]
    assert link["level"] == "action_point"
    assert (link["strength"], link["confidence"], link["sources"]) == ("direct", "illustrative", ["source-a"])
    assert ids(link["countries"]) == ["country-pak"]
    steps = [(s["source"]["id"], s["type"], s["target"]["id"]) for s in link["path"]]
    assert steps == [
        ("activity-a", "PART_OF", "component-c"),
        ("project-p", "HAS_COMPONENT", "component-c"),
        ("activity-a", "RESPONDS_TO", "ap-1"),
    ]
    assert body["illustrative"] == "plan.csv is illustrative"


def test_component_level_response_sits_on_the_component(tiny_client: TestClient) -> None:
    body = tiny_client.get("/action-points/2/responses").json()

    [project] = body["projects"]
    [component] = project["components"]
    assert component["component"]["id"] == "component-c"
    assert component["activities"] == []
    assert [r["responder"]["id"] for r in component["responses"]] == ["component-c"]
    assert body["counts"] == {"links": 1, "projects": 1, "components": 1, "activities": 0}


def test_goal_level_links_are_added_only_on_request(tiny_client: TestClient) -> None:
    plain = tiny_client.get("/action-points/3/responses").json()
    # Nothing responds to ap-3 itself, but project-p responds to its goal: the status says so even when the
    # goal-level links are not listed.
    assert (plain["status"], plain["projects"], plain["counts"]["links"]) == ("goal_only", [], 0)
    assert plain["status_words"] == "only through its goal"
    # The answer names ap-3's goal, and its placement under pg-2 is illustrative.
    assert plain["illustrative"] == "plan.csv is illustrative"

    body = tiny_client.get("/action-points/3/responses?include_goal_level=true").json()
    assert body["status"] == "goal_only"  # a link to the goal does not cover the action point
    [project] = body["projects"]
    [link] = project["responses"]
    assert (link["level"], link["responder"]["id"], link["target"]["id"]) == ("goal", "project-p", "pg-2")
    assert [(s["source"]["id"], s["type"], s["target"]["id"]) for s in link["path"]] == [
        ("project-p", "RESPONDS_TO", "pg-2"),
        ("ap-3", "UNDER", "pg-2"),
    ]


def test_filters_keep_only_matching_links(tiny_client: TestClient) -> None:
    def links(query: str) -> int:
        response = tiny_client.get(f"/action-points/1/responses?{query}")
        assert response.status_code == 200, response.text
        count: int = response.json()["counts"]["links"]
        return count

    assert links("country=PAK") == 1
    assert links("country=pak") == 1
    assert links("country=country-pak") == 1
    assert links("country=AFG") == 0
    assert links("component=component-c") == 1
    assert links("strength=direct") == 1
    assert links("strength=partial&strength=indirect") == 0
    assert links("confidence=confirmed") == 0
    assert links("confidence=illustrative") == 1
    echoed = tiny_client.get("/action-points/1/responses?country=PAK&strength=direct").json()["filters"]
    assert echoed["country"]["id"] == "country-pak"
    assert echoed["strength"] == ["direct"]


def test_action_point_list_and_detail(tiny_client: TestClient) -> None:
    page = tiny_client.get("/action-points").json()
    assert [(i["number"], i["goal"]["id"], i["responses"], i["status"]) for i in page["items"]] == [
        (1, "pg-1", 1, "direct"),
        (2, "pg-1", 1, "direct"),
        (3, "pg-2", 0, "goal_only"),
    ]
    assert [i["number"] for i in tiny_client.get("/action-points?goal=1").json()["items"]] == [1, 2]
    assert [i["number"] for i in tiny_client.get("/action-points?status=goal_only").json()["items"]] == [3]
    assert tiny_client.get("/action-points?status=gap").json()["items"] == []
    detail = tiny_client.get("/action-points/3").json()
    assert (detail["number"], detail["status"], detail["text"]) == (3, "goal_only", None)
    assert detail["illustrative"] == "plan.csv is illustrative"  # its placement under pg-2 is illustrative


def test_coverage_rolls_up_goals_and_commitments(tiny_client: TestClient) -> None:
    body = tiny_client.get("/coverage?by=goal").json()

    assert body["summary"] == {
        "action_points": 3,
        "covered": 2,
        "uncovered": 1,
        "share_covered": 0.6667,
        "goal_only": 1,
        "gap": 0,
        "confidence": "illustrative",
    }
    rows = {r["node"]["id"]: r for r in body["rows"]}
    assert (rows["pg-1"]["covered"], rows["pg-1"]["uncovered"], rows["pg-1"]["share_covered"]) == (2, 0, 1.0)
    assert (rows["pg-2"]["covered_numbers"], rows["pg-2"]["uncovered_numbers"]) == ([], [3])
    [commitment] = body["commitments"]
    assert commitment["node"]["id"] == "commitment-k"
    assert ids(commitment["declarations"]) == ["decl-x"]
    assert ids(commitment["plans"]) == ["plan-x"]
    assert ids(commitment["goals"]) == ["pg-1", "pg-2"]
    assert (commitment["covered_numbers"], commitment["uncovered_numbers"]) == ([1, 2], [3])
    assert "LAUNCHES" in body["commitment_rule"]
    assert [s["status"] for s in body["action_points"]] == ["direct", "direct", "goal_only"]


def test_coverage_by_component_project_and_country(tiny_client: TestClient) -> None:
    by_component = tiny_client.get("/coverage?by=component").json()["rows"]
    assert [(r["node"]["id"], r["covered_numbers"], r["action_points"]) for r in by_component] == [
        ("component-c", [1, 2], 3)
    ]
    by_project = tiny_client.get("/coverage?by=project").json()["rows"]
    assert [(r["node"]["id"], r["covered_numbers"]) for r in by_project] == [("project-p", [1, 2])]
    by_country = {r["node"]["id"]: r["covered_numbers"] for r in tiny_client.get("/coverage?by=country").json()["rows"]}
    assert by_country == {"country-afg": [], "country-pak": [1]}
    # Rows out of every action point name the covered ones only: the others are every action point not named.
    for by in ("component", "project", "country"):
        body = tiny_client.get(f"/coverage?by={by}").json()
        every = sorted(s["number"] for s in body["action_points"])
        for row in body["rows"]:
            assert row["uncovered_numbers"] is None
            assert (row["action_points"], row["covered"]) == (len(every), len(row["covered_numbers"]))
            assert row["uncovered"] == len(every) - row["covered"]
    table = tiny_client.get("/coverage?by=component&format=csv").text
    assert "every other action point" in table.splitlines()[1]


def test_gaps(tiny_client: TestClient) -> None:
    body = tiny_client.get("/gaps").json()

    assert [g["number"] for g in body["gaps"]] == [3]
    assert (body["gaps"][0]["status"], body["gaps"][0]["goal_responses"]) == ("goal_only", 1)
    assert [(g["node"]["id"], g["uncovered"]) for g in body["goals"]] == [("pg-1", 0), ("pg-2", 1)]
    assert body["commitments"][0]["uncovered_numbers"] == [3]


def test_matrix_cells(tiny_client: TestClient) -> None:
    body = tiny_client.get("/matrix?cols=component").json()
    assert ids(body["columns"]) == ["component-c"]
    # The tiny plan is illustrative, and a cell says so itself (a saved file keeps it).
    assert [[c and c["text"] for c in r["cells"]] for r in body["rows"]] == [
        ["direct - illustrative"],
        ["partial - illustrative"],
        [None],
    ]

    goals = tiny_client.get("/matrix?cols=goal").json()
    assert ids(goals["columns"]) == ["pg-1", "pg-2"]
    assert [[c and c["text"] for c in r["cells"]] for r in goals["rows"]] == [
        ["responded to directly - illustrative", None],
        ["responded to directly - illustrative", None],
        [None, "only through its goal - illustrative"],
    ]


def test_country_page(tiny_client: TestClient) -> None:
    body = tiny_client.get("/countries/PAK").json()

    assert body["country"]["id"] == "country-pak"
    assert body["iso3"] == "PAK"
    assert body["groups"] == ["participating_state", "silk_routes"]
    assert ids(body["activities"]) == ["activity-a"]
    assert ids(body["events"]) == ["event-e"]
    assert ids(body["components"]) == ["component-c"]
    assert ids(body["projects"]) == ["project-p"]
    assert [(a["number"], ids(a["responders"]), a["strength"]) for a in body["action_points"]] == [
        (1, ["activity-a"], "direct")
    ]
    assert tiny_client.get("/countries/country-afg").json()["action_points"] == []
