"""Timelines: the events and activities of a priority goal, a country, a component or a project by year, with
the share of action points responded to at each year-end (coverage as of that day, by the services' as_of rule);
and those of a single activity, output or event: itself with the events, activities and outputs it is linked to
(the share then counts the action points it responds to directly itself; an event responds to none).

An item is placed on a year only when its ``when`` says which: a start known to the year (``2015-10``,
``2021~``) places it; a start that may fall in several years (``[2016-12-15,2017-12-15]``) or none at all
(``../2013``, no ``when``) leaves it unplaced, listed apart and counted, never put on a guessed year. An
approximate or uncertain date (``~``, ``?``, ``%``) is placed on the year it gives and counted as such. An
activity with no recorded end (``2015-10/..``) is counted as running up to the last year of the timeline.

The coverage of every year-end comes from one read of the store (``Pass``): the nodes and links coverage rests
on, with their dates, then the as-of rule (``bpkg.graph_schema.asof``) applied in Python per year-end; it equals
``coverage_at``, the year-at-a-time way (``read_facts`` as of each day), which the contract tests compare.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Final, Literal

from bpkg.app.errors import InvalidQuery
from bpkg.app.services import lookup, tables
from bpkg.app.services.api_types import AsOfOut
from bpkg.app.services.coverage import coverage, read_facts
from bpkg.app.services.dataset_cache import per_dataset
from bpkg.app.services.day_account import account, scope_in_force
from bpkg.app.services.sheets import Table, marked
from bpkg.app.services.status import status_fields
from bpkg.app.store.base import node_sort_key
from bpkg.app.store.graph_types import EdgeData, LinkOut, NodeData, NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointFacts, unplaced
from bpkg.app.store.response_builder import EdgeIndex
from bpkg.app.store.response_builder import facts as facts_as_of
from bpkg.graph_schema import Label, RelType, weakest
from bpkg.graph_schema.asof import AsOf, Basis, existence

Kind = Literal["goal", "country", "component", "project", "activity", "output", "event"]
KINDS: Final[dict[str, Kind]] = {
    Label.PRIORITY_GOAL.value: "goal",
    Label.COUNTRY.value: "country",
    Label.COMPONENT.value: "component",
    Label.PROJECT.value: "project",
    Label.ACTIVITY.value: "activity",
    Label.OUTPUT.value: "output",
    Label.EVENT.value: "event",
}
SINGLE: Final[frozenset[Kind]] = frozenset({"activity", "output", "event"})
"""The kinds whose timeline is that of one item and what it is linked to, not of a group."""
ItemKind = Literal["event", "activity", "output"]
ITEM_KINDS: Final[dict[str, ItemKind]] = {
    Label.EVENT.value: "event",
    Label.ACTIVITY.value: "activity",
    Label.OUTPUT.value: "output",
}
MAX_YEARS: Final = 50
"""The most years a timeline shows (its last ones): each year is a coverage as of its end, all of them from one
read of the store (``Pass``; about 10 ms of Python per year whose dates differ on the bundled dataset, see
docs/performance.md), so the work of a page is bounded whatever dates a dataset holds. The Budapest Process
began in 1991, well inside it. Items over before the first year shown are listed apart."""
_BEFORE: Final = "dated before the years shown"


@dataclass(frozen=True)
class Item:
    """An event or activity with where its date places it: ``start`` (and ``end``) years, or why it is not placed."""

    node: NodeRef
    what: ItemKind
    when: str
    start: int | None
    end: int | None
    open_end: bool = False
    approximate: bool = False
    unplaced: str = ""

    @property
    def placed(self) -> bool:
        return self.start is not None


def place(node: NodeRef, what: ItemKind, when: str | None) -> Item:
    """Where ``when`` puts an item: its start year (an event's year), its end year, or why it cannot say.

    The bounds are those of the as_of rule (``bpkg.graph_schema.asof.existence``): a single date is when the thing
    came about, with no end known."""
    found = existence(when)
    if not found.dated:
        return Item(node, what, when or "", None, None, unplaced="no date recorded")
    if found.start_earliest is None or found.start_latest is None:
        return Item(node, what, when or "", None, None, unplaced="no known start")
    first, last = found.start_earliest.year, found.start_latest.year
    if first != last:
        reason = f"its date may fall in any year from {first} to {last}"
        return Item(node, what, when or "", None, None, unplaced=reason)
    end = found.end_latest.year if found.end_latest else None
    # An end that may fall in several years is counted up to the last it allows, and said to be approximate.
    unsure_end = found.end_earliest is not None and found.end_earliest.year != end
    return Item(node, what, when or "", first, end, open_end=end is None, approximate=found.approximate or unsure_end)


@dataclass(frozen=True)
class Coverage:
    """The row of one goal, country, component or project in the coverage as of a day."""

    covered: int
    total: int
    confidence: str | None
    account: AsOfOut | None
    absent: str = ""
    """Why no action point is counted, in words, when none is ("" otherwise)."""


@dataclass(frozen=True)
class Year:
    """One year of a timeline: what happened, what ran, and the action points responded to at its end."""

    year: int
    day: date
    events: list[Item]
    started: list[Item]
    running: list[Item]
    ended: list[Item]
    coverage: Coverage
    approximate: int
    outputs: list[Item] = field(default_factory=list)

    @property
    def covered(self) -> int:
        return self.coverage.covered

    @property
    def total(self) -> int:
        return self.coverage.total

    @property
    def confidence(self) -> str | None:
        return self.coverage.confidence

    @property
    def share(self) -> float | None:
        return round(self.covered / self.total, 4) if self.total else None

    @property
    def percent(self) -> int | None:
        return None if self.share is None else round(self.share * 100)


@dataclass(frozen=True)
class Timeline:
    node: NodeRef
    kind: Kind
    when: str
    items: list[Item]
    years: list[Year]
    coverage_rule: str
    illustrative: str | None

    @property
    def single(self) -> bool:
        """Whether this is the timeline of one activity, output or event (with what it is linked to)."""
        return self.kind in SINGLE

    @property
    def unplaced(self) -> list[Item]:
        return [i for i in self.items if not i.placed]

    @property
    def approximate(self) -> list[Item]:
        return [i for i in self.items if i.placed and i.approximate]

    @property
    def open_ended(self) -> list[Item]:
        return [i for i in self.items if i.placed and i.what == "activity" and i.open_end]

    def counts(self, what: ItemKind) -> int:
        return sum(i.what == what for i in self.items)

    @property
    def accounts(self) -> list[str]:
        """How uncertain dates are handled, in plain sentences (the page and the file say the same)."""
        out: list[str] = []
        n = len(self.approximate)
        if n:
            out.append(
                f"{_count(n, 'item')} with an approximate or uncertain date {'is' if n == 1 else 'are'} counted "
                "in the year the date gives (marked ~)."
            )
        n = len(self.open_ended)
        if n and self.years:
            out.append(
                f"{_count(n, 'activity', 'activities')} with no recorded end {'is' if n == 1 else 'are'} counted "
                f"as running up to {self.years[-1].year}."
            )
        undated = sum(i.unplaced == "no date recorded" for i in self.items)
        before = sum(i.unplaced.startswith(_BEFORE) for i in self.items)
        other = len(self.unplaced) - undated - before
        if undated or other or before:
            parts = [f"{_count(undated, 'item')} without a date"] if undated else []
            parts += [f"{_count(other, 'item')} whose date does not say the year"] if other else []
            if before and self.years:
                parts += [
                    f"{_count(before, 'item')} over before {self.years[0].year} (a timeline shows at most "
                    f"{MAX_YEARS} years)"
                ]
            verb = "is" if len(self.unplaced) == 1 else "are"
            out.append(f"{' and '.join(parts)} {verb} listed apart, not placed on a year.")
        return out


def _count(n: int, one: str, several: str | None = None) -> str:
    return f"{n} {one if n == 1 else (several or one + 's')}"


def coverage_at(store: GraphStore, kind: Kind, node_id: str, day: date) -> Coverage:
    """The row of ``node_id`` in the coverage as of ``day`` (the services' as_of rule and plan in force)."""
    if kind in SINGLE:
        return _own_coverage_at(store, kind, node_id, day)
    found = coverage(store, group(kind), as_of=AsOf(day, day.isoformat()))
    row = next((r for r in found.rows if r.node is not None and r.node.id == node_id), None)
    if found.as_of is not None and not found.as_of.plans:
        return Coverage(0, 0, None, found.as_of, "no action plan in force")
    if row is None:
        absent = "no action point under it in the plan in force" if kind == "goal" else "it did not exist then"
        return Coverage(0, 0, None, found.as_of, absent)
    # What the count rests on: the weakest status among the action points counted (a row has none of its own).
    covered = set(row.covered_numbers)
    rests_on = row.confidence or weakest(
        s.status_confidence for s in found.action_points if s.number in covered and s.status_confidence
    )
    return Coverage(row.covered, row.action_points, rests_on, found.as_of)


def group(kind: Kind) -> Literal["goal", "country", "component", "project"]:
    """The coverage grouping of a goal's, country's, component's or project's timeline (``ValueError`` else)."""
    if kind == "goal" or kind == "country" or kind == "component" or kind == "project":
        return kind
    raise ValueError(f"a {kind} is not a group")


def _own_coverage_at(store: GraphStore, kind: Kind, node_id: str, day: date) -> Coverage:
    """The action points an activity or output responds to directly itself, as of ``day``, out of those of the
    plan in force then (an event responds to none: nothing is counted)."""
    if kind == "event":
        return Coverage(0, 0, None, None, "an event does not respond to action points")
    facts = read_facts(store, as_of=AsOf(day, day.isoformat()))
    if facts.as_of is not None and not facts.as_of.plans:
        return Coverage(0, 0, None, facts.as_of, "no action plan in force")
    own = [r for f in facts.items for r in f.responses if r.responder.id == node_id]
    covered = len({r.target.id for r in own})
    return Coverage(covered, facts.total, weakest(r.confidence for r in own) if own else None, facts.as_of)


def timeline(store: GraphStore, node_id: str, today: date | None = None, *, one_pass: bool = True) -> Timeline:
    """The timeline of a priority goal, country, component, project, activity, output or event
    (``InvalidQuery`` for another node). ``one_pass=False`` computes each year's coverage on its own
    (``coverage_at``): the reference the contract tests and ``benchmarks/timelines.py`` compare with."""
    node = store.node_data(node_id)
    kind = KINDS.get(node.label)
    if kind is None:
        raise InvalidQuery(
            f"'{node_id}' is a {node.label}: a timeline is for a priority goal, a country, a component, a project, "
            "an activity, an output or an event"
        )
    kinds: list[tuple[ItemKind, set[str]]]
    if kind in SINGLE:
        kinds = _linked(store, node)
    else:
        events, activities = _members(store, node, kind)
        kinds = [("event", events), ("activity", activities)]
    found = store.nodes_by_id([i for _, ids in kinds for i in ids])
    items = [place(lookup.to_ref(found[i]), what, _when(found[i])) for what, ids in kinds for i in ids if i in found]
    items.sort(key=lambda i: (i.start if i.start is not None else 10_000, i.what, i.node.name.lower()))
    today = today or date.today()
    items = _window(items, today)
    years = _years(store, kind, node, items, today, one_pass)
    return Timeline(
        node=lookup.to_ref(node),
        kind=kind,
        when=_when(node) or "",
        items=items,
        years=years,
        coverage_rule=COVERAGE_RULE[kind],
        illustrative=lookup.notice(store, any(y.confidence == "illustrative" for y in years)),
    )


COVERAGE_RULE: Final[dict[Kind, str]] = {
    "goal": "the action points under this goal responded to directly, out of those under it",
    "country": "the action points that work in this country responds to directly, out of all action points",
    "component": "the action points this component (or its activities) responds to directly, out of all action points",
    "project": "the action points this project (or its components and activities) responds to directly, "
    "out of all action points",
    "activity": "the action points this activity responds to directly itself, out of all action points",
    "output": "the action points this output responds to directly itself, out of all action points",
    "event": "none: an event does not respond to action points (see what it discussed on its page)",
}


def _linked(store: GraphStore, node: NodeData) -> list[tuple[ItemKind, set[str]]]:
    """A single activity, output or event with the events, activities and outputs it is linked to either way."""
    found: dict[ItemKind, set[str]] = {"event": set(), "activity": set(), "output": set()}
    found[ITEM_KINDS[node.label]].add(node.id)
    for link in store.links(node.id):
        what = ITEM_KINDS.get(link.node.label)
        if what is not None:
            found[what].add(link.node.id)
    return [(what, ids) for what, ids in found.items()]


def _when(node: NodeData) -> str | None:
    value = node.props.get("when")
    return str(value) if value else None


def _span(items: list[Item], today: date) -> tuple[int, int] | None:
    """The first and last year of a timeline of ``items`` (to this year while an activity runs on), at most
    ``MAX_YEARS`` of them (the last ones); None when no item is placed."""
    placed = [i for i in items if i.start is not None]
    if not placed:
        return None
    first = min(_start(i) for i in placed)
    ends = [i.end for i in placed if i.end is not None]
    running_on = [today.year] if any(i.open_end for i in placed if i.what == "activity") else []
    last = max(first, min(max([_start(i) for i in placed] + ends + running_on), today.year))
    return max(first, last - MAX_YEARS + 1), last


def _window(items: list[Item], today: date) -> list[Item]:
    """``items`` with those that are over before the first year shown listed apart (``MAX_YEARS``)."""
    span = _span(items, today)
    if span is None:
        return items
    first = span[0]
    reason = f"{_BEFORE}: it is over before {first} (a timeline shows at most {MAX_YEARS} years)"
    out = []
    for item in items:
        over = item.start is not None and (item.end if item.end is not None else item.start) < first
        if item.what == "activity" and item.open_end:
            over = False  # it runs on into the years shown
        out.append(replace(item, start=None, end=None, unplaced=reason) if over else item)
    return out


def _years(
    store: GraphStore, kind: Kind, node: NodeData, items: list[Item], today: date, one_pass: bool = True
) -> list[Year]:
    """One row per year of ``_span``: at most ``MAX_YEARS`` coverages, each as of a year-end, all computed from
    one read of the store (``Pass``; a year at a time, ``coverage_at``, only when that read was cut short)."""
    span = _span(items, today)
    placed = [i for i in items if i.start is not None]
    if span is None:
        return []
    once = shared_pass(store) if one_pass and kind != "event" else None
    events = [i for i in placed if i.what == "event"]
    outputs = [i for i in placed if i.what == "output"]
    activities = [i for i in placed if i.what == "activity"]
    first, last = span
    out: list[Year] = []
    for year in range(first, last + 1):
        day = min(date(year, 12, 31), today)
        happened = [i for i in events if i.start == year]
        made = [i for i in outputs if i.start == year]
        running = [i for i in activities if _start(i) <= year <= (i.end if i.end is not None else last)]
        then = once.coverage_at(kind, node, day) if once is not None else coverage_at(store, kind, node.id, day)
        out.append(
            Year(
                year=year,
                day=day,
                events=happened,
                started=[i for i in activities if i.start == year],
                running=running,
                ended=[i for i in activities if i.end == year and not i.open_end],
                coverage=then,
                approximate=sum(i.approximate for i in (*happened, *made, *running)),
                outputs=made,
            )
        )
    return out


def _start(item: Item) -> int:
    assert item.start is not None
    return item.start


def _members(store: GraphStore, node: NodeData, kind: Kind) -> tuple[set[str], set[str]]:
    """The ids of the events and activities that belong on the timeline of ``node``."""
    if kind == "country":
        there = store.links(node.id)
        return _ends(there, RelType.IN_COUNTRY, Label.EVENT), _ends(there, RelType.IN_COUNTRY, Label.ACTIVITY)
    if kind == "goal":
        facts = [f for f in read_facts(store).items if f.goal is not None and f.goal.id == node.id]
        responses = [r for f in facts for r in (*f.responses, *unplaced(f.goal_responses))]
        activities = {r.responder.id for r in responses if r.responder.label == Label.ACTIVITY}
        events: set[str] = set()
        for target in (node.id, *(f.action_point.id for f in facts)):
            events |= _ends(store.links(target), RelType.DISCUSSED, Label.EVENT)
        return events, activities
    # A component or project: its activities (a project's through its components too), and the events it or
    # they are linked to (an activity informs an event, an event produced an output, ...).
    inside = store.trace(node.id, "down", 2, [RelType.PART_OF.value, RelType.HAS_COMPONENT.value])
    activities = {n.id for n in inside.nodes if n.label == Label.ACTIVITY}
    holders = [node.id, *sorted(activities), *(n.id for n in inside.nodes if n.label == Label.COMPONENT)]
    events = set()
    for holder in dict.fromkeys(holders):
        events |= {link.node.id for link in store.links(holder) if link.node.label == Label.EVENT}
    return events, activities


def _ends(links: Iterable[LinkOut], rel: RelType, label: Label) -> set[str]:
    """The nodes of ``label`` at the start of the ``rel`` links among ``links`` (those that point here)."""
    return {link.node.id for link in links if link.type == rel and link.direction == "in" and link.node.label == label}


def table(found: Timeline) -> Table:
    """The timeline's numbers as the page shows them: one row per year, then the unplaced items' counts."""
    header = [
        "year",
        "events",
        "activities started",
        "activities running",
        "activities ended",
        "activities not placed on a year",
        "approximate dates counted",
        "action points responded to at year-end",
        "action points",
        "share responded to",
        "as of",
        "why no action point is counted",
        "outputs",
        "outputs not placed on a year",
    ]
    rows: list[list[tables.Cell]] = []
    for y in found.years:
        covered = marked_count(y.covered, y.confidence) if y.total else None
        rows.append(
            [
                y.year,
                len(y.events),
                len(y.started),
                len(y.running),
                len(y.ended),
                None,
                y.approximate,
                covered,
                y.total or None,
                y.share,
                y.day.isoformat(),
                y.coverage.absent or None,
                len(y.outputs),
                None,
            ]
        )
    for reason in sorted({i.unplaced for i in found.unplaced}):
        these = [i for i in found.unplaced if i.unplaced == reason]
        events = sum(i.what == "event" for i in these)
        outputs = sum(i.what == "output" for i in these)
        activities = len(these) - events - outputs
        rows.append([f"not placed: {reason}", events, None, None, None, activities, *[None] * 6, None, outputs])
    return header, rows


def marked_count(n: int, confidence: str | None) -> str | int:
    """A count, followed by what it rests on when that is not confirmed (as the other tables do)."""
    return marked(str(n), confidence) if confidence and confidence != "confirmed" else n


def shared_pass(store: GraphStore) -> Pass | None:
    """The ``Pass`` of the store's dataset, read once and shared by every timeline until the dataset changes
    (``coverage.per_dataset``; None when the material is too large to hold: a year at a time then)."""
    return per_dataset(store, ("timeline-pass",), lambda: Pass.read(store))


_MATERIAL: Final = [
    lb.value
    for lb in (
        Label.ACTION_PLAN,
        Label.ACTION_POINT,
        Label.PRIORITY_GOAL,
        Label.PROJECT,
        Label.COMPONENT,
        Label.ACTIVITY,
        Label.OUTPUT,
        Label.COUNTRY,
    )
]
"""The labels whose nodes and links coverage as of a day is built from: the plans and what they contain, the
action points, their goals, the responders and their places (components, projects, countries)."""
_MAX_MATERIAL: Final = 100_000
_MAX_DAYS: Final = 64
"""Days' facts a ``Pass`` keeps (least recently computed dropped first): a timeline's distinct year-ends and
those of the next few timelines asked for."""
_INVOLVED: Final = {"component": "components", "project": "projects", "country": "countries"}


@dataclass(frozen=True)
class Pass:
    """Coverage at many days from one read of the store: every node and link coverage rests on, with all its
    dates, read once (``read``); as of each day, the services' rule decides in Python what counts.

    The facts of a day are ``bpkg.app.store.response_builder.facts`` over the links read, through the same as-of rule
    (``bpkg.graph_schema.asof``) the stores apply; days on which every date read gives the same answer (``Basis``)
    share them. The rest is ``coverage.read_facts``'s plan in force and account, and ``coverage.coverage``'s
    row (``coverage_at``, the year-at-a-time way, gives the same ``Coverage``: the contract tests compare)."""

    action_points: list[NodeData]
    index: EdgeIndex
    plans: list[NodeData]
    contained: dict[str, set[str]]
    goals: frozenset[str]
    today: dict[str, int]
    """Responses (direct and to the goal) per action point today: what an account says is left out."""
    whens: tuple[str, ...]
    _days: dict[tuple[Basis | None, ...], list[ActionPointFacts]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False)

    @classmethod
    def read(cls, store: GraphStore) -> Pass | None:
        """The material of every coverage as of a day, in a few reads (None when it is too large to hold)."""
        found = store.whole_graph(_MATERIAL, _MAX_MATERIAL)
        if found.truncated:
            return None
        nodes = store.nodes_by_id([n.id for n in found.nodes])
        edges = [
            EdgeData(e.source, e.target, e.type, e.model_dump(exclude={"source", "target", "type"}, exclude_none=True))
            for e in found.edges
        ]
        of_label = {n.id: n.label for n in nodes.values()}
        plans = sorted((n for n in nodes.values() if n.label == Label.ACTION_PLAN), key=node_sort_key)
        contained: dict[str, set[str]] = {p.id: set() for p in plans}
        for e in edges:
            if e.type == RelType.CONTAINS and e.source in contained and of_label.get(e.target) == Label.ACTION_POINT:
                contained[e.source].add(e.target)
        whens = {str(n.props["when"]) for n in nodes.values() if n.props.get("when")}
        whens |= {str(e.props["when"]) for e in edges if e.props.get("when")}
        return cls(
            action_points=sorted((n for n in nodes.values() if n.label == Label.ACTION_POINT), key=node_sort_key),
            index=EdgeIndex.of(edges, nodes),
            plans=plans,
            contained=contained,
            goals=frozenset(n.id for n in nodes.values() if n.label == Label.PRIORITY_GOAL),
            today={f.action_point.id: len(f.responses) + len(f.goal_responses) for f in read_facts(store).items},
            whens=tuple(sorted(whens)),
        )

    def facts(self, as_of: AsOf) -> list[ActionPointFacts]:
        """Every action point's facts as of the day, by number (``store.action_point_facts(as_of)``, sorted)."""
        key = tuple(existence(w).basis(as_of.day) for w in self.whens)
        with self._lock:
            kept = self._days.get(key)
        if kept is not None:
            return kept
        found = sorted(facts_as_of(self.action_points, self.index, as_of), key=lambda f: (f.number, f.action_point.id))
        with self._lock:
            self._days[key] = found
            while len(self._days) > _MAX_DAYS:
                self._days.pop(next(iter(self._days)))
        return found

    def coverage_at(self, kind: Kind, node: NodeData, day: date) -> Coverage:
        """What ``coverage_at(store, kind, node.id, day)`` gives, from the material read."""
        if kind == "event":
            return Coverage(0, 0, None, None, "an event does not respond to action points")
        as_of = AsOf(day, day.isoformat())
        scope = scope_in_force(self.plans, self.contained, as_of)
        items = [f for f in self.facts(as_of) if f.action_point.id in scope.action_points]
        counted = [r.basis for f in items for r in (*f.responses, *unplaced(f.goal_responses))]
        total = sum(self.today.get(a, 0) for a in scope.action_points)
        told = account(as_of, ("response", "responses"), counted, total - len(counted), scope.plans, scope.note)
        if not told.plans:
            return Coverage(0, 0, None, told, "no action plan in force")
        if kind == "activity" or kind == "output":
            own = [r for f in items for r in f.responses if r.responder.id == node.id]
            rests = weakest(r.confidence for r in own) if own else None
            return Coverage(len({r.target.id for r in own}), len(items), rests, told)
        statuses = [(f, status_fields(f.responses, f.goal_responses)) for f in items]
        if kind == "goal":
            direct = {f.number for f, s in statuses if s["status"] == "direct"}
            under = [f.number for f in items if f.goal is not None and f.goal.id == node.id]
            if node.id not in self.goals or not under:
                return Coverage(0, 0, None, told, "no action point under it in the plan in force")
            numbers = [n for n in under if n in direct]
            out_of = len(under)
        else:
            if existence(_when(node)).basis(day) is None:
                return Coverage(0, 0, None, told, "it did not exist then")
            involved = _INVOLVED[kind]
            there = {f.number for f in items for r in f.responses if any(n.id == node.id for n in getattr(r, involved))}
            numbers = [f.number for f in items if f.number in there]
            out_of = len(items)
        # What the count rests on: the weakest status among the action points counted (coverage_at's rule).
        counted_numbers = set(numbers)
        rests_on = weakest(
            s["status_confidence"] for f, s in statuses if f.number in counted_numbers and s["status_confidence"]
        )
        return Coverage(len(numbers), out_of, rests_on, told)
