"""Rules both adapters share: the label hierarchy, orderings, and the shapes of nodes, links and graphs.

The adapters answer each question natively (``bpkg.app.store.memory`` with networkx over indexes built at load,
``bpkg.app.store.neo4j`` with anchored Cypher); what they share is how raw nodes and relationships become answers.
The rules of each question family live in their own module: ``responses``, ``traversal`` (trace, paths,
neighbourhood), ``search``, ``coverage``. The contract suite checks that both adapters agree.
"""

from __future__ import annotations

import heapq
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping, Sized
from dataclasses import dataclass
from typing import Final

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.store.graph_types import (
    LINK_KEYS,
    Direction,
    EdgeData,
    EdgeOut,
    GraphOut,
    LinkCount,
    LinkGroup,
    LinkGroups,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    NodeRef,
    SourceOut,
    TraceLevel,
    TraceOutline,
    Way,
)
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.patterns import PATTERNS
from bpkg.graph_schema.properties import CHECK_TO_REVIEW
from bpkg.loaders.stats import GraphStats, stats_from_counts

# Height of each label between the political level (low numbers) and the ground (high numbers):
# "up" moves to a lower rank, "down" to a higher one, whatever the stored direction of the edge.
RANK: Final[dict[str, int]] = {
    Label.PROCESS: -1,
    Label.COMMITMENT: 0,
    Label.DECLARATION: 1,
    Label.ACTION_PLAN: 2,
    Label.PRIORITY_GOAL: 3,
    Label.ACTION_POINT: 4,
    Label.PROJECT: 5,
    Label.COMPONENT: 6,
    Label.ACTIVITY: 7,
    Label.EVENT: 7,
    Label.OUTPUT: 8,
    Label.COUNTRY: 9,
    Label.REGION: 10,
    Label.ORGANISATION: 11,
    Label.SOURCE: 12,
}
TRACE_TYPES: Final[tuple[str, ...]] = tuple(
    t.value for t in RelType if t not in (RelType.PARTICIPATES_IN, RelType.IN_REGION, RelType.FUNDS, RelType.IMPLEMENTS)
)
LABEL_ORDER: Final[dict[str, int]] = {label.value: i for i, label in enumerate(Label)}
MAX_SEARCH_TOKENS: Final = 8
NUMBERED: Final[dict[Label, str]] = {Label.ACTION_POINT: "ap", Label.PRIORITY_GOAL: "pg"}
"""The id prefix of numbered nodes by convention (``ap-17``, ``pg-4``)."""


def conventional_id(label: Label, number: int) -> str:
    """The id a node of ``label`` numbered ``number`` has by convention (``ap-17``)."""
    return f"{NUMBERED[label]}-{number}"


def pick_numbered(nodes: Iterable[NodeData], label: Label, number: int) -> NodeData | None:
    """The one rule that finds a numbered node: among the nodes of ``label`` numbered ``number``, the one with the
    conventional id (``ap-17``), else the first by id; None when there is none. The services' lookup and the
    memory store apply it here; Neo4j's headline queries write it in Cypher (``ORDER BY s.action_point = $id DESC,
    s.action_point``), and the contract suite checks they agree (tests/api/test_numbers_without_id_convention.py)."""
    named = conventional_id(label, number)
    found = (n for n in nodes if n.label == label and n.props.get("number") == number)
    return min(found, key=lambda n: (n.id != named, n.id), default=None)


NodeSortKey = tuple[str, bool, int, str]


def node_sort_key(node: NodeData) -> NodeSortKey:
    """Deterministic order of nodes: label, then number (missing last), then id."""
    return sort_key_of(node.label, node.props.get("number"), node.id)


def sort_key_of(label: str, number: object, node_id: str) -> NodeSortKey:
    """``node_sort_key`` from a node's label, number (None: none) and id."""
    return (label, number is None, number if isinstance(number, int) else 0, node_id)


def ref(node: NodeData) -> NodeRef:
    return NodeRef(id=node.id, label=node.label, name=node.name, confidence=node.props.get("confidence"))


def link_props(edge: EdgeData) -> dict[str, object]:
    return _link_fields(edge.props)


