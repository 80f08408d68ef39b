"""The bundled dataset as data: valid, fully sourced, honest about what is illustrative."""

from __future__ import annotations

import csv
import re
import subprocess
import sys
from pathlib import Path

import yaml

from bpkg.graph_schema import Label, RelType
from bpkg.loaders import GraphBatch, Node, Rel, bundled_path, load_dataset, template_path
from bpkg.loaders.stats import graph_stats
from bpkg.loaders.validation.columns import PLAN_COLUMNS


def test_every_fact_has_a_source_and_a_confidence(bundled_batch: GraphBatch) -> None:
    sources = {n.id for n in bundled_batch.nodes if n.label is Label.SOURCE}
    items: list[Node | Rel] = [*bundled_batch.nodes, *bundled_batch.rels]
    for item in items:
        assert item.props["sources"], item
        assert set(item.props["sources"]) <= sources, item
        assert item.props["confidence"] in ("confirmed", "inferred", "illustrative"), item


def test_reference_facts_keep_every_source_url_of_the_facts_file(bundled_batch: GraphBatch) -> None:
    urls = {n.props.get("url") for n in bundled_batch.nodes if n.label is Label.SOURCE}
    for url in (
        "https://www.budapestprocess.org/about-us/mission-and-vision-statement/istanbul-commitments",
        "https://docslib.org/doc/9083214/en-download-en",
        "https://www.budapestprocess.org/our-work/regional-law-enforcement/",
        "https://www.budapestprocess.org/our-work/migrant-resource-centres/",
    ):
        assert url in urls


def test_structure_of_the_process(bundled_batch: GraphBatch) -> None:
    by_label: dict[Label, list[str]] = {}
    for node in bundled_batch.nodes:
        by_label.setdefault(node.label, []).append(node.id)
    assert len(by_label[Label.COMMITMENT]) == 5
    assert sorted(by_label[Label.PRIORITY_GOAL]) == [f"pg-{n}" for n in range(1, 7)]
    assert sorted(by_label[Label.ACTION_POINT], key=lambda i: int(i[3:])) == [f"ap-{n}" for n in range(1, 42)]
    components = {"component-dialogue", "component-facility", "component-mrc", "component-migrap", "component-relec"}
    assert components <= set(by_label[Label.COMPONENT])
    roles = {(r.source, r.props.get("role")) for r in bundled_batch.rels if r.type is RelType.PARTICIPATES_IN}
    assert {("country-tur", "chair"), ("country-hun", "co-chair"), ("org-icmpd", "secretariat")} <= roles
    iso = [n.props["iso3"] for n in bundled_batch.nodes if n.label is Label.COUNTRY]
    assert len(iso) == len(set(iso)) and all(len(code) == 3 and code.isupper() for code in iso)
    commitment = next(n for n in bundled_batch.nodes if n.id == "commitment-governance")
    assert commitment.props["name_fact_sheet"] == "Comprehensive migration governance"
    assert commitment.props["name_bp_website"] == "to comprehensive migration management"


def test_no_action_point_has_official_text(bundled_batch: GraphBatch) -> None:
    for node in bundled_batch.nodes:
        if node.label is Label.ACTION_POINT:
            assert "text" not in node.props
            assert node.props["confidence"] != "confirmed"


def test_inferred_facts_stay_inferred(bundled_batch: GraphBatch) -> None:
    # The Facility's call tied grants to the 2013 priorities before the 2019 Call for Action existed (issue 20).
    facility = next(r for r in bundled_batch.rels if r.key == ("component-facility", "RESPONDS_TO", "pg-1"))
    assert facility.props["confidence"] == "inferred"
    austria = next(n for n in bundled_batch.nodes if n.id == "country-aut")
    assert austria.props["confidence"] == "inferred"


def test_every_sample_plan_link_is_illustrative(bundled_batch: GraphBatch) -> None:
    with (bundled_path() / "sample-plan.csv").open(encoding="utf-8") as fh:
        plan_rows = list(csv.DictReader(fh))
    assert all(row["confidence"] == "illustrative" for row in plan_rows)
    # Every action-point link in the graph comes from the plan, and so is illustrative.
    for rel in bundled_batch.rels:
        if rel.type is RelType.UNDER or (rel.type is RelType.RESPONDS_TO and rel.target.startswith("ap-")):
            assert rel.props["confidence"] == "illustrative", rel
            assert rel.props["sources"] == ["source-sample-plan"], rel
    manifest = yaml.safe_load((bundled_path() / "manifest.yaml").read_text(encoding="utf-8"))
    assert "illustrative" in manifest["illustrative"]


def test_sample_plan_assigns_every_action_point_and_answers_most(bundled_batch: GraphBatch) -> None:
    under = {r.source for r in bundled_batch.rels if r.type is RelType.UNDER}
    assert under == {f"ap-{n}" for n in range(1, 42)}
    answered = {r.target for r in bundled_batch.rels if r.type is RelType.RESPONDS_TO and r.target.startswith("ap-")}
    assert len(answered) > 41 / 2
    assert "ap-17" in answered and len(answered) < 41  # there are gaps to find, too


def test_xlsx_copy_of_the_sample_plan_loads_identically(tmp_path: Path, bundled_batch: GraphBatch) -> None:
    folder = tmp_path / "copy"
    folder.mkdir()
    for item in bundled_path().iterdir():
        (folder / item.name).write_bytes(item.read_bytes())
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8")
    (folder / "manifest.yaml").write_text(manifest.replace("path: sample-plan.csv", "path: sample-plan.xlsx"))
    assert "sample-plan.xlsx" in (folder / "manifest.yaml").read_text(encoding="utf-8")
    assert load_dataset(folder).fingerprint() == bundled_batch.fingerprint()


def test_template_is_an_empty_plan(tmp_path: Path) -> None:
    header = (template_path(".csv")).read_text(encoding="utf-8").strip().splitlines()
    assert header == [",".join(PLAN_COLUMNS)]
    assert template_path(".xlsx").stat().st_size > 0


def test_cli_finds_the_bundled_dataset_from_any_directory(tmp_path: Path) -> None:
    run = subprocess.run(
        [sys.executable, "-m", "bpkg.app.cli", "validate"], cwd=tmp_path, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith("OK: budapest-process")
    # The summary counts nodes and relationships apart, each with a confidence split that adds up to it.
    head = run.stdout.splitlines()[0]
    match = re.fullmatch(r"OK: budapest-process \S+: (\d+) nodes \((.*)\); (\d+) relationships \((.*)\)", head)
    assert match, head
    for total, split in ((match[1], match[2]), (match[3], match[4])):
        parts: dict[str, int] = {}
        for part in split.split(", "):
            count, level = part.split(" ")
            parts[level] = int(count)
        assert set(parts) == {"confirmed", "inferred", "illustrative"}
        assert sum(parts.values()) == int(total)
    batch = load_dataset(bundled_path())
    stats = graph_stats(batch.nodes, batch.rels)
    assert f"{stats.relationships} relationships (" in head and f"{stats.nodes} nodes (" in head
    template = subprocess.run(
        [sys.executable, "-m", "bpkg.app.cli", "template", "plan.xlsx"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert template.returncode == 0 and (tmp_path / "plan.xlsx").stat().st_size > 0
