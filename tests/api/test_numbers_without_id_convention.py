"""Action points and goals are found by number even when their ids do not follow ``ap-N`` / ``pg-N``."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from tests.api.conftest import settings
from tests.factories import SRC, base_graph, write_dataset


def test_lookup_by_number_falls_back_to_the_number_property(tmp_path: Path) -> None:
    graph = base_graph()
    graph["nodes"] += [
        {"id": "point-seven", "label": "ActionPoint", "name": "Point seven", "number": 7, **SRC},
        {"id": "goal-three", "label": "PriorityGoal", "name": "Goal three", "number": 3, **SRC},
    ]
    graph["relationships"] += [
        {"from": "point-seven", "type": "UNDER", "to": "goal-three", **SRC},
        {"from": "activity-a", "type": "RESPONDS_TO", "to": "point-seven", "strength": "direct", **SRC},
    ]
    with TestClient(create_app(settings(dataset=str(write_dataset(tmp_path, graph=graph))))) as client:
        answer = client.get("/action-points/7/responses").json()
        assert answer["action_point"]["id"] == "point-seven" and answer["goal"]["id"] == "goal-three"
        assert [g["project"]["id"] for g in answer["projects"]] == ["project-p"]
        detail = client.get("/action-points/7").json()
        assert detail["action_point"]["id"] == "point-seven" and detail["responses"] == 1
        listed = client.get("/action-points", params={"goal": 3}).json()
        assert [item["action_point"]["id"] for item in listed["items"]] == ["point-seven"]
        assert client.get("/action-points/8").status_code == 404
