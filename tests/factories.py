"""Small valid datasets written to a folder, to be broken one way at a time by tests."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from bpkg.loaders.validation.columns import PLAN_COLUMNS


class _NoAliases(yaml.SafeDumper):
    """Writes shared values out in full: dataset files refuse YAML anchors and aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


SRC = {"sources": ["source-a"], "confidence": "confirmed"}


def base_graph() -> dict[str, list[dict[str, Any]]]:
    return {
        "nodes": [
            {"id": "source-a", "label": "Source", "name": "Source A", "url": "https://example.org/a", **SRC},
            {"id": "decl-x", "label": "Declaration", "name": "Declaration X", **SRC},
            {"id": "commitment-k", "label": "Commitment", "name": "Knowledge", "number": 5, **SRC},
            {"id": "plan-x", "label": "ActionPlan", "name": "Plan X", **SRC},
            {"id": "pg-1", "label": "PriorityGoal", "name": "Goal one", "number": 1, **SRC},
            {"id": "pg-2", "label": "PriorityGoal", "name": "Goal two", "number": 2, **SRC},
            *(
                {
                    "id": f"ap-{n}",
                    "label": "ActionPoint",
                    "name": f"Action point {n}",
                    "number": n,
                    "sources": ["source-a"],
                    "confidence": "inferred",
                }
                for n in (1, 2, 3)
            ),
            {"id": "project-p", "label": "Project", "name": "Project P", **SRC},
            {"id": "component-c", "label": "Component", "name": "Component C", **SRC},
            {"id": "activity-a", "label": "Activity", "name": "Activity A", **SRC},
            {"id": "event-e", "label": "Event", "name": "Event E", "kind": "meeting", **SRC},
        ],
        "relationships": [
            {"from": "decl-x", "type": "MAKES", "to": "commitment-k", **SRC},
            {"from": "decl-x", "type": "LAUNCHES", "to": "plan-x", **SRC},
            {"from": "plan-x", "type": "SETS", "to": "pg-1", **SRC},
            {"from": "plan-x", "type": "SETS", "to": "pg-2", **SRC},
            *({"from": "plan-x", "type": "CONTAINS", "to": f"ap-{n}", **SRC} for n in (1, 2, 3)),
            {"from": "project-p", "type": "HAS_COMPONENT", "to": "component-c", **SRC},
            {"from": "activity-a", "type": "PART_OF", "to": "component-c", **SRC},
            {"from": "event-e", "type": "IN_COUNTRY", "to": "country-pak", **SRC},
            {"from": "activity-a", "type": "IN_COUNTRY", "to": "country-pak", **SRC},
        ],
    }


COUNTRY_COLUMNS = ["id", "label", "name", "iso3", "groups", "sources", "confidence"]
COUNTRY_ROWS = [
    ["country-pak", "Country", "Pakistan", "PAK", "participating_state;silk_routes", "source-a", "confirmed"],
    ["country-afg", "Country", "Afghanistan", "AFG", "participating_state", "source-a", "confirmed"],
]
PLAN_ROWS: list[dict[str, str]] = [
    {
        "action_point": "1",
        "goal": "1",
        "activity": "activity-a",
        "component": "component-c",
        "countries": "PAK",
        "strength": "direct",
        "confidence": "illustrative",
        "source": "source-a",
        "note": "illustrative",
    },
    {
        "action_point": "2",
        "goal": "1",
        "component": "component-c",
        "project": "project-p",
        "strength": "partial",
        "confidence": "illustrative",
        "source": "source-a",
    },
    {"action_point": "3", "goal": "2", "confidence": "illustrative", "source": "source-a"},
]


def write_csv(path: Path, columns: list[str], rows: list[list[str]]) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(columns)
        writer.writerows(rows)


def write_dataset(
    folder: Path,
    *,
    graph: dict[str, Any] | None = None,
    countries: list[list[str]] | None = None,
    plan: list[dict[str, str]] | None = None,
    name: str = "tiny",
) -> Path:
    """A valid three-file dataset (graph YAML, countries CSV, plan CSV); pass pieces to replace them."""
    folder.mkdir(parents=True, exist_ok=True)
    text = yaml.dump(graph or base_graph(), Dumper=_NoAliases, sort_keys=False)
    (folder / "reference.yaml").write_text(text, encoding="utf-8")
    write_csv(folder / "countries.csv", COUNTRY_COLUMNS, COUNTRY_ROWS if countries is None else countries)
    rows = PLAN_ROWS if plan is None else plan
    write_csv(folder / "plan.csv", list(PLAN_COLUMNS), [[r.get(c, "") for c in PLAN_COLUMNS] for r in rows])
    manifest = {
        "name": name,
        "version": "1",
        "description": "A tiny dataset for tests",
        "illustrative": "plan.csv is illustrative",
        "files": [
            {"path": "reference.yaml", "format": "graph"},
            {"path": "countries.csv", "format": "nodes"},
            {"path": "plan.csv", "format": "plan"},
        ],
    }
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder
