"""The headline answer derived at load and written into Neo4j (design.md sections 4-5; docs/architecture.md).

``HeadlineDerivation`` is what the application's composition roots (``bpkg load``, test fixtures, benchmarks)
pass to ``bpkg.loaders.neo4j_sink.write_batch(derive=...)``; the sink calls it inside its write lease:

- ``derive``, after the writes are verified and before the version is marked published: reads what the store
  holds (every dataset in the database, through the read side's own ``action_point_facts``; or the same facts
  from the batch just written, when the sink found the graph to be that batch alone: ``batch_facts``), derives each
  action point's headline (``bpkg.app.store.headline.stored``: the same ``Response`` objects the computed answer
  is made of), and writes what is new of it: one ``HeadlineRow`` node per distinct response to an action point,
  known by (action point, hash of its content), one ``HeadlineGoalRow`` node per distinct response to a goal, once
  per goal (known by (goal, hash); the store adds each action point's UNDER step when it reads them), each
  action point's and goal's order of them in parts of ``headline.ORDER_PART`` row hashes (``HeadlineOrder``,
  ``HeadlineGoalOrder``, by (owner, hash of the order, part)), and one ``Headline`` node per action point stamped
  with the version readers will see (the fingerprint ``queries.DATASET`` reads once the load is published),
  naming both orders. Rows and orders already held are kept: a version that changes one response of an action
  point writes that row and the action point's order; one that changes nothing of it, only a new ``Headline``.
- ``published``, after the version is marked published: removes the ``Headline`` nodes of other versions, the
  orders no ``Headline`` node names any more, and the rows the version's orders do not name.

The nodes carry no ``Entity`` label, so no read of the graph (stats, search, node pages, exports, the sink's
counts, compare, ``read_back``, owners and prune) ever meets them. Readers use them only when their version is
the current one: while a load is under way the dataset has no fingerprint, and an interrupted load leaves the
previous version's nodes in place; either way the services compute the answer as before.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, LiteralString, TypeVar

import neo4j

from bpkg.app.collector import cycles_left_alone
from bpkg.app.store import headline
from bpkg.app.store.graph_types import EdgeData, NodeData
from bpkg.app.store.neo4j.store import FACT_TYPES, Neo4jStore, facts_of
from bpkg.app.store.question_types import ActionPointFacts
from bpkg.graph_schema import Label
from bpkg.loaders.batch import GraphBatch, Node
from bpkg.loaders.neo4j_sink import LOAD_TIMEOUT, Publishing

T = TypeVar("T")

ROWS_PER_WRITE: Final = 2000
"""Rows per write transaction (each row holds a response as compressed JSON: larger than a graph row)."""
READ_TIMEOUT: Final = 60.0
"""The timeout of the derivation's reads (the facts' longest reads get ten times this, as in the store)."""

# A row is known by its owner (action point, or goal group) and its content's hash: one node per distinct row,
# whichever versions' orders name it. The constraints are also the indexes a page's look-ups seek.
ROW_UNIQUE: Final[LiteralString] = (
    "CREATE CONSTRAINT headline_row_unique IF NOT EXISTS FOR (r:HeadlineRow) REQUIRE (r.action_point, r.row) IS UNIQUE"
)
GOAL_ROW_UNIQUE: Final[LiteralString] = (
    "CREATE CONSTRAINT headline_goal_row_unique IF NOT EXISTS FOR (r:HeadlineGoalRow) REQUIRE (r.goal, r.row) IS UNIQUE"
)
ORDER_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_order_part IF NOT EXISTS FOR (o:HeadlineOrder) ON (o.action_point, o.hash, o.part)"
)
GOAL_ORDER_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_goal_order_part IF NOT EXISTS FOR (o:HeadlineGoalOrder) ON (o.goal, o.hash, o.part)"
)
VERSION_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_version IF NOT EXISTS FOR (s:Headline) ON (s.version, s.number)"
)
# What the summaries name, looked up per (action point, hash) and (goal, hash) when the orders no summary names are
# dropped after a publish: without them each look-up scanned every summary (at 1M relationships, 16,626 summaries
# for as many pairs: the read passed the driver's timeout and the load failed at its last step).
NAMED_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_named IF NOT EXISTS FOR (s:Headline) ON (s.action_point, s.hash)"
)
GOAL_NAMED_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_goal_named IF NOT EXISTS FOR (s:Headline) ON (s.goal_group, s.goal_hash)"
)
# Layout 3 kept rows by (owner, hash of all its rows, rank): its indexes go with its rows.
DROP_ROW_RANK: Final[LiteralString] = "DROP INDEX headline_row_rank IF EXISTS"
DROP_GOAL_ROW_RANK: Final[LiteralString] = "DROP INDEX headline_goal_row_rank IF EXISTS"
AWAIT_INDEXES: Final[LiteralString] = "CALL db.awaitIndexes(120)"

# What DATASET will read once this load is published: the dataset's fingerprint when it is the only one (its
# ``seq`` is then the lease's) and the load kept no rows of an earlier version, else the fingerprint with the
# count of loads that wrote.
PUBLISHED_AS: Final[LiteralString] = """
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
OPTIONAL MATCH (d:Dataset) WHERE d.name <> $name
RETURN coalesce(l.seq, 0) AS seq, count(d) AS others
"""
# The orders every summary names (of this layout: orders of another are written again).
DERIVED: Final[LiteralString] = """
MATCH (s:Headline)
WHERE s.layout = $layout
RETURN s.action_point AS action_point, s.hash AS hash, s.goal_group AS goal_group, s.goal_hash AS goal_hash
"""
COMPLETE: Final[LiteralString] = """
CALL () { MATCH (a:ActionPoint) RETURN count(a) AS action_points }
CALL () { MATCH (s:Headline {version: $version, layout: $layout}) RETURN count(s) AS derived }
RETURN action_points, derived
"""
# Every row held, by owner and hash (rows of layout 3 have no ``row``: none of them is kept).
ROWS_HELD: Final[LiteralString] = "MATCH (r:HeadlineRow) RETURN r.action_point AS owner, r.row AS row"
GOAL_ROWS_HELD: Final[LiteralString] = "MATCH (r:HeadlineGoalRow) RETURN r.goal AS owner, r.row AS row"
WRITE_ROWS: Final[LiteralString] = """
UNWIND $rows AS row
CREATE (r:HeadlineRow)
SET r = row
"""
WRITE_GOAL_ROWS: Final[LiteralString] = """
UNWIND $rows AS row
CREATE (r:HeadlineGoalRow)
SET r = row
"""
# An order's nodes: MERGE, so that an order an interrupted derivation wrote is written over, not twice.
WRITE_ORDERS: Final[LiteralString] = """
UNWIND $parts AS part
MERGE (o:HeadlineOrder {action_point: part.owner, hash: part.hash, part: part.part})
SET o += part.fields
"""
WRITE_GOAL_ORDERS: Final[LiteralString] = """
UNWIND $parts AS part
MERGE (o:HeadlineGoalOrder {goal: part.owner, hash: part.hash, part: part.part})
SET o += part.fields
"""
# Merged on (version, number, action point): the (version, number) index finds it. On (version, action point)
# alone no index served and each row scanned every summary: at 1M relationships 205 s of a 250 s derivation.
WRITE_SUMMARIES: Final[LiteralString] = """
UNWIND $rows AS row
MERGE (s:Headline {version: row.version, number: row.number, action_point: row.action_point})
SET s.hash = row.hash, s.summary = row.summary, s.layout = row.layout,
    s.direct = row.direct, s.goal_group = row.goal_group, s.goal_hash = row.goal_hash, s.under = row.under,
    s.under_confidence = row.under_confidence, s.part_size = row.part_size
