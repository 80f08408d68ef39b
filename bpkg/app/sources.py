"""The source checker (``bpkg sources check``): is each cited page still there, and does it still say what it said
when the facts resting on it were checked?

A Source node may keep a ``fingerprint``: ``sha256:`` and the hash of the page's text (tags, scripts and runs of
white space taken out, so that a new style sheet or a reflowed line does not count as a change), stored when the
facts were checked against the page. The checker reads each page again, from the web (bounded time and size) or
from a folder of saved copies (``--from DIR``: ``<source id>.html`` or ``.txt``), and compares. A page that is gone
or changed puts the facts citing it up for review; a source without a fingerprint was never checked this way.

Recording fingerprints (``--write``): a source without one is read too, and the fingerprint of what was read is
kept in ``source-checks.csv`` (status ``fingerprinted``), which the loader gives back as the Source's
``fingerprint``; the next check compares with it. A changed page keeps its old fingerprint (its facts stay to
review) until a maintainer who has checked the facts against the new text accepts it (``--accept SOURCE``). No
fingerprint is ever written for a page that was not read.
"""

from __future__ import annotations

import csv
import hashlib
import html
import re
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Final

from bpkg.graph_schema import Label
from bpkg.loaders import GraphBatch
from bpkg.loaders.validation.columns import CHECK_COLUMNS, SOURCE_CHECKS

TIMEOUT_SECONDS: Final = 10.0
MAX_BYTES: Final = 5_000_000  # a cited page is a few hundred kB; more is not a page we cited
_TAGS: Final = re.compile(r"<(script|style)\b.*?</\1\s*>|<!--.*?-->|<[^>]+>", re.IGNORECASE | re.DOTALL)
_SPACE: Final = re.compile(r"\s+")


class Status(StrEnum):
    """What the check found of one source."""

    UNCHANGED = "unchanged"
    CHANGED = "changed"
    GONE = "gone"
    UNREACHABLE = "unreachable"  # timed out, refused, too large: not known to have changed
    NEVER_CHECKED = "never checked"  # no fingerprint stored
    NO_COPY = "no saved copy"  # --from: the folder has no copy of it
    FINGERPRINTED = "fingerprinted"  # read, and its fingerprint kept as the one the next check compares with


_TO_REVIEW: Final = frozenset({Status.CHANGED, Status.GONE})


def page_text(raw: bytes) -> str:
    """The text of a page as the fingerprint sees it: markup, scripts and styles out, entities decoded, white
    space collapsed."""
    text = raw.decode("utf-8", errors="replace")
    return _SPACE.sub(" ", html.unescape(_TAGS.sub(" ", text))).strip()


