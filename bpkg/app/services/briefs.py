"""What the pages answer a policy officer with: action points with their status, responders and countries;
gaps by goal, component and country; a country's brief by year; the matrix by goal; the overview with
activities rolled up into their component or project (so that its coverage equals the home page's)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Final, Literal

from bpkg.app.services import lookup, tables
from bpkg.app.services.api_types import ActionPointStatus, CountryOut, MatrixOut
from bpkg.app.services.countries import country as country_answer
from bpkg.app.services.coverage import Facts, coverage, read_facts
from bpkg.app.services.matrix import matrix as matrix_answer
from bpkg.app.services.sheets import Table, marked
from bpkg.app.store.graph_types import EdgeOut, GraphOut, NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import Response, unplaced
from bpkg.graph_schema import Confidence, Label, RelType, most_certain, parse_when, weakest
from bpkg.graph_schema.asof import AsOf

ILLUSTRATIVE: Final = Confidence.ILLUSTRATIVE.value
_INVOLVED: Final[dict[str, Callable[[Response], Iterable[NodeRef]]]] = {
    "component": lambda r: r.components,
    "project": lambda r: r.projects,
    "country": lambda r: r.countries,
}


def _distinct(refs: Iterable[NodeRef]) -> list[NodeRef]:
    found: dict[str, NodeRef] = {}
    for ref in refs:
        found.setdefault(ref.id, ref)
    return sorted(found.values(), key=lambda r: r.name.lower())


@dataclass(frozen=True)
class ActionPointRow:
    """An action point as a row: its status, who responds to it directly, where, and who to its goal."""

    status: ActionPointStatus
    responders: list[NodeRef]
    countries: list[NodeRef]
    goal_responders: list[NodeRef]

    @property
    def illustrative(self) -> bool:
        return self.status.status_confidence == ILLUSTRATIVE


def action_point_rows(store: GraphStore, facts: Facts | None = None) -> list[ActionPointRow]:
    facts = facts or read_facts(store)
    return [
        ActionPointRow(
            status=s,
            responders=_distinct(r.responder for r in f.responses),
            countries=_distinct(c for r in f.responses for c in r.countries),
            goal_responders=_distinct(r.responder for r in unplaced(f.goal_responses)),
        )
        for f, s in zip(facts.items, facts.statuses, strict=True)
    ]


def statuses(store: GraphStore, *, as_of: AsOf | None = None) -> dict[str, ActionPointStatus]:
    """Every action point's status by its id (for chips and lists anywhere); as of a day, then. Today's are those
    coverage lists (the same statuses of the same facts), which a Neo4j load keeps: a page showing a status chip
    reads them instead of every action point's facts (at 1M relationships a node page's first call took 158 s)."""
    if as_of is None:
        return {s.action_point.id: s for s in coverage(store, "goal").action_points}
    return {s.action_point.id: s for s in read_facts(store, as_of=as_of).statuses}


# -- gaps -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class GapGroup:
    """A goal, component or country, and the action points with no direct response from it (or there)."""

    node: NodeRef | None
    responded: list[int]
    missing: list[ActionPointRow]


@dataclass(frozen=True)
class GapsView:
    rows: list[ActionPointRow]
    by_goal: list[GapGroup]
    by_component: list[GapGroup]
    by_country: list[GapGroup]
    illustrative: bool


def gaps_view(store: GraphStore, *, as_of: AsOf | None = None) -> GapsView:
    facts = read_facts(store, as_of=as_of)
    rows = action_point_rows(store, facts)
    not_direct = [r for r in rows if r.status.status != "direct"]
    by_goal: dict[str | None, list[ActionPointRow]] = defaultdict(list)
    for r in rows:
        by_goal[r.status.goal.id if r.status.goal else None].append(r)
    goals = lookup.nodes_of(store, Label.PRIORITY_GOAL)
    goal_groups = [
        GapGroup(
            node=g,
            responded=[r.status.number for r in by_goal[g.id] if r.status.status == "direct"],
            missing=[r for r in by_goal[g.id] if r.status.status != "direct"],
        )
        for g in goals
    ]
    if by_goal[None]:
        goal_groups.append(
            GapGroup(
                None,
                [r.status.number for r in by_goal[None] if r.status.status == "direct"],
                [r for r in by_goal[None] if r.status.status != "direct"],
            )
        )

    def groups(dim: str, label: Label) -> list[GapGroup]:
        served: dict[str, set[int]] = defaultdict(set)
        for f in facts.items:
            for resp in f.responses:
                for ref in _INVOLVED[dim](resp):
                    served[ref.id].add(f.number)
        return [
            GapGroup(
                node=n,
                responded=sorted(served[n.id]),
                missing=[r for r in rows if r.status.number not in served[n.id]],
            )
            for n in lookup.nodes_of(store, label)
        ]

    return GapsView(
        rows=not_direct,
        by_goal=goal_groups,
        by_component=groups("component", Label.COMPONENT),
        by_country=[g for g in groups("country", Label.COUNTRY) if g.responded],
        illustrative=facts.illustrative,
    )


# -- a country ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dated:
    node: NodeRef
    year: str
    kind: str
    detail: str


@dataclass(frozen=True)
class CountryBrief:
    answer: CountryOut
    statuses: dict[str, ActionPointStatus]
    centres: list[Dated]
    activities: list[Dated]
    events: list[Dated]
    years: list[str] = field(default_factory=list)


def _dated(store: GraphStore, refs: list[NodeRef]) -> list[Dated]:
    data = store.nodes_by_id([r.id for r in refs])
    out: list[Dated] = []
    for ref in refs:
        props = data[ref.id].props if ref.id in data else {}
        # One date per fact: the year is the first year `when` allows (issue 20); the detail is `when` as written.
        when = str(props.get("when") or "")
        start = parse_when(when).earliest if when else None
        year = str(start.year) if start else ""
        detail = str(props.get("date") or when)
        out.append(Dated(ref, year, str(props.get("kind") or ""), detail))
    return sorted(out, key=lambda d: (d.year or "9999", d.node.name.lower()))


def country_brief(store: GraphStore, code: str, *, as_of: AsOf | None = None) -> CountryBrief:
    answer = country_answer(store, code, as_of=as_of)
    activities = _dated(store, answer.activities)
    centres = [a for a in activities if "resource centre" in a.kind.lower()]
    others = [a for a in activities if a not in centres]
    events = _dated(store, answer.events)
    years = sorted({d.year for d in [*activities, *events] if d.year})
    return CountryBrief(answer, statuses(store, as_of=as_of), centres, others, events, years)


def country_table(brief: CountryBrief) -> Table:
    """Everything the country page shows, one row per item: what, year, name, status or kind, confidence."""
    a = brief.answer
    header = ["what", "year", "name", "status or kind", "goal", "responded to here by", "confidence"]
    rows: list[list[tables.Cell]] = []
    for r in a.roles:
        rows.append(["role in the process", None, r.process.name, r.role, None, None, r.confidence])
    for ap in a.action_points:
        status = brief.statuses.get(ap.action_point.id)
        rows.append(
            [
                "action point served there",
                None,
                ap.action_point.name,
                marked(status.status_words, status.status_confidence) if status else None,
                marked(ap.goal.name, ap.goal.confidence) if ap.goal else None,
                "; ".join(x.name for x in ap.responders),
                ap.confidence,
            ]
        )
    for what, refs in (("project", a.projects), ("component", a.components)):
        rows.extend([what, None, x.name, None, None, None, x.confidence] for x in refs)
    for what, dated in (
        ("Migrant Resource Centre", brief.centres),
        ("activity", brief.activities),
        ("event", brief.events),
    ):
        rows.extend([what, d.year or None, d.node.name, d.kind, None, None, d.node.confidence] for d in dated)
    return header, rows


# -- the matrix --------------------------------------------------------------------------------------

MatrixRows = Literal["action_point", "goal"]
MatrixColumns = Literal["component", "country", "project"]


@dataclass(frozen=True)
class HeatCell:
    count: int  # action points (goal rows) or links (action point rows)
    links: int
    confidence: str | None
    text: str
    to_review: tuple[str, ...] = ()  # why, in words: a cited page was found changed or gone (MatrixCell.to_review)

    @property
    def illustrative(self) -> bool:
        return self.confidence == ILLUSTRATIVE


@dataclass(frozen=True)
class HeatRow:
    node: NodeRef | None
    number: int | None
    status: ActionPointStatus | None
    cells: list[HeatCell | None]
    outside: HeatCell | None = None  # component columns: responses by work outside every component
    outside_by: tuple[NodeRef, ...] = ()


@dataclass(frozen=True)
class Heatmap:
    rows_are: MatrixRows
    cols_are: MatrixColumns
    columns: list[NodeRef]
    rows: list[HeatRow]
    top: int
    illustrative: bool
    answer: MatrixOut


def heatmap(store: GraphStore, rows: MatrixRows, cols: MatrixColumns, *, as_of: AsOf | None = None) -> Heatmap:
    answer = matrix_answer(store, cols, as_of=as_of)
    facts = read_facts(store, as_of=as_of)
    by_id = {s.action_point.id: s for s in facts.statuses}
    out: list[HeatRow] = []
    if rows == "action_point":
        for r in answer.rows:
            line = [
                HeatCell(c.links, c.links, c.confidence, c.strength or "", tuple(c.to_review))
                if c is not None
                else None
                for c in r.cells
            ]
            o = r.outside
            elsewhere = (
                HeatCell(o.links, o.links, o.confidence, o.strength or "", tuple(o.to_review))
                if o is not None
                else None
            )
            status = by_id.get(r.action_point.id)
            out.append(HeatRow(r.action_point, r.number, status, line, elsewhere, tuple(r.outside_by)))
    else:
        under: dict[str | None, list[int]] = defaultdict(list)
        for i, r in enumerate(answer.rows):
            under[r.goal.id if r.goal else None].append(i)
        goals: list[NodeRef | None] = [*lookup.nodes_of(store, Label.PRIORITY_GOAL)]
        if under[None]:
            goals.append(None)
        for goal in goals:
            members = [answer.rows[i] for i in under[goal.id if goal else None]]
            cells: list[HeatCell | None] = []
            for col in range(len(answer.columns)):
                found = [m.cells[col] for m in members if m.cells[col] is not None]
                if not found:
                    cells.append(None)
                    continue
                confidence = weakest(c.confidence for c in found if c is not None and c.confidence)
                links = sum(c.links for c in found if c is not None)
                review = tuple(sorted({w for c in found if c is not None for w in c.to_review}))
                cells.append(HeatCell(len(found), links, confidence, f"{len(found)} of {len(members)}", review))
            beyond: HeatCell | None = None
            outside = [m.outside for m in members if m.outside is not None]
            if outside:
                confidence = weakest(c.confidence for c in outside if c.confidence)
                links = sum(c.links for c in outside)
                review = tuple(sorted({w for c in outside for w in c.to_review}))
                beyond = HeatCell(len(outside), links, confidence, f"{len(outside)} of {len(members)}", review)
            by = {n.id: n for m in members for n in m.outside_by}
            out.append(HeatRow(goal, None, None, cells, beyond, tuple(by[k] for k in sorted(by))))
    top = max((c.count for r in out for c in (*r.cells, r.outside) if c is not None), default=0)
    illustrative = any(c.illustrative for r in out for c in r.cells if c is not None)
    return Heatmap(rows, cols, answer.columns, out, top, illustrative, answer)


def heatmap_table(m: Heatmap) -> Table:
    """The heatmap as the page shows it (goal rows too); a value resting on a link that is not confirmed
    says so after a dash, as in the API's files."""
    what = "priority goal" if m.rows_are == "goal" else "action point"
    names = tables.unique_headers([(c.name, c.id) for c in m.columns])
    header = [
        what,
        *([] if m.rows_are == "goal" else ["status"]),
        *names,
        *([m.answer.outside] if m.answer.outside else []),
    ]
    rows: list[list[tables.Cell]] = []
    for r in m.rows:
        status = [] if r.status is None else [marked(r.status.status_words, r.status.status_confidence)]
        cells: list[str | int | None] = []
        for c in r.cells:
            links = f" ({c.links})" if c is not None and m.rows_are == "action_point" and c.links > 1 else ""
            cells.append(None if c is None else marked(c.text + links, c.confidence))
        if m.answer.outside:
            o = r.outside
            cells.append(
                None
                if o is None
                else marked(
                    o.text + (f" ({o.links})" if m.rows_are == "action_point" and o.links > 1 else ""), o.confidence
                )
            )
        rows.append([r.node.name if r.node else "(no goal)", *status, *cells])
    return header, rows


