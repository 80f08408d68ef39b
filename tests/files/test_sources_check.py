"""`bpkg sources check` against a local HTTP server serving pages this test writes: unchanged, changed, gone,
redirected, slow and huge pages; and against a folder of saved copies (``--from``)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from app.cli import main
from app.sources import Status, check_sources, fingerprint, page_text
from loaders import load_dataset
from tests.factories import base_graph, write_dataset

ORIGINAL = (
    b"<html><head><style>p{}</style></head><body><h1>Budapest Process</h1><p>Chair: T&uuml;rkiye</p></body></html>"
)
PAGES: dict[str, bytes] = {
    "/same": ORIGINAL,
    "/reflowed": ORIGINAL.replace(b"<p>", b"\n  <p class='new'>"),  # markup and spacing only: not a change
    "/changed": ORIGINAL.replace(b"T&uuml;rkiye", b"Hungary"),
}
SLOW_SECONDS = 3.0


class _Pages(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        if self.path in PAGES:
            body = PAGES[self.path]
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        elif self.path == "/moved":
            self.send_response(301)
            self.send_header("Location", "/same")
            self.end_headers()
        elif self.path == "/slow":
            time.sleep(SLOW_SECONDS)
            self.send_response(200)
            self.end_headers()
            self.wfile.write(ORIGINAL)
        elif self.path == "/huge":
            self.send_response(200)
            self.end_headers()
            chunk = b"x" * 65_536
            try:
                for _ in range(64):  # 4 MB, past the test's bound of 100 kB
                    self.wfile.write(chunk)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the checker stopped reading at its bound
        else:
            self.send_response(404)
            self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Pages)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def dataset(tmp_path: Path, base: str) -> Path:
    graph = base_graph()
    stored = fingerprint(ORIGINAL)
    pages = ["same", "reflowed", "changed", "gone", "moved", "slow", "huge"]
    for page in pages:
        node = {"id": f"source-{page}", "label": "Source", "name": f"Page {page}", "url": f"{base}/{page}"}
        graph["nodes"].append({**node, "fingerprint": stored, "sources": [f"source-{page}"], "confidence": "confirmed"})
        graph["nodes"].append(
            {"id": f"event-{page}", "label": "Event", "name": f"E {page}", "kind": "m", "sources": [f"source-{page}"]}
            | {"confidence": "confirmed"}
        )
    graph["nodes"].append(
        {"id": "source-new", "label": "Source", "name": "New", "url": f"{base}/same", "sources": ["source-a"]}
        | {"confidence": "confirmed"}
    )
    graph["relationships"].append(
        {
            "from": "event-e",
            "type": "IN_COUNTRY",
            "to": "country-afg",
            "sources": ["source-new"],
            "confidence": "inferred",
        }
        | {"note": "cites a page never fingerprinted"}
    )
    return write_dataset(tmp_path, graph=graph)


def test_each_kind_of_page_gets_its_status_within_bounded_time_and_size(server: str, tmp_path: Path) -> None:
    batch = load_dataset(dataset(tmp_path, server))
    started = time.monotonic()
    checks = {c.source: c for c in check_sources(batch, timeout=1.0, max_bytes=100_000)}
    assert time.monotonic() - started < SLOW_SECONDS + 2  # the slow page did not hold the check up
    assert checks["source-same"].status is Status.UNCHANGED
    assert checks["source-reflowed"].status is Status.UNCHANGED
    assert checks["source-changed"].status is Status.CHANGED and checks["source-changed"].to_review
    assert checks["source-gone"].status is Status.GONE and "404" in checks["source-gone"].reason
    moved = checks["source-moved"]
    assert moved.status is Status.UNCHANGED and moved.moved_to == f"{server}/same"
    assert checks["source-slow"].status is Status.UNREACHABLE and not checks["source-slow"].to_review
    assert checks["source-huge"].status is Status.UNREACHABLE and "larger than 100000" in checks["source-huge"].reason
    assert checks["source-new"].status is Status.NEVER_CHECKED
    # the facts resting on a changed or gone page are listed for review
    assert checks["source-changed"].facts == ["event-changed"]
    assert checks["source-new"].facts == ["event-e -[IN_COUNTRY]-> country-afg"]
    # a page without a fingerprint is not fetched at all (example.org is never asked)
    assert checks["source-a"].status is Status.NEVER_CHECKED


def test_the_command_lists_what_to_review_and_fails(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "check", str(dataset(tmp_path, server)), "--timeout", "1"]) == 1
    out = capsys.readouterr().out
    assert f"CHANGED: source-changed ({server}/changed)" in out
    assert "  to review: event-changed" in out
    assert f"GONE: source-gone ({server}/gone): HTTP 404" in out
    assert f"  moved: source-moved now answers at {server}/same" in out
    assert "2 never checked" in out.splitlines()[-1]  # source-a (example.org) and source-new


def test_saved_copies_are_read_from_a_folder_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = dataset(tmp_path / "data", "http://127.0.0.1:9")  # nothing listens there: no page is fetched
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "source-same.html").write_bytes(PAGES["/reflowed"])
    (saved / "source-changed.txt").write_bytes(PAGES["/changed"])
    checks = {c.source: c for c in check_sources(load_dataset(folder), saved=saved)}
    assert checks["source-same"].status is Status.UNCHANGED
    assert checks["source-changed"].status is Status.CHANGED
    assert checks["source-gone"].status is Status.NO_COPY
    assert main(["sources", "check", str(folder), "--from", str(saved)]) == 1
    assert "CHANGED: source-changed" in capsys.readouterr().out
    assert main(["sources", "check", str(folder), "--from", str(tmp_path / "nowhere")]) == 2


def test_the_fingerprint_is_of_the_text_not_the_markup() -> None:
    assert page_text(ORIGINAL) == "Budapest Process Chair: Türkiye"
    assert fingerprint(ORIGINAL) == fingerprint(PAGES["/reflowed"]) != fingerprint(PAGES["/changed"])
    assert fingerprint(ORIGINAL).startswith("sha256:") and len(fingerprint(ORIGINAL)) == 7 + 64


def test_a_bad_fingerprint_is_refused(tmp_path: Path) -> None:
    graph = base_graph()
    graph["nodes"][0]["fingerprint"] = "md5:abc"
    with pytest.raises(Exception, match="fingerprint"):
        load_dataset(write_dataset(tmp_path, graph=graph))


def test_the_bundled_sources_were_never_fingerprinted_here() -> None:
    # No page could be fetched where the bundled dataset was built: every cited page reports "never checked".
    checks = check_sources(load_dataset())
    assert checks and {c.status for c in checks} == {Status.NEVER_CHECKED}