def _link_fields(props: Mapping[str, object]) -> dict[str, object]:
    """The properties of a link that answers show (``LINK_KEYS``), read from what the link holds."""
    return {k: v for k, v in props.items() if k in _LINK_KEY_SET}


_LINK_KEY_SET: Final = frozenset(LINK_KEYS)


def edge_out(edge: EdgeData) -> EdgeOut:
    return EdgeOut.model_validate({"source": edge.source, "target": edge.target, "type": edge.type, **link_props(edge)})


EdgeKey = tuple[str, str, str]
"""A link's source, type and target (``EdgeData.key``): its identity, and the order of links in answers."""


def edge_sort_key(edge: EdgeData) -> EdgeKey:
    return edge.key


def graph_out(nodes: Iterable[NodeData], edges: Iterable[EdgeData]) -> GraphOut:
    return graph_of(map(node_row, nodes), {e.key: link_row(e.source, e.type, e.target, e.props) for e in edges})


def node_row(node: NodeData) -> tuple[NodeSortKey, dict[str, object]]:
    """A node as ``graph_of`` takes it: its ``node_sort_key`` and its ``NodeRef`` fields."""
    row = {"id": node.id, "label": node.label, "name": node.name, "confidence": node.props.get("confidence")}
    return node_sort_key(node), row


def link_row(source: str, rel_type: str, target: str, props: Mapping[str, object]) -> dict[str, object]:
    """A link as ``graph_of`` takes it: its ``EdgeOut`` fields."""
    return {"source": source, "target": target, "type": rel_type, **_link_fields(props)}


def graph_of(nodes: Iterable[tuple[NodeSortKey, dict[str, object]]], edges: Mapping[EdgeKey, object]) -> GraphOut:
    """A graph from its nodes (each with its ``node_sort_key``) and links (by key), as ``NodeRef`` and ``EdgeOut``
    fields: in their orders, validated in one call over plain dicts (the same checks as a model per node and per
    link, without a Python-level call for each: a trace down of 2,400 objects spent 9 ms in them)."""
    return GraphOut.model_validate(
        {
            "nodes": [row for _, row in sorted(nodes, key=_first)],
            "edges": [edges[key] for key in sorted(edges)],
        }
    )


def _first(pair: tuple[NodeSortKey, object]) -> NodeSortKey:
    return pair[0]


Reached = Mapping[str, tuple[int, NodeSortKey]]
"""The nodes a trace reaches, the start left out: each with its hops (the fewest moves that reach it) and its
``node_sort_key``."""


def check_outline(listed: int, near: int) -> None:
    if listed < 0 or near < 1:
        raise InvalidQuery(f"an outline lists at least 0 nodes a label and shows at least 1, not {listed} and {near}")


def outline_of(reached: Reached, listed: int, near: int) -> tuple[list[tuple[str, int, list[str]]], list[str]]:
    """What ``trace_outline`` shows of what a trace reaches: per label (in label order) its count and its first
    ``listed`` ids in node order; and the ``near`` ids reached in the fewest hops, then in node order."""
    by_label: dict[str, list[tuple[NodeSortKey, str]]] = defaultdict(list)
    for node_id, (_, key) in reached.items():
        by_label[key[0]].append((key, node_id))  # a sort key starts with the label
    levels = [
        (label, len(found), [node_id for _, node_id in heapq.nsmallest(listed, found)])
        for label, found in sorted(by_label.items())
    ]
    nearest = heapq.nsmallest(near, ((hops, key, node_id) for node_id, (hops, key) in reached.items()))
    return levels, [node_id for _, _, node_id in nearest]


def outline(
    reached: Reached, levels: list[tuple[str, int, list[str]]], refs: Mapping[str, NodeRef], graph: GraphOut, near: int
) -> TraceOutline:
    """The outline from what ``outline_of`` chose, the nodes it names and the graph of the nearest (cut when the
    trace reaches more than ``near`` nodes, the start counted)."""
    graph.truncated = len(reached) + 1 > near
    return TraceOutline(
        total=len(reached),
        levels=[TraceLevel(label=label, count=count, first=[refs[i] for i in ids]) for label, count, ids in levels],
        graph=graph,
    )


