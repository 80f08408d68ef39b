"""`bpkg serve --workers 2`: two worker processes behind one port, each with its own copy of the dataset."""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.integration.test_serve import free_port


def children(pid: int) -> set[int]:
    """The processes ``pid`` started (Linux: /proc)."""
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(child) for child in (task / "children").read_text().split()}
    return found


def started(log: Path) -> set[int]:
    """The pids of the server processes uvicorn says it started."""
    return {int(pid) for pid in re.findall(r"Started server process \[(\d+)\]", log.read_text())}


def test_bpkg_serve_with_two_workers(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPKG_", "NEO4J_"))}
    log_path = tmp_path / "serve.log"
    log = log_path.open("w")
    server = subprocess.Popen(
        [sys.executable, "-m", "bpkg.app.cli", "serve", "--workers", "2", "--port", str(port)],
        env=env,
        stdout=log,
        stderr=log,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        health = None
        for _ in range(120):  # up to about a minute: each worker loads the dataset
            assert server.poll() is None, log_path.read_text()
            try:
                health = httpx.get(f"{base}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert health is not None, log_path.read_text()
        body = health.json()
        assert (body["backend"], body["reachable"], body["dataset"]["name"]) == ("memory", True, "budapest-process")

        with httpx.Client(base_url=base, timeout=10) as client:  # one keep-alive connection
            took: list[float] = []
            for i in range(20):
                number = i % 41 + 1
                start = time.perf_counter()
                answer = client.get(f"/action-points/{number}/responses", params={"limit": 5})
                took.append(time.perf_counter() - start)
                assert answer.status_code == 200, answer.text
                assert answer.json()["number"] == number
        print(f"\nmedian over one keep-alive connection: {statistics.median(took) * 1000:.1f} ms")
        # Two worker processes, started by the supervisor (uvicorn logs each one's pid).
        deadline = time.monotonic() + 30
        while len(workers := started(log_path)) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(workers) == 2, log_path.read_text()
        assert workers <= children(server.pid)
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    assert server.returncode == 0, log_path.read_text()
    for pid in started(log_path):  # stopped with the supervisor (gone, or a zombie until reaped)
        assert not Path(f"/proc/{pid}").exists() or Path(f"/proc/{pid}/stat").read_text().split()[2] == "Z"


def test_the_workers_socket_has_nagle_off() -> None:
    # With Nagle on (uvicorn's own shared socket), every keep-alive request after the first waited ~40 ms
    # for a delayed ACK; accepted connections inherit TCP_NODELAY from the listening socket.
    import socket

    import uvicorn

    from bpkg.app.cli import bind_without_nagle

    sock = bind_without_nagle(uvicorn.Config("bpkg.app.api.main:app_from_env", factory=True, host="127.0.0.1", port=0))
    try:
        assert sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
    finally:
        sock.close()
