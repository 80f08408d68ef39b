"""Coverage and gaps: which action points are responded to, rolled up action points -> goals -> commitments."""

from __future__ import annotations

import threading
import weakref
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, cast

from app.services import lookup
from app.services.models import (
    ActionPointStatus,
    CommitmentRow,
    CoverageCounts,
    CoverageOut,
    CoverageRow,
    GapsOut,
)
from app.services.responses import ILLUSTRATIVE, is_illustrative, status_fields
from app.store.models import NodeRef
from app.store.port import GraphStore
from app.store.results import ActionPointFacts, Response
from graph_schema import Confidence, Label, RelType, Strength, weakest

CoverageBy = Literal["goal", "component", "country", "project"]
_ROLL_UP_LABELS = [Label.DECLARATION, Label.COMMITMENT, Label.ACTION_PLAN, Label.PRIORITY_GOAL, Label.ACTION_POINT]
_MAX_NODES = 100_000


@dataclass(frozen=True)
class Facts:
    """Every action point with its direct responses and status (shared between requests: do not change it)."""

    items: list[ActionPointFacts]
    statuses: list[ActionPointStatus]
    illustrative: bool

    @property
    def total(self) -> int:
        return len(self.items)


T = TypeVar("T")
# Answers that depend only on the loaded dataset, per store: (dataset fingerprint, answers by question).
_CACHE: weakref.WeakKeyDictionary[GraphStore, tuple[str, dict[tuple[str, ...], Any]]] = weakref.WeakKeyDictionary()
_CACHE_LOCK = threading.Lock()


def per_dataset(store: GraphStore, key: tuple[str, ...], compute: Callable[[], T]) -> T:
    """The answer to ``key`` computed once per store and dataset fingerprint (answers that depend on nothing
    else: facts, coverage, gaps, matrix), shared between requests, so never to be changed by a caller.
    Without a fingerprint (Neo4j while a load is under way) it is computed afresh every time."""
    info = store.dataset_info()
    fingerprint = info.fingerprint if info else None
    if fingerprint is None:
        return compute()
    with _CACHE_LOCK:
        kept = _CACHE.get(store)
        if kept is not None and kept[0] == fingerprint and key in kept[1]:
            return cast(T, kept[1][key])
    value = compute()
    with _CACHE_LOCK:
        kept = _CACHE.get(store)
        if kept is None or kept[0] != fingerprint:
            kept = _CACHE[store] = (fingerprint, {})
        kept[1][key] = value
    return value


def read_facts(store: GraphStore) -> Facts:
    """Every action point's facts and status (computed once per dataset)."""
    return per_dataset(store, ("facts",), lambda: _read_facts(store))


def _read_facts(store: GraphStore) -> Facts:
    items = sorted(store.action_point_facts(), key=lambda f: (f.number, f.action_point.id))
    statuses = [
        ActionPointStatus(
            action_point=f.action_point,
            number=f.number,
            goal=f.goal,
            **status_fields(f.responses, f.goal_responses),
            responses=len(f.responses),
            goal_responses=len(f.goal_responses),
            strengths=_count((r.strength for r in f.responses), [s.value for s in Strength]),
            confidence=_count((r.confidence for r in f.responses), [c.value for c in Confidence]),
        )
        for f in items
    ]
    illustrative = any(f.goal_confidence == ILLUSTRATIVE or any(map(is_illustrative, f.responses)) for f in items)
    illustrative = illustrative or any(s.status_confidence == ILLUSTRATIVE for s in statuses)
    return Facts(items, statuses, illustrative)


def _count(values: Iterable[str], keys: list[str]) -> dict[str, int]:
    counts = Counter(values)
    return {k: counts[k] for k in keys}


def _counts(covered: int, total: int) -> CoverageCounts:
    return CoverageCounts(
        action_points=total,
        covered=covered,
        uncovered=total - covered,
        share_covered=round(covered / total, 4) if total else 0.0,
    )


def summary(facts: Facts) -> CoverageCounts:
    """The counts of every status, and what the covered count rests on (its weakest status)."""
    by_status = Counter(s.status for s in facts.statuses)
    counts = _counts(by_status["direct"], facts.total)
    counts.goal_only, counts.gap = by_status["goal_only"], by_status["gap"]
    counts.confidence = weakest(str(s.status_confidence) for s in facts.statuses if s.status == "direct")
    return counts


def _row(node: NodeRef | None, statuses: Sequence[ActionPointStatus], covered: set[int], responses: int) -> CoverageRow:
    numbers = [s.number for s in statuses]
    counts = _counts(sum(n in covered for n in numbers), len(numbers))
    return CoverageRow(
        node=node,
        responses=responses,
        covered_numbers=[n for n in numbers if n in covered],
        uncovered_numbers=[n for n in numbers if n not in covered],
        **counts.model_dump(),
    )


