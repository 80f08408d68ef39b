"""Graph exports are readable back by networkx with the same nodes, edges and properties."""

from __future__ import annotations

import io
import json

import networkx as nx
import pytest
from fastapi.testclient import TestClient

from bpkg.app.store.memory import MemoryStore


def read_back(fmt: str, content: bytes) -> nx.MultiDiGraph:
    if fmt == "graphml":
        graph: nx.MultiDiGraph = nx.read_graphml(io.BytesIO(content))
    elif fmt == "gexf":
        graph = nx.read_gexf(io.BytesIO(content))
    else:
        graph = nx.node_link_graph(json.loads(content), edges="edges")
    return graph


@pytest.mark.parametrize("fmt", ["graphml", "gexf", "json"])
def test_whole_graph_round_trips(client: TestClient, bundled_graph: nx.MultiDiGraph, fmt: str) -> None:
    response = client.get(f"/export/graph.{fmt}")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == f'attachment; filename="graph.{fmt}"'

    graph = read_back(fmt, response.content)

    assert graph.is_directed() and graph.is_multigraph()
    assert set(graph.nodes) == set(bundled_graph.nodes)
    assert graph.number_of_edges() == bundled_graph.number_of_edges()
    assert set(graph.edges(keys=True)) == set(bundled_graph.edges(keys=True))
    pak = graph.nodes["country-pak"]
    assert pak["name"] == "Pakistan"
    assert pak["node_label" if fmt == "gexf" else "label"] == "Country"
    sources = pak["sources"] if fmt == "json" else json.loads(pak["sources"])  # lists as JSON text in XML
    assert sources == bundled_graph.nodes["country-pak"]["sources"]
    source, target, key, expected = next(
        (s, t, k, a) for s, t, k, a in bundled_graph.edges(keys=True, data=True) if k == "RESPONDS_TO"
    )
    edge = graph.edges[source, target, key]
    assert (edge["strength"], edge["confidence"]) == (expected["strength"], expected["confidence"])


def test_json_keeps_every_property(client: TestClient, bundled_graph: nx.MultiDiGraph) -> None:
    graph = read_back("json", client.get("/export/graph.json").content)

    for node, attrs in bundled_graph.nodes(data=True):
        # node-link JSON keeps the id once, as the node's key
        assert graph.nodes[node] == {k: v for k, v in attrs.items() if k != "id"}
    for source, target, key, attrs in bundled_graph.edges(keys=True, data=True):
        assert graph.edges[source, target, key] == attrs
    assert graph.graph["dataset"] == bundled_graph.graph["dataset"]


def test_focused_export(client: TestClient, memory_store: MemoryStore) -> None:
    response = client.get("/export/graph.graphml?focus=ap-17&depth=1")
    assert response.headers["content-disposition"] == 'attachment; filename="graph-ap-17.graphml"'
    graph = read_back("graphml", response.content)

    expected = memory_store.neighbourhood("ap-17", 1, None, 10_000)
    assert set(graph.nodes) == {n.id for n in expected.nodes}
    assert graph.number_of_edges() == len(expected.edges)
    assert graph.graph["focus"] == "ap-17"
