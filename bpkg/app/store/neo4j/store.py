"""The Neo4j backend: each question answered by anchored Cypher reads (``queries``), shaped by the shared rules.

Every read is a managed, READ-routed transaction on an explicit database with a server-side timeout. A
question starts from the node asked about: the headline question is one query for the material of every
response (the services keep the answer per dataset version), paths two after the two ends are checked, a
trace one per way (each relationship type followed in its schema direction), a neighbourhood one per
breadth-first layer; counts are aggregated in the database; the services keep coverage facts per dataset
version. A query stopped at the timeout is ``QueryTimedOut`` (504), not an outage. Results come back as the
same ``NodeData``/``EdgeData`` as in memory and go through the same rules (``bpkg.app.store.response_builder``,
``traversal``, ``search``, ``base``), so both backends give the same answers (the contract suite checks it).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable, Collection, Iterable, Mapping
from typing import Any, Final, LiteralString

import neo4j

from bpkg.app.errors import BackendUnavailable, InvalidQuery, QueryTimedOut
from bpkg.app.search_words import index_term
from bpkg.app.store import base, headline, response_builder, search, traversal
from bpkg.app.store.alive import gone_note
from bpkg.app.store.graph_types import (
    DatasetOut,
    EdgeData,
    GraphOut,
    LinkCount,
    LinkGroups,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    TraceOutline,
    Way,
    node_made,
)
from bpkg.app.store.neo4j import parts, twosided
from bpkg.app.store.neo4j import queries as cypher
from bpkg.app.store.neo4j.warmup import Read, Stop, Warmer
from bpkg.app.store.port import TraceDirection
from bpkg.app.store.question_types import ActionPointDetail, ActionPointFacts, PathOut, SearchHit
from bpkg.app.store.response_builder import EdgeIndex
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, may_exist
from bpkg.graph_schema.patterns import PATTERNS
from bpkg.loaders.neo4j_sink import HIDDEN
from bpkg.loaders.stats import GraphStats

_LABELS: Final = frozenset(label.value for label in Label)
_TYPES: Final = frozenset(t.value for t in RelType)
_RANKS: Final = {str(label): rank for label, rank in base.RANK.items()}
FACT_TYPES: Final = sorted({response_builder.RESPONDS_TO, response_builder.UNDER, *response_builder.CONTEXT_TYPES})
"""The types of the links every action point's facts are built from (``facts_of``)."""
_FACTS_TIMEOUT_FACTOR: Final = 10
_ID_PAGE: Final = 20_000
HUB_LINKS: Final = 100
"""A node with more links than this is a hub to ``link_groups``: its groups are counted from the degree store and
only the pages asked for are read (``NODE_LINK_GROUPS``); up to it one pass over its links reads less (PROFILE: the
hub's way read 1.14-1.22x the db hits of the one pass for 9-49 links, 0.98x for 88, 0.65x for 7,015;
docs/performance.md, "Issue 17: the node page of a hub")."""


def _props(row: Any) -> dict[str, Any]:
    # The sink's per-row hash and owners, and the as-of bounds it writes beside ``when``: no facts. A null is a
    # property the node or link does not have (Neo4j stores none): a projection (``n {.name}``) returns it so.
    return {k: v for k, v in row["props"].items() if k not in HIDDEN and v is not None}


def _dataset(row: Any) -> DatasetOut:
    return DatasetOut(
        name=row["name"],
        version=row["version"] or "",
        description=row["description"] or "",
        illustrative=row["illustrative"] or "",
        loaded_at=row["loaded_at"],
        fingerprint=row["fingerprint"],
        loading=row["loading"],
        serving=row.get("serving"),
    )


def facts_of(
    action_points: Iterable[NodeData],
    edges: list[EdgeData],
    named: Callable[[list[str]], dict[str, NodeData]],
    as_of: AsOf | None = None,
) -> list[ActionPointFacts]:
    """Every action point's facts from every link of ``FACT_TYPES`` and ``named``, which finds the nodes of the
    ids it is given (the links' ends, the countries they name, the action points) that exist."""
    action_points = sorted(action_points, key=base.node_sort_key)
    countries = {c for e in edges for c in e.props.get("countries", [])}
    ids = sorted({e.source for e in edges} | {e.target for e in edges} | countries | {a.id for a in action_points})
    return response_builder.facts(action_points, EdgeIndex.of(edges, named(ids)), as_of)


def _node(row: Any) -> NodeData:
    return _made(row["id"], row["label"], _props(row))


def _made(node_id: Any, label: Any, props: dict[str, Any]) -> NodeData:
    if type(node_id) is str and type(label) is str:
        # A node as the sink wrote it, built without validating its properties again (a copy of each, about
        # 10 us a node: 12 ms of a trace down of 1,100 nodes at 1M relationships).
        return node_made(node_id, label, props)
    return NodeData(id=node_id, label=label, props=props)  # anything else is refused as a model refuses it


def _present(row: dict[str, Any]) -> dict[str, Any]:
    """The fields a row has: its nulls (a property the node or link does not have) left out."""
    return {k: v for k, v in row.items() if v is not None}


