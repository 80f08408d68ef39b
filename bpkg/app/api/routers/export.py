"""The graph as files for Gephi, yEd, Cytoscape or networkx; as linked data (RDF, SHACL) and IATI XML."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from bpkg.app.api.errors import ERRORS
from bpkg.app.formats import rdf
from bpkg.app.http.deps import SettingsDep, StoreDep
from bpkg.app.http.params import Depth
from bpkg.app.services import formats
from bpkg.app.services.graph_files import MEDIA_TYPES, ExportFormat, export_graph, serialise

router = APIRouter(prefix="/export", tags=["export"], responses={**ERRORS})

Focus = Annotated[
    str | None, Query(max_length=120, description="only the neighbourhood of this node id", examples=["ap-17"])
]


def _file(media_type: str, what: str) -> dict[int | str, dict[str, Any]]:
    schema = {"type": "object"} if media_type.endswith("json") else {"type": "string"}
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


def _stream(store: StoreDep, settings: SettingsDep, fmt: formats.FormatName, name: str) -> StreamingResponse:
    parts = formats.store_parts(store)
    return StreamingResponse(
        formats.export(parts, fmt, settings),
        media_type=formats.MEDIA_TYPES[fmt],
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get(
    "/graph.jsonld",
    response_class=StreamingResponse,
    responses=_file(formats.MEDIA_TYPES["jsonld"], "JSON-LD: SKOS, PROV-O and the bpkg vocabulary, context inline"),
    summary="The graph as JSON-LD",
)
def export_jsonld(store: StoreDep, settings: SettingsDep) -> StreamingResponse:
    """The whole graph as JSON-LD (docs/formats.md), URIs on ``BPKG_PUBLIC_URL`` or ``urn:bpkg:``."""
    return _stream(store, settings, "jsonld", "graph.jsonld")


@router.get(
    "/graph.ttl",
    response_class=StreamingResponse,
    responses=_file(formats.MEDIA_TYPES["ttl"], "Turtle: SKOS, PROV-O and the bpkg vocabulary"),
    summary="The graph as Turtle",
)
def export_turtle(store: StoreDep, settings: SettingsDep) -> StreamingResponse:
    """The whole graph as Turtle (docs/formats.md), URIs on ``BPKG_PUBLIC_URL`` or ``urn:bpkg:``."""
    return _stream(store, settings, "ttl", "graph.ttl")


@router.get(
    "/iati.xml",
    response_class=StreamingResponse,
    responses=_file(formats.MEDIA_TYPES["iati"], "IATI 2.03 activity XML (a secondary report)"),
    summary="Projects and components as IATI 2.03 activities",
)
def export_iati(store: StoreDep, settings: SettingsDep) -> StreamingResponse:
    """Projects and components as IATI 2.03 activity XML; no budgets, transactions or sectors (none are held)."""
    return _stream(store, settings, "iati", "iati-activities.xml")


@router.get(
    "/shapes.ttl",
    response_class=Response,
    responses=_file("text/turtle", "SHACL shapes of the RDF export, generated from the schema"),
    summary="SHACL shapes of the RDF export",
)
def export_shapes() -> Response:
    """SHACL shapes the RDF exports conform to (labels, allowed patterns, required properties, enums)."""
    return Response(rdf.shipped("shapes.ttl"), media_type="text/turtle")


@router.get(
    "/vocab.ttl",
    response_class=Response,
    responses=_file("text/turtle", "The bpkg vocabulary (RDFS/OWL)"),
    summary="The bpkg vocabulary",
)
def export_vocabulary() -> Response:
    """The product's RDF vocabulary: classes, properties, confidence and strength levels."""
    return Response(rdf.shipped("vocab.ttl"), media_type="text/turtle")


@router.get(
    "/context.jsonld",
    response_class=Response,
    responses=_file("application/ld+json", "The JSON-LD context of the exports"),
    summary="The JSON-LD context",
)
def export_context() -> Response:
    """The JSON-LD ``@context`` the exports carry inline."""
    return Response(rdf.shipped("context.jsonld"), media_type="application/ld+json")
