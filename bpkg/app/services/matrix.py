"""The traceability matrix: action points as rows; components, countries, projects or goals as columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Any, Final

from bpkg.app.services import lookup, sheets, tables
from bpkg.app.services.api_types import MatrixCell, MatrixCols, MatrixOut, MatrixRow
from bpkg.app.services.coverage import day_key, per_dataset, read_facts
from bpkg.app.services.crosswalk import gcm_roll_up
from bpkg.app.services.day_account import existing
from bpkg.app.services.sheets import marked
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import Response
from bpkg.graph_schema import Label, weakest
from bpkg.graph_schema.asof import AsOf

_COLUMNS: Final[dict[str, tuple[Label, Callable[[Response], Iterable[NodeRef]]]]] = {
    # A response's components and projects include the responder itself when it is one.
    "component": (Label.COMPONENT, lambda r: r.components),
    "project": (Label.PROJECT, lambda r: r.projects),
    "country": (Label.COUNTRY, lambda r: r.countries),
}
_MAX_COLUMNS: Final = 100_000
OUTSIDE: Final = "Outside the components"
"""The heading of the component matrix's last column: responses by work that belongs to no component (a
project without components, or its activities), which would otherwise leave a row "responded to directly"
with every cell empty."""
LEGEND: Final = {
    "goal": "Each action point's row has its status (responded to directly / only through its goal / gap) in "
    "the column of the goal it sits under; 'links' counts its direct responses and 'confidence' is that of its "
    "placement under the goal. A cell or status that rests on a link that is not confirmed says so after a "
    "dash ('- illustrative', '- inferred').",
    "gcm": "Columns are the GCM's 23 objectives (concepts of the shipped crosswalk, ids gcm-N, not nodes of the "
    "graph). An action point's row has its status in the column of every objective that its goal closely "
    "matches; 'links' counts its direct responses and 'confidence' is the weakest of its placement under the "
    "goal and the goal's match to the objective. Objectives no goal matches have an empty column.",
    "other": "A cell holds the strongest strength of the direct responses (RESPONDS_TO the action point) "
    "involving the column -- made by it, its activities or (for countries) work located there -- with the "
    "number of links in brackets when there are several; 'confidence' is the least certain of them, each "
    "response as sure as the weakest link on its path. A cell that rests on a link that is not confirmed says "
    "so after a dash ('direct (2) - illustrative').",
}


def matrix(store: GraphStore, cols: MatrixCols, *, as_of: AsOf | None = None, plan: str | None = None) -> MatrixOut:
    """The matrix with ``cols`` as columns (computed once per dataset, day and plan; do not change the answer).
    As of a day: the action points of the plan(s) in force then (or of ``plan``) as rows, the columns and links
    that may have existed then."""
    return per_dataset(store, ("matrix", cols, *day_key(as_of, plan)), lambda: _matrix(store, cols, as_of, plan))


def _matrix(store: GraphStore, cols: MatrixCols, as_of: AsOf | None = None, plan: str | None = None) -> MatrixOut:
    if cols == "gcm":
        return _gcm_matrix(store, as_of, plan)
    facts = read_facts(store, as_of=as_of, plan=plan)
    label = Label.PRIORITY_GOAL if cols == "goal" else _COLUMNS[cols][0]
    columns = existing(store, lookup.nodes_of(store, label, _MAX_COLUMNS), as_of)
    if facts.scoped and cols == "goal":  # the goals the plan's action points sit under
        columns = [c for c in columns if any(f.goal is not None and f.goal.id == c.id for f in facts.items)]
    index = {c.id: i for i, c in enumerate(columns)}
    rows: list[MatrixRow] = []
    for f, status in zip(facts.items, facts.statuses, strict=True):
        cells: list[MatrixCell | None] = [None] * len(columns)
        outside: list[Response] = []
        if cols == "goal":
            if f.goal is not None and f.goal.id in index:
                cells[index[f.goal.id]] = MatrixCell(
                    text=marked(status.status_words, f.goal.confidence),
                    links=len(f.responses),
                    strength=lookup.strongest(r.strength for r in f.responses),
                    confidence=f.goal.confidence,
                )
        else:
            involved = _COLUMNS[cols][1]
            by_column: dict[str, list[Response]] = defaultdict(list)
            for r in f.responses:
                for node_id in {n.id for n in involved(r)}:
                    by_column[node_id].append(r)
                if cols == "component" and not r.components:
                    outside.append(r)
            for node_id, found in by_column.items():
                if node_id in index:
                    cells[index[node_id]] = _cell(found)
        rows.append(
            _row(
                f,
                status,
                cells,
                outside=_cell(outside) if outside else None,
                outside_by=sorted({r.responder.id: r.responder for r in outside}.values(), key=lambda n: n.id),
            )
        )
    return MatrixOut(
        cols_are=cols,
        columns=columns,
        outside=OUTSIDE if cols == "component" else None,
        rows=rows,
        legend=LEGEND["goal" if cols == "goal" else "other"],
        illustrative=lookup.notice(store, facts.illustrative),
        as_of=facts.as_of,
    )


def _gcm_matrix(store: GraphStore, as_of: AsOf | None, plan: str | None) -> MatrixOut:
    """Action points x GCM objectives, rolled up through the goals that closely match each objective."""
    facts = read_facts(store, as_of=as_of, plan=plan)
    roll_up = gcm_roll_up(store, as_of)
    columns = [
        NodeRef(id=f"gcm-{o.number}", label="GcmObjective", name=f"{o.notation}: {o.name}") for o in roll_up.objectives
    ]
    rows: list[MatrixRow] = []
    for f, status in zip(facts.items, facts.statuses, strict=True):
        cells: list[MatrixCell | None] = [None] * len(columns)
        for i, objective in enumerate(roll_up.objectives):
            for m in roll_up.goals.get(objective.number, []):
                if f.goal is not None and f.goal.id == m.goal.id:
                    confidence = weakest(c for c in (f.goal.confidence, m.confidence) if c)
                    cells[i] = MatrixCell(
                        text=marked(status.status_words, confidence),
                        links=len(f.responses),
                        strength=lookup.strongest(r.strength for r in f.responses),
                        confidence=confidence,
                    )
        rows.append(_row(f, status, cells))
    return MatrixOut(
        cols_are="gcm",
        columns=columns,
        rows=rows,
        legend=LEGEND["gcm"],
        illustrative=lookup.notice(store, facts.illustrative),
        as_of=facts.as_of,
    )


def _cell(found: list[Response]) -> MatrixCell:
    best = lookup.strongest(r.strength for r in found) or ""
    confidence = weakest(r.confidence for r in found)
    return MatrixCell(
        text=marked(best if len(found) == 1 else f"{best} ({len(found)})", confidence),
        links=len(found),
        strength=best or None,
        confidence=confidence,
    )


def table(m: MatrixOut) -> sheets.Table:
    """The matrix as a table: one header row of names (the id added where names repeat)."""
    header = ["number", "action point", "goal", "status", *tables.unique_headers([(c.name, c.id) for c in m.columns])]
    header += [m.outside] if m.outside else []
    rows: list[list[tables.Cell]] = [
        [
            r.number,
            r.action_point.name,
            marked(r.goal.name, r.goal.confidence) if r.goal else None,
            marked(r.status_words, r.status_confidence),
            *(c.text if c else None for c in r.cells),
            *([r.outside.text if r.outside else None] if m.outside else []),
        ]
        for r in m.rows
    ]
    return header, rows


def _row(f: Any, status: Any, cells: list[MatrixCell | None], **outside: Any) -> MatrixRow:
    """One action point's row: its place and status, then its cells (and, by component, who is outside them)."""
    return MatrixRow(
        action_point=f.action_point,
        number=f.number,
        goal=f.goal,
        status=status.status,
        status_words=status.status_words,
        status_confidence=status.status_confidence,
        cells=cells,
        **outside,
    )
