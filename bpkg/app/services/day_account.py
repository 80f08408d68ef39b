"""Answers as of a date, the services' side: the account every such answer carries, and the plan in force.

The rule of what counts on a day is ``bpkg.graph_schema.asof`` (the stores apply it natively); here it becomes
words. ``account`` tallies what the items of an answer rest on (a dated, undated, imprecise or approximate
date) into an ``AsOfOut`` with one plain sentence; ``plans_in_force`` picks the action plan(s) whose action
points coverage, gaps and the matrix are about on a day (or the plan asked for).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Final

from bpkg.app.services import lookup
from bpkg.app.services.api_types import AsOfOut
from bpkg.app.store.base import node_sort_key
from bpkg.app.store.graph_types import GraphOut, NodeData, NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import PathOut
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, Basis, basis
from bpkg.graph_schema.dates import parse_when

_MONTHS: Final = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def day_words(as_of: AsOf) -> str:
    """The day as people write it: 31 December 2020."""
    d = as_of.day
    return f"{d.day} {_MONTHS[d.month - 1]} {d.year}"


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


def account(
    as_of: AsOf,
    items: tuple[str, str],
    bases: Iterable[Basis | str | None],
    left_out: int,
    plans: list[NodeRef] | None = None,
    plan_note: str = "",
) -> AsOfOut:
    """The account of an answer as of ``as_of``: ``bases`` holds what each item counted rests on, ``items``
    the word for one item and for several ("response", "responses")."""
    tally: Counter[str] = Counter(str(b) for b in bases if b is not None)
    counted = sum(tally.values())
    one, many = items
    parts = []
    if tally[Basis.APPROXIMATE]:
        parts.append(f"{tally[Basis.APPROXIMATE]} on an approximate date")
    if tally[Basis.IMPRECISE]:
        parts.append(f"{tally[Basis.IMPRECISE]} on a date too coarse to tell (counted as there)")
    if tally[Basis.UNDATED]:
        parts.append(f"{tally[Basis.UNDATED]} on no date at all (counted as always there)")
    sentence = f"As of {day_words(as_of)}: {_plural(counted, one, many)} counted"
    sentence += f", of which {', '.join(parts)}" if parts else (", all on dates that settle it" if counted else "")
    sentence += "."
    if left_out:
        sentence += f" {_plural(left_out, one, many)} left out: not begun yet or already ended then."
    if plan_note:
        sentence += f" {plan_note}"
    return AsOfOut(
        date=as_of.iso,
        given=as_of.text,
        items=many,
        counted=counted,
        undated=tally[Basis.UNDATED],
        imprecise=tally[Basis.IMPRECISE],
        approximate=tally[Basis.APPROXIMATE],
        left_out=left_out,
        plans=plans or [],
        sentence=sentence,
    )


@dataclass(frozen=True)
class Scope:
    """The action points an answer as of a day (or for one plan) is about, and why."""

    plans: list[NodeRef]
    action_points: frozenset[str]
    note: str


def plan_scope(store: GraphStore, as_of: AsOf | None, plan: str | None) -> Scope:
    """The action points of ``plan`` (an ActionPlan id) or, without one, of the plan(s) in force on ``as_of``:
    those whose own dates say they may have been in force then, among the plans that contain action points.

    When no plan in force then has action points in the data (the 2025-2030 Call for Action's are not public),
    the answer falls back to the most recent plan begun by then that has them, and its note says so: a day
    after the last plan with action points ended still has something to count, never "0 of 0"."""
    plans = sorted(
        store.nodes_by_id([ref.id for ref in lookup.nodes_of(store, Label.ACTION_PLAN)]).values(), key=node_sort_key
    )
    if plan is not None:
        chosen = [lookup.of_label(store, plan, Label.ACTION_PLAN, what="action plan")]
    else:
        chosen = [p for p in plans if as_of is None or basis(p.props, as_of) is not None]
    contained = {p.id: _contained(store, p.id) for p in [*plans, *chosen]}
    if plan is not None or as_of is None:
        if plan is None:
            chosen = [p for p in chosen if contained[p.id]]
        return Scope([lookup.to_ref(p) for p in chosen], _points(chosen, contained), _note(chosen, as_of, plan))
    return scope_in_force(plans, contained, as_of)


def _contained(store: GraphStore, plan_id: str) -> set[str]:
    return {
        link.node.id
        for link in store.links(plan_id)
        if link.type == RelType.CONTAINS and link.direction == "out" and link.node.label == Label.ACTION_POINT
    }


def _points(chosen: list[NodeData], contained: dict[str, set[str]]) -> frozenset[str]:
    return frozenset(a for p in chosen for a in contained[p.id])


def _start(plan: NodeData) -> date | None:
    """The first day a plan may have been in force (from its ``when``, the one date of a fact)."""
    when = plan.props.get("when")
    return parse_when(when).earliest if isinstance(when, str) else None


def _fallback_note(in_force: list[NodeData], latest: NodeData, as_of: AsOf) -> str:
    when = latest.props.get("when")
    last = parse_when(when).latest if isinstance(when, str) else None
    ended = f", which ended in {last.year}" if last is not None and last < as_of.day else ""
    showing = f"showing the action points of {latest.name}{ended}, the most recent plan that has them."
    if in_force:
        names = " and ".join(p.name for p in in_force)
        return f"The action points of {names} (in force on {day_words(as_of)}) are not public; {showing}"
    return f"No action plan was in force on {day_words(as_of)}; {showing}"


def scope_in_force(plans: list[NodeData], contained: dict[str, set[str]], as_of: AsOf) -> Scope:
    """The plan(s) in force on ``as_of`` and their action points, from plans read once (``plans`` every action plan
    in ``node_sort_key`` order, ``contained`` the action points each contains), with ``plan_scope``'s fallback to
    the most recent plan begun by then that has action points: one rule for a request and for a timeline's years."""
    chosen = [p for p in plans if basis(p.props, as_of) is not None]
    with_points = [p for p in chosen if contained.get(p.id)]
    if with_points:
        return Scope(
            [lookup.to_ref(p) for p in with_points], _points(with_points, contained), _note(with_points, as_of, None)
        )
    begun = [
        (start, p) for p in plans if contained.get(p.id) and (start := _start(p)) is not None and start <= as_of.day
    ]
    if not begun:
        return Scope([], frozenset(), _note([], as_of, None))
    latest = max(begun, key=lambda found: (found[0], found[1].id))[1]
    return Scope([lookup.to_ref(latest)], _points([latest], contained), _fallback_note(chosen, latest, as_of))


def _note(chosen: list[NodeData], as_of: AsOf | None, plan: str | None) -> str:
    if as_of is None:
        return f"The action points are those of {', '.join(p.name for p in chosen)}." if chosen else ""
    if not chosen:
        return f"No action plan with action points was in force on {day_words(as_of)}: no action point is counted."
    words = []
    for p in chosen:
        found = basis(p.props, as_of)
        if plan is not None and found is None:
            words.append(f"{p.name} (asked for; not in force then)")
        elif found == Basis.IMPRECISE:
            words.append(f"{p.name} (its dates leave it open whether it was still in force)")
        elif found == Basis.UNDATED:
            words.append(f"{p.name} (undated: taken as in force)")
        else:
            words.append(p.name)
    what = "asked for" if plan is not None else "in force then"
    return f"The action points are those of the plan {what}: {'; '.join(words)}."


def existing(store: GraphStore, refs: list[NodeRef], as_of: AsOf | None) -> list[NodeRef]:
    """The nodes among ``refs`` that may have existed on ``as_of`` (all of them without a day), in order."""
    if as_of is None:
        return refs
    nodes = store.nodes_by_id([r.id for r in refs])
    return [r for r in refs if r.id in nodes and basis(nodes[r.id].props, as_of) is not None]


def _graph_bases(
    store: GraphStore, node_ids: Iterable[str], whens: Iterable[str | None], as_of: AsOf
) -> list[Basis | None]:
    nodes = store.nodes_by_id(sorted(set(node_ids)))
    bases = [basis(n.props, as_of) for n in nodes.values()]
    return bases + [basis({"when": w}, as_of) for w in whens]


def graph_account(store: GraphStore, found: GraphOut, today: GraphOut, as_of: AsOf) -> AsOfOut:
    """The account of a trace as of a day: its nodes and links, and how many of today's trace it leaves out."""
    bases = _graph_bases(store, (n.id for n in found.nodes), (e.when for e in found.edges), as_of)
    left = len({n.id for n in today.nodes} - {n.id for n in found.nodes}) + len(
        {(e.source, e.type, e.target) for e in today.edges} - {(e.source, e.type, e.target) for e in found.edges}
    )
    told = account(as_of, ("node or link", "nodes and links"), bases, left)
    if found.note:
        told.sentence += f" {found.note}"
    return told


def paths_account(store: GraphStore, found: list[PathOut], as_of: AsOf) -> AsOfOut:
    """The account of paths as of a day: the nodes and links on them (each once)."""
    nodes = {n.id for p in found for n in p.nodes}
    links = {(r.source, r.type, r.target): r.when for p in found for s in p.steps for r in s.relationships}
    return account(as_of, ("node or link", "nodes and links"), _graph_bases(store, nodes, links.values(), as_of), 0)
