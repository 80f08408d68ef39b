"""The headline answer derived once per dataset version: each action point's responses in page order, with what
a filter, a count and a page need, and the action point's status and unfiltered counts (design.md section 4,
"Answers read what the load derived").

``derive`` turns one action point's facts (``response_builder``: the same ``Response`` objects the computed
answer is made of) into a ``Derived``: its rows in the pages' order, each with its two positions, and a summary.
Neo4j writes it at load (``bpkg.app.store.neo4j.derive``) and reads a page with one indexed query; memory keeps it
per action point and pages it here (``page_of``). Both answer the port's ``headline_page`` with a ``HeadlinePage``.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, Field

from bpkg.app.store.graph_types import DatasetOut, NodeRef
from bpkg.app.store.question_types import ActionPointFacts, Response
from bpkg.app.store.response_builder import activity_of, page_key
from bpkg.graph_schema import Confidence, most_certain

ILLUSTRATIVE: Final = Confidence.ILLUSTRATIVE.value
ALL: Final = 2**31 - 1
"""The end of a page asked without a limit (every link): the largest list index Cypher takes."""


@dataclass(frozen=True, slots=True)
class HeadlineQuery:
    """What a headline request asks beyond the action point: filters (ids already looked up), level, order, page."""

    country: str | None = None
    component: str | None = None
    confidence: tuple[str, ...] = ()
    strength: tuple[str, ...] = ()
    include_goal_level: bool = False
    direct_first: bool = False
    limit: int | None = None
    offset: int = 0

    @property
    def filtered(self) -> bool:
        return bool(self.country or self.component or self.confidence or self.strength)

    @property
    def mixed(self) -> bool:
        """Whether responses to the goal are mixed with those to the action point (ordered by ``pos``), rather
        than coming after them (ordered by ``rank``: what an answer without goal-level links is a prefix of)."""
        return self.include_goal_level and not self.direct_first

    @property
    def end(self) -> int:
        return ALL if self.limit is None else min(self.offset + self.limit, ALL)


class LinkCounts(BaseModel):
    """Distinct links, projects, components and activities of an answer (``ResponseCounts`` in the API)."""

    links: int
    projects: int
    components: int
    activities: int


class Totals(BaseModel):
    """An unfiltered answer's total, counts and whether one of its links is illustrative."""

    total: int
    counts: LinkCounts
    illustrative: bool


class Summary(BaseModel):
    """What an action point's headline says whatever the page and filters: derived once per dataset version."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    goal_confidence: str | None = None
    responses: int
    goal_responses: int
    direct_certain: str | None = Field(description="the most certain of the direct responses' confidences")
    goal_certain: str | None = Field(description="the most certain of the goal-level responses' confidences")
    direct: Totals
    everything: Totals


class HeadlinePage(BaseModel):
    """One page of an action point's headline answer with its totals and status material (the port's answer)."""

    summary: Summary
    total: int
    counts: LinkCounts
    illustrative: bool
    page: list[Response]


@dataclass(frozen=True, slots=True)
class HeadlineRead:
    """A store's answer to ``headline_page``: the page, or None when the store has no derivation for the
    current dataset version (the caller computes the answer instead); with the dataset when the store read it
    in the same round trip (``dataset_read``)."""

    page: HeadlinePage | None
    dataset: DatasetOut | None = None
    dataset_read: bool = False


@dataclass(frozen=True, slots=True)
class Row:
    """One response of an action point's headline, with the fields filters and counts read."""

    response: Response
    rank: int
    """Position with every response to the action point first, then those to its goal, each in page order."""
    pos: int
    """Position in page order over both levels together."""
    countries: list[str]
    components: list[str]
    slot_projects: list[str]
    slot_components: list[str]
    activity: str | None
    json: str
    """The response as JSON (what Neo4j keeps and gives back), made once; empty in memory."""

    @property
    def level(self) -> str:
        return self.response.level

    def props(self, action_point: str, digest: str) -> dict[str, Any]:
        """The row as a Neo4j node's properties (the response itself as JSON)."""
        return {
            "action_point": action_point,
            "hash": digest,
            "rank": self.rank,
            "pos": self.pos,
            "level": self.level,
            "countries": self.countries,
            "components": self.components,
            "confidence": self.response.confidence,
            "strength": self.response.strength,
            "slot_projects": self.slot_projects,
            "slot_components": self.slot_components,
            "activity": self.activity,
            "json": self.json,
        }


