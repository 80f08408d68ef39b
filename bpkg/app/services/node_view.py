"""What the pages read about nodes: a node's page (its links, an action point's page of responses, which
traces find something, its neighbourhood), one group of its links, the entries of the home page, a label's
list, the names of nodes a page shows, and the datasets a page's footer names. The pages call these, never
the store (an import contract keeps ``bpkg.app.web`` off the store's modules but its types)."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from bpkg.app.errors import InvalidQuery
from bpkg.app.services import views
from bpkg.app.services.api_types import ResponsesOut
from bpkg.app.services.responses import response_page
from bpkg.app.store.base import RANK, TRACE_TYPES
from bpkg.app.store.graph_types import DatasetOut, GraphOut, LinkOut, NodeData, NodeOut, NodePage, NodeRef
from bpkg.app.store.port import GraphStore, TraceDirection
from bpkg.app.store.question_types import Response
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, may_exist
from bpkg.loaders.stats import GraphStats

MAX_LABEL_LIST: Final = 100_000
"""As of a day a label's nodes are read whole to keep those that may have existed then (the store pages by id)."""
_SIDEWAYS: Final = RelType.SUCCEEDS.value
_TRACED: Final = frozenset(TRACE_TYPES)


@dataclass(frozen=True)
class NodeView:
    """A node's page: its links (as of the page's day), how many it has today when that differs, an action
    point's page of responses, the traces that find something from it, and its neighbourhood on the day."""

    node: NodeOut
    links: list[LinkOut]
    links_today: int | None
    answer: ResponsesOut | None
    responses: list[Response]
    traces: list[TraceDirection]
    around: GraphOut


def node(store: GraphStore, node_id: str) -> NodeOut:
    """A node with its properties, sources and link counts."""
    return store.node(node_id)


def node_and_links(store: GraphStore, node_id: str, as_of: AsOf | None = None) -> tuple[NodeOut, list[LinkOut]]:
    """A node and its links (as of a day, those that may have existed then): today's from one read of the store."""
    if as_of is None:
        return store.node_with_links(node_id)
    return store.node(node_id), store.links(node_id, as_of)


def node_view(
    store: GraphStore,
    found: NodeOut,
    *,
    links: list[LinkOut] | None = None,
    depth: int,
    labels: list[str] | None,
    max_nodes: int,
    responses_shown: int,
    offset: int = 0,
    as_of: AsOf | None = None,
) -> NodeView:
    """Everything a node's page shows of ``found`` (read with ``node``); an action point's responses
    ``responses_shown`` at a time from ``offset``, every response to it before those to its goal; ``links``, the
    node's links when they were read with it (``node_and_links``)."""
    if links is None:
        links = store.links(found.id, as_of)
    answer: ResponsesOut | None = None
    shown: list[Response] = []
    if found.label == Label.ACTION_POINT:
        answer, shown = response_page(
            store,
            number_of(found),
            include_goal_level=True,
            limit=responses_shown,
            offset=offset,
            as_of=as_of,
            direct_first=True,
        )
    return NodeView(
        node=found,
        links=links,
        links_today=len(store.links(found.id)) if as_of is not None else None,
        answer=answer,
        responses=shown,
        traces=traces(found, links),
        around=views.around(store, found.id, depth, labels, max_nodes, as_of),
    )


def number_of(found: NodeOut) -> int:
    """An action point's number."""
    number = found.properties.get("number")
    if not isinstance(number, int):
        raise InvalidQuery(f"action point '{found.id}' has no number")
    return number


def traces(found: NodeRef, links: Iterable[LinkOut]) -> list[TraceDirection]:
    """The traces of depth 1 that find something from a node, read from its links (those of the day): a trace
    moves up to a lower rank, down to a higher one, and either way along SUCCEEDS between equals, over the
    trace types (``bpkg.app.store.base``), as the stores' traces do."""
    own = RANK.get(found.label, 99)
    ways: set[TraceDirection] = set()
    for link in links:
        if link.type not in _TRACED or link.node.id == found.id:
            continue
        other = RANK.get(link.node.label, 99)
        if other < own:
            ways.add("up")
        elif other > own:
            ways.add("down")
        elif link.type == _SIDEWAYS:
            ways |= {"up", "down"}
    return [way for way in ("up", "down") if way in ways]


def links(store: GraphStore, node_id: str, as_of: AsOf | None = None) -> list[LinkOut]:
    """A node's links (as of a day, those that may have existed then, to nodes that may have)."""
    return store.links(node_id, as_of)


def entries(store: GraphStore, labels: Sequence[Label], limit: int) -> dict[Label, NodePage]:
    """The first ``limit`` nodes of each label (the home page's ways into the graph)."""
    return {label: store.nodes(label.value, None, limit, 0) for label in labels}


def stats(store: GraphStore) -> GraphStats:
    """Counts per label, type and confidence."""
    return store.stats()


def label_page(
    store: GraphStore, label: str, limit: int, offset: int, as_of: AsOf | None = None
) -> tuple[NodePage, int | None]:
    """One page of a label's nodes; as of a day, of those that may have existed then, with how many the label
    has today (None without a day)."""
    if as_of is None:
        return store.nodes(label, None, limit, offset), None
    whole = store.nodes(label, None, MAX_LABEL_LIST, 0)
    data = store.nodes_by_id([n.id for n in whole.items])
    then = [n for n in whole.items if n.id in data and may_exist(data[n.id].props, as_of)]
    return NodePage(items=then[offset : offset + limit], total=len(then), limit=limit, offset=offset), whole.total


def nodes(store: GraphStore, ids: Collection[str]) -> dict[str, NodeData]:
    """The nodes among ``ids`` that exist, with every property (a page names them and says when they changed)."""
    return store.nodes_by_id(ids)


def datasets(store: GraphStore) -> tuple[DatasetOut | None, list[DatasetOut]]:
    """The dataset loaded last and every dataset loaded (a page's footer names them)."""
    return store.dataset_info(), store.datasets()
