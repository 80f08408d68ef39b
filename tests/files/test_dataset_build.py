"""The bundled dataset is what ``tools/build_dataset.py`` makes of facts.yaml and the curated tables, byte for byte;
a bad curated table is rejected with its file, row and field."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tools import build_dataset
from tools.reference_graph import Graph
from tools.tables import TABLES_DIR, BuildError, read_tables

REPO = Path(__file__).resolve().parents[2]
# CI keeps a copy of the shared folder beside the clone, as on a developer's machine.
FACTS = REPO.parent / "shared" / "domain" / "facts.yaml"
BUNDLED = REPO / "bpkg" / "loaders" / "datasets" / "budapest-process"
TEMPLATES = REPO / "bpkg" / "loaders" / "templates"


def test_the_builder_rebuilds_the_bundled_dataset_byte_for_byte(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert FACTS.is_file(), f"{FACTS} is missing: the bundled dataset cannot be rebuilt without the shared facts"
    out, templates = tmp_path / "dataset", tmp_path / "templates"
    argv = ["--facts", str(FACTS), "--out", str(out), "--templates", str(templates)]
    assert build_dataset.main(argv) == 0, capsys.readouterr().err

    assert sorted(p.name for p in out.iterdir()) == sorted(p.name for p in BUNDLED.iterdir())
    pairs = [(out / p.name, p) for p in BUNDLED.iterdir()] + [(p, TEMPLATES / p.name) for p in templates.iterdir()]
    differ = [str(committed) for built, committed in pairs if built.read_bytes() != committed.read_bytes()]
    assert not differ, f"{differ} differ from a rebuild: run .venv/bin/python -m tools.build_dataset"


def _tables_copy(tmp_path: Path) -> Path:
    folder = tmp_path / "dataset"
    shutil.copytree(TABLES_DIR, folder)
    return folder


def test_a_bad_cell_names_its_file_row_and_field(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    links = folder / "plan-links.csv"
    lines = links.read_text(encoding="utf-8").splitlines(keepends=True)
    number = next(i for i, line in enumerate(lines) if line.startswith("17,"))
    lines[number] = lines[number].replace(",direct,", ",strong,", 1)
    links.write_text("".join(lines), encoding="utf-8")
    with pytest.raises(BuildError) as caught:
        read_tables(folder)
    assert f"plan-links.csv: row at line {number + 1}, field strength" in str(caught.value)
    assert "'strong'" in str(caught.value)


def test_a_bad_yaml_entry_names_its_file_entry_and_field(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "activities.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("    confidence: inferred\n", "    confidence: sure\n", 1))
    with pytest.raises(BuildError, match=r"activities\.yaml, field informs\.0\.confidence"):
        read_tables(folder)


def test_a_table_with_other_columns_is_rejected(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "organisations.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("id,name,acronym,kind,sources", "id,name,kind"))
    with pytest.raises(BuildError, match=r"organisations\.csv: line \d+: the columns are"):
        read_tables(folder)


def test_a_correction_of_a_fact_the_build_no_longer_makes_fails_the_build(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "corrections.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("  node: event-mc-6\n", "  node: event-mc-99\n", 1), encoding="utf-8")
    with pytest.raises(BuildError, match=r"corrections\.yaml: no node event-mc-99 to correct"):
        build_dataset.build(FACTS, read_tables(folder))


def test_a_correction_that_makes_a_fact_inferred_without_saying_why_is_rejected(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "corrections.yaml"
    path.write_text(
        path.read_text(encoding="utf-8")
        + "- {finding: a finding long enough, from: org-eu, type: FUNDS, to: project-imm, confidence: inferred}\n",
        encoding="utf-8",
    )
    with pytest.raises(BuildError, match=r"corrections\.yaml: entry \d+.*an inferred fact says why"):
        read_tables(folder)


def test_a_removed_relationship_is_gone_and_an_added_one_is_made(tmp_path: Path) -> None:
    graph, _ = build_dataset.build(FACTS, read_tables())
    assert ("org-bgd-bmet", "IMPLEMENTS", "component-migrap") not in graph.rels
    unodc = graph.rels[("org-unodc", "IMPLEMENTS", "project-imm-mp")]
    assert unodc["confidence"] == "confirmed" and unodc["sources"] == ["source-eeas-protect"]
    assert any(n["id"] == "org-unodc" for n in graph.nodes)


def test_the_builders_wording_and_decisions_come_from_its_table(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "wording.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("  lead_countries:\n    RELEC: TUR\n", "  lead_countries:\n    RELEC: PAK\n", 1)
    status = "  text_status: Official wording not available in any source consulted\n"
    text = text.replace(status, "  text_status: Not public\n", 1)
    text = text.replace("  with_article: [United Kingdom, Netherlands]\n", "  with_article: []\n", 1)
    path.write_text(text, encoding="utf-8")
    bundled, _ = build_dataset.build(FACTS, read_tables())
    graph, _ = build_dataset.build(FACTS, read_tables(folder))

    def note(key: tuple[str, str, str], built: Graph) -> object:
        return built.rels[key].get("note")

    assert note(("component-relec", "ACTIVE_IN", "country-tur"), bundled) == "lead country"
    assert note(("component-relec", "ACTIVE_IN", "country-tur"), graph) != "lead country"
    assert note(("component-relec", "ACTIVE_IN", "country-pak"), graph) == "lead country"
    statuses = {n.get("text_status") for n in graph.nodes if n["label"] == "ActionPoint"}
    assert statuses == {"Not public"}
    assert {n.get("text_status") for n in bundled.nodes if n["label"] == "ActionPoint"} != {"Not public"}
    names = {n["id"]: n["name"] for n in graph.nodes}
    assert names["org-gov-gbr"] == "Government of United Kingdom"
    assert {n["id"]: n["name"] for n in bundled.nodes}["org-gov-gbr"] == "Government of the United Kingdom"


def test_a_bad_wording_entry_names_its_file_and_field(tmp_path: Path) -> None:
    folder = _tables_copy(tmp_path)
    path = folder / "wording.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  lead_note: lead country\n", "", 1), encoding="utf-8")
    with pytest.raises(BuildError, match=r"wording\.yaml, field components\.lead_note"):
        read_tables(folder)
