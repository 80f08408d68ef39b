"""Which sheet of a workbook is read (issue 16, item 4): the one the manifest names, else the only candidate;
a hidden sheet holding rows, or several candidate sheets, is refused with the sheets named."""

from __future__ import annotations

from pathlib import Path

import pytest
from openpyxl import Workbook

from bpkg.loaders import GraphBatch, load_dataset
from tests.files.test_hostile_files import PLAN, copy_bundled, plan_rows, problems_of, use_plan


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return copy_bundled(tmp_path / "dataset")


def _book(folder: Path, sheets: list[tuple[str, str, list[list[str]]]], sheet_key: str | None = None) -> Path:
    """A workbook with the given ``(title, state, rows)`` sheets in that order, listed as the plan."""
    book = Workbook()
    first = book.active
    assert first is not None
    book.remove(first)
    for title, state, rows in sheets:
        ws = book.create_sheet(title)
        ws.sheet_state = state
        for row in rows:
            ws.append([cell or None for cell in row])
    path = folder / "plan.xlsx"
    book.save(path)
    use_plan(folder, "plan.xlsx")
    if sheet_key is not None:
        manifest = folder / "manifest.yaml"
        text = manifest.read_text(encoding="utf-8")
        manifest.write_text(text.replace("path: plan.xlsx,", f"path: plan.xlsx, sheet: {sheet_key},"), encoding="utf-8")
    return path


def _links(batch: GraphBatch) -> int:
    return len(batch.rels)


def test_hidden_first_sheet_with_one_row_is_refused_naming_the_sheets(dataset: Path) -> None:
    rows = plan_rows(dataset)
    _book(dataset, [("old", "hidden", rows[:2]), ("plan", "visible", rows)])
    found = problems_of(dataset)
    assert len(found) == 1, found
    assert found[0].startswith("plan.xlsx, field 'sheet': the workbook has hidden sheet(s) holding rows ('old')"), found
    assert "'plan'" in found[0] and "sheet:" in found[0]


def test_the_sheet_named_in_the_manifest_is_read(dataset: Path, bundled_batch: GraphBatch) -> None:
    rows = plan_rows(dataset)
    _book(dataset, [("old", "hidden", rows[:2]), ("plan", "visible", rows)], sheet_key="plan")
    assert _links(load_dataset(dataset)) == _links(bundled_batch)


def test_a_named_sheet_that_does_not_exist_is_refused(dataset: Path) -> None:
    _book(dataset, [("plan", "visible", plan_rows(dataset))], sheet_key="Plan 2024")
    found = problems_of(dataset)
    assert any("field 'sheet': the workbook has no sheet 'Plan 2024'; its sheets are 'plan'" in p for p in found), found


def test_the_only_visible_sheet_is_read_beside_an_empty_hidden_one(dataset: Path, bundled_batch: GraphBatch) -> None:
    _book(dataset, [("scratch", "hidden", []), ("plan", "visible", plan_rows(dataset))])
    assert _links(load_dataset(dataset)) == _links(bundled_batch)


def test_a_readme_sheet_beside_the_plan_is_no_candidate(dataset: Path, bundled_batch: GraphBatch) -> None:
    readme = [["About this workbook"], ["Fill in the plan sheet."]]
    _book(dataset, [("README", "visible", readme), ("plan", "visible", plan_rows(dataset))])
    assert _links(load_dataset(dataset)) == _links(bundled_batch)


def test_two_visible_plan_sheets_are_refused_naming_both(dataset: Path) -> None:
    rows = plan_rows(dataset)
    _book(dataset, [("plan 2023", "visible", rows[:3]), ("plan 2024", "visible", rows)])
    found = problems_of(dataset)
    assert found == [
        "plan.xlsx, field 'sheet': several visible sheets could be the table ('plan 2023', 'plan 2024'); "
        "name the sheet to read with 'sheet:' in the manifest's entry for this file"
    ], found


def test_sheet_on_a_csv_file_is_refused(dataset: Path) -> None:
    manifest = dataset / "manifest.yaml"
    text = manifest.read_text(encoding="utf-8")
    manifest.write_text(text.replace(f"path: {PLAN},", f"path: {PLAN}, sheet: plan,"), encoding="utf-8")
    found = problems_of(dataset)
    assert any("field 'sheet': only a workbook (.xlsx) has sheets" in p for p in found), found


def test_the_bundled_template_workbook_still_reads(dataset: Path) -> None:
    """The shipped sample plan workbook has a README sheet beside the plan: it is read without a 'sheet' key."""
    (dataset / "plan.xlsx").write_bytes((dataset / "sample-plan.xlsx").read_bytes())
    use_plan(dataset, "plan.xlsx")
    assert _links(load_dataset(dataset)) > 0
