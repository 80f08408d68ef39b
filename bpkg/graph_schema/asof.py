"""Answers as of a date: the one rule for "did this node or link exist on day D", with its uncertain cases.

A ``when`` (``bpkg.graph_schema.dates``) says when a fact holds:

- a **period** ``START/END`` holds from its start to its end; an open side (``..``) has no known bound (an
  activity ``2015-10/..`` runs on: it has not ended as far as the data knows);
- a **single date** (``2019-02-20``, ``2020~``) says when the thing came about (a declaration adopted, a
  component set up): it holds from then on, with no end known.

On day D a fact is ``YES`` (certainly held: started on or before D and not ended before D, whatever the
precision), ``NO`` (certainly did not: it starts after D or ended before D), or ``MAYBE`` when a bound's
precision leaves D open (started ``2019`` and D = 2019-06-30). The policy: **count what may have existed**
(``YES`` and ``MAYBE``) and say how many of the items counted rest on an undated, an imprecise or an
approximate date:

- *undated* (no ``when``): counted, as if always there, and counted as undated;
- *imprecise*: counted because a bound's precision leaves D open (``MAYBE``);
- *approximate*: counted on an approximate or uncertain date (``2024~``, ``2025-10?``) read at its written
  bounds (``2024~`` is 2024-01-01 .. 2024-12-31; "about" is not stretched further).

An ``AsOf`` is the day asked for: ``YYYY`` is its last day (31 December), ``YYYY-MM`` the month's last day.
The bounds as ISO days (``Existence.valid_from``/``valid_to``) are what the Neo4j load writes, so Cypher
can test "may have existed" with string comparisons (``valid_from <= $as_of <= valid_to``, null = open).
Pure: no I/O.
"""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import lru_cache
from typing import Final

from bpkg.graph_schema.dates import FIRST_YEAR, LAST_YEAR, DateError, parse_when

VALID_FROM: Final = "valid_from"
"""Derived property written by the Neo4j load: the first day a fact may hold (ISO), absent when open."""
VALID_TO: Final = "valid_to"
"""Derived property written by the Neo4j load: the last day a fact may hold (ISO), absent when open."""
DERIVED: Final = (VALID_FROM, VALID_TO)
_YEAR: Final = r"(19\d\d|20\d\d|2100)"
_LEAP: Final = r"(19(0[48]|[2468][048]|[13579][26])|20([02468][048]|[13579][26]))"  # 2000 leaps, 1900 and 2100 not
_MONTH: Final = r"(0[1-9]|1[0-2])"
AS_OF_PATTERN: Final = (
    rf"^({_YEAR}(-{_MONTH})?"
    rf"|{_YEAR}-{_MONTH}-(0[1-9]|1\d|2[0-8])"
    rf"|{_YEAR}-(0[13-9]|1[0-2])-(29|30)"
    rf"|{_YEAR}-(0[13578]|1[02])-31"
    rf"|{_LEAP}-02-29)$"
)
"""A day to answer as of, as the OpenAPI schema gives it: only real days of the years ``FIRST_YEAR`` to
``LAST_YEAR`` (so that no request valid by the schema is refused); ``parse_as_of`` says why a text is not one."""
_AS_OF: Final = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Presence(StrEnum):
    """Whether a fact held on a day: certainly, certainly not, or perhaps (a bound's precision leaves it open)."""

    YES = "yes"
    MAYBE = "maybe"
    NO = "no"


class Basis(StrEnum):
    """What a counted item's presence rests on: a precise date, none, an imprecise bound or an approximate date."""

    DATED = "dated"
    UNDATED = "undated"
    IMPRECISE = "imprecise"
    APPROXIMATE = "approximate"


@dataclass(frozen=True, slots=True)
class AsOf:
    """A day to answer as of, with the text it was asked as (``2020`` -> 2020-12-31)."""

    day: date
    text: str

    @property
    def iso(self) -> str:
        return self.day.isoformat()