def _candidate(row: list[Any]) -> NodeData:
    """A full-text candidate from its row of ``TEXT_CANDIDATES``: its id, label and ``TEXT_PROPS`` (none null)."""
    return _made(row[0], row[1], _present(dict(zip(cypher.TEXT_PROPS, row[2:], strict=True))))


def _edge(row: Any) -> EdgeData:
    return EdgeData(source=row["source"], target=row["target"], type=row["type"], props=_props(row))


class Neo4jStore:
    """Reads the graph that ``bpkg.loaders.neo4j_sink.write_batch`` wrote; never writes."""

    backend = "neo4j"

    def __init__(
        self,
        driver: neo4j.Driver,
        database: str,
        timeout: float = 10.0,
        probe_interval: float = 0.5,
        *,
        warm: bool = False,
    ) -> None:
        """With ``warm`` (the API's store), the server is warmed in the background now and each time the
        outage breaker closes (``bpkg.app.store.neo4j.warmup``): its reads are planned before the first questions."""
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.hub_links = HUB_LINKS
        self.warmer = Warmer(self._warm_up_reads)
        self.outage = Outage(self._probe, probe_interval, on_close=self._reconnected if warm else None)
        if warm:
            self.warmer.start("connected")

    def close(self) -> None:
        """Stop the outage probe and the warm-up and close the driver (the application's shutdown)."""
        self.outage.close()
        self.warmer.close()
        self.driver.close()

    # -- warming a cold server --------------------------------------------------------------------
    def _reconnected(self) -> None:
        self.warmer.start("reconnected")

    def _warm_up_reads(self) -> list[Read]:
        """Each read of this store once, with the parameter types its questions pass (Neo4j caches a plan per
        query string and parameter types) and values that match next to nothing (an id no node has). The
        reads of the commonest questions first; today's answers (``$as_of`` null) only."""
        none = "~warm-up~"  # no id, label or type of a dataset (ids are kebab-case, labels and types words)
        trace: dict[str, Any] = {
            "id": none,
            "depth": 1,
            "types": sorted(_TYPES),
            "rank": _RANKS,
            "sideways": RelType.SUCCEEDS.value,
            "as_of": None,
        }
        return [
            Read("PING", lambda: self._warm(cypher.PING, {})),
            Read("DATASET", lambda: self._warm(cypher.DATASET, {})),
            Read("NODES_BY_ID", lambda: self._warm(cypher.NODES_BY_ID, {"ids": [none]})),
            Read(
                "HEADLINE_BY_RANK",
                lambda: self._warm(
                    cypher.HEADLINE_BY_RANK,
                    {
                        "number": -1,
                        "id": none,
                        "goal_level": False,
                        "offset": 0,
                        "end": 50,
                        "layout": headline.LAYOUT,
                    },
                ),
            ),
            Read(
                "RESPONSE_MATERIAL",
                lambda: self._warm(cypher.RESPONSE_MATERIAL, {"id": none, "goal_level": True, "as_of": None}),
            ),
            Read(
                "NODE_LINK_GROUPS",
                lambda: self._warm(
                    cypher.NODE_LINK_GROUPS,
                    {
                        "id": none,
                        "limit": 50,
                        "offset": 0,
                        "type": None,
                        "direction": None,
                        "order": base.LABEL_ORDER,
                        "most": self.hub_links,
                        "end": 50,
                    },
                ),
            ),
            Read("NODE_LINKS", lambda: self._warm(cypher.NODE_LINKS, {"id": none, "as_of": None})),
            Read("NODE_COUNTED", lambda: self._warm(cypher.NODE_COUNTED, {"id": none})),
            Read("TRACE_UP", lambda: self._warm(cypher.TRACE_UP, {**trace, "sign": -1})),
            Read("TRACE_DOWN", lambda: self._warm(cypher.TRACE_DOWN, {**trace, "sign": 1})),
            Read(
                "PATHS", lambda: self._warm(cypher.PATHS, {"source": none, "target": none, "max_hops": 1, "limit": 1})
            ),
            Read("JOINS", lambda: self._warm(cypher.JOINS, {"pairs": [[none, none]], "as_of": None})),
            Read(
                "PATH_ENDS",
                lambda: self._warm(cypher.PATH_ENDS, {"source": none, "target": none, "as_of": None, "budget": 1}),
            ),
            Read("PATH_LAYER", lambda: self._warm(cypher.PATH_LAYER, {"ids": [none], "meet": [none], "as_of": None})),
            Read(
                "PATH_DETAILS",
                lambda: self._warm(cypher.PATH_DETAILS, {"ids": [none], "pairs": [[none, none]], "as_of": None}),
            ),
            Read("NODE_COUNTS", lambda: self._warm(cypher.NODE_COUNTS, {})),
            Read("EDGE_COUNTS", lambda: self._warm(cypher.EDGE_COUNTS, {})),
            Read(
                "PAGE_NODE_REFS",
                lambda: self._warm(cypher.PAGE_NODE_REFS, {"label": none, "q": None, "limit": 1, "offset": 0}),
            ),
            Read("TEXT_CANDIDATES", lambda: self._warm(cypher.TEXT_CANDIDATES, {"query": "warmup"})),
            Read("NODES_BY_LABEL", lambda: self._warm(cypher.NODES_BY_LABEL, {"labels": [none]})),
            Read("EDGES_OF_TYPES", lambda: self._warm(cypher.EDGES_OF_TYPES, {"types": [none], "as_of": None})),
            Read(
                "NEIGHBOURS_FIRST",
                lambda: self._warm(cypher.NEIGHBOURS_FIRST, {"ids": [none], "seen": [none], "labels": None, "room": 1}),
            ),
            Read("EDGES_AMONG", lambda: self._warm(cypher.EDGES_AMONG, {"ids": [none]})),
            Read("TOUCH (real nodes: links, trace down and up)", self._touch),
        ]

    def _touch(self) -> None:
        """The commonest walks once on real nodes: an action point's groups of links and its trace down, then an
        activity of it traced up. Plans alone left the first real trace at 5 s and the first node page at 9-11 s
        after a restart on a busy 2-core machine (``benchmarks/soak.py``): a fresh server's first executions also
        meet a cold page cache and code the JVM has not compiled yet. Through the store's own reads, so what a
        question would read is what gets read."""
        first = self.nodes(Label.ACTION_POINT.value, None, 1, 0).items
        if not first:
            return
        action_point = first[0].id
        self.link_groups(action_point, 50)
        down = self.trace(action_point, "down", traversal.MAX_TRACE_DEPTH, None)
        leaf = next((n.id for n in down.nodes if n.label == Label.ACTIVITY.value), None)
        if leaf is not None:
            self.trace(leaf, "up", traversal.MAX_TRACE_DEPTH, None)
            self.link_groups(leaf, 50)

    def _warm(self, query: LiteralString, params: dict[str, Any]) -> None:
        # Straight to the driver, not through the breaker (``_read``): the warm-up runs as the breaker closes.
        # A longer timeout than a question's: nobody waits on it, and planning counts against it (the headline
        # query's first plan passed 10 s on a machine at load 20).
        try:
            self.driver.execute_query(
                neo4j.Query(query, timeout=self.timeout * _FACTS_TIMEOUT_FACTOR),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            if is_outage(exc):
                # Gone again: the breaker opens, and its probe warms once more when Neo4j is back.
                self.outage.trip(str(unavailable(exc, self.database, self.timeout)))
                raise Stop(str(exc)) from exc
            raise

    # -- plumbing ----------------------------------------------------------------------------------
    def _probe(self) -> None:
        # An auto-commit query: never retried, so a probe costs one connection attempt.
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.run(neo4j.Query(cypher.PING, timeout=self.timeout)).consume()

    def _read(self, query: LiteralString, /, *, timeout_: float | None = None, **params: Any) -> list[neo4j.Record]:
        self.outage.check()
        try:
            records, _, _ = self.driver.execute_query(
                neo4j.Query(query, timeout=timeout_ or self.timeout),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            mapped = unavailable(exc, self.database, timeout_ or self.timeout)
            if mapped is exc:
                raise
            if is_outage(exc):
                self.outage.trip(str(mapped))
            raise mapped from exc
        return records

    def _nodes(self, query: LiteralString, /, **params: Any) -> list[NodeData]:
        return [_node(r) for r in self._read(query, **params)]

    def _edges(self, query: LiteralString, /, **params: Any) -> list[EdgeData]:
        return [_edge(r) for r in self._read(query, **params)]

    # -- the dataset ------------------------------------------------------------------------------
    def ping(self) -> None:
        self._read(cypher.PING)

    def dataset_info(self) -> DatasetOut | None:
        records = self._read(cypher.DATASET)
        return _dataset(records[0]) if records else None

    def datasets(self) -> list[DatasetOut]:
        return [_dataset(r) for r in self._read(cypher.DATASETS)]

    def stats(self) -> GraphStats:
        nodes = ((r["label"], r["confidence"], r["count"]) for r in self._read(cypher.NODE_COUNTS))
        edges = ((r["type"], r["confidence"], r["count"]) for r in self._read(cypher.EDGE_COUNTS))
        return base.stats_of(nodes, edges)

    # -- nodes and links --------------------------------------------------------------------------
    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        return {n.id: n for n in self._nodes(cypher.NODES_BY_ID, ids=wanted)}

    def node_data(self, node_id: str) -> NodeData:
        return base.found(self.nodes_by_id([node_id]).get(node_id), node_id)

    def _node_links(
        self, node_id: str, as_of: AsOf | None = None
    ) -> tuple[NodeData, list[EdgeData], dict[str, NodeData]]:
        records = self._read(cypher.NODE_LINKS, id=node_id, as_of=_day(as_of))
        if not records:
            base.found(None, node_id)
        nodes = [_node(n) for n in records[0]["nodes"]]
        return nodes[0], [_edge(e) for e in records[0]["edges"]], {n.id: n for n in nodes}

    def node(self, node_id: str) -> NodeOut:
        # Its links counted in the database (a hub's from the degree store), not read: a hub has tens of thousands.
        records = self._read(cypher.NODE_COUNTED, id=node_id)
        if not records:
            base.found(None, node_id)
        nodes = [_node(n) for n in records[0]["nodes"]]
        out = base.node_out(nodes[0], (), {n.id: n for n in nodes})
        counts = sorted((c["type"], c["direction"], int(c["count"])) for c in records[0]["counts"])
        out.link_counts = [LinkCount(type=t, direction=d, count=c) for t, d, c in counts]
        return out

    def node_with_links(self, node_id: str) -> tuple[NodeOut, list[LinkOut]]:
        node, edges, others = self._node_links(node_id)
        return base.node_out(node, edges, others), base.links_out(node_id, edges, others)

    def link_groups(self, node_id: str, limit: int, offset: int = 0, only: base.GroupKey | None = None) -> LinkGroups:
        records = self._read(
            cypher.NODE_LINK_GROUPS,
            id=node_id,
            limit=int(limit),
            offset=int(offset),
            type=only[0] if only else None,
            direction=only[1] if only else None,
            order=base.LABEL_ORDER,
            most=self.hub_links,
            end=int(offset) + int(limit),
        )
        if not records:
            base.found(None, node_id)
        row = records[0]
        nodes = [_node(n) for n in row["nodes"]]
        node = nodes[0]
        if row["hub"]:
            return self._hub_groups(node, {n.id: n for n in nodes}, row, offset)
        totals: dict[base.GroupKey, int] = {}
        pages: dict[base.GroupKey, list[LinkOut]] = {}
        reviewed: list[LinkOut] = []
        kinds: list[tuple[str, str, bool]] = []
        for group in row["groups"]:
            key: base.GroupKey = (group["type"], group["direction"])
            totals[key] = sum(int(kind["total"]) for kind in group["kinds"])
            for kind in group["kinds"]:
                if kind["total"] > kind["itself"]:
                    kinds.append((key[0], kind["label"], False))
                if kind["itself"]:
                    kinds.append((key[0], kind["label"], True))
            if group["page"] is not None:
                pages[key] = [base.link_of(key[1], _edge(x), _node(x["other"])) for x in group["page"]]
            reviewed += [base.link_of(key[1], _edge(x), _node(x["other"])) for x in group["reviewed"]]
        return base.groups_out(
            base.node_out(node, (), {n.id: n for n in nodes}),
            totals,
            pages,
            reviewed,
            base.ways(node.label, kinds),
            offset,
        )

    def _hub_groups(self, node: NodeData, cited: dict[str, NodeData], row: Any, offset: int) -> LinkGroups:
        """``LinkGroups`` of a hub from ``NODE_LINK_GROUPS``' other way: totals from the degree store, the pages
        asked for, the reviewed links; the traces from the labels the schema allows at the other end of each group
        (``base.far_labels``), read per label (``NODE_LINK_KINDS``) only for groups where those labels disagree."""
        totals: dict[base.GroupKey, int] = {}
        pages: dict[base.GroupKey, list[LinkOut]] = {}
        kinds: list[tuple[str, str, bool]] = []
        unsure: list[base.GroupKey] = []
        for group in row["degrees"]:
            key: base.GroupKey = (group["type"], group["direction"])
            totals[key] = int(group["total"])
            if group["page"] is not None:
                pages[key] = [base.link_of(key[1], _edge(x), _node(x["other"])) for x in group["page"]]
            far = base.far_labels(node.label, *key)
            if key[0] == RelType.SUCCEEDS and far == [node.label]:
                # SUCCEEDS is the one pattern whose ends share a label: a link to the node itself finds nothing.
                others = totals[key] - int(row["loops"] or 0)
                kinds += [(key[0], node.label, False)] if others > 0 else []
            elif far and len({tuple(base.ways(node.label, [(key[0], label, False)])) for label in far}) == 1:
                kinds.append((key[0], far[0], False))
            else:
                unsure.append(key)
        if unsure:
            for kind in self._read(cypher.NODE_LINK_KINDS, id=node.id, groups=[list(k) for k in unsure]):
                if kind["total"] > kind["itself"]:
                    kinds.append((kind["type"], kind["label"], False))
        reviewed = [base.link_of(x["direction"], _edge(x), _node(x["other"])) for x in row["reviewed"]]
        return base.groups_out(
            base.node_out(node, (), cited), totals, pages, reviewed, base.ways(node.label, kinds), offset
        )

    def links(self, node_id: str, as_of: AsOf | None = None) -> list[LinkOut]:
        _, edges, others = self._node_links(node_id, as_of)
        return base.links_out(node_id, edges, others)

    def nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> NodePage:
        base.check_label(label)
        text = q.lower().strip() if q else None
        records = self._read(cypher.PAGE_NODE_REFS, label=label, q=text or None, limit=int(limit), offset=int(offset))
        return base.page([_node(row) for row in records[0]["page"]], int(records[0]["total"]), limit, offset)

    # -- responses and coverage -------------------------------------------------------------------
    def action_point(
        self, action_point_id: str, include_goal_level: bool, as_of: AsOf | None = None
    ) -> ActionPointDetail:
        ap, graph = self._response_material(action_point_id, include_goal_level, as_of)
        return response_builder.detail(ap, graph, include_goal_level, as_of)

    def _response_material(
        self, action_point_id: str, goal_level: bool, as_of: AsOf | None
    ) -> tuple[NodeData, EdgeIndex]:
        """The links and nodes the responses of an action point are built from, in one query."""
        records = self._read(cypher.RESPONSE_MATERIAL, id=action_point_id, goal_level=goal_level, as_of=_day(as_of))
        if not records:
            base.found(None, action_point_id)
        nodes = {n.id: n for n in map(_node, records[0]["nodes"])}
        return nodes[action_point_id], EdgeIndex.of(map(_edge, records[0]["edges"]), nodes)

    def kept_answer(self, version: str, key: str) -> str | None:
        records = self._read(cypher.KEPT_ANSWER, version=version, key=key)
        # Compressed, in parts (bpkg.app.store.neo4j.keep); an answer missing a part is not kept.
        return parts.joined([(r["part"], r["parts"], bytes(r["data"])) for r in records])

    def headline_page(self, number: int, query: headline.HeadlineQuery) -> headline.HeadlineRead:
        """One round trip: the dataset, and a page of what the load derived for its version (if it did)."""
        params: dict[str, Any] = {
            "number": number,
            "id": f"ap-{number}",
            "goal_level": query.include_goal_level,
            "offset": query.offset,
            "end": query.end,
            "layout": headline.LAYOUT,
        }
        if query.filtered:
            records = self._read(
                cypher.HEADLINE_FILTERED,
                **params,
                mixed=query.mixed,
                country=query.country,
                component=query.component,
                confidence=list(query.confidence),
                strength=list(query.strength),
            )
        elif query.mixed:
            records = self._read(cypher.HEADLINE_BY_POS, **params, limit=query.end - query.offset)
        else:
            records = self._read(cypher.HEADLINE_BY_RANK, **params)
        if not records:
            return headline.HeadlineRead(None, None, dataset_read=True)
        row = records[0]
        dataset = _dataset(row)
        if row["summary"] is None:
            return headline.HeadlineRead(None, dataset, dataset_read=True)
        summary = headline.Summary.model_validate_json(row["summary"])
        if query.filtered:
            counts = headline.LinkCounts(
                links=row["total"], projects=row["projects"], components=row["components"], activities=row["activities"]
            )
            found = headline.Totals(total=row["total"], counts=counts, illustrative=row["illustrative_link"])
        else:
            found = summary.everything if query.include_goal_level else summary.direct
        page = headline.HeadlinePage(
            summary=summary,
            total=found.total,
            counts=found.counts,
            illustrative=found.illustrative,
            page=headline.read_rows(row["page"], row["under"]),
        )
        return headline.HeadlineRead(page, dataset, dataset_read=True)

    def action_point_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        return self._read_facts(as_of)

    def _read_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        # Every link of the facts' types and the nodes they name: read once per dataset, so these reads may
        # take longer than a question (80k links took 1.9 s at 100k relationships), in pages of node ids.
        longer = self.timeout * _FACTS_TIMEOUT_FACTOR
        aps = self._nodes(cypher.NODES_BY_LABEL, labels=[Label.ACTION_POINT.value])
        edges = [
            _edge(r) for r in self._read(cypher.EDGES_OF_TYPES, timeout_=longer, types=FACT_TYPES, as_of=_day(as_of))
        ]

        def named(ids: list[str]) -> dict[str, NodeData]:
            nodes: dict[str, NodeData] = {}
            for start in range(0, len(ids), _ID_PAGE):
                page = self._read(cypher.NODES_BY_ID, timeout_=longer, ids=ids[start : start + _ID_PAGE])
                nodes |= {n.id: n for n in map(_node, page)}
            return nodes

        return facts_of(aps, edges, named, as_of)

    # -- trace, paths, neighbourhood --------------------------------------------------------------
    def trace(
        self,
        node_id: str,
        direction: TraceDirection,
        depth: int,
        types: list[str] | None,
        as_of: AsOf | None = None,
    ) -> GraphOut:
        try:
            allowed = _known(base.check_types(types), _TYPES)
            traversal.check_depth(depth)
        except InvalidQuery:
            self.node_data(node_id)  # an unknown node is told first, as the other backend does
            raise
        if as_of is not None or not allowed:
            # The start read first: as of a day it may not have existed; with no type to follow it is the answer.
            start = self.node_data(node_id)
            if as_of is not None and not may_exist(start.props, as_of):
                return base.graph_out([start], []).model_copy(update={"note": gone_note(start, as_of)})
            if not allowed:
                return base.graph_out([start], [])
        # The answer's rows straight from the records (``base.graph_of``): no NodeData or EdgeData made between.
        nodes: dict[str, tuple[base.NodeSortKey, dict[str, Any]]] = {}
        edges: dict[base.EdgeKey, dict[str, Any]] = {}
        for way in ("up", "down") if direction == "both" else (direction,):
            # Each way is its own breadth-first walk (one query, which returns the start among its nodes: no read
            # of its own); moving sideways (SUCCEEDS), both may reach a node.
            params: dict[str, Any] = {
                "id": node_id,
                "depth": depth,
                "types": allowed,
                "rank": _RANKS,
                "sideways": RelType.SUCCEEDS.value,
                "as_of": _day(as_of),
            }
            if way == "up":
                records = self._read(cypher.TRACE_UP, sign=-1, **params)
            else:
                records = self._read(cypher.TRACE_DOWN, sign=1, **params)
            if not records:  # no node with that id (the walk starts from a match on it)
                base.found(None, node_id)
            found = records[0]
            for n in found["nodes"]:  # its number, which NodeRef has not, is left out when it is validated
                nodes[n["id"]] = (base.sort_key_of(n["label"] or "", n["number"], n["id"] or ""), n)
            # A link's fields it does not have (nulls) left out: the model's defaults are the same, and pydantic
            # validates an absent field faster than a null (8.7 against 10.1 ms for a trace down of 1,303 links).
            edges |= {(e["source"], e["type"], e["target"]): _present(e) for e in found["edges"]}
        return base.graph_of(nodes.values(), edges)

    def trace_outline(self, node_id: str, direction: Way, depth: int, listed: int, near: int) -> TraceOutline:
        try:
            traversal.check_depth(depth)
            base.check_outline(listed, near)
        except InvalidQuery:
            self.node_data(node_id)  # an unknown node is told first, as the other backend does
            raise
        walk: dict[str, Any] = {"id": node_id, "depth": depth, "types": list(base.TRACE_TYPES), "rank": _RANKS}
        if direction == "up":
            records = self._read(cypher.TRACE_OUTLINE_UP, sign=-1, sideways=RelType.SUCCEEDS.value, **walk)
        else:
            records = self._read(cypher.TRACE_OUTLINE_DOWN, sign=1, sideways=RelType.SUCCEEDS.value, **walk)
        if not records:
            base.found(None, node_id)
        start: str = records[0]["start"]
        rows = records[0]["reached"]  # [hops, label, number, id] for each node reached, the start left out
        reached = {n: (int(h), base.sort_key_of(label or "", number, n)) for h, label, number, n in rows}
        levels, nearest = base.outline_of(reached, listed, near - 1)
        shown = [start, *nearest]
        nodes = self.nodes_by_id([*shown, *(i for _, _, ids in levels for i in ids)])
        hops = {start: 0} | {n: reached[n][0] for n in nearest}
        links = trace_moves(self._edges(cypher.EDGES_AMONG, ids=shown), hops, nodes, depth, direction)
        graph = base.graph_out([nodes[n] for n in shown], links)
        refs = {i: base.ref(nodes[i]) for _, _, ids in levels for i in ids}
        return base.outline(reached, levels, refs, graph, near)

    def paths(self, source: str, target: str, max_hops: int, limit: int, as_of: AsOf | None = None) -> list[PathOut]:
        if source == target or not 1 <= max_hops <= traversal.MAX_PATH_HOPS:
            ends = self.nodes_by_id([source, target])
            start, _ = base.found(ends.get(source), source), base.found(ends.get(target), target)
            traversal.check_hops(max_hops)
            return traversal.same_node_path(start)
        day = _day(as_of)
        tips = self._read(cypher.PATH_ENDS, source=source, target=target, as_of=day, budget=twosided.BUDGET)
        if not tips:  # tell which end is unknown
            known = self.nodes_by_id([source, target])
            base.found(known.get(source), source)
            base.found(known.get(target), target)
        if not tips[0]["alive"]:
            return []
        degrees = (int(tips[0]["source_degree"]), int(tips[0]["target_degree"]))
        second = (tips[0]["source_next"], tips[0]["target_next"])

        def layer(ids: Collection[str], meet: Collection[str]) -> list[tuple[str, str, int]]:
            rows = self._read(cypher.PATH_LAYER, ids=list(ids), meet=list(meet), as_of=day)
            return [(r["near"], far, int(degree)) for r in rows for far, degree in r["reached"]]

        try:
            sequences = twosided.shortest_paths(
                source, target, degrees, max_hops, limit, layer, twosided.BUDGET, second
            )
        except twosided.Costly:
            return self._paths_in_database(source, target, max_hops, limit, as_of)
        if not sequences:
            return []
        pairs = sorted({tuple(sorted(pair)) for seq in sequences for pair in itertools.pairwise(seq)})
        found = self._read(
            cypher.PATH_DETAILS,
            ids=sorted({i for seq in sequences for i in seq}),
            pairs=[list(p) for p in pairs],
            as_of=day,
        )[0]
        nodes = {n.id: n for n in map(_node, found["nodes"])}
        return traversal.paths_out(sequences, nodes, map(_edge, found["joins"]))

    def _paths_in_database(
        self, source: str, target: str, max_hops: int, limit: int, as_of: AsOf | None
    ) -> list[PathOut]:
        """The shortest paths by Neo4j's own search, in one read (paths, their nodes, the links joining them):
        for ends whose cheaper side is too big to send layer by layer."""
        if as_of is None:
            records = self._read(cypher.PATHS, source=source, target=target, max_hops=max_hops, limit=limit)
        else:
            records = self._read(
                cypher.PATHS_AS_OF, source=source, target=target, max_hops=max_hops, limit=limit, as_of=as_of.iso
            )
        sequences = [list(r["ids"]) for r in records]
        nodes = {n.id: n for r in records for n in map(_node, r["nodes"])}
        return traversal.paths_out(sequences, nodes, [_edge(j) for r in records for j in r["joins"]])

    def ways(
        self, source: str, target: str, max_hops: int, limit: int, offset: int = 0, as_of: AsOf | None = None
    ) -> list[PathOut]:
        ends = self.nodes_by_id([source, target])
        start, goal = base.found(ends.get(source), source), base.found(ends.get(target), target)
        traversal.check_ways(max_hops, limit, offset)
        if start.id == goal.id:
            return traversal.same_node_path(start)[offset : offset + limit]
        wanted = offset + limit
        records: list[neo4j.Record] = []
        for length in range(1, max_hops + 1):  # shortest first; a length is asked only while the page is not full
            records += self._ways_of(
                length, source=source, target=target, limit=wanted - len(records), as_of=_day(as_of)
            )
            if len(records) >= wanted:
                break
        records = records[offset:]
        if not records:
            return []
        return self._paths_out(records, as_of)

    def _paths_out(self, records: list[neo4j.Record], as_of: AsOf | None) -> list[PathOut]:
        """Paths from rows of node ids and nodes, with the links joining each step (one more read)."""
        sequences = [list(r["ids"]) for r in records]
        nodes = {n.id: n for r in records for n in map(_node, r["nodes"])}
        pairs = sorted({tuple(sorted(pair)) for seq in sequences for pair in itertools.pairwise(seq)})
        joins = self._edges(cypher.JOINS, pairs=[list(p) for p in pairs], as_of=_day(as_of))
        return traversal.paths_out(sequences, nodes, joins)

    def _ways_of(self, length: int, **params: Any) -> list[neo4j.Record]:
        # Each query named as the constant it is (the Cypher safety test proves every query sent is one).
        if length == 1:
            return self._read(cypher.WAYS_1, **params)
        if length == 2:
            return self._read(cypher.WAYS_2, **params)
        if length == 3:
            return self._read(cypher.WAYS_3, **params)
        if length == 4:
            return self._read(cypher.WAYS_4, **params)
        if length == 5:
            return self._read(cypher.WAYS_5, **params)
        return self._read(cypher.WAYS_6, **params)

    def neighbourhood(self, focus: str, depth: int, labels: list[str] | None, max_nodes: int) -> GraphOut:
        start = self.node_data(focus)
        base.check_labels(labels)
        chosen: dict[str, NodeData] = {start.id: start}
        frontier = [start.id]
        truncated = False
        for _ in range(depth):
            if not frontier:
                break
            room = max_nodes - len(chosen) + 1
            layer = self._nodes(
                cypher.NEIGHBOURS_FIRST, ids=frontier, seen=list(chosen), labels=labels or None, room=room
            )
            frontier = []
            for node in sorted(layer, key=base.node_sort_key):
                if len(chosen) >= max_nodes:
                    truncated = True
                    break
                chosen[node.id] = node
                frontier.append(node.id)
            if truncated:
                break
        out = base.graph_out(chosen.values(), self._edges(cypher.EDGES_AMONG, ids=list(chosen)))
        return base.cut(out, max_nodes, "depth or labels") if truncated else out

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut:
        if labels is None:
            pool = self._nodes(cypher.ALL_NODES)
        else:
            known = _known(labels, _LABELS)
            pool = self._nodes(cypher.NODES_BY_LABEL, labels=known) if known else []
        nodes, truncated = base.whole_graph_cut(sorted(pool, key=base.node_sort_key), max_nodes)
        out = base.graph_out(nodes, self._edges(cypher.EDGES_AMONG, ids=[n.id for n in nodes]))
        return base.cut(out, max_nodes, "labels") if truncated else out

    # -- search -----------------------------------------------------------------------------------
    def search(self, q: str, limit: int) -> list[SearchHit]:
        tokens, phrase = search.tokens_of(q)
        terms = [index_term(t) for t in tokens]
        if all(terms):
            # An infix wildcard, not a prefix one: the index keeps "d'ivoire" or "1.5" as one word where
            # search_words.words() sees "ivoire" or "5", and those must still be found.
            records = self._read(cypher.TEXT_CANDIDATES, query=" OR ".join(f"*{t}*" for t in terms))
            pool = [_candidate(r) for r in records[0]["found"]]
        else:
            pool = self._nodes(cypher.ALL_NODES)  # a word the index cannot look for (index_term): scan
        return search.rank(map(search.Words.of, pool), tokens, phrase, limit)


def unavailable(exc: BaseException, database: str, timeout: float) -> BaseException:
    """The ``BackendUnavailable`` a driver failure means, or ``QueryTimedOut`` for a query the server stopped
    at its timeout; other errors (bugs) are returned unchanged."""
    code = getattr(exc, "code", None) or ""
    if isinstance(exc, neo4j.exceptions.AuthError) or code.startswith("Neo.ClientError.Security.Authentication"):
        return BackendUnavailable("Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)")
    if code.startswith("Neo.ClientError.Security."):
        return BackendUnavailable(f"Neo4j refused the read ({code.rsplit('.', 1)[-1]}): check the user's privileges")
    if "TransactionTimedOut" in code:
        # A slow question, not an outage: its own status (504), and the breaker stays closed (is_outage).
        return QueryTimedOut(
            f"this question took longer than {timeout:g} s (the Neo4j query timeout, BPKG_QUERY_TIMEOUT) "
            "and was stopped; Neo4j itself is up"
        )
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return BackendUnavailable(f"Neo4j has no database '{database}' (check NEO4J_DATABASE)")
    if isinstance(exc, neo4j.exceptions.DriverError | neo4j.exceptions.TransientError | OSError):
        return BackendUnavailable(f"cannot reach Neo4j database '{database}' (is it running? {exc})")
    return exc


def is_outage(exc: BaseException) -> bool:
    """Whether a failure means Neo4j is gone (not that one query failed): then the breaker opens."""
    code = getattr(exc, "code", None) or ""
    return isinstance(
        exc, neo4j.exceptions.ServiceUnavailable | neo4j.exceptions.SessionExpired | OSError
    ) or code.startswith("Neo.TransientError.General.DatabaseUnavailable")


class Outage:
    """A circuit breaker: once Neo4j is known to be down, reads fail at once until a probe gets through.

    Without it every request during an outage paid for its own connection attempts and retries (2.6 s
    median, up to 9.7 s measured). A daemon thread probes every ``interval`` seconds while the breaker
    is open and closes it on the first answer, so requests never wait for a probe; then ``on_close`` (the
    store's warm-up of the restarted server) is called.
    """

    def __init__(self, probe: Callable[[], None], interval: float, on_close: Callable[[], None] | None = None) -> None:
        self._probe = probe
        self._on_close = on_close
        self.interval = interval
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.message: str | None = None
        self.since = 0.0

    def check(self) -> None:
        """Raise ``BackendUnavailable`` at once while the backend is known to be down."""
        message = self.message
        if message is not None:
            down = time.monotonic() - self.since
            raise BackendUnavailable(f"{message} (down for {down:.0f} s; checked every {self.interval:g} s)")

    def trip(self, message: str) -> None:
        with self._lock:
            if self.message is None:
                self.since = time.monotonic()
            self.message = message
            if not self._stopped.is_set() and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._watch, name="neo4j-outage-probe", daemon=True)
                self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self._probe()
            except Exception:  # noqa: S112 (any failure means: still down, probe again)
                continue
            with self._lock:
                self.message = None
                self._thread = None
            if self._on_close is not None:
                self._on_close()  # returns at once (the warm-up runs on its own thread)
            return

    def close(self) -> None:
        self._stopped.set()


def trace_directions(way: TraceDirection, types: Iterable[str]) -> tuple[list[str], list[str], list[str]]:
    """The relationship types of ``types`` a trace ``way`` ("up" or "down") follows from source to target,
    those it follows from target to source, and those it follows either way (sideways: SUCCEEDS), as the
    schema's patterns (``bpkg.graph_schema.PATTERNS``) and the ranks (``base.RANK``) fix them: what
    ``queries.TRACE_UP`` and ``TRACE_DOWN`` spell out."""
    sign = -1 if way == "up" else 1
    wanted = set(types)
    forward: set[str] = set()
    backward: set[str] = set()
    for source, rel, target in PATTERNS:
        if rel.value not in wanted:
            continue
        rise = base.RANK[target] - base.RANK[source]
        if sign * rise > 0:
            forward.add(rel.value)
        elif sign * rise < 0:
            backward.add(rel.value)
    sideways = {RelType.SUCCEEDS.value} & wanted
    return sorted(forward - sideways), sorted(backward - sideways), sorted(sideways)


def trace_moves(
    links: Iterable[EdgeData], hops: Mapping[str, int], nodes: Mapping[str, NodeData], depth: int, way: Way
) -> list[EdgeData]:
    """The links among nodes a trace reaches (each with its hops) that the trace walks, as ``TRACE_UP`` or
    ``TRACE_DOWN`` would: a move of its type's direction (``trace_directions``) from a node reached in fewer
    than ``depth`` hops to another of a rank further up (down), or of the same rank along SUCCEEDS."""
    forward, backward, sideways = (set(types) for types in trace_directions(way, base.TRACE_TYPES))
    sign = -1 if way == "up" else 1

    def move(origin: str, other: str, rel_type: str) -> bool:
        if origin == other or hops[origin] >= depth:
            return False
        low, high = _RANKS.get(nodes[origin].label), _RANKS.get(nodes[other].label)
        if low is None or high is None:
            return False
        rise = high - low
        return sign * rise > 0 or (rise == 0 and rel_type == RelType.SUCCEEDS.value)

    return [
        e
        for e in links
        if (e.type in forward | sideways and move(e.source, e.target, e.type))
        or (e.type in backward | sideways and move(e.target, e.source, e.type))
    ]


def _day(as_of: AsOf | None) -> str | None:
    """The ``$as_of`` parameter: the ISO day, or null for today's answer."""
    return as_of.iso if as_of is not None else None


def _known(names: Iterable[str], allowed: frozenset[str]) -> list[str]:
    # Only schema labels/types ever reach Cypher; unknown names match nothing, as in memory.
    return sorted(set(names) & allowed)
