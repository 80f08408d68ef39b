"""The notebooks run top to bottom on the embedded backend (and 04's Neo4j part against Neo4j), and their
executed copies in notebooks/executed/ show the numbers the current dataset gives (regenerate them with
``.venv/bin/python notebooks/execute.py``)."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any

import nbformat
import neo4j
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"

pytestmark = pytest.mark.notebook


def execute(notebook: Any) -> Any:
    """Run every cell in a python3 kernel started from this interpreter (jupyter_client replaces the
    kernelspec's ``python`` with ``sys.executable``, so the kernel runs this venv)."""
    client = NotebookClient(
        notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(ROOT)}}, allow_errors=False
    )
    client.execute()
    return notebook


def images_in(notebook: Any) -> int:
    return sum("image/png" in output.get("data", {}) for cell in notebook.cells for output in cell.get("outputs", []))


def text_of(notebook: Any) -> str:
    """Everything the cells printed or displayed, as text."""
    parts: list[str] = []
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            parts.append(output.get("text", ""))
            data = output.get("data", {})
            parts.append(data.get("text/plain", ""))
            parts.append(data.get("text/html", ""))
    return "\n".join(parts)


def read(name: str) -> Any:
    return nbformat.read(NOTEBOOKS / name, as_version=4)  # type: ignore[no-untyped-call]


NAMES = ["01-getting-started.ipynb", "02-coverage.ipynb", "03-network-analysis.ipynb", "04-api-and-neo4j.ipynb"]
_RUNS: dict[str, Any] = {}


