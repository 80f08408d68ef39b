"""Coverage and gaps: which action points are responded to, rolled up action points -> goals -> commitments."""

from __future__ import annotations

import functools
import itertools
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Final, Literal

from bpkg.app.services import lookup
from bpkg.app.services.api_types import (
    ActionPointStatus,
    AsOfOut,
    CommitmentRow,
    CoverageCounts,
    CoverageOut,
    CoverageRow,
    GapsOut,
)
from bpkg.app.services.crosswalk import gcm_roll_up
from bpkg.app.services.dataset_cache import day_key, kept_or_computed, per_dataset
from bpkg.app.services.day_account import account, existing, plan_scope
from bpkg.app.services.status import ILLUSTRATIVE, is_illustrative, status_fields
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointFacts, Response, unplaced
from bpkg.graph_schema import Confidence, Label, RelType, Strength, weakest
from bpkg.graph_schema.asof import AsOf

CoverageBy = Literal["goal", "component", "country", "project", "gcm"]
_ROLL_UP_LABELS = [Label.DECLARATION, Label.COMMITMENT, Label.ACTION_PLAN, Label.PRIORITY_GOAL, Label.ACTION_POINT]
_MAX_NODES = 100_000


@dataclass(frozen=True)
class Facts:
    """Every action point with its direct responses and status (shared between requests: do not change it)."""

    items: list[ActionPointFacts]
    statuses: list[ActionPointStatus]
    illustrative: bool
    as_of: AsOfOut | None = None
    scoped: bool = False
    """Whether the action points are those of a plan (in force on a day, or asked for), not all of them."""

    @property
    def total(self) -> int:
        return len(self.items)

    @functools.cached_property
    def by_id(self) -> dict[str, ActionPointFacts]:
        """Each action point's facts by its id (made once, with the facts they index)."""
        return {f.action_point.id: f for f in self.items}


def read_facts(store: GraphStore, *, as_of: AsOf | None = None, plan: str | None = None) -> Facts:
    """Every action point's facts and status (computed once per dataset); as of a day, those of the action
    points of the plan(s) in force then (or of ``plan``, an ActionPlan id) with the links that may have existed
    then, and the account of what the count rests on."""
    return per_dataset(store, ("facts", *day_key(as_of, plan)), lambda: _read_facts(store, as_of, plan))


def _read_facts(store: GraphStore, as_of: AsOf | None = None, plan: str | None = None) -> Facts:
    items = sorted(store.action_point_facts(as_of), key=lambda f: (f.number, f.action_point.id))
    told: AsOfOut | None = None
    scoped = as_of is not None or plan is not None
    if scoped:
        scope = plan_scope(store, as_of, plan)
        items = [f for f in items if f.action_point.id in scope.action_points]
        if as_of is not None:
            counted = [r.basis for f in items for r in (*f.responses, *unplaced(f.goal_responses))]
            everything = [f for f in read_facts(store).items if f.action_point.id in scope.action_points]
            total = sum(len(f.responses) + len(f.goal_responses) for f in everything)
            told = account(as_of, ("response", "responses"), counted, total - len(counted), scope.plans, scope.note)
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
    return Facts(items, statuses, illustrative, told, scoped)


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


def _contribution_row(node: NodeRef, every: Counter[int], total: int, covered: set[int], responses: int) -> CoverageRow:
    """A row out of every action point (``every``: how many action points carry each number; ``total`` of them):
    the numbers of the covered ones only, in number order; the others are every action point not listed
    (``CoverageRow``). Read in the time of what the node covers, not of every action point."""
    numbers = sorted(covered)
    if len(every) != total:  # a number more than one action point carries: listed once for each
        numbers = list(itertools.chain.from_iterable(itertools.repeat(n, every[n]) for n in numbers))
    counts = _counts(len(numbers), total)
    return CoverageRow(
        node=node, responses=responses, covered_numbers=numbers, uncovered_numbers=None, **counts.model_dump()
    )


def goal_rows(store: GraphStore, facts: Facts) -> list[CoverageRow]:
    """One row per priority goal (by number), then one for action points under no goal, if any."""
    covered = {s.number for s in facts.statuses if s.status == "direct"}
    under: dict[str | None, list[ActionPointStatus]] = defaultdict(list)
    for s in facts.statuses:
        under[s.goal.id if s.goal else None].append(s)
    goals = lookup.nodes_of(store, Label.PRIORITY_GOAL, _MAX_NODES)
    if facts.scoped:  # the goals the plan's action points sit under
        goals = [g for g in goals if under[g.id]]
    rows = [_row(g, under[g.id], covered, sum(s.responses for s in under[g.id])) for g in goals]
    if under[None]:
        rows.append(_row(None, under[None], covered, sum(s.responses for s in under[None])))
    return rows


NO_GOAL_MATCHES: Final = "no priority goal matches this objective: nothing is counted"


def gcm_rows(store: GraphStore, facts: Facts, as_of: AsOf | None = None) -> list[CoverageRow]:
    """One row per GCM objective (by number): the action points under the goals that closely match it. Its
    confidence is the weakest on the path: the matches, the action points' placement under their goal, and the
    status of those responded to directly."""
    roll_up = gcm_roll_up(store, as_of)
    covered = {s.number for s in facts.statuses if s.status == "direct"}
    rows: list[CoverageRow] = []
    for objective in roll_up.objectives:
        matched = roll_up.goals.get(objective.number, [])
        ids = {m.goal.id for m in matched}
        under = [s for s in facts.statuses if s.goal is not None and s.goal.id in ids]
        row = _row(None, under, covered, sum(s.responses for s in under))
        row.objective, row.goals = objective, matched
        path = [m.confidence for m in matched]
        path += [s.goal.confidence for s in under if s.goal is not None and s.goal.confidence]
        path += [s.status_confidence for s in under if s.status == "direct" and s.status_confidence]
        row.confidence = weakest(path)
        if not matched:
            row.note = NO_GOAL_MATCHES
        rows.append(row)
    return rows


