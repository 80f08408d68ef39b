"""What Neo4j keeps of the headline on a generated graph (writes the dataset's files, hence not a unit test):
every action point's rows read back as the derived ones, its goal's rows kept once (as in
tests/unit/test_headline_stored.py)."""

from __future__ import annotations

from pathlib import Path

from bpkg.loaders import load_dataset, synth
from tests.unit.test_headline_stored import check


def test_synth_goal_rows_are_kept_once_per_goal(tmp_path: Path) -> None:
    synth.write(tmp_path, 3000, 7)
    kept = check(load_dataset(tmp_path))
    rows = sum(len(k.rows) for k in kept)
    goal_rows = sum(len(g.rows) for g in {id(k.goal): k.goal for k in kept if k.goal is not None}.values())
    # Every action point's copies of its goal's responses against the goals' rows written once.
    copies = sum(k.summary.goal_responses for k in kept)
    assert rows == sum(k.summary.responses for k in kept)
    assert 0 < goal_rows * 4 < copies, (goal_rows, copies)
