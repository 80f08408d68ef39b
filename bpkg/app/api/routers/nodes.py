"""Nodes: list and filter, one node with its sources and link counts, and its links."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.params import Limit, Offset
from bpkg.app.services import node_view
from bpkg.app.services.api_types import LinkPage
from bpkg.app.services.lookup import notice
from bpkg.app.store.graph_types import NodeOut, NodePage
from bpkg.graph_schema import Confidence, Label, RelType

router = APIRouter(prefix="/nodes", tags=["nodes"], responses={**ERRORS})

NodeId = Annotated[str, Path(max_length=200, description="a node id", examples=["ap-17", "country-pak"])]


@router.get("", response_model=NodePage, summary="List nodes, by label and text")
def list_nodes(
    store: StoreDep,
    label: Annotated[Label | None, Query(description="only nodes with this label")] = None,
    q: Annotated[str | None, Query(max_length=200, description="case-insensitive part of the name or id")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> NodePage:
    """Nodes ordered by label, number, id."""
    return store.nodes(label.value if label else None, q, limit, offset)


@router.get("/{node_id}", response_model=NodeOut, summary="One node")
def get_node(store: StoreDep, node_id: NodeId) -> NodeOut:
    """A node with its properties, its sources and its links counted by type and direction."""
    return store.node(node_id)


@router.get("/{node_id}/links", response_model=LinkPage, summary="The links of a node")
def get_links(
    store: StoreDep,
    node_id: NodeId,
    rel_type: Annotated[RelType | None, Query(alias="type", description="only links of this type")] = None,
    direction: Annotated[Literal["out", "in"] | None, Query(description="only outgoing or incoming")] = None,
    limit: Limit = 50,
    offset: Offset = 0,
) -> LinkPage:
    """Every relationship of a node with the node at the other end, its provenance and qualifiers."""
    page, total = node_view.links_page(store, node_id, rel_type.value if rel_type else None, direction, limit, offset)
    illustrative = notice(store, any(link.confidence == Confidence.ILLUSTRATIVE for link in page))
    return LinkPage(items=page, total=total, limit=limit, offset=offset, illustrative=illustrative)
