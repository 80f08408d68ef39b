"""The headline answer derived once per dataset version: each action point's responses in page order, with what
a filter, a count and a page need, and the action point's status and unfiltered counts (design.md section 4,
"Answers read what the load derived").

``derive`` turns one action point's facts (``response_builder``: the same ``Response`` objects the computed
answer is made of) into a ``Derived``: its rows in the pages' order, each with its two positions, and a summary.
Neo4j writes it at load (``bpkg.app.store.neo4j.derive``) and reads a page with one indexed query; memory keeps it
per action point and pages it here (``page_of``). Both answer the port's ``headline_page`` with a ``HeadlinePage``.
"""

from __future__ import annotations

import functools
import hashlib
import operator
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from pydantic import BaseModel, Field

from bpkg.app.store.graph_types import DatasetOut, NodeRef
from bpkg.app.store.question_types import ActionPointFacts, GoalResponses, Response, Step, confidences
from bpkg.app.store.response_builder import UNDER, PageKey, activity_of, page_key
from bpkg.graph_schema import Confidence, most_certain, weakest

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

    @property
    def level(self) -> str:
        return self.response.level


@dataclass(slots=True)
class Derived:
    """One action point's headline, derived once: rows in ``rank`` order and the summary."""

    summary: Summary
    rows: list[Row] = field(default_factory=list)


def derive(facts: ActionPointFacts) -> Derived:
    """An action point's headline from its facts (its direct responses and those to its goal): what memory keeps,
    and what ``stored`` makes Neo4j's rows from."""
    goal_level = list(facts.goal_responses)  # read once: a ``GoalResponses`` makes new responses at each read
    keys = {id(r): page_key(r) for r in (*facts.responses, *goal_level)}
    direct = sorted(facts.responses, key=lambda r: keys[id(r)])
    at_goal = sorted(goal_level, key=lambda r: keys[id(r)])
    ordered = [*direct, *at_goal]
    mixed = sorted(range(len(ordered)), key=lambda i: keys[id(ordered[i])])
    pos = {index: at for at, index in enumerate(mixed)}
    rows = [_row(r, rank, pos[rank]) for rank, r in enumerate(ordered)]
    summary = _summary(facts, totals(rows[: len(direct)]), totals(rows))
    return Derived(summary, rows)


def _summary(facts: ActionPointFacts, direct: Totals, everything: Totals) -> Summary:
    return Summary(
        action_point=facts.action_point,
        number=facts.number,
        goal=facts.goal,
        goal_confidence=facts.goal_confidence,
        responses=len(facts.responses),
        goal_responses=len(facts.goal_responses),
        direct_certain=most_certain(r.confidence for r in facts.responses),
        goal_certain=most_certain(confidences(facts.goal_responses)),
        direct=direct,
        everything=everything,
    )