def _contribution_rows(
    store: GraphStore,
    facts: Facts,
    label: Label,
    involved: Callable[[Response], Iterable[NodeRef]],
    as_of: AsOf | None = None,
) -> list[CoverageRow]:
    """One row per node of ``label``: the action points it (or work there) responds to, out of all of them."""
    covered: dict[str, set[int]] = defaultdict(set)
    links: Counter[str] = Counter()
    # The responses share their lists of components, projects and countries (one per distinct content): each
    # list's distinct ids are read once (the list kept with them, so that no other object takes its id meanwhile).
    distinct: dict[int, tuple[Iterable[NodeRef], tuple[str, ...]]] = {}
    for f in facts.items:
        here: dict[str, int] = {}  # per node, the action point's responses that involve it
        for r in f.responses:
            refs = involved(r)
            known = distinct.get(id(refs))
            if known is None:
                known = distinct[id(refs)] = (refs, tuple(dict.fromkeys(n.id for n in refs)))
            for node_id in known[1]:
                here[node_id] = here.get(node_id, 0) + 1
        for node_id, count in here.items():
            covered[node_id].add(f.number)
            links[node_id] += count
    nodes = existing(store, lookup.nodes_of(store, label, _MAX_NODES), as_of)
    every = Counter(s.number for s in facts.statuses)
    rows = [_contribution_row(n, every, len(facts.statuses), covered[n.id], links[n.id]) for n in nodes]
    if label == Label.COUNTRY:
        # People look a country up by name, and those where work responds come first (ISO-code order put
        # dozens of empty rows before them).
        rows.sort(
            key=lambda r: (r.responses == 0, r.node.name.casefold() if r.node else "", r.node.id if r.node else "")
        )
    return rows


def commitments(store: GraphStore, as_of: AsOf | None = None, plan: str | None = None) -> list[CommitmentRow]:
    """``commitment_rows`` of the facts ``read_facts`` gives for ``as_of`` and ``plan``: computed once per dataset,
    day and plan, whichever answer (coverage by each grouping, gaps) asks first (shared: do not change them)."""
    return per_dataset(
        store,
        ("commitments", *day_key(as_of, plan)),
        lambda: commitment_rows(store, read_facts(store, as_of=as_of, plan=plan)),
    )


def commitment_rows(store: GraphStore, facts: Facts) -> list[CommitmentRow]:
    """Commitments covering the action points of the plans their declarations launch."""
    graph = store.whole_graph([lb.value for lb in _ROLL_UP_LABELS], _MAX_NODES)
    refs = {n.id: n for n in graph.nodes}
    # The goals in the graph's order, looked through per commitment (not every roll-up node: at 1M relationships,
    # 16,626 action points for each of 255 commitment rows).
    every_goal = [n for n in graph.nodes if n.label == Label.PRIORITY_GOAL]
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
                goals=[g for g in every_goal if g.id in goals],
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


def coverage(
    store: GraphStore, by: CoverageBy, *, as_of: AsOf | None = None, plan: str | None = None, kept: bool = True
) -> CoverageOut:
    """Coverage grouped ``by`` (computed once per dataset, day and plan; do not change the answer). As of a
    day: the action points of the plan(s) in force then (or of ``plan``), the links and rows that may have
    existed then. Today's is the one kept when the version was loaded, if the store kept one (``kept``)."""
    key = ("coverage", by, *day_key(as_of, plan))
    if kept and key == ("coverage", by):
        return per_dataset(
            store, key, lambda: kept_or_computed(store, f"coverage:{by}", CoverageOut, lambda: _coverage(store, by))
        )
    return per_dataset(store, key, lambda: _coverage(store, by, as_of, plan))


def _coverage(store: GraphStore, by: CoverageBy, as_of: AsOf | None = None, plan: str | None = None) -> CoverageOut:
    facts = read_facts(store, as_of=as_of, plan=plan)
    if by == "goal":
        rows = goal_rows(store, facts)
    elif by == "gcm":
        rows = gcm_rows(store, facts, as_of)
    else:
        # A response's components and projects include the responder itself when it is one.
        label, involved = _DIMENSIONS[by]
        rows = _contribution_rows(store, facts, label, involved, as_of)
    return CoverageOut(
        by=by,
        summary=summary(facts),
        rows=rows,
        commitments=commitments(store, as_of, plan),
        action_points=facts.statuses,
        illustrative=lookup.notice(store, facts.illustrative),
        as_of=facts.as_of,
    )


def gaps(store: GraphStore, *, as_of: AsOf | None = None, plan: str | None = None, kept: bool = True) -> GapsOut:
    """The gaps (computed once per dataset, day and plan; do not change the answer); today's the one kept when the
    version was loaded, if the store kept one (``kept``)."""
    key = ("gaps", *day_key(as_of, plan))
    if kept and key == ("gaps",):
        return per_dataset(store, key, lambda: kept_or_computed(store, "gaps", GapsOut, lambda: _gaps(store)))
    return per_dataset(store, key, lambda: _gaps(store, as_of, plan))


def _gaps(store: GraphStore, as_of: AsOf | None = None, plan: str | None = None) -> GapsOut:
    facts = read_facts(store, as_of=as_of, plan=plan)
    return GapsOut(
        summary=summary(facts),
        gaps=[s for s in facts.statuses if s.status != "direct"],
        goals=goal_rows(store, facts),
        commitments=commitments(store, as_of, plan),
        illustrative=lookup.notice(store, facts.illustrative),
        as_of=facts.as_of,
    )
