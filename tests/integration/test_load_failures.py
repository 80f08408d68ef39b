"""Neo4j failing during ``bpkg load`` / ``bpkg stats``: one line ``bpkg: error: ...`` and exit 3, no traceback.

Nothing listens on 127.0.0.1:1, so every connection is refused at once; no Neo4j is needed.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import bpkg.app.neo4j_driver
from bpkg.app.cli import main
from bpkg.app.settings import Settings

CLOSED = "bolt://127.0.0.1:1"


@pytest.fixture
def closed_port(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_URI", CLOSED)
    monkeypatch.setenv("NEO4J_PASSWORD", "not-used-here")


def one_line_error(capsys: pytest.CaptureFixture[str]) -> str:
    captured = capsys.readouterr()
    err = captured.err
    assert "Traceback" not in err + captured.out
    assert err.startswith("bpkg: error: ") and len(err.strip().splitlines()) == 1, err
    return err


def test_load_into_an_unreachable_neo4j(closed_port: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["load", "--backend", "neo4j"]) == 3
    assert f"cannot reach Neo4j at {CLOSED}" in one_line_error(capsys)


@pytest.mark.parametrize("command", [["load", "--backend", "neo4j"], ["stats", "--backend", "neo4j"]])
def test_neo4j_lost_after_connecting(
    closed_port: None, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], command: list[str]
) -> None:
    # Skip the start-up check, so that the first failure happens inside the load (or the read-back),
    # as when Neo4j goes away mid-load.
    real = bpkg.app.neo4j_driver.open_driver

    def unverified(settings: Settings, *, verify: bool = True) -> object:
        return real(settings, verify=False)

    monkeypatch.setattr(bpkg.app.neo4j_driver, "open_driver", unverified)
    assert main(command) == 3
    err = one_line_error(capsys)
    assert "Connection refused" in err or "refused" in err
    if command[0] == "load":
        assert "wrote nothing" in err


def test_the_real_stderr_holds_one_line() -> None:
    # In a separate process: pytest captures logging, which hid the driver's retry warnings.
    script = (
        "import sys, bpkg.app.neo4j_driver as d\n"
        "real = d.open_driver\n"
        "d.open_driver = lambda settings, verify=True: real(settings, verify=False)\n"
        "from bpkg.app.cli import main\n"
        "sys.exit(main(['load', '--backend', 'neo4j']))\n"
    )
    env = {**os.environ, "NEO4J_URI": CLOSED, "NEO4J_PASSWORD": "not-used-here"}
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=60, check=False
    )
    assert done.returncode == 3
    assert done.stderr.startswith("bpkg: error: lost Neo4j") and len(done.stderr.strip().splitlines()) == 1, done.stderr
