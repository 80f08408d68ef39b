"""Serving an app on 127.0.0.1 from a background thread (notebooks and browser tests use it)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import uvicorn

HOST = "127.0.0.1"


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nobody listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class RunningServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread


@contextmanager
def serve_in_background(app: Any, port: int | None = None, startup_timeout: float = 20.0) -> Iterator[RunningServer]:
    """Run ``app`` with uvicorn on 127.0.0.1 until the ``with`` block ends; yields its base URL."""
    chosen = port or free_port()
    config = uvicorn.Config(app, host=HOST, port=chosen, log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{chosen}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError("the server stopped while starting (see its log)")
        if time.monotonic() > deadline:
            server.should_exit = True
            raise RuntimeError(f"the server did not start within {startup_timeout} s")
        time.sleep(0.02)
    try:
        yield RunningServer(url=f"http://{HOST}:{chosen}", server=server, thread=thread)
    finally:
        server.should_exit = True
        thread.join(timeout=10)
