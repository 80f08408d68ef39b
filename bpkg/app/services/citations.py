"""What each row of a table download rests on, as sources a reader can check, and which facts are to review.

A saved CSV or XLSX file leaves the graph behind, so each row carries the sources of the facts its values count:
for a row about action points, each action point's own node, its goal and its placement under the goal (the
UNDER link), and every step of the responses its status rests on (the direct responses; when there are none,
those to its goal); for a row about a component, project or country, only the responses that involve it;
and the nodes the row names. A source is then written "title — where — read on DAY", where coming from the
locators of the facts in the row.
"""

from __future__ import annotations

import datetime
import threading
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field

from bpkg.app.services.api_types import AsOfOut
from bpkg.app.services.coverage import read_facts
from bpkg.app.services.dataset_cache import day_key, per_dataset
from bpkg.app.services.tables import Cell
from bpkg.app.store.graph_types import NodeData
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointFacts, Response
from bpkg.graph_schema.asof import AsOf
from bpkg.graph_schema.properties import CHECK_TO_REVIEW


@dataclass(frozen=True)
class Basis:
    """What one row of a table rests on (ids of the graph, not names)."""

    action_points: tuple[str, ...] = ()
    """Action points whose responses (and placement under a goal) the row's values count."""
    involving: str | None = None
    """Count only the responses that involve this node (a component, project or country row)."""
    nodes: tuple[str, ...] = ()
    """Nodes the row names, cited for their own sources."""
    sources: tuple[str, ...] = ()
    """Sources the answer already gives for the row (a goal's match to a GCM objective, a country's role)."""


NOTHING = Basis()


@dataclass(frozen=True)
class Cited:
    """A table with what each of its rows rests on (``basis``, one per row) and the day it is as of."""

    header: list[str]
    rows: list[list[Cell]]
    basis: list[Basis]
    as_of: AsOfOut | None = None


@dataclass
class RowSources:
    """The sources of one row, by id, with where on each page the row's facts stand."""

    ids: list[str] = field(default_factory=list)
    where: dict[str, list[str]] = field(default_factory=dict)


@dataclass(frozen=True)
class SourceRow:
    """A source as the downloads list it."""

    id: str
    title: str
    url: str | None
    citation: str | None
    kind: str | None
    read_on: str | None
    fingerprint: str | None
    checked_on: str | None
    check_status: str | None

    @property
    def to_review(self) -> bool:
        return self.check_status in CHECK_TO_REVIEW


def _day(as_of: AsOfOut | None) -> AsOf | None:
    return AsOf(datetime.date.fromisoformat(as_of.date), as_of.given) if as_of is not None else None


def _locators(props: dict[str, object]) -> Iterable[tuple[str, str]]:
    found = props.get("locators")
    for loc in found if isinstance(found, list) else []:
        source, sep, where = str(loc).partition(": ")
        if sep and where:
            yield source, where


Where = list[tuple[str, str]]


class _Facts:
    """The action points' facts, read once, with what each row asks of them computed once per action point
    (a table of N rows over M action points reads each response once, not once per row)."""

    def __init__(self, store: GraphStore, as_of: AsOfOut | None) -> None:
        # Every action point's facts: today's are those derived once per dataset version; a day's, every action
        # point that may have existed then (not only those of the plans in force), kept per version and day.
        day = _day(as_of)
        found = (
            read_facts(store).items
            if day is None
            else per_dataset(store, ("facts-on-day", *day_key(day, None)), lambda: store.action_point_facts(day))
        )
        self.items = {f.action_point.id: f for f in found}
        self._status: dict[str, frozenset[str]] = {}
        self._involved: dict[str, dict[str, set[str]]] = {}

    def status(self, f: ActionPointFacts) -> frozenset[str]:
        """The sources of the responses the action point's status rests on: the direct ones, else those to its
        goal."""
        key = f.action_point.id
        if key not in self._status:
            self._status[key] = frozenset(s for r in f.responses or f.goal_responses for s in cited_by(r))
        return self._status[key]

    def involving(self, f: ActionPointFacts, node_id: str) -> set[str]:
        """The sources of the direct responses that involve ``node_id`` (made by it, by work under it, or located
        in it)."""
        key = f.action_point.id
        if key not in self._involved:
            index: dict[str, set[str]] = {}
            for r in f.responses:
                cites = set(cited_by(r))
                ends = {r.responder.id, *(n.id for refs in (r.components, r.projects, r.countries) for n in refs)}
                for end in ends:
                    index.setdefault(end, set()).update(cites)
            self._involved[key] = index
        return self._involved[key].get(node_id, set())

    def placement(self, f: ActionPointFacts) -> tuple[frozenset[str], Where]:
        """The sources and locators of the UNDER link placing the action point under its goal (kept with the
        facts: no question to the store per row)."""
        if f.goal is None:
            return frozenset(), []
        return frozenset(f.placement_sources), list(_locators({"locators": f.placement_locators}))