def goal_rows(store: GraphStore, facts: Facts) -> list[CoverageRow]:
    """One row per priority goal (by number), then one for action points under no goal, if any."""
    covered = {s.number for s in facts.statuses if s.status == "direct"}
    under: dict[str | None, list[ActionPointStatus]] = defaultdict(list)
    for s in facts.statuses:
        under[s.goal.id if s.goal else None].append(s)
    goals = lookup.nodes_of(store, Label.PRIORITY_GOAL, _MAX_NODES)
    rows = [_row(g, under[g.id], covered, sum(s.responses for s in under[g.id])) for g in goals]
    if under[None]:
        rows.append(_row(None, under[None], covered, sum(s.responses for s in under[None])))
    return rows


def _contribution_rows(
    store: GraphStore, facts: Facts, label: Label, involved: Callable[[Response], Iterable[NodeRef]]
) -> list[CoverageRow]:
    """One row per node of ``label``: the action points it (or work there) responds to, out of all of them."""
    covered: dict[str, set[int]] = defaultdict(set)
    links: Counter[str] = Counter()
    for f in facts.items:
        for r in f.responses:
            for node_id in {n.id for n in involved(r)}:
                covered[node_id].add(f.number)
                links[node_id] += 1
    nodes = lookup.nodes_of(store, label, _MAX_NODES)
    return [_row(n, facts.statuses, covered[n.id], links[n.id]) for n in nodes]


def commitment_rows(store: GraphStore, facts: Facts) -> list[CommitmentRow]:
    """Commitments covering the action points of the plans their declarations launch."""
    graph = store.whole_graph([lb.value for lb in _ROLL_UP_LABELS], _MAX_NODES)
    refs = {n.id: n for n in graph.nodes}
    out_of: dict[tuple[str, str], set[str]] = defaultdict(set)
    into: dict[tuple[str, str], set[str]] = defaultdict(set)
    for e in graph.edges:
        out_of[(e.source, e.type)].add(e.target)
        into[(e.target, e.type)].add(e.source)
    status = {s.action_point.id: s for s in facts.statuses}
    rows: list[CommitmentRow] = []
    for node in graph.nodes:
        if node.label != Label.COMMITMENT:
            continue
        declarations = sorted(into[(node.id, RelType.MAKES.value)])
        plans = sorted({p for d in declarations for p in out_of[(d, RelType.LAUNCHES.value)]})
        goals = {g for p in plans for g in out_of[(p, RelType.SETS.value)]}
        aps = sorted(
            (status[a] for p in plans for a in out_of[(p, RelType.CONTAINS.value)] if a in status),
            key=lambda s: s.number,
        )
        aps = list({s.number: s for s in aps}.values())
        covered = [s.number for s in aps if s.status == "direct"]
        rows.append(
            CommitmentRow(
                node=node,
                declarations=[refs[d] for d in declarations],
                plans=[refs[p] for p in plans],
                goals=[g for g in graph.nodes if g.id in goals],
                covered_numbers=covered,
                uncovered_numbers=[s.number for s in aps if s.status != "direct"],
                **_counts(len(covered), len(aps)).model_dump(),
            )
        )
    return rows


_DIMENSIONS: dict[str, tuple[Label, Callable[[Response], Iterable[NodeRef]]]] = {
    "component": (Label.COMPONENT, lambda r: r.components),
    "project": (Label.PROJECT, lambda r: r.projects),
    "country": (Label.COUNTRY, lambda r: r.countries),
}


def coverage(store: GraphStore, by: CoverageBy) -> CoverageOut:
    """Coverage grouped ``by`` (computed once per dataset; do not change the answer)."""
    return per_dataset(store, ("coverage", by), lambda: _coverage(store, by))


def _coverage(store: GraphStore, by: CoverageBy) -> CoverageOut:
    facts = read_facts(store)
    if by == "goal":
        rows = goal_rows(store, facts)
    else:
        # A response's components and projects include the responder itself when it is one.
        label, involved = _DIMENSIONS[by]
        rows = _contribution_rows(store, facts, label, involved)
    return CoverageOut(
        by=by,
        summary=summary(facts),
        rows=rows,
        commitments=commitment_rows(store, facts),
        action_points=facts.statuses,
        illustrative=lookup.notice(store, facts.illustrative),
    )


def gaps(store: GraphStore) -> GapsOut:
    """The gaps (computed once per dataset; do not change the answer)."""
    return per_dataset(store, ("gaps",), lambda: _gaps(store))


def _gaps(store: GraphStore) -> GapsOut:
    facts = read_facts(store)
    return GapsOut(
        summary=summary(facts),
        gaps=[s for s in facts.statuses if s.status != "direct"],
        goals=goal_rows(store, facts),
        commitments=commitment_rows(store, facts),
        illustrative=lookup.notice(store, facts.illustrative),
    )