"""
DROP_OTHER_VERSIONS: Final[LiteralString] = """
MATCH (s:Headline)
WHERE s.version <> $version
DELETE s
"""
# The orders no summary names: those of replaced versions, and any an interrupted derivation left.
UNNAMED_ORDERS: Final[LiteralString] = """
MATCH (o:HeadlineOrder)
WHERE NOT EXISTS { MATCH (s:Headline) WHERE s.action_point = o.action_point AND s.hash = o.hash }
RETURN o.action_point AS owner, o.hash AS hash, o.part AS part
"""
UNNAMED_GOAL_ORDERS: Final[LiteralString] = """
MATCH (o:HeadlineGoalOrder)
WHERE NOT EXISTS { MATCH (s:Headline) WHERE s.goal_group = o.goal AND s.goal_hash = o.hash }
RETURN o.goal AS owner, o.hash AS hash, o.part AS part
"""
DROP_ORDERS: Final[LiteralString] = """
UNWIND $parts AS part
MATCH (o:HeadlineOrder {action_point: part.owner, hash: part.hash, part: part.part})
DELETE o
"""
DROP_GOAL_ORDERS: Final[LiteralString] = """
UNWIND $parts AS part
MATCH (o:HeadlineGoalOrder {goal: part.owner, hash: part.hash, part: part.part})
DELETE o
"""
DROP_ROWS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (r:HeadlineRow {action_point: row.owner, row: row.row})
DELETE r
"""
DROP_GOAL_ROWS: Final[LiteralString] = """
UNWIND $rows AS row
MATCH (r:HeadlineGoalRow {goal: row.owner, row: row.row})
DELETE r
"""
# Rows of layout 3 (no ``row``), a transaction of $size at a time.
DROP_OLD_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineRow) WHERE r.row IS NULL
WITH r LIMIT $size
DELETE r
"""
DROP_OLD_GOAL_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineGoalRow) WHERE r.row IS NULL
WITH r LIMIT $size
DELETE r
"""


