"""Dates as data: a small EDTF-like notation for when a fact holds, parsed to earliest/latest days.

A *date* is written at the precision it is known, never finer:

- ``2019-02-20`` (day), ``2019-02`` (month), ``2019`` (year);
- a trailing ``~`` marks it approximate (``2021~``: "about 2021"), ``?`` uncertain (``2016?``), ``%`` both;
- ``[2016-12-15,2017-12-15]`` is one of several dates (the source leaves it open which).

A *period* is ``START/END`` with a date on each side (``2019-02-19/2019-02-20``, ``2013-05/2014``); ``..`` for
a side with no known bound (``../2013``: up to 2013; ``2017/..``: from 2017, no end known). Wherever a period
is allowed a single date is too (it is its own start and end).

The bounds are the first and last day the text allows: ``2019-02`` is 2019-02-01 .. 2019-02-28. An approximate
date keeps the bounds of what it says (``2021~`` is 2021-01-01 .. 2021-12-31, flagged approximate): how far
"about" reaches is for whoever uses the date to decide, and to say. Pure: no I/O.
"""

from __future__ import annotations

import calendar
import itertools
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Final


class Precision(StrEnum):
    """How finely a date is known; a period is a ``range``."""

    DAY = "day"
    MONTH = "month"
    YEAR = "year"
    RANGE = "range"


class DateError(ValueError):
    """A text that is not a date or period in the notation, or names an impossible or reversed one."""


FIRST_YEAR: Final = 1900
"""The first year a dataset's dates may name by default (a dataset setting may widen it)."""
LAST_YEAR: Final = 2100
"""The last year a dataset's dates may name by default."""
DATED_FIELDS: Final = ("when", "updated", "reviewed")
"""The properties of nodes and links that hold a date or a period in this notation."""

_DATE: Final = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?([~?%]?)")
_OPEN: Final = ".."


@dataclass(frozen=True, slots=True)
class DateSpan:
    """One date at its precision: the first and last day it may be."""

    earliest: date
    latest: date
    precision: Precision
    approximate: bool = False
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class When:
    """A date or a period as written, with its bounds. ``start``/``end`` are None for a side left open (``..``)."""

    text: str
    start: DateSpan | None
    end: DateSpan | None
    interval: bool

    @property
    def earliest(self) -> date | None:
        """The first day it may begin; None when open."""
        return self.start.earliest if self.start else None

    @property
    def latest(self) -> date | None:
        """The last day it may end; None when open."""
        return self.end.latest if self.end else None

    @property
    def precision(self) -> Precision:
        """The precision of a single date; ``range`` for a period."""
        if self.interval or self.start is None:
            return Precision.RANGE
        return self.start.precision

    @property
    def approximate(self) -> bool:
        """Whether either side is approximate or uncertain."""
        return any(s is not None and (s.approximate or s.uncertain) for s in (self.start, self.end))


def _one(text: str) -> DateSpan:
    match = _DATE.fullmatch(text)
    if match is None:
        raise DateError(
            f"'{text[:40]}' is not a date: write YYYY, YYYY-MM or YYYY-MM-DD, optionally followed by ~ (approximate) "
            "or ? (uncertain)"
        )
    year_s, month_s, day_s, flag = match.groups()
    year = int(year_s)
    if year < 1:
        raise DateError(f"'{text}': there is no year 0000")
    if month_s is None:
        span = (date(year, 1, 1), date(year, 12, 31), Precision.YEAR)
    else:
        month = int(month_s)
        if not 1 <= month <= 12:
            raise DateError(f"'{text}': there is no month {month_s}")
        last = calendar.monthrange(year, month)[1]
        if day_s is None:
            span = (date(year, month, 1), date(year, month, last), Precision.MONTH)
        else:
            day = int(day_s)
            if not 1 <= day <= last:
                raise DateError(f"'{text}': {year}-{month_s} has no day {day_s} (it has {last} days)")
            span = (date(year, month, day), date(year, month, day), Precision.DAY)
    return DateSpan(*span, approximate=flag in ("~", "%"), uncertain=flag in ("?", "%"))


def parse_date(text: str) -> DateSpan:
    """One date (``2019-02-20``, ``2021~``, ``[2016-12-15,2017-12-15]``); raises ``DateError``."""
    text = text.strip()
    if text.startswith("[") and text.endswith("]"):
        items = [part.strip() for part in text[1:-1].split(",")]
        if len(items) < 2 or not all(items):
            raise DateError(f"'{text[:40]}': list two or more dates between [ and ], separated by commas")
        spans = [_one(item) for item in items]
        if any(a.earliest > b.earliest for a, b in itertools.pairwise(spans)):
            raise DateError(f"'{text[:40]}': list the dates in order, earliest first")
        precision = max((s.precision for s in spans), key=lambda p: list(Precision).index(p))
        return DateSpan(
            spans[0].earliest,
            spans[-1].latest,
            precision,
            approximate=any(s.approximate for s in spans),
            uncertain=True,
        )
    return _one(text)


def parse_when(text: str) -> When:
    """A date or a period (``START/END``, ``..`` for an open side); raises ``DateError`` for an impossible or
    reversed one."""
    text = text.strip()
    if "/" not in text:
        if text == _OPEN:
            raise DateError("'..' alone says nothing: leave the date out instead")
        span = parse_date(text)
        return When(text, span, span, interval=False)
    parts = text.split("/")
    if len(parts) != 2:
        raise DateError(f"'{text[:40]}': a period has one '/' between its start and its end")
    left, right = (p.strip() for p in parts)
    if left == _OPEN and right == _OPEN:
        raise DateError("'../..' says nothing: leave the date out instead")
    if not left or not right:
        raise DateError(f"'{text[:40]}': give both sides of a period; write '..' for a side with no known bound")
    start = None if left == _OPEN else parse_date(left)
    end = None if right == _OPEN else parse_date(right)
    if start is not None and end is not None and start.earliest > end.latest:
        raise DateError(f"'{text[:40]}': the period ends before it starts")
    return When(text, start, end, interval=True)


def may_be_after(later: DateSpan, than: DateSpan) -> bool:
    """Whether ``later`` may fall after ``than`` (on a later day), given their precisions.

    ``2024-05-10`` may be after ``2024-05`` (the month leaves it open); it is not after ``2024-05-10``."""
    return later.latest > than.earliest


def changed_ends(updated: Mapping[str, DateSpan], ends: Iterable[str], reviewed: object) -> tuple[str, ...]:
    """The ends of a link whose ``updated`` date may fall after the link's ``reviewed`` one: what makes a link
    suspect (``bpkg validate`` and the pages). Nothing for a link never reviewed.
    When the precisions leave it open (reviewed ``2024-05``, updated ``2024-05-10``) the end counts."""
    if reviewed is None or reviewed == "":
        return ()
    seen = parse_date(str(reviewed))
    return tuple(end for end in dict.fromkeys(ends) if end in updated and may_be_after(updated[end], seen))


def outside_years(text: str, first: int = FIRST_YEAR, last: int = LAST_YEAR) -> str | None:
    """Why the date or period ``text`` names a year outside ``first``..``last`` (None when it does not, or when
    it is no date: that is ``parse_when``'s to say). A far-past date is refused rather than trusted: a timeline
    or an as-of count spans the years its dates name."""
    try:
        parsed = parse_when(text)
    except DateError:
        return None
    years = [d.year for s in (parsed.start, parsed.end) if s is not None for d in (s.earliest, s.latest)]
    wrong = [y for y in years if not first <= y <= last]
    if not wrong:
        return None
    return f"'{text[:40]}' names the year {wrong[0]}; dates must fall within {first} to {last}"
