"""The graph (whole, or around a focus) as GraphML, GEXF or node-link JSON, readable back by networkx."""

from __future__ import annotations

import io
import json
from typing import Any, Final, Literal

import networkx as nx

from bpkg.app.graphml_safe import graphml_ready
from bpkg.app.store.graph_types import LINK_KEYS
from bpkg.app.store.port import GraphStore

ExportFormat = Literal["graphml", "gexf", "json"]
MEDIA_TYPES: Final[dict[str, str]] = {
    "graphml": "application/graphml+xml",
    "gexf": "application/gexf+xml",
    "json": "application/json",
}
# Exports are files, not views: far above any dataset we know, but still a bound.
MAX_EXPORT_NODES: Final = 200_000


def export_graph(store: GraphStore, focus: str | None, depth: int) -> nx.MultiDiGraph:
    """The graph with every node property, the same content ``bpkg.loaders.build_graph`` produces."""
    view = (
        store.neighbourhood(focus, depth, None, MAX_EXPORT_NODES)
        if focus
        else store.whole_graph(None, MAX_EXPORT_NODES)
    )
    info = store.dataset_info()
    meta: dict[str, Any] = {"store_backend": store.backend, "truncated": view.truncated}
    if info is not None:
        meta.update(dataset=info.name, version=info.version, illustrative=info.illustrative)
    if focus:
        meta.update(focus=focus, depth=depth)
    graph = nx.MultiDiGraph()
    graph.graph.update(meta)
    data = store.nodes_by_id([n.id for n in view.nodes])
    for ref in view.nodes:
        node = data.get(ref.id)
        props = node.props if node is not None else {"id": ref.id, "name": ref.name}
        graph.add_node(ref.id, label=ref.label, **{k: v for k, v in props.items() if k != "label"})
    for edge in view.edges:
        props = {k: getattr(edge, k) for k in LINK_KEYS if getattr(edge, k) not in (None, [])}
        graph.add_edge(edge.source, edge.target, key=edge.type, type=edge.type, **props)
    return graph


def serialise(graph: nx.MultiDiGraph, fmt: ExportFormat) -> bytes:
    if fmt == "json":
        data = nx.node_link_data(graph, edges="edges")
        return json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
    buffer = io.BytesIO()
    if fmt == "graphml":
        nx.write_graphml(graphml_ready(graph), buffer)
    else:
        nx.write_gexf(_gexf_ready(graphml_ready(graph)), buffer)
    return buffer.getvalue()


def _gexf_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """GEXF gives ``label`` and edge ``type`` their own meaning: show names; ours go to ``node_label``/``rel_type``."""
    out = nx.MultiDiGraph()
    out.graph.update(graph.graph)
    for node, attrs in graph.nodes(data=True):
        rest = {k: v for k, v in attrs.items() if k not in ("label", "name")}
        name = attrs.get("name", node)
        out.add_node(node, label=name, node_label=attrs.get("label"), name=name, **rest)
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        rest = {k: v for k, v in attrs.items() if k != "type"}
        out.add_edge(source, target, key=key, rel_type=attrs.get("type", key), **rest)
    return out