def embedded(name: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    """``name`` run on the embedded backend, once per session (the tests only read its outputs)."""
    monkeypatch.delenv("BPKG_NOTEBOOK_NEO4J", raising=False)
    if name not in _RUNS:
        _RUNS[name] = execute(read(name))
    return _RUNS[name]


# What changes from one run to the next whatever the data: the clock and the port of the notebook's own server.
VOLATILE = [
    re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"),
    re.compile(r"127\.0\.0\.1:\d+"),
]
NUMBER = re.compile(r"(?<![\w.])-?\d+(?:\.\d+)?(?:e[+-]?\d+)?")


def _number(text: str) -> str:
    """A number as compared: floats to 9 significant digits (the last bits of a float may differ by platform)."""
    return f"{float(text):.9g}" if any(c in text for c in ".e") else text


def numbers(cell: Any) -> list[str]:
    """The numbers a code cell printed or displayed as text, in order (the HTML and images say the same)."""
    parts: list[str] = []
    for output in cell.get("outputs", []):
        parts.append(output.get("text", ""))
        parts.append(output.get("data", {}).get("text/plain", ""))
    text = "\n".join(parts)
    for pattern in VOLATILE:
        text = pattern.sub(" ", text)
    return [_number(n) for n in NUMBER.findall(text)]


def stale_cells(now: Any, saved: Any) -> list[str]:
    """Where the numbers of ``saved`` (an executed copy) differ from those of ``now`` (a fresh run), in words."""
    ran = [c for c in now.cells if c.cell_type == "code"]
    kept = [c for c in saved.cells if c.cell_type == "code"]
    out: list[str] = []
    for i, (a, b) in enumerate(zip(ran, kept, strict=True), 1):
        fresh, old = numbers(a), numbers(b)
        if fresh != old:
            pairs = enumerate(zip(fresh, old, strict=False))
            first = next((j for j, (x, y) in pairs if x != y), min(len(fresh), len(old)))
            shown, now_gives = old[first : first + 3], fresh[first : first + 3]
            out.append(f"code cell {i}: the copy shows {shown} where the data now gives {now_gives}")
    return out


def test_notebooks_are_stored_without_outputs() -> None:
    names = sorted(p.name for p in NOTEBOOKS.glob("*.ipynb"))
    assert names == [
        "01-getting-started.ipynb",
        "02-coverage.ipynb",
        "03-network-analysis.ipynb",
        "04-api-and-neo4j.ipynb",
    ]
    for name in names:
        for cell in read(name).cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, f"{name} holds outputs"


def test_the_kernel_runs_this_interpreter() -> None:
    probe = nbformat.from_dict(  # type: ignore[no-untyped-call]
        {
            "nbformat": 4,
            "nbformat_minor": 5,
            "metadata": {},
            "cells": [
                {"cell_type": "code", "id": "probe", "metadata": {}, "execution_count": None, "outputs": [],
                 "source": "import sys; print(sys.prefix)"}
            ],
        }
    )  # fmt: skip
    assert text_of(execute(probe)).strip() == sys.prefix


def test_getting_started(monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = embedded("01-getting-started.ipynb", monkeypatch)
    out = text_of(notebook)
    assert "MultiDiGraph with" in out
    assert "Responses to Action point 17" in out and "Migrant Resource Centre Dhaka" in out
    assert images_in(notebook) == 2


def test_coverage(monkeypatch: pytest.MonkeyPatch) -> None:
    notebook = embedded("02-coverage.ipynb", monkeypatch)
    out = text_of(notebook)
    assert images_in(notebook) == 2
    assert "Coverage by goal:" in out and "Coverage by component:" in out and "Coverage by country:" in out
    assert "Illustrative:" in out


def test_network_analysis(monkeypatch: pytest.MonkeyPatch) -> None:
    out = text_of(embedded("03-network-analysis.ipynb", monkeypatch))
    assert "Nodes on the paths from dialogue to operations" in out
    assert "Regional Law Enforcement Cooperation (RELEC)" in out and "Knowledge" in out


def test_api_notebook_on_the_embedded_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    out = text_of(embedded("04-api-and-neo4j.ipynb", monkeypatch))
    assert "'status': 'ok'" in out and "'backend': 'memory'" in out
    assert 'attachment; filename="bpkg-node-ap-17.html"' in out
    # The skipped part says so.
    assert "Neo4j part not run: set BPKG_NOTEBOOK_NEO4J=1" in out


@pytest.mark.neo4j
def test_api_notebook_against_neo4j(monkeypatch: pytest.MonkeyPatch, neo4j_bundled: neo4j.Driver) -> None:
    monkeypatch.setenv("BPKG_NOTEBOOK_NEO4J", "1")
    out = text_of(execute(read("04-api-and-neo4j.ipynb")))
    assert "Responders per action point on both backends" in out
    assert "Neo4j part not run" not in out and "False" not in out.split("Responders per action point")[1]


def test_executed_copies_show_the_results_of_the_same_code() -> None:
    # Readers who only browse the repository see the results in notebooks/executed/ (notebooks/execute.py
    # writes them); each copy holds exactly the code of its notebook, run, without errors.
    for source in sorted(NOTEBOOKS.glob("*.ipynb")):
        copy = nbformat.read(NOTEBOOKS / "executed" / source.name, as_version=4)  # type: ignore[no-untyped-call]
        code = [c.source for c in read(source.name).cells if c.cell_type == "code"]
        ran = [c for c in copy.cells if c.cell_type == "code"]
        assert [c.source for c in ran] == code, f"{source.name}: the executed copy is out of date"
        assert all(c.execution_count is not None for c in ran), source.name
        assert not [o for c in ran for o in c.outputs if o.get("output_type") == "error"], source.name
    assert images_in(nbformat.read(NOTEBOOKS / "executed" / "02-coverage.ipynb", as_version=4)) == 2  # type: ignore[no-untyped-call]


@pytest.mark.parametrize("name", NAMES)
def test_executed_copies_show_the_numbers_the_current_dataset_gives(name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = nbformat.read(NOTEBOOKS / "executed" / name, as_version=4)  # type: ignore[no-untyped-call]
    stale = stale_cells(embedded(name, monkeypatch), saved)
    assert stale == [], f"{name}: regenerate the executed copy with .venv/bin/python notebooks/execute.py; {stale}"


def test_a_copy_with_an_old_number_is_found_stale() -> None:
    # The check itself: the copy of 01 with one count changed back to what the data said before.
    saved = nbformat.read(NOTEBOOKS / "executed" / "01-getting-started.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    old = nbformat.read(NOTEBOOKS / "executed" / "01-getting-started.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    cell = next(c for c in old.cells if c.cell_type == "code" and "MultiDiGraph with" in str(c.outputs))
    edges = re.search(r"and (\d+) edges", str(cell.outputs))
    assert edges is not None
    for output in cell.outputs:
        if "text" in output:
            output["text"] = output["text"].replace(
                f"and {edges.group(1)} edges", f"and {int(edges.group(1)) - 1} edges"
            )
    assert stale_cells(saved, saved) == []
    found = stale_cells(saved, old)
    assert len(found) == 1 and f"['{int(edges.group(1)) - 1}']" in found[0] and f"['{edges.group(1)}']" in found[0]
    # ... and a different port or clock is not a difference.
    moved = nbformat.read(NOTEBOOKS / "executed" / "04-api-and-neo4j.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    written: str = nbformat.writes(moved)  # type: ignore[no-untyped-call]
    written = re.sub(r"127\.0\.0\.1:\d+", "127.0.0.1:1", re.sub(r"T\d\d:\d\d:\d\d", "T00:00:00", written))
    again = nbformat.reads(written, as_version=4)  # type: ignore[no-untyped-call]
    assert stale_cells(moved, again) == []
