"""Traces up (to goals and commitments) or down (to projects, activities, countries) from a node."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.params import AsOfParam, Depth
from bpkg.app.services import views
from bpkg.app.services.api_types import GraphViewOut
from bpkg.app.store.port import TraceDirection
from bpkg.graph_schema import RelType

router = APIRouter(tags=["traceability"], responses={**ERRORS})


@router.get(
    "/trace/{node_id}",
    response_model=GraphViewOut,
    summary="Trace up, down or both from a node",
    description="`up` moves towards the political level (action point -> goal -> plan -> declaration -> "
    "commitment), `down` towards the ground (action point -> projects, components, activities, outputs, "
    "countries), whatever the stored direction of each relationship. A later action point or plan sits beside the "
    "one it takes up (SUCCEEDS, with its `kind`: continues, merges or replaces): a trace moves to it sideways, "
    "so work responding to a successor is reached from the earlier action point.",
)
def trace(
    store: StoreDep,
    node_id: Annotated[str, Path(max_length=200, description="the start node", examples=["ap-17"])],
    direction: Annotated[TraceDirection, Query(description="up, down or both")] = "both",
    depth: Depth = 2,
    types: Annotated[list[RelType] | None, Query(description="only these relationship types (repeat)")] = None,
    as_of: AsOfParam = None,
) -> GraphViewOut:
    """Trace up, down or both from a node."""
    return views.trace(store, node_id, direction, depth, [t.value for t in types] if types else None, as_of=as_of)
