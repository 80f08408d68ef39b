"""The store port: the domain questions every backend answers, with the same result types."""

from __future__ import annotations

from collections.abc import Collection
from typing import Literal, Protocol

from bpkg.app.store.graph_types import (
    DatasetOut,
    Direction,
    GraphOut,
    LinkGroups,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    TraceOutline,
    Way,
)
from bpkg.app.store.headline import HeadlineQuery, HeadlineRead
from bpkg.app.store.question_types import ActionPointDetail, ActionPointFacts, PathOut, SearchHit
from bpkg.graph_schema.asof import AsOf
from bpkg.loaders.stats import GraphStats

TraceDirection = Literal["up", "down", "both"]


class GraphStore(Protocol):
    """Read-only questions about the traceability graph (memory and Neo4j adapters implement it)."""

    backend: str

    def ping(self) -> None:
        """Raise ``BackendUnavailable`` when the backend cannot answer."""

    def dataset_info(self) -> DatasetOut | None:
        """The dataset loaded last; its ``fingerprint`` changes whenever the graph does (None while loading)."""
        ...

    def datasets(self) -> list[DatasetOut]:
        """Every dataset loaded, by name, with its version and when it was loaded."""
        ...

    def stats(self) -> GraphStats: ...

    def node(self, node_id: str) -> NodeOut: ...

    def node_data(self, node_id: str) -> NodeData: ...

    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        """The nodes among ``ids`` that exist, with every property (exports need them all at once)."""
        ...

    def links(self, node_id: str, as_of: AsOf | None = None) -> list[LinkOut]:
        """The links of a node; with ``as_of``, those that may have existed on that day, to nodes that may have."""
        ...

    def node_with_links(self, node_id: str) -> tuple[NodeOut, list[LinkOut]]:
        """``node`` and today's ``links`` of it from one read (a node's page needs both)."""
        ...

    def link_groups(
        self, node_id: str, limit: int, offset: int = 0, only: tuple[str, Direction] | None = None
    ) -> LinkGroups:
        """``node`` and today's links of it by group (type and direction) without reading them all: each group's
        total and its ``limit`` links from ``offset`` in ``links`` order (only the group ``only`` when given),
        every link that carries a review date, and the traces of depth 1 that find something; on Neo4j one read
        anchored on the node."""
        ...

    def nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> NodePage: ...

    def action_point_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        """Every action point's facts; with ``as_of``, the action points and links that may have existed then
        (``bpkg.graph_schema.asof``). Computed on every call: the services keep answers per dataset version."""
        ...

    def action_point(
        self, action_point_id: str, include_goal_level: bool, as_of: AsOf | None = None
    ) -> ActionPointDetail:
        """The headline's material: an action point, its goal and every response to it (and to its goal), each
        summarised whole (``Response``); on Neo4j one query."""
        ...

    def headline_page(self, number: int, query: HeadlineQuery) -> HeadlineRead:
        """A page of the headline answer of action point ``number`` (``ap-N``, else the action point numbered N)
        read from what was derived for the current dataset version (``bpkg.app.store.headline``): on Neo4j one
        query that reads the dataset too; no page when nothing was derived for it (the caller computes it)."""
        ...

    def kept_answer(self, version: str, key: str) -> str | None:
        """An answer kept as JSON for dataset version ``version`` under ``key`` when the version was loaded
        (``bpkg.app.store.neo4j.keep``: coverage and gaps on Neo4j), or None (memory keeps none: it derives them
        when it starts)."""
        ...

    def trace(
        self,
        node_id: str,
        direction: TraceDirection,
        depth: int,
        types: list[str] | None,
        as_of: AsOf | None = None,
    ) -> GraphOut:
        """Up or down by rank, and sideways along SUCCEEDS; with ``as_of``, only through nodes and links that may
        have existed on that day."""
        ...

    def trace_outline(self, node_id: str, direction: Way, depth: int, listed: int, near: int) -> TraceOutline:
        """The default trace up or down (today, ``TRACE_TYPES``) in outline: the nodes it reaches counted per label
        with each label's first ``listed`` in node order, and the graph of its ``near`` nodes nearest the start
        (by hops, then node order; the start among them) with its links among them. The graph is ``trace``'s
        answer when the trace reaches at most ``near`` nodes, the start counted."""
        ...

    def paths(
        self, source: str, target: str, max_hops: int, limit: int, as_of: AsOf | None = None
    ) -> list[PathOut]: ...

    def ways(
        self, source: str, target: str, max_hops: int, limit: int, offset: int = 0, as_of: AsOf | None = None
    ) -> list[PathOut]:
        """Every simple path of at most ``max_hops`` steps (``traversal``: shortest first, then by id sequence),
        from the ``offset``-th, at most ``limit``; as of a day, through what may all have existed then."""
        ...

    def neighbourhood(self, focus: str, depth: int, labels: list[str] | None, max_nodes: int) -> GraphOut: ...

    def search(self, q: str, limit: int) -> list[SearchHit]: ...

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut: ...