@dataclass(frozen=True)
class CellLinks:
    row: NodeRef
    column: NodeRef
    responses: list[tuple[ActionPointStatus, Response]]


def cell_links(
    store: GraphStore, row_id: str, column_id: str, cols: MatrixColumns, *, as_of: AsOf | None = None
) -> CellLinks:
    """The direct responses behind one matrix cell: those to the row's action point (or to the action points
    under the row's goal) that involve the column."""
    row = lookup.to_ref(store.node_data(row_id))
    column = lookup.to_ref(store.node_data(column_id))
    facts = read_facts(store, as_of=as_of)
    found: list[tuple[ActionPointStatus, Response]] = []
    for f, s in zip(facts.items, facts.statuses, strict=True):
        if f.action_point.id != row_id and (f.goal is None or f.goal.id != row_id):
            continue
        for r in f.responses:
            if any(n.id == column_id for n in _INVOLVED[cols](r)):
                found.append((s, r))
    return CellLinks(row, column, found)


# -- the overview ------------------------------------------------------------------------------------

ROLLED_NOTE: Final = "through its activities"


def rolled_up(store: GraphStore, graph: GraphOut, as_of: AsOf | None = None) -> GraphOut:
    """``graph`` with every direct response made by something it does not show (an activity, an output)
    drawn from the component it belongs to (else its project, else the responder itself, added), so that the
    action points responded to in the view are those of the home page (as of the same day, if one is given)."""
    shown = {n.id for n in graph.nodes}
    nodes = list(graph.nodes)
    existing = {(e.source, e.target) for e in graph.edges if e.type == RelType.RESPONDS_TO}
    rolled: dict[tuple[str, str], list[Response]] = defaultdict(list)
    drawn = frozenset(shown)  # what the view draws itself, with its own links; ``shown`` grows with responders added
    for f in read_facts(store, as_of=as_of).items:
        if f.action_point.id not in drawn:
            continue
        for r in f.responses:
            if r.responder.id in drawn:
                continue
            via = [c for c in r.components if c.id in shown] or [p for p in r.projects if p.id in shown]
            if not via:
                via = [r.responder]
                if r.responder.id not in shown:
                    shown.add(r.responder.id)
                    nodes.append(r.responder)
            for ref in via:
                if (ref.id, f.action_point.id) not in existing:
                    rolled[(ref.id, f.action_point.id)].append(r)
    edges = list(graph.edges)
    for (source, target), found in sorted(rolled.items()):
        edges.append(
            EdgeOut(
                source=source,
                target=target,
                type=RelType.RESPONDS_TO.value,
                confidence=most_certain(r.confidence for r in found) or ILLUSTRATIVE,
                sources=sorted({s for r in found for s in r.sources}),
                strength=lookup.strongest(r.strength for r in found),
                note=f"{ROLLED_NOTE} ({len(found)} link{'s' if len(found) != 1 else ''})",
            )
        )
    return GraphOut(nodes=nodes, edges=edges, truncated=graph.truncated, note=graph.note)


