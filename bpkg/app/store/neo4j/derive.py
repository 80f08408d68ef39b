"""The headline answer derived at load and written into Neo4j (design.md sections 4-5; docs/architecture.md).

``HeadlineDerivation`` is what the application's composition roots (``bpkg load``, test fixtures, benchmarks)
pass to ``bpkg.loaders.neo4j_sink.write_batch(derive=...)``; the sink calls it inside its write lease:

- ``derive``, after the writes are verified and before the version is marked published: reads what the store
  holds (every dataset in the database, through the read side's own ``action_point_facts``; or the same facts
  from the batch just written, when the sink found the graph to be that batch alone: ``batch_facts``), derives each
  action point's headline (``bpkg.app.store.headline.stored``: the same ``Response`` objects the computed answer
  is made of), and writes one ``HeadlineRow`` node per response to an action point, keyed by (action point, hash
  of those rows), one ``HeadlineGoalRow`` node per response to a goal, once per goal (keyed by (goal, hash of the
  goal's rows); the store adds each action point's UNDER step when it reads them), and one ``Headline`` node per
  action point stamped with the version readers will see (the fingerprint ``queries.DATASET`` reads once the
  load is published), naming both. Rows whose hash is already held are kept: only a new ``Headline`` node is
  written for an action point whose own rows and goal's rows did not change.
- ``published``, after the version is marked published: removes the ``Headline`` nodes of other versions and
  the rows no ``Headline`` node names any more.

The nodes carry no ``Entity`` label, so no read of the graph (stats, search, node pages, exports, the sink's
counts, compare, ``read_back``, owners and prune) ever meets them. Readers use them only when their version is
the current one: while a load is under way the dataset has no fingerprint, and an interrupted load leaves the
previous version's nodes in place; either way the services compute the answer as before.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
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

ROW_RANK_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_row_rank IF NOT EXISTS FOR (r:HeadlineRow) ON (r.action_point, r.hash, r.rank)"
)
GOAL_ROW_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_goal_row_rank IF NOT EXISTS FOR (r:HeadlineGoalRow) ON (r.goal, r.hash, r.rank)"
)
VERSION_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_version IF NOT EXISTS FOR (s:Headline) ON (s.version, s.number)"
)
# What the summaries name, looked up per (action point, hash) and (goal, hash) when the rows no summary names are
# dropped after a publish: without them each look-up scanned every summary (at 1M relationships, 16,626 summaries
# for as many pairs: the read passed the driver's timeout and the load failed at its last step).
NAMED_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_named IF NOT EXISTS FOR (s:Headline) ON (s.action_point, s.hash)"
)
GOAL_NAMED_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX headline_goal_named IF NOT EXISTS FOR (s:Headline) ON (s.goal_group, s.goal_hash)"
)
AWAIT_INDEXES: Final[LiteralString] = "CALL db.awaitIndexes(120)"

# What DATASET will read once this load is published: the dataset's fingerprint when it is the only one (its
# ``seq`` is then the lease's) and the load kept no rows of an earlier version, else the fingerprint with the
# count of loads that wrote.
PUBLISHED_AS: Final[LiteralString] = """
OPTIONAL MATCH (l:LoadLease {name: 'graph'})
OPTIONAL MATCH (d:Dataset) WHERE d.name <> $name
RETURN coalesce(l.seq, 0) AS seq, count(d) AS others
"""
# The rows every summary names (of this layout: rows of another are written again).
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
# ``rank >= 0`` lets the planner seek the (action_point, hash, rank) index: without a predicate on its last
# property it scanned every row of the label, once per action point (minutes at 100k relationships).
COUNT_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineRow)
WHERE r.action_point = $action_point AND r.hash = $hash AND r.rank >= 0
RETURN count(r) AS count
"""
COUNT_GOAL_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineGoalRow)
WHERE r.goal = $goal AND r.hash = $hash AND r.rank >= 0
RETURN count(r) AS count
"""
# Which of the (action point, hash) pairs about to be written already have rows (an interrupted derivation's):
# one read for them all, so a first derivation makes no round trip per action point.
ROWS_HELD: Final[LiteralString] = """
UNWIND $pairs AS pair
CALL (pair) {
  MATCH (r:HeadlineRow)
  WHERE r.action_point = pair.action_point AND r.hash = pair.hash AND r.rank >= 0
  RETURN count(r) AS count
}
WITH pair, count WHERE count > 0
RETURN pair.action_point AS action_point, pair.hash AS hash, count
"""
GOAL_ROWS_HELD: Final[LiteralString] = """
UNWIND $pairs AS pair
CALL (pair) {
  MATCH (r:HeadlineGoalRow)
  WHERE r.goal = pair.goal AND r.hash = pair.hash AND r.rank >= 0
  RETURN count(r) AS count
}
WITH pair, count WHERE count > 0
RETURN pair.goal AS goal, pair.hash AS hash, count
"""
DROP_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineRow)
WHERE r.action_point = $action_point AND r.hash = $hash AND r.rank >= 0
WITH r LIMIT $size
DELETE r
"""
DROP_GOAL_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineGoalRow)
WHERE r.goal = $goal AND r.hash = $hash AND r.rank >= 0
WITH r LIMIT $size
DELETE r
"""
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
WRITE_SUMMARIES: Final[LiteralString] = """
UNWIND $rows AS row
MERGE (s:Headline {version: row.version, action_point: row.action_point})
SET s.number = row.number, s.hash = row.hash, s.summary = row.summary, s.layout = row.layout,
    s.direct = row.direct, s.goal_group = row.goal_group, s.goal_hash = row.goal_hash, s.under = row.under,
    s.under_confidence = row.under_confidence
