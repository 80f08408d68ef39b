"""Bounded requests against a real ``bpkg serve`` on 127.0.0.1, over raw sockets (issue 16, item 6): a key
form body over its limit gets 413 before it is read, declared or streamed; connections slow to send their
headers, or idle after an answer, are closed; a client that leaves mid-body leaves no traceback in the log."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bpkg.app.api.bounds import HEADER_TIMEOUT, KEEP_ALIVE_TIMEOUT, KEY_FORM_BODY
from tests.integration.test_serve import free_port


class Server:
    def __init__(self, port: int, log: Path) -> None:
        self.port = port
        self.log = log

    def connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        return sock


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("serve") / "serve.log"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BPKG_", "NEO4J_"))}
    env["BPKG_API_KEYS"] = "k1"
    log = log_path.open("w")
    process = subprocess.Popen(
        [sys.executable, "-m", "bpkg.app.cli", "serve", "--port", str(port)], env=env, stdout=log, stderr=log
    )
    try:
        for _ in range(240):  # up to about two minutes to start on a busy machine
            assert process.poll() is None, log_path.read_text()
            try:
                httpx.get(f"http://127.0.0.1:{port}/health", timeout=2)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        yield Server(port, log_path)
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def _status(sock: socket.socket) -> tuple[int, bytes]:
    """The status of the answer on ``sock`` and what came with its head."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = sock.recv(65536)
        assert chunk, f"closed before an answer: {data!r}"
        data += chunk
    return int(data.split(b" ", 2)[1]), data


def _closed_within(sock: socket.socket, seconds: float) -> float:
    """Seconds until the server closes ``sock`` (reading and dropping whatever comes); fails past ``seconds``."""
    start = time.monotonic()
    sock.settimeout(seconds)
    try:
        while sock.recv(65536):
            pass
    except TimeoutError:
        pytest.fail(f"the connection was still open after {seconds} s")
    except ConnectionResetError:
        pass
    return time.monotonic() - start


def test_a_huge_declared_body_gets_413_unread(server: Server) -> None:
    with server.connect() as sock:
        sock.sendall(
            b"POST /view/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 800000000\r\n\r\nkey=k1"
        )
        status, head = _status(sock)
        assert status == 413, head
        assert b"connection: close" in head.lower()
        _closed_within(sock, 5)


def test_a_streamed_body_past_the_limit_gets_413(server: Server) -> None:
    sent = 0
    with server.connect() as sock:
        sock.sendall(
            b"POST /view/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n"
        )
        chunk = b"x" * 1024
        for _ in range(KEY_FORM_BODY // len(chunk) + 2):
            sock.sendall(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            sent += len(chunk)
        status, head = _status(sock)
    assert status == 413, head
    assert sent <= KEY_FORM_BODY + 2 * 1024


def test_a_small_key_form_still_works(server: Server) -> None:
    answer = httpx.post(f"http://127.0.0.1:{server.port}/view/key", data={"key": "k1", "next": "/"}, timeout=10)
    assert answer.status_code == 303 or answer.history[0].status_code == 303


def test_connections_that_never_finish_their_headers_are_closed(server: Server) -> None:
    socks = [server.connect() for _ in range(20)]
    try:
        for sock in socks:
            sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        # One more byte of header now and then: each resets uvicorn's own keep-alive timer, not ours.
        start = time.monotonic()
        while time.monotonic() - start < 3:
            for sock in socks:
                sock.sendall(b"X")
            time.sleep(1)
        for sock in socks:
            _closed_within(sock, HEADER_TIMEOUT + 10)
        assert time.monotonic() - start < HEADER_TIMEOUT + 10
    finally:
        for sock in socks:
            sock.close()


def test_an_idle_keep_alive_connection_is_closed(server: Server) -> None:
    with server.connect() as sock:
        sock.sendall(b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        status, _ = _status(sock)
        assert status == 200
        assert _closed_within(sock, KEEP_ALIVE_TIMEOUT + 10) >= KEEP_ALIVE_TIMEOUT - 1


def test_a_client_leaving_mid_body_leaves_no_traceback(server: Server) -> None:
    before = server.log.read_text()
    with server.connect() as sock:
        sock.sendall(
            b"POST /view/key HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 1000\r\n\r\nkey=k1&next=%2F"
        )
        time.sleep(0.5)
    # The server notices the disconnect; its log must say nothing worse than that.
    for _ in range(20):
        time.sleep(0.25)
        if "disconnected" in server.log.read_text()[len(before) :]:
            break
    # A request after it is served as usual (the log is flushed by then).
    assert httpx.get(f"http://127.0.0.1:{server.port}/health", timeout=10).status_code == 200
    after = server.log.read_text()[len(before) :]
    assert "Traceback" not in after and "Exception in ASGI application" not in after, after
