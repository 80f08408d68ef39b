"""Plan rows are read cell by cell (``bpkg.loaders.plan.PlanRow``): every bad cell of a row is named with its file, row
and column, one never hiding another, and a sound row's cells become the link's properties."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpkg.loaders import DatasetInvalid, load_dataset
from bpkg.loaders.plan import PlanRow, read_row
from tests.factories import PLAN_ROWS, write_dataset


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    return [str(p) for p in info.value.problems]


def test_every_bad_cell_of_a_row_is_named(tmp_path: Path) -> None:
    bad = {
        "action_point": "seventeen",
        "goal": "pg-x",
        "activity": "activity-a",
        "strength": "direct",
        "confidence": "sure",
        "source": "source-a;Not An Id",
    }
    found = problems_of(write_dataset(tmp_path, plan=[*PLAN_ROWS, bad]))
    row = "plan.csv, row 5"
    assert found == [
        f"{row}, field 'action_point': expected an action point number or id like ap-17 (got 'seventeen')",
        f"{row}, field 'source': String should match pattern '^[a-z0-9]+(?:-[a-z0-9]+)*$' (got 'Not An Id')",
        f"{row}, field 'confidence': Input should be 'confirmed', 'inferred' or 'illustrative' (got 'sure')",
        f"{row}, field 'source': 'Not An Id' is not a Source node in the dataset",
        f"{row}, field 'goal': expected a priority goal number or id like pg-4 (got 'pg-x')",
    ]


def test_a_sound_row_is_read_into_its_values() -> None:
    cells: dict[str, str | None] = {
        "action_point": " 17 ",
        "goal": "PG-2",
        "countries": "pak; AFG;;country-irn",
        "source": "source-a; source-b",
        "confidence": "inferred",
        "note": None,
    }
    values, problems = read_row(cells)
    assert problems == {}
    assert values == {
        "action_point": "ap-17",
        "goal": "pg-2",
        "countries": ("country-pak", "country-afg", "country-irn"),
        "sources": ("source-a", "source-b"),
        "confidence": "inferred",
    }


def test_required_cells_and_the_schemas_provenance() -> None:
    _, problems = read_row({})
    assert problems == {
        "source": ["required property is missing"],
        "confidence": ["required property is missing"],
        "action_point": ["required: the number or id of an action point"],
    }
    # The provenance cells are the schema's own fields, not a copy of them.
    assert {"sources", "confidence", "note"} <= set(PlanRow.model_fields)
