"""The traceability matrix: action points as rows; components, countries, projects or goals as columns."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Final

from bpkg.app.errors import InvalidQuery
from bpkg.app.services import lookup, tables
from bpkg.app.services.api_types import MatrixCell, MatrixCols, MatrixOut, MatrixRow
from bpkg.app.services.citations import Basis, Cited, SourceRow, cited_by, review_words, sources_by_id
from bpkg.app.services.coverage import read_facts
from bpkg.app.services.crosswalk import gcm_roll_up
from bpkg.app.services.dataset_cache import day_key, per_dataset
from bpkg.app.services.day_account import existing
from bpkg.app.services.sheets import marked
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointFacts, Response
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


MAX_WHOLE: Final = 1_000
"""The most rows a matrix answers in one JSON document built whole; a bigger one is paged (``offset`` and
``limit``) or streamed row by row (``rows_of``)."""
MAX_PAGE: Final = 500
"""The most rows of one page."""


@dataclass(frozen=True)
class Frame:
    """What every row of a matrix shares (its columns and the facts its rows come from), kept per dataset,
    day and plan; a row is built from it only when asked, so a page or a stream never holds the whole matrix."""

    cols: MatrixCols
    columns: list[NodeRef]
    index: dict[str, int]
    facts: Any
    legend: str
    illustrative: str | None
    row: Callable[[Frame, int], MatrixRow]
    review: dict[str, SourceRow]
    """The sources the rows rest on whose page the last check found changed or gone."""

    @property
    def total(self) -> int:
        return len(self.facts.items)

    def head(self, rows: list[MatrixRow], *, offset: int = 0, limit: int | None = None) -> MatrixOut:
        """The matrix with ``rows`` (the whole matrix's, or a page's that starts at ``offset``)."""
        return MatrixOut(
            cols_are=self.cols,
            columns=self.columns,
            outside=OUTSIDE if self.cols == "component" else None,
            rows=rows,
            total=self.total,
            offset=offset,
            limit=limit,
            legend=self.legend,
            illustrative=self.illustrative,
            as_of=self.facts.as_of,
        )

    def rows(self, start: int = 0, stop: int | None = None) -> Iterator[MatrixRow]:
        """The rows from ``start`` to ``stop``, built one at a time."""
        for i in range(start, self.total if stop is None else min(stop, self.total)):
            yield self.row(self, i)


def frame(store: GraphStore, cols: MatrixCols, *, as_of: AsOf | None = None, plan: str | None = None) -> Frame:
    """The matrix's columns and facts (computed once per dataset, day and plan)."""
    return per_dataset(store, ("matrix-frame", cols, *day_key(as_of, plan)), lambda: _frame(store, cols, as_of, plan))


def matrix(store: GraphStore, cols: MatrixCols, *, as_of: AsOf | None = None, plan: str | None = None) -> MatrixOut:
    """The whole matrix with ``cols`` as columns (computed once per dataset, day and plan; do not change the
    answer). As of a day: the action points of the plan(s) in force then (or of ``plan``) as rows, the columns
    and links that may have existed then."""
    return per_dataset(
        store, ("matrix", cols, *day_key(as_of, plan)), lambda: _whole(frame(store, cols, as_of=as_of, plan=plan))
    )


def page(
    store: GraphStore,
    cols: MatrixCols,
    offset: int,
    limit: int,
    *,
    as_of: AsOf | None = None,
    plan: str | None = None,
) -> MatrixOut:
    """The rows ``offset`` to ``offset + limit`` of the matrix (at most ``MAX_PAGE``), with the total."""
    if offset < 0 or not 1 <= limit <= MAX_PAGE:
        raise InvalidQuery(f"a page of the matrix starts at offset >= 0 and holds 1 to {MAX_PAGE} rows")
    found = frame(store, cols, as_of=as_of, plan=plan)
    return found.head(list(found.rows(offset, offset + limit)), offset=offset, limit=limit)


def _whole(found: Frame) -> MatrixOut:
    return found.head(list(found.rows()))


