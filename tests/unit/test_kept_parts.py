"""A long text kept as compressed parts (``bpkg.app.store.neo4j.parts``) comes back whole, or not at all."""

from __future__ import annotations

import pytest

from bpkg.app.store.neo4j import parts


def test_parts_join_back_into_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "".join(f'{{"id": "country-{i}", "covered": {i % 7}}}' for i in range(5000)) + " ünïcode"
    assert parts.joined(enumerate_parts(parts.split(text))) == text
    monkeypatch.setattr(parts, "PART_BYTES", 100)
    chunks = parts.split(text)
    assert len(chunks) > 3 and all(len(c) <= 100 for c in chunks)
    # In any order they are read.
    assert parts.joined(reversed(enumerate_parts(chunks))) == text
    assert parts.joined(enumerate_parts(parts.split(""))) == ""


def test_an_answer_missing_a_part_is_not_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parts, "PART_BYTES", 50)
    found = enumerate_parts(parts.split("x" * 10_000 + "".join(map(str, range(3000)))))
    assert len(found) > 2
    assert parts.joined(found[:-1]) is None
    assert parts.joined(found[1:]) is None
    assert parts.joined([]) is None


def enumerate_parts(chunks: list[bytes]) -> list[tuple[int, int, bytes]]:
    return [(number, len(chunks), chunk) for number, chunk in enumerate(chunks)]