@dataclass(slots=True)
class DeriveReport:
    """What the last derivation did, for the load's notes and the benchmarks."""

    version: str = ""
    action_points: int = 0
    rewritten: int = 0
    """Action points whose own order changed (a new order written)."""
    goals_rewritten: int = 0
    rows_written: int = 0
    """Rows written (rows already held, by content, are not written again)."""
    goal_rows_written: int = 0
    rows_dropped: int = 0
    """Rows no order of the version names, removed once it is published (both sides)."""
    seconds: float = 0.0
    skipped: bool = False
    ahead: bool = False
    """Whether the rows were made ahead, from the batch, while the graph was compared and written (``prepare``)."""
    ahead_seconds: float = 0.0

    def line(self) -> str:
        if self.skipped:
            return f"the headline was already derived for version {self.version}"
        made = f"{self.ahead_seconds:.1f} s while the graph was compared and written"
        ahead = f", its rows made in {made}" if self.ahead else ""
        return (
            f"derived the headline of {self.action_points} action points in {self.seconds:.1f} s{ahead} "
            f"({self.rewritten} in a new order, {self.rows_written} response rows written; "
            f"{self.goals_rewritten} goals in a new order, {self.goal_rows_written} goal-level rows written)"
        )


@dataclass(slots=True)
class _Writes:
    """What one side of a derivation (the action points' own rows, or the goals') writes: the orders summaries name
    and the rows held, each by (owner, hash); the rows and order parts to write; every row the version's orders
    name (the rest are dropped once it is published)."""

    owner_key: str
    """The rows' property naming their owner."""
    orders: set[tuple[str, str]]
    held: set[tuple[str, str]]
    old: int = 0
    """Rows of layout 3 held."""
    rows: list[dict[str, Any]] = field(default_factory=list)
    parts: list[dict[str, Any]] = field(default_factory=list)
    needed: set[tuple[str, str]] = field(default_factory=set)

    def take(self, owner: str, digest: str, rows: Sequence[dict[str, Any]]) -> bool:
        """An owner's order in the version: its rows are needed; an order not held is written (its nodes, and the
        rows it names that no node holds yet). Whether it was new."""
        self.needed.update((owner, row["row"]) for row in rows)
        if (owner, digest) in self.orders:
            return False
        self.orders.add((owner, digest))
        for at, fields in enumerate(headline.order_parts(rows)):
            self.parts.append({"owner": owner, "hash": digest, "part": at, "fields": fields})
        for row in rows:
            key = (owner, row["row"])
            if key not in self.held:
                self.held.add(key)
                self.rows.append({self.owner_key: owner, "row": row["row"], "zjson": row["zjson"]})
        return True

    def unneeded(self) -> list[dict[str, str]]:
        return [{"owner": owner, "row": row} for owner, row in self.held - self.needed]


