"""Shortest connections between two nodes, with every relationship explained."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.params import MAX_HOPS, AsOfParam
from bpkg.app.services.api_types import PathsOut
from bpkg.app.services.views import paths, ways
from bpkg.app.store.traversal import MAX_WAYS

router = APIRouter(tags=["traceability"], responses={**ERRORS})


@router.get("/paths", response_model=PathsOut, summary="Shortest paths, or every path, between two nodes")
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
    every: Annotated[
        bool, Query(description="every path of at most max_hops steps (no node twice), shortest first, paged")
    ] = False,
    offset: Annotated[
        int,
        Query(
            ge=0,
            le=MAX_WAYS - 1,
            description=f"with every: the first path to give (paths are listed up to the {MAX_WAYS}th)",
        ),
    ] = 0,
    as_of: AsOfParam = None,
) -> PathsOut:
    """The shortest paths (either direction on each hop) between two nodes, or with every=true all of them."""
    if every:
        return ways(store, source, target, max_hops, limit, offset, as_of=as_of)
    return paths(store, source, target, max_hops, limit, as_of=as_of)
