"""Shortest connections between two nodes, with every relationship explained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.errors import ERRORS
from app.http.deps import StoreDep
from app.http.params import MAX_HOPS, AsOfParam
from app.services.models import PathsOut
from app.services.views import paths

router = APIRouter(tags=["traceability"], responses={**ERRORS})


@router.get("/paths", response_model=PathsOut, summary="Shortest paths between two nodes")
def get_paths(
    store: StoreDep,
    source: Annotated[
        str, Query(alias="from", max_length=120, description="id of the first node", examples=["activity-mrc-lahore"])
    ],
    target: Annotated[
        str, Query(alias="to", max_length=120, description="id of the second node", examples=["commitment-knowledge"])
    ],
    max_hops: Annotated[int, Query(ge=1, le=MAX_HOPS, description=f"longest path (at most {MAX_HOPS})")] = 4,
    limit: Annotated[int, Query(ge=1, le=100, description="at most this many paths")] = 10,
    as_of: AsOfParam = None,
) -> PathsOut:
    """The shortest paths (either direction on each hop) between two nodes; empty when none is short enough."""
    return paths(store, source, target, max_hops, limit, as_of=as_of)
