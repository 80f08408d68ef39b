"""Making the graph writable as GraphML / GEXF, which take scalar attributes only."""

from __future__ import annotations

import json
import re
from typing import Any

import networkx as nx

# Characters XML 1.0 cannot hold at all. Validation refuses them in datasets; a graph built another way
# (a notebook, a future loader) must still export as well-formed XML, so they become U+FFFD.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def xml_text(text: str) -> str:
    """``text`` with the characters XML cannot hold replaced by U+FFFD."""
    return _NOT_XML.sub("\ufffd", text)


def xml_safe(value: Any) -> Any:
    """``value`` with characters XML cannot hold replaced (strings only; other values as they are)."""
    return xml_text(value) if isinstance(value, str) else value


def _attr(value: Any) -> Any:
    return xml_safe(json.dumps(value, ensure_ascii=False) if isinstance(value, list) else value)


def graphml_ready(graph: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy whose list attributes are JSON strings (GraphML and GEXF cannot hold lists) and whose text holds
    only characters XML can."""
    out = nx.MultiDiGraph()
    # Attributes go in through update(): passed as keywords, a name such as "backend" would clash with
    # networkx's own parameters.
    out.graph.update({k: xml_safe(v) for k, v in graph.graph.items() if isinstance(v, str | int | float)})
    for node, attrs in graph.nodes(data=True):
        out.add_node(xml_safe(node), **{k: _attr(v) for k, v in attrs.items()})
    for source, target, key, attrs in graph.edges(keys=True, data=True):
        out.add_edge(xml_safe(source), xml_safe(target), key=xml_safe(key), **{k: _attr(v) for k, v in attrs.items()})
    return out