"""
DROP_OTHER_VERSIONS: Final[LiteralString] = """
MATCH (s:Headline)
WHERE s.version <> $version
DELETE s
"""
# The rows no summary names: those of replaced versions, and any an interrupted derivation left.
UNNAMED_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineRow)
WITH DISTINCT r.action_point AS action_point, r.hash AS hash
WHERE NOT EXISTS { MATCH (s:Headline) WHERE s.action_point = action_point AND s.hash = hash }
RETURN action_point, hash
"""
UNNAMED_GOAL_ROWS: Final[LiteralString] = """
MATCH (r:HeadlineGoalRow)
WITH DISTINCT r.goal AS goal, r.hash AS hash
WHERE NOT EXISTS { MATCH (s:Headline) WHERE s.goal_group = goal AND s.goal_hash = hash }
RETURN goal, hash
"""


@dataclass(slots=True)
class DeriveReport:
    """What the last derivation did, for the load's notes and the benchmarks."""

    version: str = ""
    action_points: int = 0
    rewritten: int = 0
    goals_rewritten: int = 0
    rows_written: int = 0
    goal_rows_written: int = 0
    seconds: float = 0.0
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"the headline was already derived for version {self.version}"
        return (
            f"derived the headline of {self.action_points} action points in {self.seconds:.1f} s "
            f"({self.rewritten} rewritten, {self.rows_written} response rows written; "
            f"{self.goals_rewritten} goals rewritten, {self.goal_rows_written} goal-level rows written)"
        )


