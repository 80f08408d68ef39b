"""A small dataset with dates of every kind, a reviewed link and a node updated after the review: what the timeline
pages, the as_of form and the suspect-link marks are tested on (the bundled dataset has no reviewed link)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.factories import PLAN_ROWS, SRC, base_graph, write_dataset

# The link activity-a -> ap-1 is reviewed in May 2024; activity-a changed on 10 June 2024: suspect.
REVIEWED = "2024-05"
UPDATED = "2024-06-10"


def dated_graph() -> dict[str, list[dict[str, Any]]]:
    graph = base_graph()
    when = {
        "plan-x": "2019/2030",
        "activity-a": "2020-03/..",  # runs on, no end known
        "event-e": "2019",
    }
    for node in graph["nodes"]:
        if node["id"] in when:
            node["when"] = when[str(node["id"])]
        if node["id"] == "activity-a":
            node["updated"] = UPDATED
    graph["nodes"] += [
        # approximate start, ended in 2022
        {"id": "activity-b", "label": "Activity", "name": "Activity B", "when": "2021~/2022", **SRC},
        {"id": "activity-c", "label": "Activity", "name": "Activity C", **SRC},  # undated
        # one of two dates a year apart: the year is not known
        {"id": "activity-d", "label": "Activity", "name": "Activity D", "when": "[2019-06,2020-06]", **SRC},
        {"id": "event-f", "label": "Event", "name": "Event F", "kind": "meeting", "when": "2022-05-10", **SRC},
        {"id": "event-g", "label": "Event", "name": "Event G", "kind": "meeting", **SRC},  # undated
    ]
    graph["relationships"] += [
        *(
            {"from": a, "type": "PART_OF", "to": "component-c", **SRC}
            for a in ("activity-b", "activity-c", "activity-d")
        ),
        *(
            {"from": x, "type": "IN_COUNTRY", "to": "country-pak", **SRC}
            for x in ("activity-b", "activity-c", "event-f")
        ),
        {"from": "event-g", "type": "IN_COUNTRY", "to": "country-pak", **SRC},
        {"from": "activity-a", "type": "INFORMS", "to": "event-e", **SRC},
        {"from": "event-f", "type": "DISCUSSED", "to": "pg-1", **SRC},
    ]
    return graph


def dated_plan() -> list[dict[str, str]]:
    rows = [dict(r) for r in PLAN_ROWS]
    rows[0]["reviewed"] = REVIEWED  # activity-a responds to ap-1
    return rows


def write_dated(folder: Path) -> Path:
    return write_dataset(folder, graph=dated_graph(), plan=dated_plan(), name="dated")
