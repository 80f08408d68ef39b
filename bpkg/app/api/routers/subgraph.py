"""Nodes and edges for visualisation: around a focus node, or the whole graph."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.params import MAX_VIEW_NODES, Depth
from bpkg.app.services.api_types import GraphViewOut
from bpkg.app.services.views import subgraph
from bpkg.graph_schema import Label

router = APIRouter(tags=["graph"], responses={**ERRORS})


@router.get(
    "/subgraph",
    response_model=GraphViewOut,
    summary="Nodes and edges around a node, for visualisation",
    description=f"Breadth-first from `focus` up to `depth` hops (the whole graph without `focus`), keeping "
    f"only `labels` if given, cut at `max_nodes` (at most {MAX_VIEW_NODES}); `truncated` says when it was cut.",
)
def get_subgraph(
    store: StoreDep,
    focus: Annotated[str | None, Query(max_length=120, description="id of the centre node", examples=["ap-17"])] = None,
    depth: Depth = 2,
    labels: Annotated[list[Label] | None, Query(description="only nodes with these labels (repeat)")] = None,
    max_nodes: Annotated[int, Query(ge=1, le=MAX_VIEW_NODES, description="cap on nodes")] = MAX_VIEW_NODES,
) -> GraphViewOut:
    """Nodes and edges around a node, for visualisation."""
    return subgraph(store, focus, depth, [lb.value for lb in labels] if labels else None, max_nodes)
