"""The one rule of answers as of a date (``bpkg.graph_schema.asof``): what counts on a day, and what it rests on."""

from __future__ import annotations

from datetime import date

import pytest

from bpkg.graph_schema.asof import Basis, Presence, derived, existence, parse_as_of
from bpkg.graph_schema.dates import DateError


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("2020", date(2020, 12, 31)),
        ("2020-02", date(2020, 2, 29)),
        ("2021-02", date(2021, 2, 28)),
        ("2020-06-15", date(2020, 6, 15)),
    ],
)
def test_a_day_is_the_last_day_its_text_names(text: str, day: date) -> None:
    as_of = parse_as_of(text)
    assert (as_of.day, as_of.text, as_of.iso) == (day, text, day.isoformat())


@pytest.mark.parametrize("text", ["2020-13", "2021-02-29", "0000", "20201", "2020-1", "2020~", "2019/2020", ""])
def test_other_texts_are_refused(text: str) -> None:
    with pytest.raises(DateError):
        parse_as_of(text)


@pytest.mark.parametrize(
    ("when", "day", "presence", "basis"),
    [
        (None, "2000-01-01", Presence.YES, Basis.UNDATED),
        ("2019-06-15/..", "2019-06-14", Presence.NO, None),
        ("2019-06-15/..", "2019-06-15", Presence.YES, Basis.DATED),
        ("2019-06-15/..", "2040-01-01", Presence.YES, Basis.DATED),  # no end known: it runs on
        ("2019/2020", "2019-06-30", Presence.MAYBE, Basis.IMPRECISE),  # started some day in 2019
        ("2019/2020", "2020-06-30", Presence.MAYBE, Basis.IMPRECISE),  # ended some day in 2020
        ("2019/2020", "2019-12-31", Presence.YES, Basis.DATED),
        ("2019/2020", "2021-01-01", Presence.NO, None),
        ("2019-01/2024-12", "2024-12-31", Presence.MAYBE, Basis.IMPRECISE),  # ended some day in December
        ("2019-01/2024-12", "2024-11-30", Presence.YES, Basis.DATED),
        ("2019-01/2024-12", "2025-01-01", Presence.NO, None),
        ("2024~", "2023-12-31", Presence.NO, None),  # "about 2024" keeps its written bounds
        ("2024~", "2025-06-30", Presence.YES, Basis.APPROXIMATE),  # a single date: from then on
        ("2024~", "2024-03-01", Presence.MAYBE, Basis.IMPRECISE),
        ("2013-04-19", "2013-04-19", Presence.YES, Basis.DATED),
        ("2013-04-19", "2030-01-01", Presence.YES, Basis.DATED),
        ("../2013", "1990-01-01", Presence.YES, Basis.DATED),  # no start known
        ("../2013", "2014-01-01", Presence.NO, None),
        ("[2015,2016]/..", "2015-06-30", Presence.MAYBE, Basis.IMPRECISE),
        ("[2015,2016]/..", "2017-01-01", Presence.YES, Basis.APPROXIMATE),  # one of two: uncertain
        ("2019-02-19/2019-02-20", "2019-02-21", Presence.NO, None),
    ],
)
def test_presence_on_a_day(when: str | None, day: str, presence: Presence, basis: Basis | None) -> None:
    found = existence(when)
    on = date.fromisoformat(day)
    assert found.on(on) == presence
    assert found.basis(on) == basis


def test_derived_bounds_are_what_neo4j_compares() -> None:
    assert derived({"when": "2019-02-20/2024"}) == {"valid_from": "2019-02-20", "valid_to": "2024-12-31"}
    assert derived({"when": "2020~"}) == {"valid_from": "2020-01-01"}  # a single date has no end
    assert derived({"when": "../2013"}) == {"valid_to": "2013-12-31"}
    assert derived({}) == {}
    # ISO days compare as strings exactly as the days do, so Cypher's string test is the rule's.
    for when in ("2019-02-20/2024", "2020~", "../2013", "2019/2020"):
        bounds = derived({"when": when})
        for day in ("2012-01-01", "2019-06-30", "2020-06-30", "2024-12-31", "2025-01-01"):
            inside = bounds.get("valid_from", day) <= day <= bounds.get("valid_to", day)
            assert inside == (existence(when).on(date.fromisoformat(day)) != Presence.NO)
