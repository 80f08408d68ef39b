"""Machine-readable dates for the date wordings of the facts (bpkg/graph_schema/dates.py notation), without adding
precision: the regular wordings by rule, the others from the curated table ``tools/dataset/dates.csv``."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from bpkg.graph_schema import DateError, parse_when
from tools.tables import BuildError

_ISO: Final = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
# (pattern, replacement) tried in order on the whole wording; a trailing "(...)" remark is allowed where noted.
_RULES: Final = (
    (re.compile(rf"({_ISO})"), r"\1"),  # 2019-12, 2024-06-27
    (re.compile(r"(\d{4}-\d{2})-(\d{2})/(\d{2})"), r"\1-\2/\1-\3"),  # 2019-02-19/20: two days of one month
    (re.compile(rf"({_ISO}) to ({_ISO})(?: \(.+\))?"), r"\1/\2"),  # 2013-05 to 2014 (remark)
    (re.compile(r"(\d{4})-(\d{4})"), r"\1/\2"),  # 2021-2022
    (re.compile(r"c\.(\d{4})-(\d{4})"), r"\1~/\2~"),  # c.2021-2022: about
    (re.compile(r"c\.(\d{4})"), r"\1~"),  # c.2020
    (re.compile(r"c\.(\d{4}) \(inferred\)"), r"\1%"),  # c.2020 (inferred): about, and uncertain
    (re.compile(rf"launched ({_ISO})"), r"\1/.."),  # launched 2023-09: no end given
    (re.compile(r"(\d{4})-"), r"\1/.."),  # 2017-: no end given
)


def when_of(wording: str, table: Mapping[str, str]) -> str | None:
    """The ``when`` of a date wording: by rule, else from the table (empty there: undated, None)."""
    text = wording.strip()
    for pattern, replacement in _RULES:
        if pattern.fullmatch(text):
            return _checked(text, pattern.sub(replacement, text))
    if text in table:
        return _checked(text, table[text]) if table[text] else None
    raise BuildError(f"no machine-readable date for {text!r}: add a row to tools/dataset/dates.csv")


def start_of(wording: str, table: Mapping[str, str]) -> str | None:
    """The ``when`` of something that started at ``wording`` and has no end given (``2020-03`` -> ``2020-03/..``)."""
    when = when_of(wording, table)
    if when is None or "/" in when:
        return when
    return f"{when}/.."


def _checked(wording: str, when: str) -> str:
    try:
        parse_when(when)
    except DateError as exc:
        raise BuildError(f"the date for {wording!r} is not valid: {exc}") from None
    return when
