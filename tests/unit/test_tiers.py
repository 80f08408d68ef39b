"""The unit tier stays what its name promises: in-process, no app, no server, no subprocess, nothing written.

A test that needs any of those belongs in tests/files (datasets written and read), tests/api (the app over
HTTP in-process) or tests/integration (subprocesses, servers); each folder's marker selects it by cost.
"""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

UNIT: Final = Path(__file__).resolve().parent
# Modules whose import means a test starts the app, a server or another process.
HEAVY_IMPORTS: Final = frozenset(
    {"fastapi.testclient", "starlette.testclient", "bpkg.app.api.main", "subprocess", "uvicorn", "multiprocessing"}
)
# Fixtures that hand a test a place to write files.
WRITING_FIXTURES: Final = frozenset({"tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory"})


def heavy_uses(source: str) -> list[str]:
    """What in a test module's source belongs to a costlier tier: heavy imports and file-writing fixtures."""
    found: list[str] = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [f"import {a.name}" for a in node.names if a.name in HEAVY_IMPORTS]
        elif isinstance(node, ast.ImportFrom) and node.module is not None:
            modules = {node.module, *(f"{node.module}.{a.name}" for a in node.names)}
            if modules & HEAVY_IMPORTS:
                found.append(f"from {node.module} import ...")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            found += [f"{node.name}({a.arg})" for a in node.args.args if a.arg in WRITING_FIXTURES]
    return found


@pytest.mark.parametrize("module", sorted(UNIT.glob("test_*.py")), ids=lambda p: p.name)
def test_a_unit_test_starts_nothing_and_writes_nothing(module: Path) -> None:
    assert heavy_uses(module.read_text(encoding="utf-8")) == []


def test_the_check_finds_an_app_a_subprocess_and_a_temporary_folder() -> None:
    source = (
        "import subprocess\n"
        "from fastapi.testclient import TestClient\n"
        "from bpkg.app.api import main\n"
        "def test_x(tmp_path): ...\n"
        "def test_y(memory_store): ...\n"
    )
    assert heavy_uses(source) == [
        "import subprocess",
        "from fastapi.testclient import ...",
        "from bpkg.app.api import ...",
        "test_x(tmp_path)",
    ]
