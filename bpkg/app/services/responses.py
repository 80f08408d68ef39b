"""The headline question: which projects, components and activities respond to action point N.

Route to first query: ``bpkg.app.api.routers.action_points`` -> ``responses`` (here) -> the store's
``headline_page`` (Neo4j: one ``HEADLINE_*`` query in ``bpkg.app.store.neo4j.queries`` that reads the dataset
version, the page, its totals and the status material of what the load derived, ``bpkg.app.store.neo4j.derive``;
memory: ``bpkg.app.store.headline`` over what it derived once per action point). As of a day, or on a Neo4j
database without a derivation for its version, the answer is computed as before: ``dataset_cache`` (kept per
dataset version) -> ``lookup.numbered`` -> the store's ``action_point`` (memory: ``response_builder`` over its
index; Neo4j: one ``RESPONSE_MATERIAL`` query), filtered, ordered and paged here. Either way only the page
becomes ``ResponseLink``s (see docs/architecture.md).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from bpkg.app.errors import NotFound
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
from bpkg.app.services.coverage import Facts, read_facts
from bpkg.app.services.dataset_cache import day_key, kept_already, per_dataset, remember_dataset
from bpkg.app.services.day_account import account
from bpkg.app.services.status import ILLUSTRATIVE, is_illustrative, status_fields
from bpkg.app.store import response_builder
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.headline import HeadlineQuery
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointDetail, ActionPointFacts, Response
from bpkg.graph_schema import Confidence, Label, Strength
from bpkg.graph_schema.asof import AsOf
from bpkg.graph_schema.enums import CONFIDENCE_RANK


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


def find(
    store: GraphStore, number: int, include_goal_level: bool = True, as_of: AsOf | None = None
) -> ActionPointDetail:
    """The action point with this number, its goal and every response to it and to its goal (kept per dataset
    version and day; do not change it): one store question on the usual path (``lookup.numbered``)."""

    def read() -> ActionPointDetail:
        return lookup.numbered(
            store,
            Label.ACTION_POINT,
            number,
            lambda node_id: store.action_point(node_id, True, as_of),
            lambda detail: detail.number,
        )

    detail = per_dataset(store, ("action-point", str(number), *day_key(as_of, None)), read)
    return detail if include_goal_level else detail.model_copy(update={"goal_responses": []})


def action_point_detail(store: GraphStore, number: int) -> ActionPointOut:
    """An action point with its goal, status and counts (kept per dataset version): from its facts when this
    process has derived today's already (``todays_facts``: the facts coverage is made of), so that a busy action
    point's responses are counted rather than made again; else from the action point read whole (``find``)."""

    def counted() -> ActionPointOut:
        node = lookup.action_point(store, number)
        found = todays_facts(store, node.id)
        if found is None:
            detail = find(store, number)
            return detail_out(store, number, detail, detail.properties)
        return detail_out(store, number, found, dict(sorted(node.props.items())))

    return per_dataset(store, ("action-point-out", str(number)), counted)


def detail_out(store: GraphStore, number: int, facts: ActionPointFacts, properties: dict[str, Any]) -> ActionPointOut:
    """``/action-points/{number}``'s answer from the action point's facts and properties."""
    responses = facts.responses
    fields = status_fields(responses, facts.goal_responses)
    illustrative = facts.goal_confidence == ILLUSTRATIVE or any(is_illustrative(r) for r in responses)
    illustrative = illustrative or fields["status_confidence"] == ILLUSTRATIVE
    text = properties.get("text")
    text_status = properties.get("text_status")
    return ActionPointOut(
        action_point=facts.action_point,
        number=number,
        goal=facts.goal,
        responses=len(responses),
        goal_responses=len(facts.goal_responses),
        **fields,
        text=str(text) if text is not None else None,
        text_status=str(text_status) if text_status is not None else None,
        properties=properties,
        illustrative=lookup.notice(store, illustrative),
    )


def todays_responses(store: GraphStore, action_point_id: str) -> ActionPointFacts:
    """An action point with every response to it and to its goal, today: from the facts this process has derived
    already (``todays_facts``), else read whole (``GraphStore.action_point``)."""
    found = todays_facts(store, action_point_id)
    return found if found is not None else store.action_point(action_point_id, include_goal_level=True)


def todays_facts(store: GraphStore, action_point_id: str) -> ActionPointFacts | None:
    """Today's facts of an action point, if this process has derived every action point's already for the current
    dataset version (``read_facts``: the API's follower derives them after each load, a memory server at its
    start); None otherwise (or for an id that is not an action point's): they are not derived here, which on Neo4j
    reads every response link of the graph. Kept per dataset version, do not change."""
    facts: Facts | None = kept_already(store, ("facts",))
    return facts.by_id.get(action_point_id) if facts is not None else None


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
    """``responses`` and the page's responses in the answer's order (what a page lists as a table); with
    ``direct_first``, every response to the action point itself before those to its goal (the pages' order).

    Today's answer is read from what the load derived (``GraphStore.headline_page``: on Neo4j one round trip);
    as of a day, or when nothing was derived for the dataset version, it is computed here."""
    if as_of is None:
        derived = _derived_page(
            store,
            number,
            country=country,
            component=component,
            confidence=confidence,
            strength=strength,
            include_goal_level=include_goal_level,
            limit=limit,
            offset=offset,
            direct_first=direct_first,
        )
        if derived is not None:
            return derived
    # Goal-level responses are always read: the status says whether the goal alone is responded to.
    detail = find(store, number, as_of=as_of)
    filters = _filters(store, country, component, confidence, strength, include_goal_level)
    found = [*detail.responses, *detail.goal_responses] if include_goal_level else detail.responses
    kept = [r for r in found if _wanted(r, filters)]
    placed = sorted(kept, key=lambda r: (direct_first and r.level != "action_point", _page_key(r)))
    page = placed[offset : None if limit is None else offset + limit]
    # The answer names the goal too, so an illustrative placement under it counts.
    illustrative = any(is_illustrative(r) for r in kept) or detail.goal_confidence == ILLUSTRATIVE
    answer = ResponsesOut(
        action_point=detail.action_point,
        number=number,
        goal=detail.goal,
        **status_fields(detail.responses, detail.goal_responses),
        filters=filters,
        counts=_counts(placed),
        total=len(kept),
        limit=limit,
        offset=offset,
        projects=group(page),
        illustrative=lookup.notice(store, illustrative),
        as_of=_account(store, number, as_of, kept, found, include_goal_level) if as_of is not None else None,
    )
    return answer, page


