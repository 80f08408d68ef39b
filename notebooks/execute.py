"""Write executed copies of the notebooks into notebooks/executed/, for readers who only browse the repository.

The notebooks themselves are kept without outputs (tests/notebooks checks it); their executed copies, with
every table and figure, are regenerated with:

    .venv/bin/python notebooks/execute.py

on the embedded backend (the Neo4j part of 04 says it was not run); run it after changing a notebook or the
bundled dataset. tests/notebooks checks that each copy holds the same code as its notebook, shows its results,
and shows the numbers a fresh run on the current dataset gives (so a copy left behind by a data change fails).
Cells keep no run timestamps, so that a copy changes only when what it shows does.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "executed"


def execute(name: str) -> Path:
    notebook = nbformat.read(HERE / name, as_version=4)
    NotebookClient(
        notebook, kernel_name="python3", timeout=180, resources={"metadata": {"path": str(ROOT)}}, allow_errors=False
    ).execute()
    notebook.metadata.pop("widgets", None)
    for cell in notebook.cells:
        cell.metadata.pop("execution", None)
    OUT.mkdir(exist_ok=True)
    target = OUT / name
    nbformat.write(notebook, target)
    return target


if __name__ == "__main__":
    names = sys.argv[1:] or sorted(p.name for p in HERE.glob("*.ipynb"))
    for name in names:
        print(execute(name))
