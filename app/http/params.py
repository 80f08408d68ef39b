"""Query parameters shared by several routers, with the limits of design.md §6."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Query

from app.store.traversal import MAX_PATH_HOPS, MAX_TRACE_DEPTH

MAX_LIMIT: Final = 500
# The store's own bounds: the API and the pages refuse what the store would refuse, with a 422 that names it.
MAX_DEPTH: Final = MAX_TRACE_DEPTH
MAX_HOPS: Final = MAX_PATH_HOPS
MAX_VIEW_NODES: Final = 2000
MAX_QUERY: Final = 200
"""Longest search text (API and pages): Neo4j's full-text index refuses some words over 300 letters."""
SEARCH_PATTERN: Final = (
    "[0-9A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00DE\\u00E0-\\u0107\\u010C-\\u010F\\u0112\\u0113\\u0118-\\u011B"
    "\\u011E\\u011F\\u012A\\u012B\\u0130\\u0131\\u0141-\\u0144\\u0147\\u0148\\u014C\\u014D\\u0150-\\u0153"
    "\\u0158-\\u015B\\u015E-\\u0165\\u016A\\u016B\\u016E-\\u0171\\u0178-\\u017E\\u212A\\u212B]"
)
"""What the OpenAPI document says a search text must contain: one character that search reads as part of a
word (``app.store.base.words``, letters and digits after lower-casing). Documented, not enforced by
FastAPI: the search itself refuses text without one, with a plainer message (a unit test checks that
the two agree on every Unicode character)."""
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