def fingerprint(raw: bytes) -> str:
    """``sha256:<hex>`` of the page's text (see ``page_text``)."""
    return "sha256:" + hashlib.sha256(page_text(raw).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Fetched:
    """A page read again: its bytes, or why there are none; ``moved_to`` when the address redirected."""

    raw: bytes | None
    status: Status | None = None  # GONE or UNREACHABLE when raw is None
    reason: str = ""
    moved_to: str | None = None


def fetch(url: str, *, timeout: float = TIMEOUT_SECONDS, max_bytes: int = MAX_BYTES) -> Fetched:
    """Read a page over HTTP(S), following redirects, within ``timeout`` seconds per read and ``max_bytes``."""
    if not url.startswith(("http://", "https://")):
        return Fetched(None, Status.UNREACHABLE, "not a web address")
    request = urllib.request.Request(url, headers={"User-Agent": "bpkg-sources-check"})  # noqa: S310 (checked)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) only, above)
            raw = response.read(max_bytes + 1)
            final = response.geturl()
    except urllib.error.HTTPError as exc:
        if exc.code in (404, 410):
            return Fetched(None, Status.GONE, f"HTTP {exc.code}")
        return Fetched(None, Status.UNREACHABLE, f"HTTP {exc.code}")
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Fetched(None, Status.UNREACHABLE, f"no answer ({reason})")
    if len(raw) > max_bytes:
        return Fetched(None, Status.UNREACHABLE, f"larger than {max_bytes} bytes")
    return Fetched(raw, moved_to=final if final != url else None)


def saved_copy(folder: Path, source_id: str) -> Fetched:
    """A saved copy of the page from ``folder`` (``<source id>.html`` or ``.txt``)."""
    for suffix in (".html", ".txt"):
        path = folder / f"{source_id}{suffix}"
        if path.is_file():
            if path.stat().st_size > MAX_BYTES:
                return Fetched(None, Status.UNREACHABLE, f"larger than {MAX_BYTES} bytes")
            return Fetched(path.read_bytes())
    return Fetched(None, Status.NO_COPY, f"no {source_id}.html or .txt in {folder}")


@dataclass(frozen=True)
class SourceCheck:
    """One source: what was found, and the facts (node ids and relationship keys) that cite it."""

    source: str
    title: str
    url: str | None
    status: Status
    reason: str = ""
    moved_to: str | None = None
    facts: list[str] = field(default_factory=list)
    fingerprint: str | None = None
    """The fingerprint the next check compares with: the one stored, or the one of the text read now when none was
    stored (or the new text was accepted); ``None`` when there is none."""

    @property
    def to_review(self) -> bool:
        """Whether the facts citing it are to be reviewed (the page is gone or changed)."""
        return self.status in _TO_REVIEW


def _citing(batch: GraphBatch) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for node in batch.nodes:
        if node.label is Label.SOURCE:
            continue
        for source in node.props.get("sources", ()):
            out.setdefault(source, []).append(node.id)
    for rel in batch.rels:
        for source in rel.props.get("sources", ()):
            out.setdefault(source, []).append(f"{rel.source} -[{rel.type}]-> {rel.target}")
    return out


def check_sources(
    batch: GraphBatch,
    *,
    saved: Path | None = None,
    timeout: float = TIMEOUT_SECONDS,
    max_bytes: int = MAX_BYTES,
    only: Iterable[str] | None = None,
    record: bool = False,
    accept: Iterable[str] = (),
) -> list[SourceCheck]:
    """Check every cited web page of ``batch`` (or those in ``only``), ordered by source id.

    ``record``: also read the pages that have no fingerprint, and give the one of their text (``fingerprinted``).
    ``accept``: sources whose facts were checked against the page's present text: a changed text becomes the one
    the next check compares with (``fingerprinted``) instead of ``changed``."""
    citing = _citing(batch)
    wanted = set(only) if only is not None else None
    accepted = set(accept)
    out: list[SourceCheck] = []
    for node in sorted((n for n in batch.nodes if n.label is Label.SOURCE), key=lambda n: n.id):
        url = node.props.get("url")
        if not url or node.id not in citing or (wanted is not None and node.id not in wanted):
            continue
        stored = node.props.get("fingerprint")
        facts = citing[node.id]
        title = str(node.props.get("name", node.id))
        if not stored and not record:
            out.append(SourceCheck(node.id, title, url, Status.NEVER_CHECKED, "no fingerprint stored", facts=facts))
            continue
        got = saved_copy(saved, node.id) if saved else fetch(url, timeout=timeout, max_bytes=max_bytes)
        if got.raw is None:
            assert got.status is not None
            out.append(SourceCheck(node.id, title, url, got.status, got.reason, facts=facts, fingerprint=stored))
            continue
        seen = fingerprint(got.raw)
        if not stored:
            status, reason, kept = Status.FINGERPRINTED, "no fingerprint was stored; this read's is kept", seen
        elif seen == stored:
            status, reason, kept = Status.UNCHANGED, "", stored
        elif node.id in accepted:
            status, reason, kept = Status.FINGERPRINTED, "the page's new text was accepted (--accept)", seen
        else:
            status, reason, kept = Status.CHANGED, "the page's text differs from when its facts were checked", stored
        out.append(SourceCheck(node.id, title, url, status, reason, got.moved_to, facts, kept))
    return out


def write_results(folder: Path, checks: Sequence[SourceCheck], checked_on: str) -> Path:
    """Keep the results in ``folder/source-checks.csv`` (one row per checked source: when, what was found, why,
    where it moved, the fingerprint the next check compares with), which the loader reads as the Sources'
    ``checked_on``, ``check_status``, ``moved_to`` and ``fingerprint``.

    Sources this run did not check keep their earlier row; a saved copy missing from ``--from DIR`` does not
    overwrite an earlier result."""
    path = folder / SOURCE_CHECKS
    rows: dict[str, dict[str, str]] = {}
    if path.is_file():
        with path.open(newline="", encoding="utf-8") as handle:
            rows = {row["source"]: row for row in csv.DictReader(handle) if row.get("source")}
    for check in checks:
        if check.status is Status.NO_COPY and check.source in rows:
            continue
        rows[check.source] = {
            "source": check.source,
            "checked_on": checked_on,
            "status": check.status.value,
            "reason": check.reason,
            "moved_to": check.moved_to or "",
            "fingerprint": check.fingerprint or rows.get(check.source, {}).get("fingerprint", ""),
        }
    tmp = path.with_suffix(".csv.tmp")
    with tmp.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(CHECK_COLUMNS))
        writer.writeheader()
        for source in sorted(rows):
            writer.writerow({key: rows[source].get(key, "") for key in writer.fieldnames})
    tmp.replace(path)  # all or nothing: a broken run leaves the earlier results
    return path


def report(checks: Sequence[SourceCheck]) -> list[str]:
    """Lines for the terminal: the sources to review with the facts resting on them, then a count per status."""
    lines: list[str] = []
    for check in checks:
        if check.to_review:
            lines.append(f"{check.status.upper()}: {check.source} ({check.url}): {check.reason}")
            lines.extend(f"  to review: {fact}" for fact in check.facts)
        elif check.status is Status.UNREACHABLE:
            lines.append(f"UNREACHABLE: {check.source} ({check.url}): {check.reason}")
        elif check.status is Status.FINGERPRINTED:
            lines.append(f"FINGERPRINTED: {check.source} ({check.url}): {check.reason}: {check.fingerprint}")
        if check.moved_to:
            lines.append(f"  moved: {check.source} now answers at {check.moved_to}")
    counts = {status: sum(c.status is status for c in checks) for status in Status}
    lines.append(", ".join(f"{n} {status}" for status, n in counts.items() if n) or "no cited web pages")
    return lines
