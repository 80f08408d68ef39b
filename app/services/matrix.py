"""The traceability matrix: action points as rows; components, countries, projects or goals as columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from typing import Final

from app.services import lookup, tables
from app.services.coverage import read_facts
from app.services.models import MatrixCell, MatrixCols, MatrixOut, MatrixRow
from app.store.models import NodeRef
from app.store.port import GraphStore
from app.store.results import Response
from graph_schema import Label

_COLUMNS: Final[dict[str, tuple[Label, Callable[[Response], Iterable[NodeRef]]]]] = {
    # A response's components and projects include the responder itself when it is one.
    "component": (Label.COMPONENT, lambda r: r.components),
    "project": (Label.PROJECT, lambda r: r.projects),
    "country": (Label.COUNTRY, lambda r: r.countries),
}
_MAX_COLUMNS: Final = 100_000
LEGEND: Final = {
    "goal": "Each action point's row has its status (covered / uncovered) in the column of the goal it sits "
    "under; 'links' counts its direct responses and 'confidence' is that of its placement under the goal.",
    "other": "A cell holds the strongest strength of the direct responses (RESPONDS_TO the action point) "
    "involving the column -- made by it, its activities or (for countries) work located there -- with the "
    "number of links in brackets when there are several; 'confidence' is the least certain of them.",
}


def matrix(store: GraphStore, cols: MatrixCols) -> MatrixOut:
    facts = read_facts(store)
    label = Label.PRIORITY_GOAL if cols == "goal" else _COLUMNS[cols][0]
    columns = lookup.nodes_of(store, label, _MAX_COLUMNS)
    index = {c.id: i for i, c in enumerate(columns)}
    rows: list[MatrixRow] = []
    for f, status in zip(facts.items, facts.statuses, strict=True):
        cells: list[MatrixCell | None] = [None] * len(columns)
        if cols == "goal":
            if f.goal is not None and f.goal.id in index:
                cells[index[f.goal.id]] = MatrixCell(
                    text=status.status,
                    links=len(f.responses),
                    strength=lookup.strongest(r.strength for r in f.responses),
                    confidence=f.goal_confidence,
                )
        else:
            involved = _COLUMNS[cols][1]
            by_column: dict[str, list[Response]] = defaultdict(list)
            for r in f.responses:
                for node_id in {n.id for n in involved(r)}:
                    by_column[node_id].append(r)
            for node_id, found in by_column.items():
                if node_id in index:
                    cells[index[node_id]] = _cell(found)
        rows.append(
            MatrixRow(action_point=f.action_point, number=f.number, goal=f.goal, status=status.status, cells=cells)
        )
    return MatrixOut(
        cols_are=cols,
        columns=columns,
        rows=rows,
        legend=LEGEND["goal" if cols == "goal" else "other"],
        illustrative=lookup.notice(store, facts.illustrative),
    )


def _cell(found: list[Response]) -> MatrixCell:
    best = lookup.strongest(r.strength for r in found) or ""
    return MatrixCell(
        text=best if len(found) == 1 else f"{best} ({len(found)})",
        links=len(found),
        strength=best or None,
        confidence=lookup.least_certain(r.confidence for r in found),
    )


def _table(m: MatrixOut) -> tuple[list[str], list[list[tables.Cell]]]:
    header = ["number", "action point", "goal", "status", *tables.unique_headers([(c.name, c.id) for c in m.columns])]
    rows: list[list[tables.Cell]] = [
        [
            r.number,
            r.action_point.name,
            r.goal.name if r.goal else None,
            r.status,
            *(c.text if c else None for c in r.cells),
        ]
        for r in m.rows
    ]
    return header, rows


def as_csv(m: MatrixOut) -> bytes:
    header, rows = _table(m)
    return tables.to_csv(header, rows)


def as_xlsx(m: MatrixOut, dataset: str) -> bytes:
    header, rows = _table(m)
    notes = [("dataset", dataset), ("rows", "action points"), ("columns", m.cols_are), ("legend", m.legend)]
    if m.illustrative:
        notes.append(("illustrative", m.illustrative))
    return tables.to_xlsx("matrix", header, rows, notes)
