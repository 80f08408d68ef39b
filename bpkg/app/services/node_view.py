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
from bpkg.app.store.base import GroupKey, groups_of_links, ways
from bpkg.app.store.graph_types import (
    GROUP_KEYS,
    DatasetOut,
    Direction,
    GraphOut,
    LinkGroups,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    NodeRef,
)
from bpkg.app.store.port import GraphStore, TraceDirection
from bpkg.app.store.question_types import Response
from bpkg.graph_schema import Label
from bpkg.graph_schema.asof import AsOf, may_exist
from bpkg.loaders.stats import GraphStats

MAX_LABEL_LIST: Final = 100_000
"""As of a day a label's nodes are read whole to keep those that may have existed then (the store pages by id)."""


@dataclass(frozen=True)
class NodeView:
    """A node's page: its links by group, a page of each with each group's total (as of the page's day), how
    many links it has today when that differs, an action point's page of responses, the traces that find
    something from it, and its neighbourhood on the day."""

    node: NodeOut
    links: LinkGroups
    links_today: int | None
    answer: ResponsesOut | None
    responses: list[Response]
    traces: list[TraceDirection]
    around: GraphOut


def node(store: GraphStore, node_id: str) -> NodeOut:
    """A node with its properties, sources and link counts."""
    return store.node(node_id)


def link_groups(
    store: GraphStore,
    node_id: str,
    limit: int,
    offset: int = 0,
    only: GroupKey | None = None,
    as_of: AsOf | None = None,
) -> tuple[LinkGroups, int | None]:
    """A node and its links by group, each group's total and ``limit`` of its links from ``offset`` (only the
    group ``only`` when given): today's from one read that does not read every link (``GraphStore.link_groups``);
    as of a day from the links that may have existed then, read whole (the slower path), with how many links
    the node has today (None without a day)."""
    if as_of is None:
        return store.link_groups(node_id, limit, offset, only), None
    today = store.node(node_id)
    then = groups_of_links(today, store.links(node_id, as_of), limit, offset, only)
    return then, sum(c.count for c in today.link_counts)


def group_page(
    store: GraphStore, node_id: str, keys: Sequence[GroupKey], limit: int, offset: int, as_of: AsOf | None = None
) -> tuple[NodeOut, list[LinkOut], int]:
    """A page of the groups ``keys`` (in links order) taken as one list, as a page's heading groups them: the
    node, ``limit`` links from ``offset`` and how many the groups hold together; one read per group the page
    reaches (usually one)."""
    # No group asked for (a heading no type has): the node and its counts only, to say which groups it has.
    first, _ = link_groups(store, node_id, limit if keys else 0, offset, keys[0] if keys else None, as_of)
    totals = {(c.type, c.direction): c.count for c in first.node.link_counts}
    shown: list[LinkOut] = []
    start = 0
    for key in keys:
        total, skip = totals.get(key, 0), max(0, offset - start)
        if total > skip and len(shown) < limit:
            read = first if key == keys[0] else link_groups(store, node_id, limit - len(shown), skip, key, as_of)[0]
            shown += [link for g in read.groups if (g.type, g.direction) == key for link in g.links][
                : limit - len(shown)
            ]
        start += total
    return first.node, shown, sum(totals.get(key, 0) for key in keys)


ONE_READ_LINKS: Final = 500
"""Up to this many links into a node's whole list (offset and limit), ``links_page`` reads every group's first ones
at once (one read, as a node's page does); past it, or filtered, a group at a time (``group_page``), only the
groups it reaches."""


def links_page(
    store: GraphStore, node_id: str, rel_type: str | None, direction: Direction | None, limit: int, offset: int
) -> tuple[list[LinkOut], int]:
    """A page of a node's links in links order (direction, type, the other end's label, its id), only those of
    ``rel_type`` or ``direction`` when given, and how many there are, without reading every link of a hub. The
    whole list near its start: each group's first ``offset + limit`` links in one read (the groups in links order,
    each cut there, hold the page: a group cut before the page's end holds all of it). Deeper in, or filtered (a
    hub's other groups are not read): a group at a time."""
    end = offset + limit
    if end > ONE_READ_LINKS or rel_type is not None or direction is not None:
        keys: list[GroupKey] = [k for k in GROUP_KEYS if rel_type in (None, k[0]) and direction in (None, k[1])]
        _, shown, total = group_page(store, node_id, keys, limit, offset)
        return shown, total
    # Every group with a page, in links order (``LinkGroups``).
    found = store.link_groups(node_id, end, 0)
    firsts = [link for group in found.groups for link in group.links]
    return firsts[offset:end], sum(c.count for c in found.node.link_counts)


def node_view(
    store: GraphStore,
    found: LinkGroups,
    *,
    depth: int,
    labels: list[str] | None,
    max_nodes: int,
    responses_shown: int,
    offset: int = 0,
    as_of: AsOf | None = None,
    links_today: int | None = None,
) -> NodeView:
    """Everything a node's page shows of the node read with its groups of links (``link_groups``); an action
    point's responses ``responses_shown`` at a time from ``offset``, every response to it before those to its
    goal."""
    node = found.node
    answer: ResponsesOut | None = None
    shown: list[Response] = []
    if node.label == Label.ACTION_POINT:
        answer, shown = response_page(
            store,
            number_of(node),
            include_goal_level=True,
            limit=responses_shown,
            offset=offset,
            as_of=as_of,
            direct_first=True,
        )
    return NodeView(
        node=node,
        links=found,
        links_today=links_today,
        answer=answer,
        responses=shown,
        traces=list(found.traces),
        around=views.around(store, node.id, depth, labels, max_nodes, as_of),
    )


def number_of(found: NodeOut) -> int:
    """An action point's number."""
    number = found.properties.get("number")
    if not isinstance(number, int):
        raise InvalidQuery(f"action point '{found.id}' has no number")
    return number


def traces(found: NodeRef, links: Iterable[LinkOut]) -> list[TraceDirection]:
    """The traces of depth 1 that find something from a node, read from its links (those of the day), by the
    rule the stores' ``link_groups`` apply (``bpkg.app.store.base.ways``)."""
    return list(ways(found.label, ((link.type, link.node.label, link.node.id == found.id) for link in links)))


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
