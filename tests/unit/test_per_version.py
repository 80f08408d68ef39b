"""What a store keeps per dataset version: computed once per fingerprint and key, again after a new load."""

from __future__ import annotations

from bpkg.app.store.coverage import PerVersion


def test_kept_per_fingerprint_and_key() -> None:
    kept: PerVersion[list[str]] = PerVersion(size=2)
    calls: list[str] = []

    def compute(value: str) -> list[str]:
        calls.append(value)
        return [value]

    assert kept.get("v1", "ap-1", lambda: compute("a")) == ["a"]
    assert kept.get("v1", "ap-1", lambda: compute("b")) == ["a"]  # kept: not computed again
    assert kept.get("v1", "ap-2", lambda: compute("c")) == ["c"]
    assert kept.get("v2", "ap-1", lambda: compute("d")) == ["d"]  # a new load: everything again
    assert kept.get("v2", "ap-1", lambda: compute("e")) == ["d"]
    assert calls == ["a", "c", "d"]


def test_nothing_kept_without_a_fingerprint() -> None:
    kept: PerVersion[int] = PerVersion()
    assert kept.get(None, "ap-1", lambda: 1) == 1
    assert kept.get(None, "ap-1", lambda: 2) == 2


def test_the_least_recently_asked_goes_first() -> None:
    kept: PerVersion[int] = PerVersion(size=2)
    kept.get("v", "a", lambda: 1)
    kept.get("v", "b", lambda: 2)
    kept.get("v", "a", lambda: 0)  # asked again: now the most recent
    kept.get("v", "c", lambda: 3)  # drops b
    assert kept.get("v", "a", lambda: -1) == 1
    assert kept.get("v", "b", lambda: -2) == -2
