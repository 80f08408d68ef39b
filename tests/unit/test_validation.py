"""Each kind of bad input is rejected with file, row/line and field, and all problems come in one run."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from loaders import DatasetInvalid, load_dataset
from loaders.dataset import PLAN_COLUMNS
from tests.factories import PLAN_ROWS, base_graph, write_csv, write_dataset


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    return [str(p) for p in info.value.problems]


def with_node(**changes: Any) -> dict[str, Any]:
    graph = base_graph()
    graph["nodes"].append({"sources": ["source-a"], "confidence": "confirmed", **changes})
    return graph


def test_valid_dataset_loads(tmp_path: Path) -> None:
    batch = load_dataset(write_dataset(tmp_path))
    assert batch.info.name == "tiny"
    keys = {r.key for r in batch.rels}
    assert ("activity-a", "RESPONDS_TO", "ap-1") in keys
    assert ("component-c", "RESPONDS_TO", "ap-2") in keys
    assert ("ap-3", "UNDER", "pg-2") in keys
    link = next(r for r in batch.rels if r.key == ("activity-a", "RESPONDS_TO", "ap-1"))
    assert link.props == {
        "sources": ["source-a"],
        "confidence": "illustrative",
        "note": "illustrative",
        "strength": "direct",
        "countries": ["country-pak"],
    }


def _mutate(graph_change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    graph = copy.deepcopy(base_graph())
    graph_change(graph)
    return graph


CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (case, graph, expected location, field, words in the reason)
    (
        "dangling id",
        _mutate(
            lambda g: g["relationships"].append(
                {
                    "from": "activity-a",
                    "type": "PART_OF",
                    "to": "component-missing",
                    "sources": ["source-a"],
                    "confidence": "confirmed",
                }
            )
        ),
        "reference.yaml, line",
        "'to'",
        "no node with id 'component-missing'",
    ),
    (
        "duplicate id",
        with_node(id="pg-1", label="PriorityGoal", name="Again", number=1),
        "reference.yaml, line",
        "'id'",
        "duplicate id 'pg-1'",
    ),
    (
        "unknown label",
        with_node(id="x-1", label="Widget", name="W"),
        "reference.yaml, line",
        "'label'",
        "unknown label 'Widget'",
    ),
    (
        "pattern not allowed",
        _mutate(
            lambda g: g["relationships"].append(
                {
                    "from": "activity-a",
                    "type": "UNDER",
                    "to": "pg-1",
                    "sources": ["source-a"],
                    "confidence": "confirmed",
                }
            )
        ),
        "reference.yaml, line",
        "'type'",
        "Activity -[UNDER]-> PriorityGoal is not allowed",
    ),
    (
        "bad enum",
        with_node(id="pg-9", label="PriorityGoal", name="G", number=9, confidence="certain"),
        "reference.yaml, line",
        "'confidence'",
        "'confirmed', 'inferred' or 'illustrative'",
    ),
    (
        "text where a year is expected",
        with_node(id="event-z", label="Event", name="Z", kind="m", year="twenty"),
        "reference.yaml, line",
        "'year'",
        "valid integer",
    ),
    (
        "unknown property",
        with_node(id="event-y", label="Event", name="Y", kind="m", colour="red"),
        "reference.yaml, line",
        "'colour'",
        "unknown property",
    ),
    (
        "missing source node",
        with_node(id="event-w", label="Event", name="W", kind="m", sources=["source-nope"]),
        "reference.yaml, line",
        "'sources'",
        "'source-nope' is not a Source node",
    ),
]


@pytest.mark.parametrize(("case", "graph", "where", "field", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_graph_input_is_named(
    tmp_path: Path, case: str, graph: dict[str, Any], where: str, field: str, reason: str
) -> None:
    found = problems_of(write_dataset(tmp_path, graph=graph))
    assert len(found) == 1, found
    assert found[0].startswith(where) and f"field {field}" in found[0] and reason in found[0], found[0]


def test_malformed_csv_row(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    with (folder / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("country-irn,Country,Iran,IRN\n")
    assert problems_of(folder) == ["countries.csv, row 4: malformed row: 4 fields but the header has 7 columns"]


def test_unclosed_quote_is_malformed(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    with (folder / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write('country-irn,Country,"Iran,IRN,,source-a,confirmed\n')
    found = problems_of(folder)
    assert len(found) == 1 and found[0].startswith("countries.csv, row 4") and "malformed" in found[0]


def test_empty_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    (folder / "plan.csv").write_text("", encoding="utf-8")
    assert problems_of(folder) == ["plan.csv: the file is empty"]


def test_missing_required_column(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    columns = [c for c in PLAN_COLUMNS if c != "confidence"]
    write_csv(folder / "plan.csv", columns, [["1", "1", "", "", "", "", "", "source-a", ""]])
    assert problems_of(folder) == ["plan.csv, row 1, field 'confidence': required column is missing"]


def test_non_utf8_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    text = (folder / "plan.csv").read_text(encoding="utf-8").replace(",illustrative\n", ",illustratif \u00e9t\u00e9\n")
    (folder / "plan.csv").write_bytes(text.encode("latin-1"))
    found = problems_of(folder)
    assert len(found) == 1 and found[0].startswith("plan.csv, line 2") and "not UTF-8" in found[0], found


def test_all_problems_of_a_dataset_come_in_one_run(tmp_path: Path) -> None:
    graph = with_node(id="pg-1", label="PriorityGoal", name="Again", number=1)
    graph["nodes"].append(
        {
            "id": "event-z",
            "label": "Event",
            "name": "Z",
            "kind": "m",
            "year": "twenty",
            "sources": ["source-a"],
            "confidence": "confirmed",
        }
    )
    plan = [
        *PLAN_ROWS,
        {"action_point": "99", "confidence": "illustrative", "source": "source-a"},
        {"action_point": "1", "goal": "2", "confidence": "illustrative", "source": "source-a"},
        {
            "action_point": "2",
            "activity": "activity-a",
            "strength": "strongest",
            "confidence": "illustrative",
            "source": "source-a",
        },
    ]
    folder = write_dataset(tmp_path, graph=graph, plan=plan)
    (folder / "countries.csv").write_text(
        "id,label,name,iso3,sources,confidence\ncountry-pak,Country,Pakistan,pak,"
        "source-a,confirmed\ncountry-afg,Country,Afghanistan,AFG,source-a,confirmed\n",
        encoding="utf-8",
    )
    found = problems_of(folder)
    expected_fragments = [
        ("reference.yaml", "duplicate id 'pg-1'"),
        ("reference.yaml", "field 'year'"),
        ("countries.csv, row 2", "field 'iso3'"),
        ("plan.csv, row 5", "no node with id 'ap-99'"),
        ("plan.csv, row 6", "ap-1 is already under pg-1"),
        ("plan.csv, row 7", "field 'strength'"),
    ]
    for where, what in expected_fragments:
        assert any(p.startswith(where) and what in p for p in found), (where, what, found)
    assert len(found) == len(expected_fragments), found


def test_plan_consistency_with_reference(tmp_path: Path) -> None:
    plan = [
        {
            "action_point": "1",
            "activity": "activity-a",
            "component": "component-c",
            "project": "project-p",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
        {
            "action_point": "2",
            "activity": "component-c",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
        {
            "action_point": "3",
            "activity": "activity-a",
            "project": "project-q",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
    ]
    found = problems_of(write_dataset(tmp_path, plan=plan))
    assert found == [
        "plan.csv, row 3, field 'activity': 'component-c' is a Component, not an Activity",
        "plan.csv, row 4, field 'project': no node with id 'project-q' in the dataset",
    ]


def test_plan_from_xlsx_equals_csv(tmp_path: Path) -> None:
    csv_batch = load_dataset(write_dataset(tmp_path / "csv"))
    folder = write_dataset(tmp_path / "xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(PLAN_COLUMNS))
    for row in PLAN_ROWS:
        # Spreadsheets hold numbers as numbers: the reader must treat 17 and "17" alike.
        sheet.append(
            [int(row[c]) if c in ("action_point", "goal") and row.get(c) else row.get(c) or None for c in PLAN_COLUMNS]
        )
    book.save(folder / "plan.xlsx")
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8").replace("plan.csv", "plan.xlsx")
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    (folder / "plan.csv").unlink()
    xlsx_batch = load_dataset(folder)
    assert xlsx_batch.fingerprint() == csv_batch.fingerprint()


def test_manifest_problems(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    (folder / "manifest.yaml").write_text(
        "name: Bad Name\nfiles:\n  - {path: nope.csv, format: plan}\n  - {path: plan.csv, format: sheet}\n",
        encoding="utf-8",
    )
    found = problems_of(folder)
    assert any("field 'version': required manifest entry is missing" in p for p in found)
    assert any("field 'name'" in p for p in found)
    assert any("file 'nope.csv' not found" in p for p in found)
    assert any("'sheet' is not one of" in p for p in found)


def test_missing_dataset_folder() -> None:
    with pytest.raises(FileNotFoundError, match="neither a folder nor a bundled dataset"):
        load_dataset("/nonexistent/folder")
