"""The graph as files for Gephi, yEd, Cytoscape or networkx."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.errors import ERRORS
from app.http.deps import StoreDep
from app.http.params import Depth
from app.services.exports import MEDIA_TYPES, ExportFormat, export_graph, serialise

router = APIRouter(prefix="/export", tags=["export"], responses={**ERRORS})

Focus = Annotated[
    str | None, Query(max_length=120, description="only the neighbourhood of this node id", examples=["ap-17"])
]


def _file(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "object"} if media_type == "application/json" else {"type": "string"}
    return {200: {"description": what, "content": {media_type: {"schema": schema}}}}


def _export(store: StoreDep, fmt: ExportFormat, focus: str | None, depth: int) -> Response:
    graph = export_graph(store, focus, depth)
    name = f"graph-{focus}.{fmt}" if focus else f"graph.{fmt}"
    return Response(
        serialise(graph, fmt),
        media_type=MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/graph.graphml",
    response_class=Response,
    responses=_file(MEDIA_TYPES["graphml"], "GraphML (list properties as JSON strings)"),
    summary="The graph as GraphML",
)
def export_graphml(store: StoreDep, focus: Focus = None, depth: Depth = 2) -> Response:
    """The whole graph, or the neighbourhood of ``focus``, as GraphML (``networkx.read_graphml``)."""
    return _export(store, "graphml", focus, depth)


@router.get(
    "/graph.gexf",
    response_class=Response,
    responses=_file(
        MEDIA_TYPES["gexf"],
        "GEXF 1.2 (label = name; the node's label in `node_label`, relationship type in `rel_type`)",
    ),
    summary="The graph as GEXF",
)
def export_gexf(store: StoreDep, focus: Focus = None, depth: Depth = 2) -> Response:
    """The whole graph, or the neighbourhood of ``focus``, as GEXF for Gephi (``networkx.read_gexf``)."""
    return _export(store, "gexf", focus, depth)


@router.get(
    "/graph.json",
    response_class=Response,
    responses=_file(MEDIA_TYPES["json"], "networkx node-link JSON (`edges` key)"),
    summary="The graph as node-link JSON",
)
def export_json(store: StoreDep, focus: Focus = None, depth: Depth = 2) -> Response:
    """The graph as node-link JSON (``networkx.node_link_graph(data, edges="edges")``)."""
    return _export(store, "json", focus, depth)
