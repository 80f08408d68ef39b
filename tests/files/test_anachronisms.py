"""`bpkg validate` warns of a plan row whose responder's dates lie wholly outside the period of the plan holding
its action point (an error with ``--strict``), unless the row's note says why; the bundled sample plan obeys."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bpkg.app.cli import main
from bpkg.loaders import bundled_path
from bpkg.loaders.dataset import check_dataset

_ROW_33 = (
    "33,,activity-mrc-baghdad,component-mrc,,IRQ,partial,illustrative,source-sample-plan,"
    "Illustrative link for demonstration; not from the official Implementation Plan (awareness of trafficking risks)"
)


def bundled_copy(tmp_path: Path, row: str | None = None) -> Path:
    folder = tmp_path / "bp"
    shutil.copytree(bundled_path(), folder)
    if row is not None:
        plan = folder / "sample-plan.csv"
        text = plan.read_text(encoding="utf-8")
        assert _ROW_33 in text
        plan.write_text(text.replace(_ROW_33, row), encoding="utf-8")
    return folder


def test_the_bundled_sample_plan_links_no_responder_outside_its_plans_period() -> None:
    assert not [w for w in check_dataset().warnings if w.field == "when"]


@pytest.mark.parametrize(
    ("responder", "side"),
    [
        ("activity-mrc-baghdad-2", "began after"),  # opened 2025-05: after the 2019-2024 plan
        ("activity-bridging-pilot-training-afg", "ended before"),  # December 2013: before it
    ],
)
def test_a_responder_outside_the_plans_period_is_a_warning_and_strict_makes_it_an_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], responder: str, side: str
) -> None:
    folder = bundled_copy(tmp_path, _ROW_33.replace("activity-mrc-baghdad,component-mrc", f"{responder},"))
    assert main(["validate", str(folder)]) == 0
    out = capsys.readouterr().out
    line = next(line for line in out.splitlines() if line.startswith("Warning:") and responder in line)
    assert "sample-plan.csv, row 81, field 'when'" in line
    assert f"{side} the period of plan-call-for-action-2019" in line and "ap-33" in line
    assert main(["validate", str(folder), "--strict"]) == 1
    assert f"{responder} (" in capsys.readouterr().err


def test_a_note_that_says_why_keeps_the_link_without_a_warning(tmp_path: Path) -> None:
    row = _ROW_33.replace("activity-mrc-baghdad,component-mrc", "activity-bridging-pilot-training-afg,")
    row = row.replace("(awareness of trafficking risks)", "(ran before the plan; its lessons fed the action point)")
    assert not [w for w in check_dataset(bundled_copy(tmp_path, row)).warnings if w.field == "when"]


def test_a_responder_overlapping_the_period_is_no_anachronism(tmp_path: Path) -> None:
    # The first Baghdad centre opened in February 2020 and runs on: inside the 2019-2024 plan.
    assert not [w for w in check_dataset(bundled_copy(tmp_path)).warnings if w.field == "when"]