def cut(out: GraphOut, max_nodes: int, hint: str) -> GraphOut:
    out.truncated = True
    out.note = f"View cut at {max_nodes} nodes; narrow it with {hint}."
    return out


def found(node: NodeData | None, node_id: str) -> NodeData:
    if node is None:
        raise NotFound(f"no node with id '{node_id}'")
    return node


def check_types(types: list[str] | None) -> list[str]:
    """The relationship types a traversal follows: the trace types by default; unknown names refused."""
    if types is None:
        return list(TRACE_TYPES)
    unknown = [t for t in types if t not in RelType.__members__]
    if unknown:
        raise InvalidQuery(f"unknown relationship type(s) {', '.join(unknown)}; known: {', '.join(RelType)}")
    return sorted(set(types))


def check_labels(labels: Collection[str] | None) -> None:
    if labels is not None:
        unknown = [lb for lb in labels if lb not in LABEL_ORDER]
        if unknown:
            raise InvalidQuery(f"unknown label(s) {', '.join(unknown)}; known: {', '.join(LABEL_ORDER)}")


def check_label(label: str | None) -> None:
    if label is not None and label not in LABEL_ORDER:
        raise InvalidQuery(f"unknown label '{label}'; known: {', '.join(LABEL_ORDER)}")


def source_line(name: str, props: Mapping[str, object], where: str | None = None) -> str:
    """A source as a reader weighs it: "Source: title — where — read on DAY (kind; address)", and "to review"
    when the last source check found its page changed or gone."""
    line = f"Source: {name}"
    if where:
        line += f" — {where}"
    if props.get("read_on"):
        line += f" — read on {props['read_on']}"
    about = [str(props[key]) for key in ("kind", "url") if props.get(key)]
    if about:
        line += f" ({'; '.join(about)})"
    if props.get("check_status") in CHECK_TO_REVIEW:
        line += f" — to review: its page was found {props['check_status']} on {props.get('checked_on')}"
    return line


def node_out(node: NodeData, edges: Iterable[EdgeData], sources: dict[str, NodeData]) -> NodeOut:
    """A node with its properties, its cited sources and its links counted by type and direction."""
    counts: Counter[tuple[str, Direction]] = Counter()
    for edge in {e.key: e for e in edges}.values():
        if edge.source == node.id:
            counts[(edge.type, "out")] += 1
        if edge.target == node.id:
            counts[(edge.type, "in")] += 1
    out = []
    where = dict(str(loc).split(": ", 1) for loc in node.props.get("locators", []) if ": " in str(loc))
    for s in node.props.get("sources", []):
        source = sources.get(s)
        props = source.props if source else {}
        out.append(
            SourceOut(
                id=s,
                name=source.name if source else s,
                url=props.get("url"),
                citation=props.get("citation"),
                confidence=props.get("confidence"),
                kind=props.get("kind"),
                where=where.get(s),
                read_on=props.get("read_on"),
                checked_on=props.get("checked_on"),
                check_status=props.get("check_status"),
                to_review=props.get("check_status") in CHECK_TO_REVIEW,
                line=source_line(source.name if source else s, props, where.get(s)),
            )
        )
    return NodeOut.model_validate(
        {
            **ref(node).model_dump(),
            "properties": dict(sorted(node.props.items())),
            "sources": out,
            "link_counts": [LinkCount(type=t, direction=d, count=c) for (t, d), c in sorted(counts.items())],
        }
    )


def links_out(node_id: str, edges: Iterable[EdgeData], others: dict[str, NodeData]) -> list[LinkOut]:
    """The links of a node, each seen from it, ordered by direction, type, label and id."""
    out: list[LinkOut] = []
    for edge in {e.key: e for e in edges}.values():
        for direction, here, there in (("out", edge.source, edge.target), ("in", edge.target, edge.source)):
            if here == node_id and there in others:
                link = {"type": edge.type, "direction": direction, "node": ref(others[there]), **link_props(edge)}
                out.append(LinkOut.model_validate(link))
    out.sort(key=lambda link: (link.direction, link.type, LABEL_ORDER.get(link.node.label, 99), link.node.id))
    return out


