"""`bpkg sources check` against a local HTTP server serving pages this test writes: unchanged, changed, gone,
redirected, slow and huge pages; and against a folder of saved copies (``--from``)."""

from __future__ import annotations

import csv
import threading
import time
import typing
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.cli import main
from bpkg.app.settings import Settings
from bpkg.app.sources import _TO_REVIEW, Status, check_sources, fingerprint, page_text
from bpkg.graph_schema.properties import CHECK_TO_REVIEW, CheckStatus
from bpkg.loaders import DatasetInvalid, load_dataset
from bpkg.loaders.dataset import check_dataset
from bpkg.loaders.validation.columns import SOURCE_CHECKS
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
    graph["nodes"][0]["url"] = f"{base}/same"  # source-a, without a fingerprint: read only to record one
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
    graph["relationships"].append(
        {"from": "event-gone", "type": "IN_COUNTRY", "to": "country-afg", "sources": ["source-gone"]}
        | {"confidence": "confirmed"}
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
    # a page without a fingerprint is not fetched at all unless one is to be recorded (--write)
    assert checks["source-a"].status is Status.NEVER_CHECKED and checks["source-a"].fingerprint is None


def test_the_command_lists_what_to_review_and_fails(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sources", "check", str(dataset(tmp_path, server)), "--timeout", "1"]) == 1
    out = capsys.readouterr().out
    assert f"CHANGED: source-changed ({server}/changed)" in out
    assert "  to review: event-changed" in out
    assert f"GONE: source-gone ({server}/gone): HTTP 404" in out
    assert f"  moved: source-moved now answers at {server}/same" in out
    assert "2 never checked" in out.splitlines()[-1]  # source-a and source-new: no fingerprint, none recorded


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


# -- the results kept (--write) and the facts they put up for review -------------------------------------------


def checked(server: str, tmp_path: Path) -> Path:
    """A dataset checked against the local server with ``--write``: changed and gone pages recorded."""
    folder = dataset(tmp_path, server)
    assert main(["sources", "check", str(folder), "--timeout", "1", "--write", "--on", "2026-12-06"]) == 1
    return folder


def test_the_statuses_the_checker_gives_are_those_the_loader_takes() -> None:
    assert {s.value for s in Status} == set(typing.get_args(CheckStatus))
    assert {s.value for s in Status if s in _TO_REVIEW} == CHECK_TO_REVIEW


def test_write_keeps_each_result_and_the_loader_reads_it_as_source_properties(server: str, tmp_path: Path) -> None:
    folder = checked(server, tmp_path)
    with (folder / SOURCE_CHECKS).open(newline="", encoding="utf-8") as handle:
        rows = {row["source"]: row for row in csv.DictReader(handle)}
    assert rows["source-gone"] == {
        "source": "source-gone",
        "checked_on": "2026-12-06",
        "status": "gone",
        "reason": "HTTP 404",
        "moved_to": "",
        "fingerprint": fingerprint(ORIGINAL),  # the one stored: the page could not be read
    }
    assert rows["source-moved"]["status"] == "unchanged" and rows["source-moved"]["moved_to"] == f"{server}/same"
    sources = {n.id: n.props for n in load_dataset(folder).nodes}
    assert sources["source-changed"]["check_status"] == "changed"
    assert sources["source-changed"]["checked_on"] == "2026-12-06"
    assert sources["source-same"]["check_status"] == "unchanged"
    assert sources["source-moved"]["moved_to"] == f"{server}/same"
    # a page that had no fingerprint was read, and the fingerprint of its text is now the Source's
    assert sources["source-a"]["check_status"] == "fingerprinted"
    assert sources["source-a"]["fingerprint"] == fingerprint(ORIGINAL)


def test_validate_warns_of_each_fact_resting_on_a_changed_or_gone_page_and_strict_refuses(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = checked(server, tmp_path)
    capsys.readouterr()
    warnings = [str(w) for w in check_dataset(folder).warnings]
    to_review = [w for w in warnings if "to review" in w]
    # event-changed, event-gone, the link citing the gone page, and event-huge: its 4 MB page is within the
    # command's default bound of 5 MB, read whole and found changed
    assert len(to_review) == 4, to_review
    assert any(
        "event-changed rests on source-changed, whose page was found changed on 2026-12-06" in w for w in to_review
    )
    assert any("event-gone -[IN_COUNTRY]-> country-afg rests on source-gone" in w for w in to_review)
    assert all(
        w.startswith("reference.yaml, line ") and "field 'sources'" in w for w in to_review
    )  # the file, line and field of the fact
    assert main(["validate", str(folder)]) == 0
    assert "Warning: " in capsys.readouterr().out
    assert main(["validate", str(folder), "--strict"]) == 1
    assert "event-gone rests on source-gone" in capsys.readouterr().err
    # checked again once the pages are as they were: nothing to review
    (folder / SOURCE_CHECKS).write_text(
        "source,checked_on,status\nsource-gone,2026-12-07,unchanged\nsource-changed,2026-12-07,unchanged\n",
        encoding="utf-8",
    )
    assert not [w for w in check_dataset(folder).warnings if "to review" in str(w)]


def test_a_missing_saved_copy_does_not_overwrite_an_earlier_result(server: str, tmp_path: Path) -> None:
    folder = checked(server, tmp_path)
    empty = tmp_path / "saved"
    empty.mkdir()
    assert main(["sources", "check", str(folder), "--from", str(empty), "--write", "--on", "2026-12-08"]) == 0
    text = (folder / SOURCE_CHECKS).read_text(encoding="utf-8")
    assert "source-gone,2026-12-06,gone" in text and "no saved copy" not in text


def test_write_needs_a_dataset_folder(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sources", "check", "--from", "/nowhere-at-all", "--write"]) == 2
    assert main(["sources", "check", "--write", "--from", "."]) == 2
    assert "--write: give the dataset's folder" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("rows", "where", "field", "reason"),
    [
        ("source-nope,2026-12-06,gone", "row 2", "source", "no Source node 'source-nope'"),
        ("event-gone,2026-12-06,gone", "row 2", "source", "no Source node 'event-gone'"),
        ("source-gone,2026-12-06,lost", "row 2", "status", "unknown status 'lost'"),
        ("source-gone,06/12/2026,gone", "row 2", "checked_on", ""),
        ("source-gone,2026-12-06,gone\nsource-gone,2026-12-07,gone", "row 3", "source", "earlier row"),
    ],
)
def test_a_bad_results_file_is_refused_naming_file_row_and_field(
    tmp_path: Path, rows: str, where: str, field: str, reason: str
) -> None:
    folder = dataset(tmp_path, "http://127.0.0.1:9")
    (folder / SOURCE_CHECKS).write_text(f"source,checked_on,status\n{rows}\n", encoding="utf-8")
    with pytest.raises(DatasetInvalid) as raised:
        load_dataset(folder)
    problems = [p for p in raised.value.problems if p.loc.file == SOURCE_CHECKS]
    assert [(p.loc.where, p.field) for p in problems] == [(where, field)], raised.value.problems
    assert reason in problems[0].reason


def _pages_mark_the_facts_to_review(client: TestClient) -> None:
    gone = client.get("/nodes/event-gone").json()["sources"][0]
    assert gone["to_review"] is True and gone["check_status"] == "gone" and gone["checked_on"] == "2026-12-06"
    same = client.get("/nodes/event-same").json()["sources"][0]
    assert same["to_review"] is False and same["check_status"] == "unchanged"
    page = client.get("/view/node/event-gone").text
    assert 'id="source-review"' in page and "Page gone: gone on 2026-12-06" in page
    listed = page.split('id="sources"')[1].split("</ul>")[0]
    assert "To review:</strong> the page was found gone on 2026-12-06" in listed
    same_page = client.get("/view/node/event-same").text
    assert 'id="source-review"' not in same_page and "checked on 2026-12-06: unchanged" in same_page
    # a link list: the link citing the gone page is marked where it is listed (event-gone's own citation of the
    # page is not a link); event-changed's link cites a page still unchanged, so it is not marked
    assert "the page of Page gone was found gone on 2026-12-06; check this fact against it" in page
    assert "check this fact against it" not in client.get("/view/node/event-e").text


def test_pages_and_answers_mark_facts_resting_on_a_changed_or_gone_page_memory(server: str, tmp_path: Path) -> None:
    folder = checked(server, tmp_path)
    with TestClient(create_app(Settings(backend="memory", api_keys="", dataset=str(folder)))) as client:
        _pages_mark_the_facts_to_review(client)


@pytest.mark.neo4j
def test_pages_and_answers_mark_facts_resting_on_a_changed_or_gone_page_neo4j(
    server: str, tmp_path: Path, neo4j_driver: Any, neo4j_settings: Settings
) -> None:
    from bpkg.app.store.neo4j.store import Neo4jStore
    from bpkg.loaders.neo4j_sink import write_batch
    from tests.conftest import wipe

    batch = load_dataset(checked(server, tmp_path))
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    write_batch(neo4j_driver, batch, neo4j_settings.neo4j_database)
    store = Neo4jStore(neo4j_driver, neo4j_settings.neo4j_database, timeout=neo4j_settings.query_timeout)
    with TestClient(create_app(Settings(backend="memory", api_keys=""), store=store)) as client:
        _pages_mark_the_facts_to_review(client)


# -- recording fingerprints (--write, --accept) ------------------------------------------------------------------


def _rows(folder: Path) -> dict[str, dict[str, str]]:
    with (folder / SOURCE_CHECKS).open(newline="", encoding="utf-8") as handle:
        return {row["source"]: row for row in csv.DictReader(handle)}


def test_write_records_the_fingerprint_of_a_page_that_had_none_and_the_next_check_compares_with_it(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = checked(server, tmp_path)
    rows = _rows(folder)
    for source in ("source-a", "source-new"):  # both read /same, neither had a fingerprint
        assert rows[source]["status"] == "fingerprinted", rows[source]
        assert rows[source]["fingerprint"] == fingerprint(ORIGINAL)
    assert f"FINGERPRINTED: source-new ({server}/same)" in capsys.readouterr().out
    # pages that could not be read get no fingerprint of their own; a changed page keeps the one its facts match
    assert (
        rows["source-slow"]["fingerprint"] == fingerprint(ORIGINAL) and rows["source-slow"]["status"] == "unreachable"
    )
    assert rows["source-changed"]["fingerprint"] == fingerprint(ORIGINAL) != fingerprint(PAGES["/changed"])
    sources = {n.id: n.props for n in load_dataset(folder).nodes}
    assert sources["source-new"]["fingerprint"] == fingerprint(ORIGINAL)
    assert sources["source-new"]["check_status"] == "fingerprinted"
    again = {c.source: c for c in check_sources(load_dataset(folder), timeout=1.0)}
    assert again["source-new"].status is Status.UNCHANGED and not again["source-new"].to_review
    assert again["source-changed"].status is Status.CHANGED  # recording never hides a change


def test_saved_copies_record_fingerprints_offline_and_a_missing_copy_records_none(tmp_path: Path) -> None:
    folder = dataset(tmp_path / "data", "http://127.0.0.1:9")  # nothing listens there: no page is fetched
    saved = tmp_path / "saved"
    saved.mkdir()
    (saved / "source-new.html").write_bytes(PAGES["/changed"])
    assert main(["sources", "check", str(folder), "--from", str(saved), "--write", "--on", "2026-12-06"]) == 0
    rows = _rows(folder)
    assert rows["source-new"]["status"] == "fingerprinted"
    assert rows["source-new"]["fingerprint"] == fingerprint(PAGES["/changed"])
    assert rows["source-a"]["status"] == "no saved copy" and rows["source-a"]["fingerprint"] == ""
    assert load_dataset(folder).nodes[0].props.get("fingerprint") is None  # source-a: nothing made up


def test_accept_keeps_the_new_text_of_a_page_whose_facts_were_checked_against_it(
    server: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = checked(server, tmp_path)
    assert main(["sources", "check", str(folder), "--accept", "source-changed"]) == 2  # only with --write
    assert main(["sources", "check", str(folder), "--write", "--accept", "source-nope"]) == 2
    assert "no Source source-nope" in capsys.readouterr().err
    args = ["sources", "check", str(folder), "--timeout", "1", "--write", "--on", "2026-12-07"]
    assert main([*args, "--accept", "source-changed"]) == 1  # source-gone is still gone
    rows = _rows(folder)
    assert rows["source-changed"]["status"] == "fingerprinted"
    assert rows["source-changed"]["fingerprint"] == fingerprint(PAGES["/changed"])
    warnings = [str(w) for w in check_dataset(folder).warnings]
    assert not [w for w in warnings if "event-changed" in w] and [w for w in warnings if "event-gone" in w]
    checks = {c.source: c for c in check_sources(load_dataset(folder), timeout=1.0)}
    assert checks["source-changed"].status is Status.UNCHANGED


def test_a_bad_fingerprint_in_the_results_file_is_refused_naming_row_and_field(tmp_path: Path) -> None:
    folder = dataset(tmp_path, "http://127.0.0.1:9")
    (folder / SOURCE_CHECKS).write_text(
        "source,checked_on,status,reason,moved_to,fingerprint\nsource-gone,2026-12-06,gone,,,sha256:XYZ\n",
        encoding="utf-8",
    )
    with pytest.raises(DatasetInvalid) as raised:
        load_dataset(folder)
    problems = [p for p in raised.value.problems if p.loc.file == SOURCE_CHECKS]
    assert [(p.loc.where, p.field) for p in problems] == [("row 2", "fingerprint")]
