"""Query parameters shared by several routers, with the limits of design.md §6."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Depends, Query
from fastapi.exceptions import RequestValidationError

from bpkg.app.search_words import WORD_PATTERN
from bpkg.app.store.traversal import MAX_PATH_HOPS, MAX_TRACE_DEPTH
from bpkg.graph_schema.asof import AS_OF_PATTERN, AsOf, parse_as_of
from bpkg.graph_schema.dates import DateError

MAX_LIMIT: Final = 500
# The store's own bounds: the API and the pages refuse what the store would refuse, with a 422 that names it.
MAX_DEPTH: Final = MAX_TRACE_DEPTH
MAX_HOPS: Final = MAX_PATH_HOPS
MAX_VIEW_NODES: Final = 2000
MAX_QUERY: Final = 200
"""Longest search text (API and pages): Neo4j's full-text index refuses some words over 300 letters."""
SEARCH_PATTERN: Final = WORD_PATTERN
"""What the OpenAPI document says a search text must contain: one character that search reads as part of a
word (``bpkg.app.search_words``: a letter or a digit, Unicode categories L and N), written with the Unicode property
escapes of JSON Schema's regular expressions. Documented, not enforced by FastAPI: the search itself refuses
text without a word, with a plainer message (a unit test checks that the two agree on every Unicode character)."""
SearchText = Annotated[
    str,
    Query(
        min_length=1,
        max_length=MAX_QUERY,
        description="words to look for (prefixes match); at least one letter or digit",
        examples=["migrant resource centre"],
        json_schema_extra={"pattern": SEARCH_PATTERN},
    ),
]

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description=f"hops from the start (1 to {MAX_DEPTH})")]


def _as_of(
    as_of: Annotated[
        str | None,
        Query(
            max_length=10,
            # The schema's pattern admits only real days of the bounded years; the check itself is parse_as_of's,
            # so that a refusal says what is wrong with the day rather than repeating the pattern.
            json_schema_extra={"pattern": AS_OF_PATTERN},
            description="answer as of this day: YYYY (its 31 December), YYYY-MM (the month's last day) or "
            "YYYY-MM-DD; only what may have existed then is counted, and the answer says how many items rest on "
            "undated, imprecise or approximate dates (docs/dataset-format.md, 'Answers as of a date')",
            examples=["2022-12-31"],
        ),
    ] = None,
) -> AsOf | None:
    if as_of is None:
        return None
    try:
        return parse_as_of(as_of)
    except DateError as exc:
        raise RequestValidationError([{"loc": ("query", "as_of"), "msg": str(exc), "type": "value_error"}]) from exc


AsOfParam = Annotated[AsOf | None, Depends(_as_of)]
"""``?as_of=`` on the API and the pages: a day, validated (a 422 that names ``as_of`` otherwise)."""