def page(nodes: list[NodeData], total: int, limit: int, offset: int) -> NodePage:
    return NodePage(items=[ref(n) for n in nodes], total=total, limit=limit, offset=offset)


def stats_of(nodes: Iterable[tuple[str, object, int]], edges: Iterable[tuple[str, object, int]]) -> GraphStats:
    """Counts per label, type and confidence from (label or type, confidence, count) rows."""
    labels: Counter[str] = Counter()
    types: Counter[str] = Counter()
    node_levels: Counter[str] = Counter()
    link_levels: Counter[str] = Counter()
    for label, confidence, count in nodes:
        labels[label] += count
        node_levels[str(confidence)] += count
    for rel_type, confidence, count in edges:
        types[rel_type] += count
        link_levels[str(confidence)] += count
    return stats_from_counts(labels, types, node_levels, link_levels)


def whole_graph_cut(nodes: list[NodeData], max_nodes: int) -> tuple[list[NodeData], bool]:
    """The first ``max_nodes`` nodes (in node order) and whether any were left out."""
    return nodes[:max_nodes], len(nodes) > max_nodes


GroupKey = tuple[str, Direction]
"""A group of a node's links: its type and direction."""


def ways(own_label: str, kinds: Iterable[tuple[str, str, bool]]) -> list[Way]:
    """The traces of depth 1 that find something from a node of ``own_label`` whose links are ``kinds`` (each
    link's type, the label at its other end, and whether that end is the node itself): a trace moves up to a
    lower rank, down to a higher one, and either way along SUCCEEDS between equals, over the trace types, as
    the stores' traces do."""
    own = RANK.get(own_label, 99)
    found: set[Way] = set()
    for rel_type, label, itself in kinds:
        if itself or rel_type not in TRACE_TYPES:
            continue
        other = RANK.get(label, 99)
        if other < own:
            found.add("up")
        elif other > own:
            found.add("down")
        elif rel_type == RelType.SUCCEEDS:
            found |= {"up", "down"}
    return [way for way in ("up", "down") if way in found]


def far_labels(own_label: str, rel_type: str, direction: Direction) -> list[str]:
    """The labels the schema allows at the other end of a ``rel_type`` link seen from a node of ``own_label`` at
    its ``direction`` end, in label order (none for a label or type the schema does not know)."""
    found = (
        {str(t) for s, r, t in PATTERNS if s == own_label and r == rel_type}
        if direction == "out"
        else {str(s) for s, r, t in PATTERNS if t == own_label and r == rel_type}
    )
    return sorted(found, key=lambda label: LABEL_ORDER.get(label, 99))


Member = tuple[int, str, EdgeData]
"""A link in its group: the label's place of the node at the other end, that node's id, the link."""


@dataclass(frozen=True, slots=True)
class Members:
    """Every relationship touching a node, by group (type and direction), with the kinds of nodes at the other
    ends (which traces find something) and the links that carry a review date."""

    groups: dict[GroupKey, list[Member]]
    kinds: set[tuple[str, str, bool]]
    reviewed: list[LinkOut]


def members_of(node: NodeData, edges: Iterable[EdgeData], nodes: dict[str, NodeData]) -> Members:
    """A node's links by group, walked once in plain tuples (a hub has tens of thousands)."""
    groups: dict[GroupKey, list[Member]] = defaultdict(list)
    kinds: set[tuple[str, str, bool]] = set()
    reviewed: list[LinkOut] = []
    here = node.id
    for edge in {e.key: e for e in edges}.values():
        ends: tuple[tuple[Direction, str, str], ...] = (
            ("out", edge.source, edge.target),
            ("in", edge.target, edge.source),
        )
        for direction, end, there in ends:
            other = nodes.get(there) if end == here else None
            if other is None:
                continue
            groups[(edge.type, direction)].append((LABEL_ORDER.get(other.label, 99), there, edge))
            kinds.add((edge.type, other.label, there == here))
            if edge.props.get("reviewed") is not None:
                reviewed.append(link_of(direction, edge, other))
    return Members(groups, kinds, reviewed)


