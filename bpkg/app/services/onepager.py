"""One-page briefs of an action point and of a country: what a policy officer takes to a meeting (status,
responders, countries, what rests on illustrative links, sources), as plain data that ``bpkg.app.web.pdf`` prints.

Lists are cut to what fits on one page; each cut says how many more there are and where to read them all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Final

from bpkg.app.errors import InvalidQuery
from bpkg.app.services.api_types import ActionPointStatus
from bpkg.app.services.briefs import statuses
from bpkg.app.services.countries import country
from bpkg.app.services.responses import todays_responses
from bpkg.app.store.base import source_line
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import Response
from bpkg.graph_schema import Confidence, Label

ILLUSTRATIVE: Final = Confidence.ILLUSTRATIVE.value
STRENGTH_ORDER: Final = {"direct": 0, "partial": 1, "indirect": 2}
LABEL_WORDS: Final = {
    Label.ACTIVITY.value: "activity",
    Label.COMPONENT.value: "component",
    Label.PROJECT.value: "project",
    Label.OUTPUT.value: "output",
}


@dataclass(frozen=True)
class Section:
    """A titled table (or, with no header, a paragraph per row) and what was left out of it."""

    heading: str
    header: list[str]
    rows: list[list[str]]
    more: str = ""
    widths: tuple[float, ...] = ()
    """Each column's share of the page's width (equal shares when empty)."""


@dataclass(frozen=True)
class OnePager:
    """A brief as data: a title, key facts, sections, the illustrative account and the sources."""

    title: str
    subtitle: str
    facts: list[tuple[str, str]]
    sections: list[Section]
    illustrative: str
    sources: list[str]
    footer: str
    file_name: str
    more_sources: str = ""
    notes: list[str] = field(default_factory=list)

    def cut(self, rows: int) -> OnePager:
        """The same brief with every table cut to ``rows`` rows (and at most ``rows`` sources), saying so."""
        sections = [_cut_section(s, rows) for s in self.sections]
        sources, more = _cut(self.sources, min(rows, 8), self.more_sources)
        return OnePager(
            self.title,
            self.subtitle,
            self.facts,
            sections,
            self.illustrative,
            sources,
            self.footer,
            self.file_name,
            more,
            self.notes,
        )


def _cut(items: list[str], n: int, more: str) -> tuple[list[str], str]:
    if len(items) <= n:
        return items, more
    return items[:n], f"and {len(items) - n} more on its page in the tool"


def _cut_section(s: Section, n: int) -> Section:
    if len(s.rows) <= n:
        return s
    return Section(s.heading, s.header, s.rows[:n], f"and {len(s.rows) - n} more on its page in the tool", s.widths)


def _names(refs: Iterable[NodeRef]) -> str:
    found = {r.id: r.name for r in refs}
    return ", ".join(sorted(found.values(), key=str.lower)) or "none"


def _marked(confidence: str | None) -> str:
    return confidence or "none"


def _footer(store: GraphStore, today: date) -> str:
    info = store.dataset_info()
    dataset = f"dataset {info.name} {info.version}" if info else "the loaded dataset"
    return f"Made on {today.isoformat()} from {dataset}; counts every date recorded."


def _sources(store: GraphStore, ids: Iterable[str], where: dict[str, str] | None = None) -> list[str]:
    """Each source as its ``source_line`` (with where on the page the brief's own node stands, when said), in
    name order."""
    found = store.nodes_by_id(sorted(set(ids)))
    ordered = sorted(found.values(), key=lambda n: (n.name.lower(), n.id))
    return [source_line(n.name, n.props, (where or {}).get(n.id)) for n in ordered]


def _source_ids(nodes: Iterable[dict[str, object]]) -> list[str]:
    out: list[str] = []
    for props in nodes:
        value = props.get("sources") or []
        if isinstance(value, list | tuple):
            out += [str(v) for v in value]
    return out


def _illustrative_sentence(n: int, total: int, what: str, extra: str = "") -> str:
    if total == 0:
        return f"No {what} is recorded, so nothing rests on illustrative links.{extra}"
    if n == 0:
        return f"None of the {total} {what} rests on an illustrative link.{extra}"
    verb = "rests" if n == 1 else "rest"
    return (
        f"{n} of the {total} {what} {verb} on illustrative links: links of the sample implementation plan, "
        f"made up to show how the tool works, not facts.{extra}"
    )


def action_point(store: GraphStore, action_point_id: str, today: date | None = None) -> OnePager:
    """The one-page brief of an action point (``NotFound`` for an unknown id)."""
    today = today or date.today()
    node = store.node(action_point_id)
    if node.label != Label.ACTION_POINT:
        raise InvalidQuery(f"'{node.name}' is a {node.label}: a one-page brief is for an action point or a country")
    status: ActionPointStatus = statuses(store)[action_point_id]
    detail = todays_responses(store, action_point_id)
    direct = sorted(detail.responses, key=_response_order)
    goal_only = sorted(detail.goal_responses, key=_response_order)
    goal = detail.goal
    facts = [
        ("Status", status.status_words + _rests_on(status.status_confidence)),
        (
            "Priority goal",
            (goal.name + _rests_on(goal.confidence)) if goal else "not placed under a goal in the data",
        ),
        ("Responses", f"{len(direct)} direct; {len(goal_only)} to its priority goal only"),
        ("Official wording", "not public in any source this tool has (left blank, never invented)"),
    ]
    rows = [
        [
            r.responder.name,
            LABEL_WORDS.get(r.responder.label, r.responder.label.lower()),
            r.strength,
            r.confidence,
            _names([*r.components, *r.projects]),
            _names(r.countries),
        ]
        for r in direct
    ]
    sections = [
        Section(
            "Who responds to it directly",
            ["Responder", "Kind", "Strength", "Rests on", "Component or project", "Countries"],
            rows,
            widths=(0.25, 0.08, 0.08, 0.1, 0.35, 0.14),
        ),
        Section(
            "Who responds to its priority goal only",
            ["Responder", "Kind", "Rests on"],
            [
                [r.responder.name, LABEL_WORDS.get(r.responder.label, r.responder.label.lower()), r.confidence]
                for r in _distinct(goal_only)
            ],
            widths=(0.6, 0.2, 0.2),
        ),
        Section("Countries where it is responded to", [], [[_names(c for r in direct for c in r.countries)]]),
    ]
    everything = [*direct, *goal_only]
    weak = sum(r.confidence == ILLUSTRATIVE for r in everything)
    placed = (
        " Its placement under its priority goal is illustrative too."
        if goal is not None and goal.confidence == ILLUSTRATIVE
        else ""
    )
    source_ids = [s.id for s in node.sources] + [s for r in everything for s in r.sources]
    return OnePager(
        title=node.name,
        subtitle="One-page brief: who responds to it, where, and how sure each link is",
        facts=facts,
        sections=sections,
        illustrative=_illustrative_sentence(weak, len(everything), "responses", placed),
        sources=_sources(store, source_ids, {x.id: x.where for x in node.sources if x.where}),
        footer=_footer(store, today),
        file_name=f"brief-{node.id}.pdf",
    )


def _rests_on(confidence: str | None) -> str:
    return f" (rests on {confidence} links)" if confidence and confidence != "confirmed" else ""


def _response_order(r: Response) -> tuple[int, str]:
    return STRENGTH_ORDER.get(r.strength, 9), r.responder.name.lower()


def _distinct(responses: Sequence[Response]) -> list[Response]:
    seen: dict[str, Response] = {}
    for r in responses:
        seen.setdefault(r.responder.id, r)
    return list(seen.values())


def country_brief(store: GraphStore, code: str, today: date | None = None) -> OnePager:
    """The one-page brief of a country, from its ISO 3166 alpha-3 code or node id (``NotFound`` if unknown)."""
    today = today or date.today()
    answer = country(store, code)
    known = statuses(store)
    node = store.node(answer.country.id)
    rows = []
    for a in answer.action_points:
        rows.append([f"Action point {a.number}", _names(a.responders), a.strength, a.confidence])
    roles = "; ".join(f"{r.role} of the {r.process.name}" for r in answer.roles) or "none recorded"
    total = len(known)
    facts = [
        ("Role in the process", roles),
        ("Regions", _names(answer.regions)),
        (
            "Action points its work responds to directly",
            f"{len(answer.action_points)} of {total}",
        ),
        (
            "Work there",
            f"{len(answer.activities)} activities, {len(answer.components)} components, "
            f"{len(answer.projects)} projects, {len(answer.events)} events hosted",
        ),
    ]
    sections = [
        Section(
            "Action points its work responds to directly",
            ["Action point", "Responders there", "Strength", "Rests on"],
            rows,
            widths=(0.16, 0.62, 0.1, 0.12),
        ),
        Section("Components and projects at work there", [], [[_names([*answer.components, *answer.projects])]]),
        Section("Activities there", [], [[_names(answer.activities)]]),
    ]
    weak = sum(a.confidence == ILLUSTRATIVE for a in answer.action_points)
    activities = store.nodes_by_id([a.id for a in answer.activities])
    source_ids = [s.id for s in node.sources] + _source_ids(n.props for n in activities.values())
    return OnePager(
        title=answer.country.name,
        subtitle="One-page brief: the work done there and the action points it responds to",
        facts=facts,
        sections=sections,
        illustrative=_illustrative_sentence(weak, len(answer.action_points), "action points counted here"),
        sources=_sources(store, source_ids, {x.id: x.where for x in node.sources if x.where}),
        footer=_footer(store, today),
        file_name=f"brief-{answer.country.id}.pdf",
    )