def parse_as_of(text: str) -> AsOf:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` as the last day it names; raises ``DateError`` otherwise."""
    text = text.strip()
    if not _AS_OF.match(text):
        raise DateError(
            f"'{text[:40]}' is not a day to answer as of: give a year (2022), a month (2022-06) or a day (2022-06-30)"
        )
    parts = [int(p) for p in text.split("-")]
    year = parts[0]
    if year < 1:
        raise DateError(f"'{text}': there is no year 0000")
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise DateError(f"'{text}': answers are as of a day in the years {FIRST_YEAR} to {LAST_YEAR}")
    month = parts[1] if len(parts) > 1 else 12
    if not 1 <= month <= 12:
        raise DateError(f"'{text}': there is no month {month:02d}")
    last = calendar.monthrange(year, month)[1]
    day = parts[2] if len(parts) > 2 else last
    if not 1 <= day <= last:
        raise DateError(f"'{text}': {year}-{month:02d} has no day {day:02d} (it has {last} days)")
    return AsOf(date(year, month, day), text)


@dataclass(frozen=True, slots=True)
class Existence:
    """When a fact may hold, from its ``when``: the first and last day it may start and end (None: open)."""

    dated: bool
    start_earliest: date | None = None
    start_latest: date | None = None
    end_earliest: date | None = None
    end_latest: date | None = None
    approximate: bool = False

    @property
    def valid_from(self) -> str | None:
        return self.start_earliest.isoformat() if self.start_earliest else None

    @property
    def valid_to(self) -> str | None:
        return self.end_latest.isoformat() if self.end_latest else None

    def on(self, day: date) -> Presence:
        """Whether the fact held on ``day``."""
        if not self.dated:
            return Presence.YES
        if self.start_earliest is not None and day < self.start_earliest:
            return Presence.NO
        if self.end_latest is not None and day > self.end_latest:
            return Presence.NO
        started = self.start_latest is None or self.start_latest <= day
        running = self.end_earliest is None or self.end_earliest >= day
        return Presence.YES if started and running else Presence.MAYBE

    def basis(self, day: date) -> Basis | None:
        """What counting the fact on ``day`` rests on; None when it is not counted (certainly absent)."""
        presence = self.on(day)
        if presence == Presence.NO:
            return None
        if not self.dated:
            return Basis.UNDATED
        if presence == Presence.MAYBE:
            return Basis.IMPRECISE
        return Basis.APPROXIMATE if self.approximate else Basis.DATED


UNDATED: Final = Existence(dated=False)


@lru_cache(maxsize=4096)
def existence(when: str | None) -> Existence:
    """The existence interval of a ``when`` text (None or empty: undated). A text that is not a date counts as
    undated (the loader refuses such texts; a store never holds one)."""
    if not when:
        return UNDATED
    try:
        parsed = parse_when(when)
    except DateError:
        return UNDATED
    start, end = parsed.start, parsed.end
    if not parsed.interval:
        end = None  # a single date: it came about then and holds on, no end known
    return Existence(
        dated=True,
        start_earliest=start.earliest if start else None,
        start_latest=start.latest if start else None,
        end_earliest=end.earliest if end else None,
        end_latest=end.latest if end else None,
        approximate=parsed.approximate,
    )


def existence_of(props: Mapping[str, object]) -> Existence:
    """The existence of a node or link from its properties (its ``when``)."""
    when = props.get("when")
    return existence(when if isinstance(when, str) else None)


def may_exist(props: Mapping[str, object], as_of: AsOf) -> bool:
    """Whether it is counted as of ``as_of`` (it may have existed then: the policy above)."""
    return existence_of(props).on(as_of.day) != Presence.NO


def basis(props: Mapping[str, object], as_of: AsOf) -> Basis | None:
    """What counting a node or link on the day rests on (None: it did not exist then)."""
    return existence_of(props).basis(as_of.day)


def derived(props: dict[str, object]) -> dict[str, str]:
    """The derived, comparable properties the Neo4j load writes beside ``when`` (``valid_from``/``valid_to``,
    each only when bounded)."""
    found = existence_of(props)
    out: dict[str, str] = {}
    if found.valid_from:
        out[VALID_FROM] = found.valid_from
    if found.valid_to:
        out[VALID_TO] = found.valid_to
    return out