def link_groups(
    node: NodeData,
    edges: Iterable[EdgeData],
    nodes: dict[str, NodeData],
    limit: int,
    offset: int = 0,
    only: GroupKey | None = None,
) -> LinkGroups:
    """``LinkGroups`` from every relationship touching ``node`` and the nodes they name (a store's index): each
    group counted, and only its page (``limit`` from ``offset``, in ``links_out`` order; only the group ``only``
    when given) and the reviewed links made into ``LinkOut``s."""
    found = members_of(node, edges, nodes)
    # (label's place, id) is unique within a group: the edges themselves are never compared.
    pages = {
        key: [
            link_of(key[1], edge, nodes[there]) for _, there, edge in heapq.nsmallest(offset + limit, entries)[offset:]
        ]
        for key, entries in found.groups.items()
        if only is None or key == only
    }
    return grouped_out(node, nodes, found.groups, found.kinds, found.reviewed, pages, offset)


def grouped_out(
    node: NodeData,
    nodes: dict[str, NodeData],
    groups: Mapping[GroupKey, Sized],
    kinds: Iterable[tuple[str, str, bool]],
    reviewed: Iterable[LinkOut],
    pages: Mapping[GroupKey, list[LinkOut]],
    offset: int,
) -> LinkGroups:
    """``LinkGroups`` from a node's links by group (each group's members; only their number is read), the kinds of
    nodes they reach, its reviewed links and the pages shaped: a store's index entry or a hub's kept order."""
    totals = {key: len(entries) for key, entries in groups.items()}
    return groups_out(node_out(node, (), nodes), totals, pages, reviewed, ways(node.label, kinds), offset)


def groups_out(
    node: NodeOut,
    totals: Mapping[GroupKey, int],
    pages: Mapping[GroupKey, list[LinkOut]],
    reviewed: Iterable[LinkOut],
    traces: list[Way],
    offset: int,
) -> LinkGroups:
    """The one shape of ``LinkGroups``: the node's link counts are the groups' totals; groups (those with a
    page) and reviewed links in ``links_out`` order."""
    counts = [LinkCount(type=t, direction=d, count=c) for (t, d), c in sorted(totals.items())]
    groups = [
        LinkGroup(type=t, direction=d, total=totals[(t, d)], offset=offset, links=pages[(t, d)])
        for t, d in sorted(pages, key=lambda key: (key[1], key[0]))
    ]
    return LinkGroups(
        node=node.model_copy(update={"link_counts": counts}),
        groups=groups,
        reviewed=sorted(reviewed, key=_link_order),
        traces=traces,
    )


def groups_of_links(
    node: NodeOut, links: Iterable[LinkOut], limit: int, offset: int = 0, only: GroupKey | None = None
) -> LinkGroups:
    """``LinkGroups`` from a node's links read whole (as of a day, the stores keep those that may have existed
    then), in the same shape as ``link_groups``."""
    members: dict[GroupKey, list[LinkOut]] = defaultdict(list)
    for link in links:
        members[(link.type, link.direction)].append(link)
    pages = {
        key: sorted(found, key=_link_order)[offset : offset + limit]
        for key, found in members.items()
        if only is None or key == only
    }
    kinds = ((link.type, link.node.label, link.node.id == node.id) for found in members.values() for link in found)
    reviewed = [link for found in members.values() for link in found if link.reviewed is not None]
    totals = {key: len(found) for key, found in members.items()}
    return groups_out(node, totals, pages, reviewed, ways(node.label, kinds), offset)


def link_of(direction: Direction, edge: EdgeData, other: NodeData) -> LinkOut:
    """One relationship seen from the node at its ``direction`` end, ``other`` at the far end."""
    return LinkOut.model_validate({"type": edge.type, "direction": direction, "node": ref(other), **link_props(edge)})


def _link_order(link: LinkOut) -> tuple[str, str, int, str]:
    """The order of ``links_out``: direction, type, the other end's label, its id."""
    return (link.direction, link.type, LABEL_ORDER.get(link.node.label, 99), link.node.id)
