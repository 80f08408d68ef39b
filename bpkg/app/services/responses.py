"""The headline question: which projects, components and activities respond to action point N."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Protocol, TypedDict

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.services import lookup
from bpkg.app.services.api_types import (
    STATUS_WORDS,
    ActionPointOut,
    ActionPointPage,
    ActionPointSummary,
    ActivityGroup,
    AsOfOut,
    ComponentGroup,
    ProjectGroup,
    ResponseCounts,
    ResponseFilters,
    ResponseLink,
    ResponsesOut,
    Status,
)
from bpkg.app.services.day_account import account
from bpkg.app.store.base import LABEL_ORDER
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointDetail, LinkSummary, Response, ResponseLinks, Slot
from bpkg.app.store.response_builder import slots_of
from bpkg.graph_schema import Confidence, Label, Strength, most_certain
from bpkg.graph_schema.asof import AsOf
from bpkg.graph_schema.enums import CONFIDENCE_RANK

ILLUSTRATIVE = Confidence.ILLUSTRATIVE.value


class Rated(Protocol):
    """What a status reads of a response: its level and its confidence (a ``Response`` or a ``LinkSummary``)."""

    @property
    def level(self) -> str: ...

    @property
    def confidence(self) -> str: ...


def status_of(direct: Sequence[Rated], via_goal: Sequence[Rated]) -> Status:
    """direct when something responds to the action point, goal_only when only its goal is responded to, else gap."""
    if any(r.level == "action_point" for r in direct):
        return "direct"
    return "goal_only" if via_goal else "gap"


class StatusDict(TypedDict):
    status: Status
    status_words: str
    status_confidence: str | None


def status_fields(direct: Sequence[Rated], via_goal: Sequence[Rated]) -> StatusDict:
    """status, status_words and status_confidence: the most certain of the responses that give the status."""
    status = status_of(direct, via_goal)
    basis = direct if status == "direct" else via_goal
    return StatusDict(
        status=status,
        status_words=STATUS_WORDS[status],
        status_confidence=most_certain(r.confidence for r in basis),
    )


def is_illustrative(response: Rated) -> bool:
    # Response.confidence is already the weakest on its path.
    return response.confidence == ILLUSTRATIVE


def list_action_points(
    store: GraphStore,
    goal: int | None,
    status: Status | None,
    limit: int,
    offset: int,
    *,
    as_of: AsOf | None = None,
) -> ActionPointPage:
    """Action points by number, with their goal, count of direct responses and status; as of a day, those of the
    plan(s) in force then, with the links that may have existed then (``coverage.read_facts``)."""
    goal_id = lookup.goal(store, goal).id if goal is not None else None
    items: list[ActionPointSummary] = []
    illustrative = False
    from bpkg.app.services.coverage import read_facts  # coverage builds on this module

    # The facts of every action point, sorted, computed once per dataset (and day).
    scoped = read_facts(store, as_of=as_of)
    found, told = scoped.items, scoped.as_of
    for facts in found:
        item = ActionPointSummary(
            action_point=facts.action_point,
            number=facts.number,
            goal=facts.goal,
            responses=len(facts.responses),
            goal_responses=len(facts.goal_responses),
            **status_fields(facts.responses, facts.goal_responses),
        )
        if goal_id is not None and (facts.goal is None or facts.goal.id != goal_id):
            continue
        if status is not None and item.status != status:
            continue
        illustrative = illustrative or facts.goal_confidence == ILLUSTRATIVE
        illustrative = illustrative or item.status_confidence == ILLUSTRATIVE
        illustrative = illustrative or any(is_illustrative(r) for r in facts.responses)
        items.append(item)
    return ActionPointPage(
        items=items[offset : offset + limit],
        total=len(items),
        limit=limit,
        offset=offset,
        illustrative=lookup.notice(store, illustrative),
        as_of=told,
    )


def find(store: GraphStore, number: int, include_goal_level: bool = False) -> ActionPointDetail:
    """The action point with this number, its goal and its responses: one store question on the usual path
    (ids are ``ap-N`` by convention; an action point with another id is looked up by its number)."""
    try:
        detail = store.action_point(f"ap-{number}", include_goal_level)
        if detail.number == number:
            return detail
    except (NotFound, InvalidQuery):
        pass
    return store.action_point(lookup.action_point(store, number).id, include_goal_level)


def action_point_detail(store: GraphStore, number: int) -> ActionPointOut:
    detail = find(store, number, include_goal_level=True)
    responses = detail.responses
    fields = status_fields(responses, detail.goal_responses)
    illustrative = detail.goal_confidence == ILLUSTRATIVE or any(is_illustrative(r) for r in responses)
    illustrative = illustrative or fields["status_confidence"] == ILLUSTRATIVE
    text = detail.properties.get("text")
    text_status = detail.properties.get("text_status")
    return ActionPointOut(
        action_point=detail.action_point,
        number=number,
        goal=detail.goal,
        responses=len(responses),
        goal_responses=len(detail.goal_responses),
        **fields,
        text=str(text) if text is not None else None,
        text_status=str(text_status) if text_status is not None else None,
        properties=detail.properties,
        illustrative=lookup.notice(store, illustrative),
    )


def responses(
    store: GraphStore,
    number: int,
    *,
    country: str | None = None,
    component: str | None = None,
    confidence: Sequence[Confidence] = (),
    strength: Sequence[Strength] = (),
    include_goal_level: bool = False,
    limit: int | None = None,
    offset: int = 0,
    as_of: AsOf | None = None,
) -> ResponsesOut:
    """Responders of action point ``number``, filtered, one page grouped project -> component -> activity.

    The filtered links are ordered by where they sit in the tree, then paged (``limit`` links from
    ``offset``; every link with ``limit=None``), and only the page is grouped; ``counts`` and ``total``
    describe the whole filtered answer. As of a day, only the links (and responders) that may have existed
    then, and ``as_of`` says what the count rests on."""
    answer, _ = response_page(
        store,
        number,
        country=country,
        component=component,
        confidence=confidence,
        strength=strength,
        include_goal_level=include_goal_level,
        limit=limit,
        offset=offset,
        as_of=as_of,
    )
    return answer


def response_page(
    store: GraphStore,
    number: int,
    *,
    country: str | None = None,
    component: str | None = None,
    confidence: Sequence[Confidence] = (),
    strength: Sequence[Strength] = (),
    include_goal_level: bool = False,
    limit: int | None = None,
    offset: int = 0,
    as_of: AsOf | None = None,
    direct_first: bool = False,
) -> tuple[ResponsesOut, list[Response]]:
    """``responses`` and the page's whole responses in the answer's order (what a page lists as a table); with
    ``direct_first``, every response to the action point itself before those to its goal (the pages' order)."""
    # Goal-level responses are always summarised: the status says whether the goal alone is responded to. Every
    # link is summarised (filters, counts, order, status); whole responses are built for the page only.
    links = find_links(store, number)
    everything = links
    if as_of is not None:
        links = store.response_links(links.action_point.id, as_of)
    country_ref = lookup.to_ref(lookup.country(store, country)) if country else None
    component_ref = lookup.to_ref(lookup.of_label(store, component, Label.COMPONENT)) if component else None
    found = [*links.responses, *links.goal_responses] if include_goal_level else links.responses
    fields = status_fields(links.responses, links.goal_responses)
    goal, goal_confidence = links.goal, links.goal_confidence
    wanted_conf = {c.value for c in confidence}
    wanted_strength = {s.value for s in strength}
    kept = [
        r
        for r in found
        if (country_ref is None or country_ref.id in r.countries)
        and (component_ref is None or component_ref.id in r.components)
        and (not wanted_conf or r.confidence in wanted_conf)
        and (not wanted_strength or r.strength in wanted_strength)
    ]
    placed = sorted(kept, key=lambda r: (direct_first and r.level != "action_point", _page_key(r)))
    end = None if limit is None else offset + limit
    page = placed[offset:end]
    # A response gone between the two reads (a load under way) is left out of the page, not misplaced.
    built: dict[tuple[str, str, str], Response] = {
        (r.level, r.responder.id, r.target.id): r
        for r in store.responses_at(links.action_point.id, [r.key for r in page], as_of)
    }
    shown = [r for r in page if r.key in built]
    whole = [built[r.key] for r in shown]
    projects = group(whole, [r.slots for r in shown])
    # The answer names the goal too, so an illustrative placement under it counts.
    illustrative = any(is_illustrative(r) for r in kept) or goal_confidence == ILLUSTRATIVE
    answer = ResponsesOut(
        action_point=links.action_point,
        number=number,
        goal=goal,
        **fields,
        filters=ResponseFilters(
            country=country_ref,
            component=component_ref,
            confidence=sorted(wanted_conf, key=lambda c: CONFIDENCE_RANK[c]),
            strength=sorted(wanted_strength, key=lambda s: lookup.STRENGTH_ORDER[s]),
            include_goal_level=include_goal_level,
        ),
        counts=ResponseCounts(
            links=len(kept),
            projects=len({p for r in placed for p, _ in r.slots if p is not None}),
            components=len({c for r in placed for _, c in r.slots if c is not None}),
            activities=len({r.responder.id for r in placed if _activity(r) is not None}),
        ),
        total=len(kept),
        limit=limit,
        offset=offset,
        projects=projects,
        illustrative=lookup.notice(store, illustrative),
        as_of=_account(as_of, kept, found, everything, include_goal_level) if as_of is not None else None,
    )
    return answer, whole


def find_links(store: GraphStore, number: int) -> ResponseLinks:
    """The action point with this number and every response to it and to its goal, summarised (as ``find``)."""
    try:
        links = store.response_links(f"ap-{number}")
        if links.number == number:
            return links
    except (NotFound, InvalidQuery):
        pass
    return store.response_links(lookup.action_point(store, number).id)


def _account(
    as_of: AsOf,
    kept: Sequence[LinkSummary],
    found: Sequence[LinkSummary],
    everything: ResponseLinks,
    goal_level: bool,
) -> AsOfOut:
    """What an answer as of a day counts: the links kept by the filters, and those of today's answer (the same
    level) that did not exist on the day."""
    today = len(everything.responses) + (len(everything.goal_responses) if goal_level else 0)
    return account(as_of, ("response", "responses"), [r.basis for r in kept], max(0, today - len(found)))


def _link(r: Response) -> ResponseLink:
    return ResponseLink(
        level=r.level,
        responder=r.responder,
        target=r.target,
        strength=r.strength,
        confidence=r.confidence,
        link_confidence=r.link_confidence,
        sources=r.sources,
        note=r.note,
        countries=r.countries,
        path=r.path,
    )


def _slots(r: Response) -> list[Slot]:
    """Where a response sits in the project -> component tree, read from its justifying path."""
    steps = ((step.type, step.source.id, step.target.id, step.target.label) for step in r.path)
    return slots_of(r.responder, [c.id for c in r.components], steps)


def _activity(r: Response | LinkSummary) -> str | None:
    """The activity group a response goes in: its responder, unless that is a project or a component."""
    return None if r.responder.label in (Label.PROJECT, Label.COMPONENT) else r.responder.id


def _order(key: str | None) -> tuple[bool, str]:
    # Projects and components: by id, null last.
    return (key is None, key or "")


def _page_key(
    r: LinkSummary,
) -> tuple[tuple[bool, str], tuple[bool, str], tuple[bool, str], bool, int, str, str, str, str, list[str], str]:
    """Where a link comes in the whole answer: its first place in the tree, then a total order of its fields.

    A link's own place comes before the activities of its component (as in the tree), hence ``not None``."""
    project, component = min(r.slots, key=lambda s: (_order(s[0]), _order(s[1])))
    activity = _activity(r)
    return (
        _order(project),
        _order(component),
        (activity is not None, activity or ""),
        r.level != "action_point",
        LABEL_ORDER.get(r.responder.label, 99),
        r.responder.id,
        r.target,
        r.strength,
        r.link_confidence,
        r.sources,
        r.note or "",
    )


def group(found: Sequence[Response], slots: Sequence[list[Slot]] | None = None) -> list[ProjectGroup]:
    """Responses as a tree: project (null last) -> component (null last) -> activity, each level ordered by id.

    ``slots``, when given, holds each response's places (``_slots``), already computed."""
    refs: dict[str, NodeRef] = {}
    tree: dict[str | None, dict[str | None, dict[str | None, list[ResponseLink]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for i, r in enumerate(found):
        for ref in (*r.components, *r.projects, r.responder):
            refs[ref.id] = ref
        activity = _activity(r)
        link = _link(r)
        for project, component in slots[i] if slots is not None else _slots(r):
            tree[project][component][activity].append(link)

    out: list[ProjectGroup] = []
    for project in sorted(tree, key=_order):
        components: list[ComponentGroup] = []
        project_links: list[ResponseLink] = []
        for component in sorted(tree[project], key=_order):
            by_activity = tree[project][component]
            own = by_activity.get(None, [])
            if component is None:
                project_links += own
            activities = [
                ActivityGroup(activity=refs[a], responses=by_activity[a])
                for a in sorted(a for a in by_activity if a is not None)
            ]
            if component is not None or activities:
                components.append(
                    ComponentGroup(
                        component=refs[component] if component else None,
                        responses=own if component is not None else [],
                        activities=activities,
                    )
                )
        out.append(
            ProjectGroup(project=refs[project] if project else None, responses=project_links, components=components)
        )
    return out