class HeadlineDerivation:
    """The headline's derivation, written at load (a ``bpkg.loaders.neo4j_sink.Derivation``)."""

    def __init__(self, rows_per_write: int = ROWS_PER_WRITE, facts: FactsReader | None = None) -> None:
        self.rows_per_write = rows_per_write
        self.facts = facts or read_facts
        """Reads every action point's facts from the database being published (``FactsOnce``: one read shared
        with the other derivations of the load)."""
        self.report = DeriveReport()

    def derive(self, publishing: Publishing) -> None:
        # Hundreds of thousands of responses are built and kept until written: no full collection walks them.
        with cycles_left_alone():
            self._derive(publishing)

    def _derive(self, publishing: Publishing) -> None:
        started = time.perf_counter()
        for ddl in (ROW_RANK_INDEX, GOAL_ROW_INDEX, VERSION_INDEX, NAMED_INDEX, GOAL_NAMED_INDEX):
            ensure_index(publishing, ddl)
        publishing.driver.execute_query(AWAIT_INDEXES, database_=publishing.database)
        version = published_as(publishing)
        self.report = DeriveReport(version=version)
        complete = read(publishing, COMPLETE, version=version, layout=headline.LAYOUT)[0]
        if complete["derived"] and complete["derived"] == complete["action_points"]:
            self.report.skipped = True
            return
        named = read(publishing, DERIVED, layout=headline.LAYOUT)
        held = {(r["action_point"], r["hash"]) for r in named}
        held_goals = {(r["goal_group"], r["goal_hash"]) for r in named if r["goal_group"] is not None}
        facts = self.facts(publishing)
        summaries: list[dict[str, Any]] = []
        rewrite: list[tuple[str, headline.Stored]] = []
        goals: dict[tuple[str, str], headline.GoalRows] = {}
        groups: dict[str, headline.GoalRows] = {}
        for found in facts:
            kept = headline.stored(found, groups)
            action_point = found.action_point.id
            if (action_point, kept.digest) not in held:
                rewrite.append((action_point, kept))
            goal = kept.goal
            if goal is not None and (goal.group, goal.digest) not in held_goals:
                goals[(goal.group, goal.digest)] = goal
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
                }
            )
        self._rewrite(publishing, rewrite)
        self._rewrite_goals(publishing, list(goals.values()))
        # The summaries last: one names rows that are all written.
        for chunk in _chunks(summaries, self.rows_per_write):
            _write(publishing, WRITE_SUMMARIES, rows=list(chunk))
        self.report.action_points = len(summaries)
        self.report.seconds = time.perf_counter() - started

    def _rewrite(self, publishing: Publishing, rewrite: list[tuple[str, headline.Stored]]) -> None:
        """Write the direct rows of the action points whose own responses changed, ``rows_per_write`` to a
        transaction whichever action points they belong to."""
        # Rows of a hash without a summary are an interrupted derivation's: dropped, then written from the start.
        pairs = [{"action_point": action_point, "hash": kept.digest} for action_point, kept in rewrite]
        for chunk in _chunks(pairs, self.rows_per_write):
            for held in read(publishing, ROWS_HELD, pairs=list(chunk)):
                _drop_rows(
                    publishing,
                    DROP_ROWS,
                    held["count"],
                    self.rows_per_write,
                    action_point=held["action_point"],
                    hash=held["hash"],
                )
        rows = [
            {**row, "action_point": action_point, "hash": kept.digest}
            for action_point, kept in rewrite
            for row in kept.rows
        ]
        for chunk in _chunks(rows, self.rows_per_write):
            _write(publishing, WRITE_ROWS, rows=list(chunk))
        self.report.rewritten += len(rewrite)
        self.report.rows_written += len(rows)

    def _rewrite_goals(self, publishing: Publishing, goals: list[headline.GoalRows]) -> None:
        """Write the rows of the goals whose responses changed: once per goal, whichever action points read them."""
        pairs = [{"goal": goal.group, "hash": goal.digest} for goal in goals]
        for chunk in _chunks(pairs, self.rows_per_write):
            for held in read(publishing, GOAL_ROWS_HELD, pairs=list(chunk)):
                _drop_rows(
                    publishing, DROP_GOAL_ROWS, held["count"], self.rows_per_write, goal=held["goal"], hash=held["hash"]
                )
        rows = [{**row, "goal": goal.group, "hash": goal.digest} for goal in goals for row in goal.rows]
        for chunk in _chunks(rows, self.rows_per_write):
            _write(publishing, WRITE_GOAL_ROWS, rows=list(chunk))
        self.report.goals_rewritten += len(goals)
        self.report.goal_rows_written += len(rows)

    def published(self, publishing: Publishing) -> None:
        version = self.report.version or published_as(publishing)
        _write(publishing, DROP_OTHER_VERSIONS, version=version)
        for row in read(publishing, UNNAMED_ROWS):
            count = read(publishing, COUNT_ROWS, action_point=row["action_point"], hash=row["hash"])[0]["count"]
            _drop_rows(
                publishing, DROP_ROWS, count, self.rows_per_write, action_point=row["action_point"], hash=row["hash"]
            )
        for row in read(publishing, UNNAMED_GOAL_ROWS):
            count = read(publishing, COUNT_GOAL_ROWS, goal=row["goal"], hash=row["hash"])[0]["count"]
            _drop_rows(publishing, DROP_GOAL_ROWS, count, self.rows_per_write, goal=row["goal"], hash=row["hash"])


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
    dropped by ``forget`` when they are done."""

    def __init__(self) -> None:
        self._facts: list[ActionPointFacts] | None = None

    def __call__(self, publishing: Publishing) -> list[ActionPointFacts]:
        if self._facts is None:
            self._facts = read_facts(publishing)
        return self._facts

    def forget(self) -> None:
        self._facts = None


def published_as(publishing: Publishing) -> str:
    """The fingerprint ``queries.DATASET`` reads once this load is published: what the derivation is stamped with."""
    found = read(publishing, PUBLISHED_AS, name=publishing.name)[0]
    alone = found["others"] == 0 and not publishing.kept_rows
    return publishing.fingerprint if alone else f"{publishing.fingerprint}:{found['seq']}"


def _drop_rows(publishing: Publishing, query: LiteralString, count: int, size: int, **keys: Any) -> None:
    for _ in range(0, count, size):
        _write(publishing, query, size=size, **keys)


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