def _frame(store: GraphStore, cols: MatrixCols, as_of: AsOf | None = None, plan: str | None = None) -> Frame:
    if cols == "gcm":
        return _gcm_frame(store, as_of, plan)
    facts = read_facts(store, as_of=as_of, plan=plan)
    label = Label.PRIORITY_GOAL if cols == "goal" else _COLUMNS[cols][0]
    columns = existing(store, lookup.nodes_of(store, label, _MAX_COLUMNS), as_of)
    if facts.scoped and cols == "goal":  # the goals the plan's action points sit under
        columns = [c for c in columns if any(f.goal is not None and f.goal.id == c.id for f in facts.items)]
    return Frame(
        cols=cols,
        columns=columns,
        index={c.id: i for i, c in enumerate(columns)},
        facts=facts,
        legend=LEGEND["goal" if cols == "goal" else "other"],
        illustrative=lookup.notice(store, facts.illustrative),
        row=_goal_row if cols == "goal" else _linked_row,
        review=_to_review(store, facts.items),
    )


def _goal_row(m: Frame, i: int) -> MatrixRow:
    f, status = m.facts.items[i], m.facts.statuses[i]
    cells: list[MatrixCell | None] = [None] * len(m.columns)
    if f.goal is not None and f.goal.id in m.index:
        cells[m.index[f.goal.id]] = MatrixCell(
            text=marked(status.status_words, f.goal.confidence),
            links=len(f.responses),
            strength=lookup.strongest(r.strength for r in f.responses),
            confidence=f.goal.confidence,
            to_review=_review(f.responses or f.goal_responses, m.review),
        )
    return _row(f, status, cells)


def _linked_row(m: Frame, i: int) -> MatrixRow:
    f, status = m.facts.items[i], m.facts.statuses[i]
    cells: list[MatrixCell | None] = [None] * len(m.columns)
    outside: list[Response] = []
    involved = _COLUMNS[m.cols][1]
    by_column: dict[str, list[Response]] = defaultdict(list)
    for r in f.responses:
        for node_id in {n.id for n in involved(r)}:
            by_column[node_id].append(r)
        if m.cols == "component" and not r.components:
            outside.append(r)
    for node_id, found in by_column.items():
        if node_id in m.index:
            cells[m.index[node_id]] = _cell(found, m.review)
    return _row(
        f,
        status,
        cells,
        outside=_cell(outside, m.review) if outside else None,
        outside_by=sorted({r.responder.id: r.responder for r in outside}.values(), key=lambda n: n.id),
    )


def _gcm_frame(store: GraphStore, as_of: AsOf | None, plan: str | None) -> Frame:
    """Action points x GCM objectives, rolled up through the goals that closely match each objective."""
    facts = read_facts(store, as_of=as_of, plan=plan)
    roll_up = gcm_roll_up(store, as_of)
    columns = [
        NodeRef(id=f"gcm-{o.number}", label="GcmObjective", name=f"{o.notation}: {o.name}") for o in roll_up.objectives
    ]

    def gcm_row(m: Frame, i: int) -> MatrixRow:
        f, status = m.facts.items[i], m.facts.statuses[i]
        cells: list[MatrixCell | None] = [None] * len(m.columns)
        for n, objective in enumerate(roll_up.objectives):
            for match in roll_up.goals.get(objective.number, []):
                if f.goal is not None and f.goal.id == match.goal.id:
                    confidence = weakest(c for c in (f.goal.confidence, match.confidence) if c)
                    cells[n] = MatrixCell(
                        text=marked(status.status_words, confidence),
                        links=len(f.responses),
                        strength=lookup.strongest(r.strength for r in f.responses),
                        confidence=confidence,
                        to_review=_review(f.responses or f.goal_responses, m.review),
                    )
        return _row(f, status, cells)

    return Frame(
        cols="gcm",
        columns=columns,
        index={c.id: i for i, c in enumerate(columns)},
        facts=facts,
        legend=LEGEND["gcm"],
        illustrative=lookup.notice(store, facts.illustrative),
        row=gcm_row,
        review=_to_review(store, facts.items),
    )