def _derived_page(
    store: GraphStore,
    number: int,
    *,
    country: str | None,
    component: str | None,
    confidence: Sequence[Confidence],
    strength: Sequence[Strength],
    include_goal_level: bool,
    limit: int | None,
    offset: int,
    direct_first: bool,
) -> tuple[ResponsesOut, list[Response]] | None:
    """Today's answer from the derivation, or None when the store has none for the dataset version (or a filter
    names nothing: the computed path then reports the action point first, as it always has)."""
    try:
        filters = _filters(store, country, component, confidence, strength, include_goal_level)
    except NotFound:
        return None
    query = HeadlineQuery(
        country=filters.country.id if filters.country else None,
        component=filters.component.id if filters.component else None,
        confidence=tuple(filters.confidence),
        strength=tuple(filters.strength),
        include_goal_level=include_goal_level,
        direct_first=direct_first,
        limit=limit,
        offset=offset,
    )
    read = store.headline_page(number, query)
    if read.dataset_read:
        remember_dataset(store, read.dataset)
    if read.page is None:
        return None
    found, summary = read.page, read.page.summary
    status: Status = "direct" if summary.responses else "goal_only" if summary.goal_responses else "gap"
    illustrative = found.illustrative or summary.goal_confidence == ILLUSTRATIVE
    answer = ResponsesOut(
        action_point=summary.action_point,
        number=number,
        goal=summary.goal,
        status=status,
        status_words=STATUS_WORDS[status],
        status_confidence=summary.direct_certain if status == "direct" else summary.goal_certain,
        filters=filters,
        counts=ResponseCounts.model_validate(found.counts, from_attributes=True),
        total=found.total,
        limit=limit,
        offset=offset,
        projects=group(found.page),
        illustrative=lookup.notice(store, illustrative),
        as_of=None,
    )
    return answer, found.page


def _filters(
    store: GraphStore,
    country: str | None,
    component: str | None,
    confidence: Sequence[Confidence],
    strength: Sequence[Strength],
    include_goal_level: bool,
) -> ResponseFilters:
    """The filters as the answer repeats them: the country and component looked up, the levels in order."""
    return ResponseFilters(
        country=lookup.to_ref(lookup.country(store, country)) if country else None,
        component=lookup.to_ref(lookup.of_label(store, component, Label.COMPONENT)) if component else None,
        confidence=sorted({c.value for c in confidence}, key=lambda c: CONFIDENCE_RANK[c]),
        strength=sorted({s.value for s in strength}, key=lambda s: lookup.STRENGTH_ORDER[s]),
        include_goal_level=include_goal_level,
    )


def _wanted(r: Response, filters: ResponseFilters) -> bool:
    """Whether a response passes the filters (a country or component it involves, its confidence, its strength)."""
    if filters.country is not None and all(c.id != filters.country.id for c in r.countries):
        return False
    if filters.component is not None and all(c.id != filters.component.id for c in r.components):
        return False
    if filters.confidence and r.confidence not in filters.confidence:
        return False
    return not filters.strength or r.strength in filters.strength


def _counts(placed: Sequence[Response]) -> ResponseCounts:
    return ResponseCounts(
        links=len(placed),
        projects=len({p for r in placed for p, _ in r.slots if p is not None}),
        components=len({c for r in placed for _, c in r.slots if c is not None}),
        activities=len({r.responder.id for r in placed if _activity(r) is not None}),
    )


def _account(
    store: GraphStore,
    number: int,
    as_of: AsOf,
    kept: Sequence[Response],
    found: Sequence[Response],
    goal_level: bool,
) -> AsOfOut:
    """What an answer as of a day counts: the links kept by the filters, and those of today's answer (the same
    level) that did not exist on the day."""
    everything = find(store, number)
    today = len(everything.responses) + (len(everything.goal_responses) if goal_level else 0)
    return account(as_of, ("response", "responses"), [r.basis for r in kept], max(0, today - len(found)))


_activity = response_builder.activity_of
_order = response_builder.tree_order
_page_key = response_builder.page_key


def group(found: Sequence[Response]) -> list[ProjectGroup]:
    """Responses as a tree: project (null last) -> component (null last) -> activity, each level ordered by id;
    each response in each of its places (``Response.slots``), as the API shows it (``ResponseLink``)."""
    refs: dict[str, NodeRef] = {}
    tree: dict[str | None, dict[str | None, dict[str | None, list[ResponseLink]]]] = defaultdict(
        lambda: defaultdict(lambda: defaultdict(list))
    )
    for r in found:
        for ref in (*r.components, *r.projects, r.responder):
            refs[ref.id] = ref
        activity = _activity(r)
        link = ResponseLink.model_validate(r, from_attributes=True)
        for project, component in r.slots:
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
