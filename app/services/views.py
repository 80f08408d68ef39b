"""Graph-shaped answers (traces, paths, subgraphs) with the dataset's notice when they hold illustrative links."""

from __future__ import annotations

from app.services import lookup
from app.services.models import GraphViewOut, PathsOut, SearchOut
from app.store.models import GraphOut
from app.store.port import GraphStore
from graph_schema import Confidence

ILLUSTRATIVE = Confidence.ILLUSTRATIVE.value


def graph_view(store: GraphStore, graph: GraphOut) -> GraphViewOut:
    illustrative = any(e.confidence == ILLUSTRATIVE for e in graph.edges)
    return GraphViewOut(**graph.model_dump(), illustrative=lookup.notice(store, illustrative))


def subgraph(
    store: GraphStore, focus: str | None, depth: int, labels: list[str] | None, max_nodes: int
) -> GraphViewOut:
    """The neighbourhood of ``focus`` (or, without one, the whole graph), cut at ``max_nodes``."""
    found = store.neighbourhood(focus, depth, labels, max_nodes) if focus else store.whole_graph(labels, max_nodes)
    return graph_view(store, found)


def paths(store: GraphStore, source: str, target: str, max_hops: int, limit: int) -> PathsOut:
    start, end = store.node_data(source), store.node_data(target)
    found = store.paths(source, target, max_hops, limit)
    illustrative = any(r.confidence == ILLUSTRATIVE for p in found for s in p.steps for r in s.relationships)
    return PathsOut(
        source=lookup.to_ref(start),
        target=lookup.to_ref(end),
        max_hops=max_hops,
        paths=found,
        illustrative=lookup.notice(store, illustrative),
    )


def search(store: GraphStore, q: str, limit: int) -> SearchOut:
    return SearchOut(q=q, hits=store.search(q, limit))
