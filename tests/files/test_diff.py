"""`bpkg diff`: what changed between two versions of a dataset, and which links a change leaves suspect.

The versions are generated here: the tiny dataset, then copies with a node renamed, a node added, a link
removed and a link's confidence changed.
"""

from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from bpkg.app.cli import main
from bpkg.loaders import load_dataset
from bpkg.loaders.diff import diff_batches, to_html, to_markdown
from tests.factories import SRC, base_graph, write_dataset


def history(tmp_path: Path) -> tuple[Path, Path]:
    """Version 1, and version 2 with four kinds of change."""
    old = write_dataset(tmp_path / "v1")
    graph: dict[str, Any] = base_graph()
    for node in graph["nodes"]:
        if node["id"] == "component-c":
            node["name"] = "Component C (renamed)"
            node["description"] = "<script>alert(1)</script>"
    graph["nodes"].append({"id": "activity-b", "label": "Activity", "name": "Activity B", **SRC})
    graph["relationships"] = [
        r for r in graph["relationships"] if not (r["from"] == "event-e" and r["type"] == "IN_COUNTRY")
    ]
    for rel in graph["relationships"]:
        if rel["from"] == "plan-x" and rel["to"] == "pg-2":
            rel["confidence"] = "inferred"
    new = write_dataset(tmp_path / "v2", graph=graph)
    return old, new


def test_the_same_dataset_has_no_differences(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path / "v1")
    found = diff_batches(load_dataset(folder), load_dataset(folder))
    assert found.same and found.nodes == [] and found.rels == [] and found.suspect == []
    assert "the same nodes and links" in to_markdown(found)


def test_every_kind_of_change_is_reported_with_its_fields(tmp_path: Path) -> None:
    old, new = history(tmp_path)
    found = diff_batches(load_dataset(old), load_dataset(new))
    assert [(n.change, n.id) for n in found.nodes] == [("added", "activity-b"), ("changed", "component-c")]
    changed = found.nodes[1]
    assert [(f.field, f.old, f.new) for f in changed.fields] == [
        ("description", None, "<script>alert(1)</script>"),
        ("name", "Component C", "Component C (renamed)"),
    ]
    assert [(r.change, r.source, r.type, r.target) for r in found.rels] == [
        ("removed", "event-e", "IN_COUNTRY", "country-pak"),
        ("changed", "plan-x", "SETS", "pg-2"),
    ]
    assert [(f.field, f.old, f.new) for f in found.rels[1].fields] == [("confidence", "confirmed", "inferred")]
    assert found.counts()["nodes"] == {"added": 1, "removed": 0, "changed": 1}


def test_links_resting_on_a_changed_node_are_suspect(tmp_path: Path) -> None:
    old, new = history(tmp_path)
    found = diff_batches(load_dataset(old), load_dataset(new))
    suspect = {(s.source, s.type, s.target): s.changed_nodes for s in found.suspect}
    # Unchanged links at either end of the renamed component; the changed link itself is not "suspect".
    assert suspect[("project-p", "HAS_COMPONENT", "component-c")] == ["component-c"]
    assert suspect[("activity-a", "PART_OF", "component-c")] == ["component-c"]
    assert all("component-c" in ends for ends in suspect.values())
    assert ("plan-x", "SETS", "pg-2") not in suspect


def test_reports_in_markdown_html_and_json_from_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old, new = history(tmp_path)
    assert main(["diff", str(old), str(new)]) == 0
    markdown = capsys.readouterr().out
    assert "- nodes: 1 added, 0 removed, 1 changed" in markdown
    assert "`name`: Component C → Component C (renamed)" in markdown
    assert "## Suspect links: review them" in markdown

    assert main(["diff", str(old), str(new), "--format", "json", "--output", str(tmp_path / "d.json")]) == 0
    body = json.loads((tmp_path / "d.json").read_text())
    assert body["same"] is False and body["counts"]["relationships"]["removed"] == 1
    assert {n["id"] for n in body["nodes"]} == {"activity-b", "component-c"}

    assert main(["diff", str(old), str(new), "--format", "html", "--output", str(tmp_path / "d.html")]) == 0
    page = (tmp_path / "d.html").read_text()
    assert "<script>alert" not in page and "&lt;script&gt;" in page  # values from data are escaped
    HTMLParser().feed(page)

    assert main(["diff", str(old), str(new), "--exit-code"]) == 1
    assert main(["diff", str(old), str(old), "--exit-code"]) == 0


def test_long_values_are_cut_in_reports(tmp_path: Path) -> None:
    old = write_dataset(tmp_path / "v1")
    graph: dict[str, Any] = base_graph()
    for node in graph["nodes"]:
        if node["id"] == "activity-a":
            node["description"] = "x" * 3000
    new = write_dataset(tmp_path / "v2", graph=graph)
    found = diff_batches(load_dataset(old), load_dataset(new))
    report = to_markdown(found)
    assert "x" * 200 + "…" in report and "x" * 201 not in report
    assert "x" * 201 not in to_html(found)


def test_an_invalid_version_is_reported_not_compared(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    old = write_dataset(tmp_path / "v1")
    graph: dict[str, Any] = base_graph()
    graph["relationships"].append({"from": "ap-1", "type": "UNDER", "to": "no-such-goal", **SRC})
    new = write_dataset(tmp_path / "v2", graph=graph)
    assert main(["diff", str(old), str(new)]) == 1
    err = capsys.readouterr().err
    assert "no-such-goal" in err and "Traceback" not in err