def _to_review(store: GraphStore, items: Iterable[ActionPointFacts]) -> dict[str, SourceRow]:
    """The sources cited by the responses (and their paths) whose page the last check found changed or gone."""
    cited = {s for f in items for r in (*f.responses, *f.goal_responses) for s in cited_by(r)}
    return {s: row for s, row in sources_by_id(store, cited).items() if row.to_review}


def _review(found: Iterable[Response], review: dict[str, SourceRow]) -> list[str]:
    if not review:
        return []
    return sorted(set(review_words((s for r in found for s in cited_by(r)), review)))


def _cell(found: list[Response], review: dict[str, SourceRow]) -> MatrixCell:
    best = lookup.strongest(r.strength for r in found) or ""
    confidence = weakest(r.confidence for r in found)
    return MatrixCell(
        text=marked(best if len(found) == 1 else f"{best} ({len(found)})", confidence),
        links=len(found),
        strength=best or None,
        confidence=confidence,
        to_review=_review(found, review),
    )


def table(m: MatrixOut) -> Cited:
    """The matrix as a table: one header row of names (the id added where names repeat); each row rests on its
    action point's facts."""
    return _cited(m, m.rows)


def _cited(m: MatrixOut, rows: list[MatrixRow]) -> Cited:
    return Cited(
        header(m), [table_row(m, r) for r in rows], [Basis(action_points=(r.action_point.id,)) for r in rows], m.as_of
    )


def header(m: MatrixOut) -> list[str]:
    """The table's header row: names (the id added where names repeat)."""
    names = ["number", "action point", "goal", "status", *tables.unique_headers([(c.name, c.id) for c in m.columns])]
    return names + ([m.outside] if m.outside else [])


def table_row(m: MatrixOut, r: MatrixRow) -> list[tables.Cell]:
    """One row of the table, as a spreadsheet shows it."""
    return [
        r.number,
        r.action_point.name,
        marked(r.goal.name, r.goal.confidence) if r.goal else None,
        marked(r.status_words, r.status_confidence),
        *(_cell_text(c) for c in r.cells),
        *([_cell_text(r.outside)] if m.outside else []),
    ]


def _cell_text(c: MatrixCell | None) -> str | None:
    """A cell as a file shows it: its text, and "to review" when a page it rests on was found changed or gone."""
    if c is None:
        return None
    return f"{c.text} - to review" if c.to_review else c.text


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


_CHUNK: Final = 200
"""Rows per piece of a streamed matrix: big enough that writing is not per row, small enough to hold."""


def cited_pieces(found: Frame, offset: int = 0, limit: int | None = None) -> Iterator[Cited]:
    """The matrix (or the page from ``offset``) as a cited table in pieces of ``_CHUNK`` rows, built one piece
    at a time (at least one piece, so an empty matrix still has its header)."""
    head = found.head([])
    stop = None if limit is None else offset + limit
    chunk: list[MatrixRow] = []
    sent = False
    for row in found.rows(offset, stop):
        chunk.append(row)
        if len(chunk) >= _CHUNK:
            yield _cited(head, chunk)
            chunk, sent = [], True
    if chunk or not sent:
        yield _cited(head, chunk)


def json_stream(found: Frame) -> Iterator[bytes]:
    """The whole matrix as the JSON of ``MatrixOut``, its rows built and written ``_CHUNK`` at a time."""
    text = found.head([]).model_dump_json()
    cut = text.index('"rows":[]') + len('"rows":[')  # a key: quotes inside names are escaped
    yield text[:cut].encode("utf-8")
    chunk: list[str] = []
    first = True
    for row in found.rows():
        chunk.append(row.model_dump_json())
        if len(chunk) >= _CHUNK:
            yield (("" if first else ",") + ",".join(chunk)).encode("utf-8")
            chunk, first = [], False
    if chunk:
        yield (("" if first else ",") + ",".join(chunk)).encode("utf-8")
    yield text[cut:].encode("utf-8")
