"""The flow view: commitment -> priority goal -> action point -> component, drawn on the server as SVG.

Four columns of bars joined by bands whose width is the number of response links that flow through them;
a band that rests on illustrative links is dashed. Nothing is loaded: the page holds the drawing itself.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import Final

from bpkg.app.services.coverage import Facts, commitments, read_facts
from bpkg.app.services.dataset_cache import per_dataset
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Confidence, Label, weakest

COLUMNS: Final = ("Commitments", "Priority goals", "Action points", "Components")
COLUMN_X: Final = (250.0, 520.0, 740.0, 890.0)
BAR: Final = 12.0
ROW: Final = 19.0
TOP: Final = 40.0
MAX_BAND: Final = 14.0


@dataclass(frozen=True)
class Bar:
    node: NodeRef
    column: int
    x: float
    y: float
    height: float
    label: str
    links: int


@dataclass(frozen=True)
class Band:
    source: Bar
    target: Bar
    links: int
    confidence: str | None
    width: float
    path: str

    @property
    def illustrative(self) -> bool:
        return self.confidence == Confidence.ILLUSTRATIVE


@dataclass(frozen=True)
class Flow:
    bars: list[Bar]
    bands: list[Band]
    height: float
    columns: list[tuple[str, float]]


def _short(name: str, width: int = 34) -> str:
    return name if len(name) <= width else name[: width - 1].rstrip() + "…"


def flow(store: GraphStore) -> Flow:
    """The flow view, drawn once per loaded dataset (it reads the whole roll-up: commitments to components)."""
    return per_dataset(store, ("flow",), lambda: _flow(store))


@dataclass
class _Links:
    """What the flow view draws, before it is laid out: the nodes by id, the confidences of the links flowing
    between two of them, each action point's goal, and the confidence of its placement under that goal."""

    refs: dict[str, NodeRef] = field(default_factory=dict)
    flows: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    goal_of: dict[str, str] = field(default_factory=dict)
    placement: dict[tuple[str, str], str | None] = field(default_factory=dict)


def _links(store: GraphStore, facts: Facts) -> _Links:
    """The flows from commitments through goals and action points to components."""
    out = _Links()
    refs, flows, goal_of, placement = out.refs, out.flows, out.goal_of, out.placement
    for f in facts.items:
        refs[f.action_point.id] = f.action_point
        if f.goal is not None:
            refs[f.goal.id] = f.goal
            goal_of[f.action_point.id] = f.goal.id
        for r in f.responses:
            for c in r.components:
                refs[c.id] = c
                flows[(f.action_point.id, c.id)].append(r.confidence)
            if f.goal is not None:
                flows[(f.goal.id, f.action_point.id)].append(
                    weakest([r.confidence, f.goal.confidence or "confirmed"]) or ""
                )
        if f.goal is not None:
            # Drawn thin when nothing responds: the action point is there, under its goal.
            flows.setdefault((f.goal.id, f.action_point.id), [])
            placement[(f.goal.id, f.action_point.id)] = f.goal.confidence
    through_goal: dict[str, list[str]] = defaultdict(list)
    for (source, _), found in list(flows.items()):
        if source in refs and refs[source].label == Label.PRIORITY_GOAL:
            through_goal[source].extend(found)
    for row in commitments(store):  # today's, as ``facts`` are: the ones coverage and gaps show
        refs[row.node.id] = row.node
        for g in row.goals:
            refs.setdefault(g.id, g)
            flows[(row.node.id, g.id)].extend(through_goal[g.id])
    return out


def _flow(store: GraphStore) -> Flow:
    facts = read_facts(store)
    drawn = _links(store, facts)
    refs, flows, goal_of = drawn.refs, drawn.flows, drawn.goal_of
    order = {Label.COMMITMENT: 0, Label.PRIORITY_GOAL: 1, Label.ACTION_POINT: 2, Label.COMPONENT: 3}
    by_column: dict[int, list[NodeRef]] = defaultdict(list)
    for ref in refs.values():
        if ref.label in order:
            by_column[order[Label(ref.label)]].append(ref)
    numbers = {f.action_point.id: f.number for f in facts.items}
    by_column[2].sort(key=lambda r: (goal_of.get(r.id, "~"), numbers.get(r.id, 0)))
    for col in (0, 1, 3):
        by_column[col].sort(key=lambda r: r.id)
    total = {k: len(v) for k, v in flows.items()}
    out_links: dict[str, int] = defaultdict(int)
    in_links: dict[str, int] = defaultdict(int)
    for (s, t), n in total.items():
        out_links[s] += n
        in_links[t] += n
    rows = max((len(v) for v in by_column.values()), default=1)
    height = TOP + rows * ROW + 20
    bars: dict[str, Bar] = {}
    for col, members in by_column.items():
        step = (rows * ROW) / max(len(members), 1)
        for i, ref in enumerate(members):
            y = TOP + i * step + step / 2
            label = f"AP {numbers[ref.id]}" if ref.id in numbers else _short(ref.name, 30 if col < 3 else 28)
            links = max(out_links[ref.id], in_links[ref.id])
            bar_height = max(8.0, min(step - 3, 6 + links * 1.5))
            bars[ref.id] = Bar(ref, col, COLUMN_X[col], y, bar_height, label, links)
    bands = _bands(flows, bars, max(total.values(), default=1) or 1, drawn.placement)
    columns = [(name, COLUMN_X[i]) for i, name in enumerate(COLUMNS)]
    return Flow(sorted(bars.values(), key=lambda b: (b.column, b.y)), bands, height, columns)


def _bands(
    flows: dict[tuple[str, str], list[str]],
    bars: dict[str, Bar],
    top: int,
    placement: dict[tuple[str, str], str | None],
) -> list[Band]:
    """A band per flow between two drawn bars, as wide as its share of the busiest flow (``top``)."""
    bands: list[Band] = []
    for (s, t), found in sorted(flows.items()):
        if s not in bars or t not in bars:
            continue
        a, b = bars[s], bars[t]
        width = 1.0 + (MAX_BAND - 1.0) * len(found) / top if found else 0.8
        x0, x1 = a.x + BAR / 2, b.x - BAR / 2
        mid = (x0 + x1) / 2
        path = f"M{x0:.1f},{a.y:.1f} C{mid:.1f},{a.y:.1f} {mid:.1f},{b.y:.1f} {x1:.1f},{b.y:.1f}"
        confidence = weakest(c for c in found if c) if found else placement.get((s, t))
        bands.append(Band(a, b, len(found), confidence, width, path))
    return bands
