"""The synthetic dataset generator (``bpkg synth``), in process: deterministic and skewed (files: tests/files)."""

from __future__ import annotations

from collections import Counter

from bpkg.loaders import synth
from bpkg.loaders.limits import Limits


def test_the_same_seed_gives_the_same_rows_and_another_seed_others() -> None:
    assert synth.generate(1_000, seed=3) == synth.generate(1_000, seed=3)
    assert synth.generate(1_000, seed=3) != synth.generate(1_000, seed=4)


def test_fan_in_is_skewed() -> None:
    _, rels = synth.generate(5_000, seed=0)
    fan_in = Counter(r[2] for r in rels if r[1] == "RESPONDS_TO" and r[2].startswith("ap-"))
    counts = sorted(fan_in.values(), reverse=True)
    assert fan_in.most_common(1)[0][0] == "ap-10"
    assert counts[0] >= 100 and counts[0] > 10 * counts[len(counts) // 2]


def test_large_datasets_are_split_within_the_row_limit() -> None:
    assert Limits().max_rows > synth.ROWS_PER_FILE