def responded_in(graph: GraphOut) -> set[str]:
    """Action points of ``graph`` that something in it responds to."""
    aps = {n.id for n in graph.nodes if n.label == Label.ACTION_POINT}
    return {e.target for e in graph.edges if e.type == RelType.RESPONDS_TO and e.target in aps}


# -- filters on network views ------------------------------------------------------------------------


@dataclass(frozen=True)
class ViewFilters:
    """What a network page may be narrowed to: links of some confidence levels and strengths, work in one
    country or one component."""

    confidence: tuple[str, ...] = ()
    strength: tuple[str, ...] = ()
    country: str = ""
    component: str = ""

    @property
    def active(self) -> bool:
        return bool(self.confidence or self.strength or self.country or self.component)

    def params(self) -> dict[str, list[str] | str]:
        out: dict[str, list[str] | str] = {}
        if self.confidence:
            out["confidence"] = list(self.confidence)
        if self.strength:
            out["strength"] = list(self.strength)
        if self.country:
            out["country"] = self.country
        if self.component:
            out["component"] = self.component
        return out


_WORK: Final = (Label.ACTIVITY.value, Label.EVENT.value, Label.OUTPUT.value)


def filtered(store: GraphStore, graph: GraphOut, focus: str | None, f: ViewFilters) -> GraphOut:
    """``graph`` narrowed by ``f``; nodes left without any link are dropped (never the focus)."""
    if not f.active:
        return graph
    edges = [
        e
        for e in graph.edges
        if (not f.confidence or e.confidence in f.confidence)
        and (not f.strength or not e.strength or e.strength in f.strength)
    ]
    drop: set[str] = set()
    if f.country:
        there = {n.id for n in store.trace(f.country, "up", 1, [RelType.IN_COUNTRY.value]).nodes}
        drop |= {n.id for n in graph.nodes if n.label in _WORK and n.id not in there}
        drop |= {n.id for n in graph.nodes if n.label == Label.COUNTRY and n.id != f.country}
    if f.component:
        inside = {
            n.id for n in store.trace(f.component, "down", 2, [RelType.PART_OF.value, RelType.PRODUCED.value]).nodes
        }
        drop |= {n.id for n in graph.nodes if n.label in _WORK and n.id not in inside}
        drop |= {n.id for n in graph.nodes if n.label == Label.COMPONENT and n.id != f.component}
    drop.discard(focus or "")
    edges = [e for e in edges if e.source not in drop and e.target not in drop]
    linked = {e.source for e in edges} | {e.target for e in edges} | {focus}
    nodes = [n for n in graph.nodes if n.id not in drop and n.id in linked]
    return GraphOut(nodes=nodes, edges=edges, truncated=graph.truncated, note=graph.note)
