"""A long text kept in Neo4j as compressed parts, each small enough for one write transaction.

At 1M relationships coverage by project is over a hundred megabytes of JSON: as one property it needs more than
a Neo4j transaction may hold (``db.memory.transaction.max``, 256 MiB by default, for a text of about 100 MB). So
``bpkg.app.store.neo4j.keep`` writes it compressed (zlib, fast level) in parts of at most ``PART_BYTES``, and
``Neo4jStore.kept_answer`` joins them again.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Final

PART_BYTES: Final = 4 * 1024 * 1024
"""The largest part (compressed bytes): one write transaction each."""


def split(text: str) -> list[bytes]:
    """``text`` compressed, in parts of at most ``PART_BYTES`` (at least one part)."""
    data = zlib.compress(text.encode(), 1)
    return [data[start : start + PART_BYTES] for start in range(0, len(data), PART_BYTES)] or [b""]


def joined(parts: Iterable[tuple[int, int, bytes]]) -> str | None:
    """The text kept in ``parts`` (each: its number, how many there are, its bytes), or None when one is missing
    (a derivation interrupted between its parts)."""
    ordered = sorted(parts)
    if not ordered or [number for number, _, _ in ordered] != list(range(ordered[0][1])):
        return None
    return zlib.decompress(b"".join(data for _, _, data in ordered)).decode()