class HeadlineDerivation:
    """The headline's derivation, written at load (a ``bpkg.loaders.neo4j_sink.Derivation``)."""

    def __init__(self, rows_per_write: int = ROWS_PER_WRITE, facts: FactsReader | None = None) -> None:
        self.rows_per_write = rows_per_write
        self.facts = facts or read_facts
        """Reads every action point's facts from the database being published (``FactsOnce``: one read shared
        with the other derivations of the load)."""
        self.report = DeriveReport()
        self._ahead: tuple[list[ActionPointFacts], list[headline.Stored], float] | None = None
        """Each action point's rows, made ahead (``prepare``) from the facts they were made of, and how long that
        took."""
        self._unneeded: dict[str, tuple[list[dict[str, str]], int]] = {}
        """Per side, the rows the derived version's orders do not name and the count of layout 3's rows: dropped
        once the version is published (the version published before may still be read until then)."""

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        """Each action point's rows made from the batch while the graph is compared and written
        (``Derivation.prepare``), when the facts are shared with the load's other derivations (``FactsOnce``):
        ``derive`` uses them when it is given the facts they were made of (the load published from that batch
        alone). Stops, making nothing more, once ``dropped`` is set."""
        if not isinstance(self.facts, FactsOnce):
            return
        started = time.perf_counter()
        with cycles_left_alone():
            facts = self.facts.prepare(batch)
            groups: dict[str, headline.GoalRows] = {}
            made: list[headline.Stored] = []
            for found in facts:
                if dropped.is_set():
                    return
                made.append(headline.stored(found, groups))
            self._ahead = (facts, made, time.perf_counter() - started)

    def derive(self, publishing: Publishing) -> None:
        # Hundreds of thousands of responses are built and kept until written: no full collection walks them.
        try:
            with cycles_left_alone():
                self._derive(publishing)
        finally:
            self._ahead = None

    def _derive(self, publishing: Publishing) -> None:
        started = time.perf_counter()
        self._unneeded = {}
        indexes: list[LiteralString] = [
            DROP_ROW_RANK,
            DROP_GOAL_ROW_RANK,
            ROW_UNIQUE,
            GOAL_ROW_UNIQUE,
            ORDER_INDEX,
            GOAL_ORDER_INDEX,
            VERSION_INDEX,
            NAMED_INDEX,
            GOAL_NAMED_INDEX,
        ]
        for ddl in indexes:
            ensure_index(publishing, ddl)
        publishing.driver.execute_query(AWAIT_INDEXES, database_=publishing.database)
        version = published_as(publishing)
        self.report = DeriveReport(version=version)
        complete = read(publishing, COMPLETE, version=version, layout=headline.LAYOUT)[0]
        if complete["derived"] and complete["derived"] == complete["action_points"]:
            self.report.skipped = True
            return
        named = read(publishing, DERIVED, layout=headline.LAYOUT)
        own = self._held(publishing, ROWS_HELD, "action_point", {(r["action_point"], r["hash"]) for r in named})
        goal_orders = {(r["goal_group"], r["goal_hash"]) for r in named if r["goal_group"] is not None}
        goals = self._held(publishing, GOAL_ROWS_HELD, "goal", goal_orders)
        facts = self.facts(publishing)  # waits for what is made ahead, when it can be used
        ahead = self._ahead
        made = ahead[1] if ahead is not None and ahead[0] is facts else None
        if ahead is not None and made is not None:
            self.report.ahead, self.report.ahead_seconds = True, ahead[2]
        summaries: list[dict[str, Any]] = []
        groups: dict[str, headline.GoalRows] = {}
        for at, found in enumerate(facts):
            kept = made[at] if made is not None else headline.stored(found, groups)
            action_point = found.action_point.id
            self.report.rewritten += own.take(action_point, kept.digest, kept.rows)
            goal = kept.goal
            if goal is not None:
                self.report.goals_rewritten += goals.take(goal.group, goal.digest, goal.rows)
            summaries.append(
                {
                    "version": version,
                    "action_point": action_point,
                    "number": found.number,
                    "hash": kept.digest,
                    "summary": kept.summary.model_dump_json(),
                    "layout": headline.LAYOUT,
                    "direct": len(kept.rows),
                    "goal_group": goal.group if goal is not None else None,
                    "goal_hash": goal.digest if goal is not None else None,
                    "under": kept.under.model_dump_json() if kept.under is not None else None,
                    "under_confidence": kept.under.confidence if kept.under is not None else None,
                    "part_size": headline.ORDER_PART,
                }
            )
        self.report.rows_written = self._write_side(publishing, "own", own, WRITE_ROWS, WRITE_ORDERS)
        self.report.goal_rows_written = self._write_side(publishing, "goal", goals, WRITE_GOAL_ROWS, WRITE_GOAL_ORDERS)
        # The summaries last: one names orders and rows that are all written.
        for chunk in _chunks(summaries, self.rows_per_write):
            _write(publishing, WRITE_SUMMARIES, rows=list(chunk))
        self.report.action_points = len(summaries)
        self.report.seconds = time.perf_counter() - started

    def _held(
        self, publishing: Publishing, query: LiteralString, owner_key: str, orders: set[tuple[str, str]]
    ) -> _Writes:
        """One side as the database holds it: the orders summaries name, and every row (one read)."""
        found = read(publishing, query)
        held = {(r["owner"], r["row"]) for r in found if r["row"] is not None}
        return _Writes(owner_key, orders, held, old=len(found) - len(held))

    def _write_side(
        self, publishing: Publishing, side: str, writes: _Writes, rows: LiteralString, orders: LiteralString
    ) -> int:
        """Write one side's new rows, then its orders (``rows_per_write`` rows, or order nodes, a transaction);
        keep what the version does not name for ``published``."""
        for chunk in _chunks(writes.rows, self.rows_per_write):
            _write(publishing, rows, rows=list(chunk))
        for chunk in _chunks(writes.parts, max(1, self.rows_per_write // headline.ORDER_PART)):
            _write(publishing, orders, parts=list(chunk))
        unneeded = writes.unneeded()
        self._unneeded[side] = (unneeded, writes.old)
        self.report.rows_dropped += len(unneeded) + writes.old
        return len(writes.rows)

    def published(self, publishing: Publishing) -> None:
        """Once the version is published: the summaries of other versions go, then the orders no summary names, then
        the rows the version does not name (known to the derivation that wrote it; a load that found the version
        derived already leaves rows an interrupted publish left until the next version that changes an order)."""
        version = self.report.version or published_as(publishing)
        _write(publishing, DROP_OTHER_VERSIONS, version=version)
        sides: list[tuple[str, LiteralString, LiteralString, LiteralString, LiteralString]] = [
            ("own", UNNAMED_ORDERS, DROP_ORDERS, DROP_ROWS, DROP_OLD_ROWS),
            ("goal", UNNAMED_GOAL_ORDERS, DROP_GOAL_ORDERS, DROP_GOAL_ROWS, DROP_OLD_GOAL_ROWS),
        ]
        for side, unnamed, drop_orders, drop_rows, drop_old in sides:
            parts = [dict(r) for r in read(publishing, unnamed)]
            for chunk in _chunks(parts, self.rows_per_write):
                _write(publishing, drop_orders, parts=list(chunk))
            rows, old = self._unneeded.pop(side, ([], 0))
            for chunk in _chunks(rows, self.rows_per_write):
                _write(publishing, drop_rows, rows=list(chunk))
            for _ in range(0, old, self.rows_per_write):
                _write(publishing, drop_old, size=self.rows_per_write)


FactsReader = Callable[[Publishing], list[ActionPointFacts]]


def read_facts(publishing: Publishing) -> list[ActionPointFacts]:
    """Every action point's facts as the database being published holds them (every dataset in it); from the
    batch just written when the sink found the graph to be that batch and nothing else (``Publishing.graph``)."""
    if publishing.graph is not None:
        return batch_facts(publishing.graph)
    store = Neo4jStore(publishing.driver, publishing.database, timeout=READ_TIMEOUT)
    try:
        return store.action_point_facts()
    finally:
        store.outage.close()


def batch_facts(batch: GraphBatch) -> list[ActionPointFacts]:
    """Every action point's facts from a batch, as ``Neo4jStore.action_point_facts`` reads them from a database that
    holds that batch alone (the sink's hidden properties are not in a batch's rows)."""
    types = frozenset(FACT_TYPES)
    edges = [EdgeData(r.source, r.target, r.type.value, r.props) for r in batch.rels if r.type.value in types]
    nodes = {n.id: n for n in batch.nodes}
    action_points = [_node_data(n) for n in batch.nodes if n.label == Label.ACTION_POINT]

    def named(ids: list[str]) -> dict[str, NodeData]:
        return {i: _node_data(nodes[i]) for i in ids if i in nodes}

    return facts_of(action_points, edges, named)


def _node_data(node: Node) -> NodeData:
    return NodeData(id=node.id, label=node.label.value, props=node.props)


class FactsOnce:
    """Every action point's facts read once for the derivations of one load (each of them needs them all), and
    dropped by ``forget`` when they are done; or made from the batch ahead of that (``prepare``, while the graph
    is written), and used when the load is published from that batch alone (``Publishing.graph``)."""

    def __init__(self) -> None:
        self._facts: list[ActionPointFacts] | None = None
        self._ahead: tuple[GraphBatch, list[ActionPointFacts]] | None = None

    def prepare(self, batch: GraphBatch) -> list[ActionPointFacts]:
        """The facts of ``batch`` (``batch_facts``), kept for ``__call__``."""
        facts = batch_facts(batch)
        self._ahead = (batch, facts)
        return facts

    def __call__(self, publishing: Publishing) -> list[ActionPointFacts]:
        if self._facts is None:
            if publishing.ahead is not None:  # given with the batch only: what was made ahead of it, done
                publishing.ahead()
            ahead = self._ahead
            self._facts = ahead[1] if ahead is not None and ahead[0] is publishing.graph else read_facts(publishing)
        return self._facts

    def forget(self) -> None:
        self._facts = None
        self._ahead = None


def published_as(publishing: Publishing) -> str:
    """The fingerprint ``queries.DATASET`` reads once this load is published: what the derivation is stamped with."""
    found = read(publishing, PUBLISHED_AS, name=publishing.name)[0]
    alone = found["others"] == 0 and not publishing.kept_rows
    return publishing.fingerprint if alone else f"{publishing.fingerprint}:{found['seq']}"


def ensure_index(publishing: Publishing, ddl: LiteralString) -> None:
    """Create one of a derivation's indexes if it is missing."""
    try:
        publishing.driver.execute_query(ddl, database_=publishing.database)
    except neo4j.exceptions.ClientError as exc:
        # Two loaders creating the same index at once: the second finds it made by the first.
        if "AlreadyExists" not in (exc.code or ""):
            raise


def _write(publishing: Publishing, query: LiteralString, /, **params: Any) -> None:
    """One write transaction inside the load's lease (every statement here can be retried)."""
    publishing.write(lambda tx: tx.run(query, params).consume())


def _chunks(rows: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def read(publishing: Publishing, query: LiteralString, /, **params: Any) -> list[neo4j.Record]:
    """One read of the database being published, with the load's own timeout (``LOAD_TIMEOUT``): the derivations'
    reads (this module's and ``keep``'s)."""
    records, _, _ = publishing.driver.execute_query(
        neo4j.Query(query, timeout=LOAD_TIMEOUT),
        params,
        database_=publishing.database,
        routing_=neo4j.RoutingControl.READ,
    )
    return records
