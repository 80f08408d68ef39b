"""`bpkg diff --neo4j NEW`: what a real Neo4j holds against a dataset folder, in the same reports as a diff of
two folders; an unreachable Neo4j is one line and exit 3."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import neo4j
import pytest

from bpkg.app.cli import main
from bpkg.app.settings import Settings
from bpkg.loaders import load_dataset
from bpkg.loaders.dataset import bundled_path
from bpkg.loaders.diff import diff_batches
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import wipe


def changed_copy(folder: Path) -> Path:
    """The bundled dataset with Afghanistan renamed, a country added and one plan row (one link) removed."""
    shutil.copytree(bundled_path("budapest-process"), folder)
    countries = folder / "countries.csv"
    text = countries.read_text(encoding="utf-8")
    assert "\ncountry-afg,Country,Afghanistan," in text
    text = text.replace("\ncountry-afg,Country,Afghanistan,", "\ncountry-afg,Country,Afghanistan (renamed),")
    text += "country-zzz,Country,Testland,,ZZZ,participating_state,source-iso-3166,confirmed,\n"  # no other names
    countries.write_text(text, encoding="utf-8")
    plan = folder / "sample-plan.csv"
    lines = plan.read_text(encoding="utf-8").splitlines(keepends=True)
    assert lines[2].startswith("1,,activity-relec-ncp-network,")
    plan.write_text("".join(lines[:2] + lines[3:]), encoding="utf-8")
    return folder


@pytest.mark.neo4j
def test_diff_against_what_neo4j_holds(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    bundled = load_dataset()
    write_batch(neo4j_driver, bundled, database)
    new = changed_copy(tmp_path / "v2")

    report = tmp_path / "diff.json"
    assert main(["diff", "--neo4j", str(new), "--format", "json", "--output", str(report)]) == 0
    assert capsys.readouterr().out.startswith(f"Wrote {report}: ")
    found: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    assert found["old"] == f"Neo4j (budapest-process {bundled.info.version})"
    assert found["counts"]["nodes"] == {"added": 1, "removed": 0, "changed": 1}
    assert found["counts"]["relationships"] == {"added": 0, "removed": 1, "changed": 0}
    assert [(n["change"], n["id"]) for n in found["nodes"]] == [("changed", "country-afg"), ("added", "country-zzz")]
    assert found["nodes"][0]["fields"] == [{"field": "name", "old": "Afghanistan", "new": "Afghanistan (renamed)"}]
    assert [(r["change"], r["source"], r["type"], r["target"]) for r in found["rels"]] == [
        ("removed", "activity-relec-ncp-network", "RESPONDS_TO", "ap-1")
    ]
    # Every unchanged link of the renamed country is suspect, and nothing else.
    afg = {r.key for r in bundled.rels if "country-afg" in (r.source, r.target)}
    assert {(s["source"], s["type"], s["target"]) for s in found["suspect"]} == afg
    assert all(s["changed_nodes"] == ["country-afg"] for s in found["suspect"])
    # The same report as a diff of the two folders, but for the name of the old side.
    folders = diff_batches(bundled, load_dataset(new)).as_json()
    assert {**found, "old": None} == {**folders, "old": None}

    assert main(["diff", "--neo4j", str(new)]) == 0
    markdown = capsys.readouterr().out
    assert markdown.startswith(f"# Changes from Neo4j (budapest-process {bundled.info.version}) to budapest-process")
    assert "- changed: Country `country-afg` (Afghanistan (renamed))" in markdown
    assert "- removed: `activity-relec-ncp-network` RESPONDS_TO `ap-1`" in markdown
    assert main(["diff", "--neo4j", str(new), "--format", "html"]) == 0
    assert "<code>country-zzz</code> Testland" in capsys.readouterr().out
    # The dataset that is loaded: no difference (exit 0 even with --exit-code); the changed one: exit 1.
    assert main(["diff", "--neo4j", "budapest-process", "--exit-code"]) == 0
    assert "hold the same nodes and links" in capsys.readouterr().out
    assert main(["diff", "--neo4j", str(new), "--exit-code"]) == 1


def test_diff_against_an_unreachable_neo4j_is_one_line_and_exit_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("NEO4J_URI", "bolt://127.0.0.1:1")  # nothing listens there
    monkeypatch.setenv("NEO4J_PASSWORD", "not-used-here")
    assert main(["diff", "--neo4j", "budapest-process"]) == 3
    captured = capsys.readouterr()
    assert captured.out == "" and "Traceback" not in captured.err
    assert captured.err.startswith("bpkg: error: cannot reach Neo4j at bolt://127.0.0.1:1")
    assert len(captured.err.strip().splitlines()) == 1


@pytest.mark.parametrize("argv", [["diff", "budapest-process"], ["diff", "--neo4j", "budapest-process", "x"]])
def test_diff_takes_two_datasets_or_neo4j_and_one(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("bpkg: error: diff takes two datasets, or --neo4j and one") and err.count("\n") == 1