def _row(r: Response, rank: int, pos: int) -> Row:
    return Row(
        response=r,
        rank=rank,
        pos=pos,
        countries=sorted({c.id for c in r.countries}),
        components=sorted({c.id for c in r.components}),
        slot_projects=sorted({p for p, _ in r.slots if p is not None}),
        slot_components=sorted({c for _, c in r.slots if c is not None}),
        activity=activity_of(r),
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


def passing(rows: Sequence[Row], query: HeadlineQuery) -> list[Row]:
    """The rows that pass the query's filters, in their order: one pass per filter set, each a plain comparison (a
    call per row and filter took most of a filtered page of the busiest action point at 1M relationships)."""
    kept = list(rows)
    if query.country is not None:
        kept = [r for r in kept if query.country in r.countries]
    if query.component is not None:
        kept = [r for r in kept if query.component in r.components]
    if query.confidence:
        confidences = set(query.confidence)
        kept = [r for r in kept if r.response.confidence in confidences]
    if query.strength:
        strengths = set(query.strength)
        kept = [r for r in kept if r.response.strength in strengths]
    return kept


def page_of(derived: Derived, query: HeadlineQuery) -> HeadlinePage:
    """A page of a derived headline (memory's ``headline_page``; Neo4j's queries read the same)."""
    summary = derived.summary
    # The action point's own rows come first, then its goal's.
    rows = derived.rows if query.include_goal_level else derived.rows[: summary.responses]
    if not query.filtered:
        found = summary.everything if query.include_goal_level else summary.direct
    else:
        rows = passing(rows, query)
        found = totals(rows)
    if query.mixed:
        rows = sorted(rows, key=lambda r: r.pos)
    page = [r.response for r in rows[query.offset : query.end]]
    return HeadlinePage(
        summary=summary, total=found.total, counts=found.counts, illustrative=found.illustrative, page=page
    )


# -- what Neo4j keeps (bpkg.app.store.neo4j.derive writes it, the store's headline_page reads it) ----------------
#
# An action point's direct responses are rows of its own. The responses to its goal are the same for every action
# point under the goal but for the last step of their path (that action point's UNDER link) and their confidence
# (the weakest of theirs and that link's): they are written once per goal, without that step, and the store adds
# the action point's step when it reads them (``at_goal``). Their order does not depend on the action point
# (``page_key`` reads the link's own confidence, not the weakest on the path), so it is the goal's for every
# action point under it. An action point whose goal-level responses are not of that form (two UNDER links, a
# dataset error) keeps them as a group of its own, whole.
#
# Each row is known by its owner and a hash of its content (``row``), each order by a hash of its rows' hashes
# (``_digest``): a row a new version still holds, wherever it now comes, is not written again.

LAYOUT: Final = 4
"""The layout of what Neo4j keeps; a summary of another layout is not read (the answer is computed instead).
3: each row's response JSON is kept compressed (``zjson``). 4: rows are kept by their content (``row``, a hash of
it), their order apart (``ORDER_PART`` row hashes to an order node), so that a version that changes one response
writes one row and the order, not every row after it."""
ORDER_PART: Final = 500
"""Row hashes per order node: a page reads one or two of them."""
PACK_LEVEL: Final = 1
"""zlib's level for a row's JSON: a quarter of its size (1.9 KB a row on generated data) for about 1 s per 90 MB;
the write of the headline's rows took 0.55-0.7x the time of the plain text at 100k relationships."""


@dataclass(frozen=True, slots=True)
class GoalRows:
    """Responses to a goal kept once for every action point under it (or one action point's own, kept whole)."""

    group: str
    rows: list[dict[str, Any]]
    digest: str
    origin: list[Response]
    """The first action point's goal-level responses, as its facts gave them, to check the next one's against."""
    bases: list[str]
    """Their confidences without the UNDER step (what the rows keep)."""
    projects: frozenset[str]
    components: frozenset[str]
    activities: frozenset[str]
    shared: Sequence[Response] | None = None
    """The responses the first action point's ``GoalResponses`` made them from, if it was one: another action
    point's made from the same are the same responses but for the UNDER step, with no need to make them."""


@dataclass(frozen=True, slots=True)
class Stored:
    """One action point's headline as Neo4j keeps it: its own rows, its goal's group, the UNDER step to add."""

    summary: Summary
    rows: list[dict[str, Any]]
    digest: str
    goal: GoalRows | None
    under: Step | None


def stored(facts: ActionPointFacts, groups: dict[str, GoalRows]) -> Stored:
    """What Neo4j keeps of an action point's headline; ``groups`` holds the goals' rows made so far (a goal's are
    made once, by the first action point under it, and checked against every other's). The summary is
    ``derive``'s; only the action point's own responses are summarised again."""
    keys = {id(r): page_key(r) for r in facts.responses}
    own = [_row(r, rank, rank) for rank, r in enumerate(sorted(facts.responses, key=lambda r: keys[id(r)]))]
    rows = [_props(row, keys[id(row.response)]) for row in own]
    under = _under(facts)
    goal: GoalRows | None = None
    if under is not None and facts.goal is not None:
        goal = groups.get(facts.goal.id)
        if goal is None:
            goal = _shared(facts.goal.id, facts.goal_responses, under)
            if goal is not None:
                groups[facts.goal.id] = goal
        elif not _same(goal, facts.goal_responses, under):
            goal = None
    if goal is None and facts.goal_responses:
        under = None
        goal = _group(f"{facts.action_point.id} own", list(facts.goal_responses), [], [])
    direct = totals(own)
    everything = direct
    if goal is not None:
        count = len(own) + len(goal.rows)
        everything = Totals(
            total=count,
            counts=LinkCounts(
                links=count,
                projects=len(goal.projects.union(p for r in own for p in r.slot_projects)),
                components=len(goal.components.union(c for r in own for c in r.slot_components)),
                activities=len(goal.activities.union(r.activity for r in own if r.activity is not None)),
            ),
            illustrative=direct.illustrative or any(c == ILLUSTRATIVE for c in confidences(facts.goal_responses)),
        )
    return Stored(_summary(facts, direct, everything), rows, _digest(rows), goal, under)


def at_goal(response: Response, under: Step | None) -> Response:
    """A goal's response as kept, seen from the action point whose UNDER link is ``under`` (None: kept whole)."""
    if under is None:
        return response
    confidence = _weaker(response.confidence, under.confidence)
    return response.model_copy(update={"confidence": confidence, "path": [*response.path, under]})


def merge_key(r: Response) -> str:
    """The part of ``page_key`` that orders a direct response against one to the goal (its place in the tree;
    the level comes next, and then each side keeps its own order), as text that sorts the same in Python and in
    Cypher: ASCII only, each value closed by a mark that sorts below anything it holds."""
    return _merge(page_key(r))


def _merge(key: PageKey) -> str:
    return "".join(("1" if flag else "0") + _text(value) for flag, value in key[:3])


def _text(value: str) -> str:
    if value.isascii() and value.isprintable() and not _LOW.intersection(value):
        return value + "!"
    out: list[str] = []
    for char in value:
        code = ord(char)
        if 0x23 <= code <= 0x7E:
            out.append(char)
        elif code < 0x23:
            out.append(f'"{code:02x}')
        else:
            out.append(f"\x7f{code:06x}")
    out.append("!")
    return "".join(out)


_LOW: Final = frozenset(' !"')
"""The printable ASCII characters below ``#``: written as ``"`` and their code, so that ``!`` closes a value."""


def _under(facts: ActionPointFacts) -> Step | None:
    """The action point's UNDER step if every goal-level response ends with it (the one form kept per goal)."""
    if not facts.goal_responses:
        return None
    if isinstance(facts.goal_responses, GoalResponses):
        # Each response is made with ``under`` at the end of its path: no need to make them to see it.
        last = facts.goal_responses.under
        return last if last.type == UNDER and last.source.id == facts.action_point.id else None
    if not facts.goal_responses[0].path:
        return None
    last = facts.goal_responses[0].path[-1]
    if last.type != UNDER or last.source.id != facts.action_point.id:
        return None
    if any(not r.path or (r.path[-1] is not last and r.path[-1] != last) for r in facts.goal_responses):
        return None
    return last


@functools.cache
def _weaker(confidence: str, other: str) -> str:
    return weakest((confidence, other)) or confidence


def _base(r: Response) -> str:
    """A goal-level response's confidence before the action point's UNDER step (the weakest on the rest)."""
    return weakest(step.confidence for step in r.path[:-1]) or r.link_confidence


def _shared(goal: str, responses: Sequence[Response], under: Step) -> GoalRows | None:
    bases = [_base(r) for r in responses]
    if any(_weaker(base, under.confidence) != r.confidence for base, r in zip(bases, responses, strict=True)):
        return None
    kept = [
        r.model_copy(update={"confidence": base, "path": r.path[:-1]}) for base, r in zip(bases, responses, strict=True)
    ]
    shared = responses.shared if isinstance(responses, GoalResponses) else None
    return _group(goal, kept, list(responses), bases, shared)


_FIELDS: Final = operator.attrgetter(*(name for name in Response.model_fields if name not in ("confidence", "path")))


def _same(goal: GoalRows, responses: Sequence[Response], under: Step) -> bool:
    """Whether an action point's goal-level responses are the group's first action point's, but for ``under``."""
    if isinstance(responses, GoalResponses) and goal.shared is not None and responses.shared is goal.shared:
        # Made from the same responses: every field but the confidence and the UNDER step is the first's.
        made = responses.confidences()
        return all(_weaker(base, under.confidence) == c for base, c in zip(goal.bases, made, strict=True))
    if len(goal.origin) != len(responses):
        return False
    for first, base, r in zip(goal.origin, goal.bases, responses, strict=True):
        if _FIELDS(first) != _FIELDS(r) or first.path[:-1] != r.path[:-1]:
            return False
        if _weaker(base, under.confidence) != r.confidence:
            return False
    return True


def _group(
    name: str,
    kept: list[Response],
    origin: list[Response],
    bases: list[str],
    shared: Sequence[Response] | None = None,
) -> GoalRows:
    keys = {id(r): page_key(r) for r in kept}
    ordered = [_row(r, rank, rank) for rank, r in enumerate(sorted(kept, key=lambda r: keys[id(r)]))]
    rows = [_props(row, keys[id(row.response)]) for row in ordered]
    return GoalRows(
        name,
        rows,
        _digest(rows),
        origin,
        bases,
        frozenset(p for r in ordered for p in r.slot_projects),
        frozenset(c for r in ordered for c in r.slot_components),
        frozenset(r.activity for r in ordered if r.activity is not None),
        shared,
    )


def _props(row: Row, key: PageKey) -> dict[str, Any]:
    """A row as a Neo4j node's properties: what filters, counts and the order read, and the response as JSON
    (compressed: the page is all that is read of it)."""
    r = row.response
    zjson = zlib.compress(r.model_dump_json().encode(), PACK_LEVEL)
    return {
        "row": row_hash(zjson),
        "key": _merge(key),
        "countries": row.countries,
        "components": row.components,
        "confidence": r.confidence,
        "strength": r.strength,
        "slot_projects": row.slot_projects,
        "slot_components": row.slot_components,
        "activity": row.activity,
        "zjson": zjson,
    }


def row_hash(zjson: bytes) -> str:
    """What a row is known by beside its owner (action point or goal group): a hash of its layout and its JSON,
    compressed (everything else a row holds is read from the response; the same zlib writes the same bytes, and
    another zlib's rows are written once more)."""
    return hashlib.sha256(b"%d " % LAYOUT + zjson).hexdigest()[:32]


def _digest(rows: Sequence[dict[str, Any]]) -> str:
    """The order's hash: its rows' hashes in order."""
    digest = hashlib.sha256()
    for row in rows:
        digest.update(row["row"].encode() + b" ")
    return digest.hexdigest()


def order_parts(rows: Sequence[dict[str, Any]]) -> list[dict[str, list[str]]]:
    """An order as its nodes keep it, ``ORDER_PART`` rows to a node (rank = part * ORDER_PART + i): each row's hash
    and, in lists beside it, what the filters, counts and the mixed order read (its merge key, confidence,
    strength; its countries, components, slot projects and slot components as ids joined by spaces, which no id
    holds; its activity or ''), so that a filtered page reads the order and seeks only the rows it shows."""
    parts: list[dict[str, list[str]]] = []
    for at in range(0, len(rows), ORDER_PART):
        chunk = rows[at : at + ORDER_PART]
        parts.append(
            {
                "rows": [r["row"] for r in chunk],
                "keys": [r["key"] for r in chunk],
                "confidences": [r["confidence"] for r in chunk],
                "strengths": [r["strength"] for r in chunk],
                "countries": [" ".join(r["countries"]) for r in chunk],
                "components": [" ".join(r["components"]) for r in chunk],
                "projects": [" ".join(r["slot_projects"]) for r in chunk],
                "slot_components": [" ".join(r["slot_components"]) for r in chunk],
                "activities": [r["activity"] or "" for r in chunk],
            }
        )
    return parts


def read_rows(entries: Sequence[dict[str, Any]], under: str | None) -> list[Response]:
    """A page as Neo4j gives it back (each entry a row's compressed JSON and whether it is the goal's) as
    responses: the goal's with the action point's UNDER step (``under``, its JSON; None when the rows were kept
    whole)."""
    step = Step.model_validate_json(under) if under is not None else None
    page = [Response.model_validate_json(zlib.decompress(entry["zjson"])) for entry in entries]
    return [at_goal(r, step) if entry["goal"] else r for r, entry in zip(page, entries, strict=True)]
