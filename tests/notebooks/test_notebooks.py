"""The notebooks run top to bottom on the embedded backend (and 04's Neo4j part against Neo4j)."""

from __future__ import annotations

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


def test_getting_started() -> None:
    notebook = execute(read("01-getting-started.ipynb"))
    out = text_of(notebook)
    assert "MultiDiGraph with" in out
    assert "Responses to Action point 17" in out and "Migrant Resource Centre Dhaka" in out
    assert images_in(notebook) == 2


def test_coverage() -> None:
    notebook = execute(read("02-coverage.ipynb"))
    out = text_of(notebook)
    assert images_in(notebook) == 2
    assert "Coverage by goal:" in out and "Coverage by component:" in out and "Coverage by country:" in out
    assert "Illustrative:" in out


def test_network_analysis() -> None:
    out = text_of(execute(read("03-network-analysis.ipynb")))
    assert "Nodes on the paths from dialogue to operations" in out
    assert "Regional Law Enforcement Cooperation (RELEC)" in out and "Knowledge" in out


def test_api_notebook_on_the_embedded_backend(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("BPKG_NOTEBOOK_NEO4J", raising=False)
    out = text_of(execute(read("04-api-and-neo4j.ipynb")))
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