@dataclass(slots=True)
class Derived:
    """One action point's headline, derived once: rows in ``rank`` order, the summary, and a hash of both."""

    summary: Summary
    rows: list[Row] = field(default_factory=list)
    digest: str = ""


def derive(facts: ActionPointFacts, *, written: bool = True) -> Derived:
    """An action point's headline from its facts (its direct responses and those to its goal); ``written``: with
    each response's JSON and the hash (what Neo4j writes and compares), else neither (memory keeps objects)."""
    keys = {id(r): page_key(r) for r in (*facts.responses, *facts.goal_responses)}
    direct = sorted(facts.responses, key=lambda r: keys[id(r)])
    at_goal = sorted(facts.goal_responses, key=lambda r: keys[id(r)])
    ordered = [*direct, *at_goal]
    mixed = sorted(range(len(ordered)), key=lambda i: keys[id(ordered[i])])
    pos = {index: at for at, index in enumerate(mixed)}
    rows = [_row(r, rank, pos[rank], written) for rank, r in enumerate(ordered)]
    summary = Summary(
        action_point=facts.action_point,
        number=facts.number,
        goal=facts.goal,
        goal_confidence=facts.goal_confidence,
        responses=len(facts.responses),
        goal_responses=len(facts.goal_responses),
        direct_certain=most_certain(r.confidence for r in facts.responses),
        goal_certain=most_certain(r.confidence for r in facts.goal_responses),
        direct=totals(rows[: len(direct)]),
        everything=totals(rows),
    )
    if not written:
        return Derived(summary, rows)
    digest = hashlib.sha256(summary.model_dump_json().encode())
    for row in rows:
        # Everything a row holds is in its JSON but its two positions.
        digest.update(f"{row.rank} {row.pos} ".encode())
        digest.update(row.json.encode())
    return Derived(summary, rows, digest.hexdigest())


def _row(r: Response, rank: int, pos: int, written: bool) -> Row:
    return Row(
        response=r,
        rank=rank,
        pos=pos,
        countries=sorted({c.id for c in r.countries}),
        components=sorted({c.id for c in r.components}),
        slot_projects=sorted({p for p, _ in r.slots if p is not None}),
        slot_components=sorted({c for _, c in r.slots if c is not None}),
        activity=activity_of(r),
        json=r.model_dump_json() if written else "",
    )


def totals(rows: Sequence[Row]) -> Totals:
    """The total, the distinct counts and the illustrative flag of some rows (the services' ``_counts``)."""
    return Totals(
        total=len(rows),
        counts=LinkCounts(
            links=len(rows),
            projects=len({p for r in rows for p in r.slot_projects}),
            components=len({c for r in rows for c in r.slot_components}),
            activities=len({r.activity for r in rows if r.activity is not None}),
        ),
        illustrative=any(r.response.confidence == ILLUSTRATIVE for r in rows),
    )


def wanted(row: Row, query: HeadlineQuery) -> bool:
    """Whether a row passes the query's level and filters."""
    if not query.include_goal_level and row.level != "action_point":
        return False
    if query.country is not None and query.country not in row.countries:
        return False
    if query.component is not None and query.component not in row.components:
        return False
    if query.confidence and row.response.confidence not in query.confidence:
        return False
    return not query.strength or row.response.strength in query.strength


def page_of(derived: Derived, query: HeadlineQuery) -> HeadlinePage:
    """A page of a derived headline (memory's ``headline_page``; Neo4j's queries read the same)."""
    summary = derived.summary
    if not query.filtered:
        found = summary.everything if query.include_goal_level else summary.direct
        rows = derived.rows if query.include_goal_level else derived.rows[: summary.responses]
    else:
        rows = [r for r in derived.rows if wanted(r, query)]
        found = totals(rows)
    if query.mixed:
        rows = sorted(rows, key=lambda r: r.pos)
    page = [r.response for r in rows[query.offset : query.end]]
    return HeadlinePage(
        summary=summary, total=found.total, counts=found.counts, illustrative=found.illustrative, page=page
    )
