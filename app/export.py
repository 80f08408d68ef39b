"""Making the graph writable as GraphML / GEXF, which take scalar attributes only."""

from __future__ import annotations

import json

import networkx as nx


def graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose list attributes are JSON strings (GraphML and GEXF cannot hold lists)."""
    out = nx.MultiDiGraph()
    # Attributes go in through update(): passed as keywords, a name such as "backend" would clash with
    # networkx's own parameters.
    out.graph.update({k: v for k, v in graph.graph.items() if isinstance(v, str | int | float)})
    for node, attrs in graph.nodes(data=True):
        out.add_node(node, **{k: json.dumps(v) if isinstance(v, list) else v for k, v in attrs.items()})
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(
            source, target, key=key, **{k: json.dumps(v) if isinstance(v, list) else v for k, v in attrs.items()}
        )
    return out
