"""Query parameters shared by several routers, with the limits of design.md §6."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import Query

MAX_LIMIT: Final = 500
MAX_DEPTH: Final = 4
MAX_HOPS: Final = 6
MAX_VIEW_NODES: Final = 2000

Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"page size (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, le=1_000_000, description="items to skip")]
Depth = Annotated[int, Query(ge=1, le=MAX_DEPTH, description=f"hops from the start (1 to {MAX_DEPTH})")]
