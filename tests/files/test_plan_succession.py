"""The bundled plan-succession link (issue 11): the Call for Action 2025-2030 follows the 2019 one, deduced and
saying why, citing sources the dataset has; it comes from the builder's table ``tools/dataset/links.yaml``."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from bpkg.graph_schema import Label, RelType
from bpkg.loaders import GraphBatch
from tools.tables import TABLES_DIR, BuildError, read_tables


def test_the_2025_plan_succeeds_the_2019_plan(bundled_batch: GraphBatch) -> None:
    (link,) = [r for r in bundled_batch.rels if r.type is RelType.SUCCEEDS]
    assert (link.source, link.target) == ("plan-call-for-action-2025", "plan-call-for-action-2019")
    assert (link.props["kind"], link.props["confidence"]) == ("continues", "inferred")
    labels = {n.id: n.label for n in bundled_batch.nodes}
    assert labels[link.source] is labels[link.target] is Label.ACTION_PLAN
    # The note says why, naming the sources it rests on, which the link cites and the dataset holds.
    cited = re.findall(r"source-[a-z0-9-]+", link.props["note"])
    assert cited and set(cited) <= set(link.props["sources"])
    assert all(labels[s] is Label.SOURCE for s in link.props["sources"])
    assert "7th Ministerial Conference" in link.props["note"] and "deduced" in link.props["note"]


def _links_table(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "dataset"
    shutil.copytree(TABLES_DIR, folder)
    (folder / "links.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        ("{from: a, type: SUCCEEDS, to: b, sources: [SEED], confidence: confirmed}", "only it, needs a kind"),
        ("{from: a, type: LAUNCHES, to: b, sources: [SEED], confidence: inferred}", "says why in its note"),
        ("{from: a, type: LAUNCHES, to: b, sources: [SEED]}", "give a confidence, or cite a facts record"),
        ("{from: a, type: FOLLOWS, to: b, sources: [SEED], confidence: confirmed}", "field documents.0.type"),
    ],
)
def test_a_bad_table_link_names_its_file_and_field(tmp_path: Path, entry: str, reason: str) -> None:
    with pytest.raises(BuildError) as caught:
        read_tables(_links_table(tmp_path, f"documents:\n  - {entry}\n"))
    assert "links.yaml" in str(caught.value) and reason in str(caught.value)