def row_sources(store: GraphStore, cited: Cited) -> tuple[list[RowSources], dict[str, SourceRow]]:
    """Each row's sources, and every source they name, read from the store in a few batches."""
    facts = _Facts(store, cited.as_of) if any(b.action_points for b in cited.basis) else None
    out: list[RowSources] = []
    named: list[tuple[RowSources, set[str], list[str]]] = []
    for basis in cited.basis:
        row = RowSources()
        ids: set[str] = set(basis.sources)
        nodes: list[str] = list(basis.nodes)  # then each action point and its goal
        for ap in basis.action_points:
            f = facts.items.get(ap) if facts is not None else None
            if f is None or facts is None:
                continue
            if basis.involving is not None:
                ids |= facts.involving(f, basis.involving)
                continue
            ids |= facts.status(f)
            nodes.append(ap)
            if f.goal is not None:
                under, where = facts.placement(f)
                ids |= under
                for source, text in where:
                    row.where.setdefault(source, []).append(text)
                nodes.append(f.goal.id)
        named.append((row, ids, list(dict.fromkeys(nodes))))
        out.append(row)
    every_node = {n for _, _, nodes in named for n in nodes}
    found = store.nodes_by_id(sorted(every_node)) if every_node else {}
    for row, ids, nodes in named:
        for n in nodes:
            node = found.get(n)
            if node is None:
                continue
            ids.update(str(s) for s in node.props.get("sources", []))
            for source, text in _locators(node.props):
                row.where.setdefault(source, []).append(text)
        row.ids = sorted(ids)
        row.where = {s: sorted(set(w)) for s, w in row.where.items() if s in ids}
    return out, sources_by_id(store, {s for row in out for s in row.ids})


class _SourceRows:
    """The rows of the sources asked for so far in one dataset version, filled as answers cite them: a source's
    row does not change within a version, and a dataset cites few sources (53 at 1M relationships), so after the
    first answers an answer's sources cost no read of the store."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rows: dict[str, SourceRow] = {}

    def of(self, store: GraphStore, ids: Collection[str]) -> dict[str, SourceRow]:
        with self._lock:
            missing = sorted(s for s in set(ids) if s not in self._rows)
        if missing:
            found = store.nodes_by_id(missing)
            rows = {s: _source_row(s, found.get(s)) for s in missing}
            with self._lock:
                self._rows.update(rows)
        with self._lock:
            return {s: self._rows[s] for s in sorted(ids)}


def sources_by_id(store: GraphStore, ids: Collection[str]) -> dict[str, SourceRow]:
    """The Source nodes among ``ids``, ordered by id: read once per dataset version (one batch for those not read
    yet)."""
    if not ids:
        return {}
    return per_dataset(store, ("sources",), _SourceRows).of(store, ids)


def _source_row(source_id: str, node: NodeData | None) -> SourceRow:
    props = node.props if node is not None else {}

    def text(key: str) -> str | None:
        value = props.get(key)
        return str(value) if value not in (None, "") else None

    return SourceRow(
        id=source_id,
        title=node.name if node is not None else source_id,
        url=text("url"),
        citation=text("citation"),
        kind=text("kind"),
        read_on=text("read_on"),
        fingerprint=text("fingerprint"),
        checked_on=text("checked_on"),
        check_status=text("check_status"),
    )


def line(source: SourceRow, where: Sequence[str] = ()) -> str:
    """A source as a reader weighs it in one cell: "title — where — read on DAY", and "to review" when the last
    source check found its page changed or gone."""
    parts = [source.title]
    if where:
        parts.append("; ".join(where))
    if source.read_on:
        parts.append(f"read on {source.read_on}")
    if source.to_review:
        parts.append(f"to review: its page was found {source.check_status} on {source.checked_on}")
    return " — ".join(parts)


def cited_by(r: Response) -> Iterable[str]:
    """The sources a response rests on: its link's, then those of every step of its path."""
    yield from r.sources
    for step in r.path:
        yield from step.sources


def review_words(sources: Iterable[str], known: dict[str, SourceRow]) -> list[str]:
    """Why a fact citing ``sources`` is to review, one sentence per source whose page was found changed or gone
    by the last source check (empty: nothing to review)."""
    return [
        f"the page of {known[s].title} ({s}) was found {known[s].check_status} on {known[s].checked_on}"
        for s in dict.fromkeys(sources)
        if s in known and known[s].to_review
    ]
