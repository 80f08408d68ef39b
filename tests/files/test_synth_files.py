"""The synthetic dataset generator (``bpkg synth``) writing files: the same files for the same seed, valid."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpkg.app.cli import main
from bpkg.loaders import load_dataset, synth


def test_the_same_seed_gives_the_same_files(tmp_path: Path) -> None:
    synth.write(tmp_path / "a", 700, seed=5)
    synth.write(tmp_path / "b", 700, seed=5)
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


@pytest.mark.parametrize("relationships", [60, 500, 3_000])
def test_a_generated_dataset_is_valid_with_as_many_relationships_as_asked(tmp_path: Path, relationships: int) -> None:
    synth.write(tmp_path, relationships, seed=1)
    batch = load_dataset(tmp_path)  # raises DatasetInvalid with every problem otherwise
    assert len(batch.rels) == relationships
    confidences = {n.props["confidence"] for n in batch.nodes} | {r.props["confidence"] for r in batch.rels}
    assert confidences == {"illustrative"}
    assert batch.info.illustrative


def test_bpkg_synth_writes_a_dataset_bpkg_validate_accepts(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "synth"
    assert main(["synth", str(out), "--relationships", "200", "--seed", "7"]) == 0
    assert "200 relationships" in capsys.readouterr().out
    assert main(["validate", str(out)]) == 0
    assert "OK: synth-200-7" in capsys.readouterr().out
