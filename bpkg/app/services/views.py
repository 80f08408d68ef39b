"""Graph-shaped answers (traces, paths, subgraphs) with the dataset's notice when they hold illustrative links."""

from __future__ import annotations

from bpkg.app.services import day_account, lookup
from bpkg.app.services.api_types import GraphViewOut, PathsOut, SearchOut
from bpkg.app.services.citations import review_words, sources_by_id
from bpkg.app.store.base import RANK as RANK
from bpkg.app.store.base import found as found_node
from bpkg.app.store.graph_types import GraphOut
from bpkg.app.store.port import GraphStore, TraceDirection
from bpkg.app.store.question_types import PathOut
from bpkg.app.store.traversal import MAX_WAYS as MAX_WAYS
from bpkg.graph_schema import Confidence
from bpkg.graph_schema.asof import AsOf, may_exist

ILLUSTRATIVE = Confidence.ILLUSTRATIVE.value
# RANK and MAX_WAYS are re-exported for the pages, which read no store module but its types: each label's
# height between the political level and the ground (networks are laid out and lists ordered by it), and the
# most paths a page of every path can reach.


def graph_view(store: GraphStore, graph: GraphOut) -> GraphViewOut:
    """The graph with the dataset's notice when an edge is illustrative, and the edges to review, in words."""
    illustrative = any(e.confidence == ILLUSTRATIVE for e in graph.edges)
    known = sources_by_id(store, {s for e in graph.edges for s in e.sources})
    review = {s: row for s, row in known.items() if row.to_review}
    words = [
        f"{e.source} -[{e.type}]-> {e.target}: {'; '.join(found)}"
        for e in graph.edges
        if review and (found := review_words(e.sources, review))
    ]
    # The graph's fields as they are (its nodes and edges validated when made), not dumped and validated again.
    return GraphViewOut(**dict(graph), illustrative=lookup.notice(store, illustrative), to_review=words)


def subgraph(
    store: GraphStore, focus: str | None, depth: int, labels: list[str] | None, max_nodes: int
) -> GraphViewOut:
    """The neighbourhood of ``focus`` (or, without one, the whole graph), cut at ``max_nodes``."""
    found = store.neighbourhood(focus, depth, labels, max_nodes) if focus else store.whole_graph(labels, max_nodes)
    return graph_view(store, found)


def paths(
    store: GraphStore, source: str, target: str, max_hops: int, limit: int, *, as_of: AsOf | None = None
) -> PathsOut:
    """The shortest paths between two nodes; as of a day, through what may have existed then (with its account)."""
    found = to_review(store, store.paths(source, target, max_hops, limit, as_of))
    if found:  # the ends are on every path: no read of their own
        start_ref, end_ref = found[0].nodes[0], found[0].nodes[-1]
    else:
        ends = store.nodes_by_id([source, target])
        start_ref = lookup.to_ref(found_node(ends.get(source), source))
        end_ref = lookup.to_ref(found_node(ends.get(target), target))
    illustrative = any(r.confidence == ILLUSTRATIVE for p in found for s in p.steps for r in s.relationships)
    return PathsOut(
        source=start_ref,
        target=end_ref,
        max_hops=max_hops,
        paths=found,
        shortest=found[0].length if found else None,
        illustrative=lookup.notice(store, illustrative),
        as_of=day_account.paths_account(store, found, as_of) if as_of else None,
    )


def ways(
    store: GraphStore,
    source: str,
    target: str,
    max_hops: int,
    limit: int,
    offset: int = 0,
    *,
    as_of: AsOf | None = None,
) -> PathsOut:
    """Every simple path between two nodes of at most ``max_hops`` steps, shortest first, one page of them; each
    with its weakest confidence, and the length of the shortest (as of a day, through what may have existed)."""
    start, end = store.node_data(source), store.node_data(target)
    # One more than the page, to tell whether another follows (none past the last the store pages to).
    extra = 1 if offset + limit < MAX_WAYS else 0
    found = store.ways(source, target, max_hops, limit + extra, offset, as_of)
    page, more = to_review(store, found[:limit]), len(found) > limit
    shortest = store.paths(source, target, max_hops, 1, as_of)
    illustrative = any(r.confidence == ILLUSTRATIVE for p in page for s in p.steps for r in s.relationships)
    return PathsOut(
        source=lookup.to_ref(start),
        target=lookup.to_ref(end),
        max_hops=max_hops,
        paths=page,
        every=True,
        offset=offset,
        more=more,
        shortest=shortest[0].length if shortest else None,
        illustrative=lookup.notice(store, illustrative),
        as_of=day_account.paths_account(store, page, as_of) if as_of else None,
    )


def to_review(store: GraphStore, found: list[PathOut]) -> list[PathOut]:
    """The paths with each step saying, in words, whether it is to review: a page cited by one of its
    relationships was found changed or gone by the last source check (copies: the store's answer is shared)."""
    known = sources_by_id(store, {s for p in found for st in p.steps for e in st.relationships for s in e.sources})
    review = {s: row for s, row in known.items() if row.to_review}
    if not review:
        return found
    out: list[PathOut] = []
    for p in found:
        steps = [
            st.model_copy(update={"to_review": review_words((s for e in st.relationships for s in e.sources), review)})
            for st in p.steps
        ]
        out.append(p.model_copy(update={"steps": steps}))
    return out


def trace(
    store: GraphStore,
    node_id: str,
    direction: TraceDirection,
    depth: int,
    types: list[str] | None,
    *,
    as_of: AsOf | None = None,
) -> GraphViewOut:
    """A trace up, down or both (sideways along SUCCEEDS); as of a day, through what may have existed then."""
    if as_of is None:
        return graph_view(store, store.trace(node_id, direction, depth, types))
    found = store.trace(node_id, direction, depth, types, as_of)
    view = graph_view(store, found)
    today = store.trace(node_id, direction, depth, types)
    view.as_of = day_account.graph_account(store, found, today, as_of)
    return view


def on_day(store: GraphStore, graph: GraphOut, as_of: AsOf | None, focus: str | None = None) -> GraphOut:
    """The part of a graph that may have existed on ``as_of`` (the whole graph without a day): its nodes that
    may have existed then (and ``focus``, the node a page is about, whatever its dates), and the links among
    them that may have."""
    if as_of is None:
        return graph
    nodes = store.nodes_by_id([n.id for n in graph.nodes])
    kept = {i for i, n in nodes.items() if i == focus or may_exist(n.props, as_of)}
    edges = [
        e
        for e in graph.edges
        if e.source in kept and e.target in kept and (e.when is None or may_exist({"when": e.when}, as_of))
    ]
    return graph.model_copy(update={"nodes": [n for n in graph.nodes if n.id in kept], "edges": edges})


def around(
    store: GraphStore, focus: str, depth: int, labels: list[str] | None, max_nodes: int, as_of: AsOf | None = None
) -> GraphOut:
    """The neighbourhood of ``focus`` cut at ``max_nodes``; as of a day, what of it may have existed then (and
    ``focus`` itself, whatever its dates)."""
    return on_day(store, store.neighbourhood(focus, depth, labels, max_nodes), as_of, focus)


def whole(store: GraphStore, labels: list[str] | None, max_nodes: int, as_of: AsOf | None = None) -> GraphOut:
    """The nodes of ``labels`` and the links among them, cut at ``max_nodes``; as of a day, what may have existed."""
    return on_day(store, store.whole_graph(labels, max_nodes), as_of)


def search(store: GraphStore, q: str, limit: int) -> SearchOut:
    return SearchOut(q=q, hits=store.search(q, limit))
