"""`bpkg serve` works with no set-up: embedded graph, bundled dataset, 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def test_bpkg_serve_answers_on_localhost(tmp_path: Path) -> None:
    port = free_port()
    # A clean environment for the app's own settings: nothing but the defaults.
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPKG_", "NEO4J_"))}
    log = (tmp_path / "serve.log").open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bpkg.app.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        health = None
        for _ in range(120):  # up to about a minute to start on a slow machine
            if server.poll() is not None:
                break
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None, (tmp_path / "serve.log").read_text()
        body = health.json()
        assert (body["backend"], body["reachable"], body["dataset"]["name"]) == ("memory", True, "budapest-process")
        responses = httpx.get(f"http://127.0.0.1:{port}/action-points/17/responses", timeout=10)
        assert responses.status_code == 200
        assert responses.json()["number"] == 17
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
