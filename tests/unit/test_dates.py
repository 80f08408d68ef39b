"""The date notation of bpkg.graph_schema.dates: bounds, precision, flags, and what it refuses."""

from __future__ import annotations

from datetime import date

import pytest

from bpkg.graph_schema import DateError, Precision, may_be_after, parse_date, parse_when


@pytest.mark.parametrize(
    ("text", "earliest", "latest", "precision", "approximate"),
    [
        ("2019-02-20", date(2019, 2, 20), date(2019, 2, 20), Precision.DAY, False),
        ("2013-05", date(2013, 5, 1), date(2013, 5, 31), Precision.MONTH, False),
        ("2022", date(2022, 1, 1), date(2022, 12, 31), Precision.YEAR, False),
        ("2021~", date(2021, 1, 1), date(2021, 12, 31), Precision.YEAR, True),
        ("2025-10?", date(2025, 10, 1), date(2025, 10, 31), Precision.MONTH, True),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), Precision.MONTH, False),
        ("2019-02-19/2019-02-20", date(2019, 2, 19), date(2019, 2, 20), Precision.RANGE, False),
        ("2013-05/2014", date(2013, 5, 1), date(2014, 12, 31), Precision.RANGE, False),
        ("2021~/2022~", date(2021, 1, 1), date(2022, 12, 31), Precision.RANGE, True),
        ("[2016-12-15,2017-12-15]", date(2016, 12, 15), date(2017, 12, 15), Precision.DAY, True),
    ],
)
def test_dates_parse_to_their_bounds(
    text: str, earliest: date, latest: date, precision: Precision, approximate: bool
) -> None:
    when = parse_when(text)
    assert (when.earliest, when.latest, when.precision, when.approximate) == (earliest, latest, precision, approximate)


def test_open_sides_have_no_bound() -> None:
    assert parse_when("2017/..").latest is None and parse_when("2017/..").earliest == date(2017, 1, 1)
    assert parse_when("../2013").earliest is None and parse_when("../2013").latest == date(2013, 12, 31)


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("2019-02-30", "has no day 30"),
        ("2023-02-29", "has no day 29"),
        ("2019-13", "no month 13"),
        ("2014/2013", "ends before it starts"),
        ("2019-02-20/2019-02-19", "ends before it starts"),
        ("early 2021", "is not a date"),
        ("2019-02-19/20", "is not a date"),
        ("..", "leave the date out"),
        ("../..", "leave the date out"),
        ("2019/", "give both sides"),
        ("2019/2020/2021", "one '/'"),
        ("[2017,2016]", "earliest first"),
    ],
)
def test_impossible_and_reversed_dates_are_refused(text: str, says: str) -> None:
    with pytest.raises(DateError, match=says):
        parse_when(text)


def test_a_single_date_is_not_a_period() -> None:
    with pytest.raises(DateError):
        parse_date("2019/2020")


@pytest.mark.parametrize(
    ("later", "than", "expected"),
    [
        ("2024-05-11", "2024-05-10", True),
        ("2024-05-10", "2024-05-10", False),
        ("2024-04", "2024-05-10", False),
        ("2024-05-10", "2024-05", True),  # the month leaves it open: may be later
        ("2023", "2024-01-01", False),
    ],
)
def test_may_be_after_is_conservative_where_precision_leaves_it_open(later: str, than: str, expected: bool) -> None:
    assert may_be_after(parse_date(later), parse_date(than)) is expected
