"""Responses: how the links around an action point become explained answers (shared by both adapters).

An adapter gathers, natively, the material of an answer -- the RESPONDS_TO links into the action point (and
into its goal), its UNDER link, and each responder's context (PART_OF, IN_COUNTRY, ACTIVE_IN out of it,
HAS_COMPONENT into it and into the components it is part of) -- as an ``Adjacency``; the functions here turn
it into ``Response`` objects (the one summary of a response: its path, the weakest confidence on it, its
countries, components, projects and places in the tree), each as sure as the weakest link on its path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal

from bpkg.app.errors import InvalidQuery
from bpkg.app.store import trusted
from bpkg.app.store.alive import Adjacency, alive_adjacency, response_basis
from bpkg.app.store.base import LABEL_ORDER, edge_sort_key, ref
from bpkg.app.store.graph_types import EdgeData, NodeData, NodeRef
from bpkg.app.store.question_types import (
    ActionPointDetail,
    ActionPointFacts,
    GoalResponses,
    Response,
    Slot,
    Step,
    made_response,
)
from bpkg.graph_schema import Label, RelType, weakest
from bpkg.graph_schema.asof import AsOf, may_exist

RESPONDS_TO: Final = RelType.RESPONDS_TO.value
UNDER: Final = RelType.UNDER.value
PART_OF: Final = RelType.PART_OF.value
HAS_COMPONENT: Final = RelType.HAS_COMPONENT.value
PLACES: Final = (RelType.IN_COUNTRY.value, RelType.ACTIVE_IN.value)
CONTEXT_TYPES: Final = (PART_OF, HAS_COMPONENT, *PLACES)
"""The types of the links that place a responder: what an adapter reads around the responders."""


@dataclass
class EdgeIndex:
    """An ``Adjacency`` over a list of edges and the nodes they name (what one Cypher answer holds)."""

    nodes: dict[str, NodeData]
    _out: dict[tuple[str, str], list[EdgeData]] = field(default_factory=lambda: defaultdict(list))
    _in: dict[tuple[str, str], list[EdgeData]] = field(default_factory=lambda: defaultdict(list))

    @classmethod
    def of(cls, edges: Iterable[EdgeData], nodes: dict[str, NodeData]) -> EdgeIndex:
        index = cls(nodes)
        for edge in {e.key: e for e in edges}.values():
            index._out[(edge.source, edge.type)].append(edge)
            index._in[(edge.target, edge.type)].append(edge)
        return index

    def out_of(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        return self._out.get((node_id, rel_type), ())

    def into(self, node_id: str, rel_type: str) -> Sequence[EdgeData]:
        return self._in.get((node_id, rel_type), ())

    def get(self, node_id: str) -> NodeData | None:
        return self.nodes.get(node_id)


@dataclass(frozen=True)
class _Context:
    """Where a responder sits: its components, projects and countries, and the links that say so."""

    components: list[str]
    projects: list[str]
    countries: list[str]
    path: list[EdgeData]


@dataclass(frozen=True)
class _Placed:
    """What every response of one responder shares: its context as refs, steps and slots (answers share these
    lists, never change them)."""

    components: list[NodeRef]
    projects: list[NodeRef]
    countries: list[NodeRef]
    steps: list[Step]
    slots: list[Slot]


class _Builder:
    """Builds responses over one adjacency, remembering each responder's context and each node's ref."""

    def __init__(self, graph: Adjacency, as_of: AsOf | None = None) -> None:
        self.graph = alive_adjacency(graph, as_of)
        self.as_of = as_of
        self._refs: dict[str, NodeRef | None] = {}
        self._contexts: dict[str, _Context] = {}
        self._placed: dict[str, _Placed] = {}
        self._ref_lists: dict[tuple[str, ...], list[NodeRef]] = {}
        self._steps: dict[tuple[str, str, str], Step] = {}
        self._links: dict[tuple[str, str, str], dict[str, Any]] = {}
        self._goal_links: dict[str, tuple[Response, ...]] = {}
        self._lists: dict[tuple[str, ...], list[str]] = {}

    def ref(self, node_id: str) -> NodeRef | None:
        if node_id not in self._refs:
            node = self.graph.get(node_id)
            # One set of the fields set for every ref (``ref`` sets them all), as for the responses.
            made = None if node is None else _REF(vars(ref(node)))
            self._refs[node_id] = made
        return self._refs[node_id]

    def need(self, node_id: str) -> NodeRef:
        """The ref of a node at an end of a link the adapter gave (it must have given the node too)."""
        found = self.ref(node_id)
        if found is None:
            raise KeyError(node_id)
        return found

    def label(self, node_id: str) -> str:
        found = self.ref(node_id)
        return found.label if found else ""

    def refs(self, ids: Iterable[str]) -> list[NodeRef]:
        return [r for r in (self.ref(i) for i in ids) if r is not None]

    def ref_list(self, ids: Sequence[str]) -> list[NodeRef]:
        """The refs of nodes, one list per distinct content (answers share it, never change it)."""
        key = tuple(ids)
        found = self._ref_lists.get(key)
        if found is None:
            found = self._ref_lists[key] = self.refs(key)
        return found

    def placed(self, responder: str) -> _Placed:
        if responder not in self._placed:
            place = self.context(responder)
            self._placed[responder] = _Placed(
                components=self.ref_list(place.components),
                projects=self.ref_list(place.projects),
                countries=self.ref_list(place.countries),
                steps=[self.step(e) for e in place.path],
                slots=slots_of(self.need(responder), place.components, self._steps_of(place.path)),
            )
        return self._placed[responder]

    def context(self, responder: str) -> _Context:
        if responder not in self._contexts:
            self._contexts[responder] = self._place(responder)
        return self._contexts[responder]

    def _place(self, responder: str) -> _Context:
        own = self.label(responder)
        comps: set[str] = {responder} if own == Label.COMPONENT else set()
        projects: set[str] = {responder} if own == Label.PROJECT else set()
        path: list[EdgeData] = []
        for e in self.graph.out_of(responder, PART_OF):
            above = self.label(e.target)
            if above in (Label.COMPONENT, Label.PROJECT):
                path.append(e)
                (comps if above == Label.COMPONENT else projects).add(e.target)
        countries = {e.target for t in PLACES for e in self.graph.out_of(responder, t)}
        for comp in sorted(comps):
            for e in self.graph.into(comp, HAS_COMPONENT):
                path.append(e)
                projects.add(e.source)
        return _Context(sorted(comps), sorted(projects), sorted(countries), sorted(path, key=edge_sort_key))

    def step(self, edge: EdgeData) -> Step:
        if edge.key not in self._steps:
            # Parts already checked (refs the builder made, a link's properties the loader validated): built
            # without validating again, as ``_response`` does; a busy action point has tens of thousands.
            self._steps[edge.key] = _STEP(
                {
                    "source": self.need(edge.source),
                    "type": edge.type,
                    "target": self.need(edge.target),
                    "confidence": str(edge.props.get("confidence")),
                    "strength": edge.props.get("strength"),
                    "sources": self.strings(edge.props.get("sources", [])),
                }
            )
        return self._steps[edge.key]

    def strings(self, values: Iterable[str]) -> list[str]:
        """A list of strings (a link's sources), one list per distinct content: answers share it, never change it."""
        key = tuple(values)
        found = self._lists.get(key)
        if found is None:
            found = self._lists[key] = list(key)
        return found

    def _link(self, link: EdgeData) -> dict[str, Any]:
        """What every response built on ``link`` shares (at goal level, one per action point under the goal)."""
        if link.key not in self._links:
            placed = self.placed(link.source)
            own = link.props.get("countries")
            # A concatenation is made at its size; an unpacked list keeps spare room (one path per response).
            steps = placed.steps + [self.step(link)]  # noqa: RUF005
            self._links[link.key] = {
                "target": self.need(link.target),
                "responder": self.need(link.source),
                "confidence": weakest(step.confidence for step in steps) or str(link.props.get("confidence")),
                "link_confidence": str(link.props.get("confidence")),
                "strength": str(link.props.get("strength")),
                "sources": self.strings(link.props.get("sources", [])),
                "note": link.props.get("note"),
                "components": placed.components,
                "projects": placed.projects,
                "countries": self.ref_list(sorted(set(own))) if own else placed.countries,
                "path": steps,
                "slots": placed.slots,
                "basis": self._basis(link),
            }
        return self._links[link.key]

    def _steps_of(self, path: Iterable[EdgeData]) -> Iterable[tuple[str, str, str, str]]:
        """A path's links as ``slots_of`` reads them: type, source id, target id, target label."""
        return ((e.type, e.source, e.target, self.label(e.target)) for e in path)

    def _basis(self, link: EdgeData) -> str | None:
        """As of a day: what counting the response rests on, the link's date and its responder's."""
        if self.as_of is None:
            return None
        responder = self.graph.get(link.source)
        props = responder.props if responder is not None else {}
        return response_basis(link.props, props, self.as_of)

    def direct(self, link: EdgeData) -> Response:
        """The response a RESPONDS_TO link into the action point gives."""
        return _response("action_point", self._link(link))

    def _to_goal(self, goal: str) -> tuple[Response, ...]:
        """The responses to a goal, without any action point's placement under it, in the order they come: built
        once, whichever action point under the goal asks (``GoalResponses`` adds the placement when read)."""
        if goal not in self._goal_links:
            found = [self._link(e) for e in self.graph.into(goal, RESPONDS_TO)]
            found.sort(key=lambda shared: (LABEL_ORDER.get(shared["responder"].label, 99), shared["responder"].id))
            self._goal_links[goal] = tuple(_response("goal", shared) for shared in found)
        return self._goal_links[goal]

    def own(self, ap: str) -> list[Response]:
        """The responses of the RESPONDS_TO links into an action point, in their order."""
        found = [self.direct(e) for e in self.graph.into(ap, RESPONDS_TO)]
        found.sort(key=_response_order)
        return found

    def at_goal(self, ap: str) -> Sequence[Response]:
        """The responses to an action point's goal seen from it: each with the action point's placement under the
        goal at the end of its path (a chain is only as sure as its weakest link, so that placement counts too).
        Kept once per goal and made when read (``GoalResponses``); with more than one goal (a dataset error)
        made here, one goal's after the other's, in one (stable) order."""
        unders = self.graph.out_of(ap, UNDER)
        if len(unders) == 1:
            return GoalResponses(self._to_goal(unders[0].target), self.step(unders[0]))
        found = [r for under in unders for r in GoalResponses(self._to_goal(under.target), self.step(under))]
        found.sort(key=_response_order)
        return found

    def of(self, ap: str, include_goal_level: bool) -> list[Response]:
        return [*self.own(ap), *(self.at_goal(ap) if include_goal_level else ())]

    def under(self, ap: str) -> EdgeData | None:
        """The UNDER link placing an action point under its goal (the first, should a dataset give two)."""
        return next(iter(sorted(self.graph.out_of(ap, UNDER), key=edge_sort_key)), None)

    def goal(self, ap: str) -> tuple[NodeRef | None, str | None]:
        """The goal an action point sits under, with the confidence of that assignment (the weakest of the
        UNDER link and the goal node itself), and the UNDER link's own confidence."""
        under = self.under(ap)
        goal = self.ref(under.target) if under is not None else None
        if under is None or goal is None:
            return None, under.props.get("confidence") if under is not None else None
        levels = [str(level) for level in (under.props.get("confidence"), goal.confidence) if level]
        return goal.model_copy(update={"confidence": weakest(levels)}), under.props.get("confidence")


_STEP: Final = trusted.maker(Step)
_REF: Final = trusted.maker(NodeRef)
"""Every field is given: the steps and refs (and the responses, ``made_response``) share one set of the fields set,
never changed."""


def _response(level: Literal["action_point", "goal"], shared: dict[str, Any]) -> Response:
    """A response from parts already checked (refs, steps and strings the builder made): no validation again."""
    return made_response({"level": level, **shared})


def _response_order(r: Response) -> tuple[int, str]:
    return (LABEL_ORDER.get(r.responder.label, 99), r.responder.id)


def slots_of(responder: NodeRef, components: Sequence[str], path: Iterable[tuple[str, str, str, str]]) -> list[Slot]:
    """Where a response sits in the project -> component tree, read from its justifying path (each step as
    type, source id, target id, target label): a project responder is its own slot; a component (the responder,
    or one it is part of) sits under each project that has it, or under none; a project the responder is
    directly part of, and that holds none of those components, is a slot of its own."""
    if responder.label == Label.PROJECT:
        return [(responder.id, None)]
    comps = [responder.id] if responder.label == Label.COMPONENT else list(components)
    owners: dict[str, list[str]] = defaultdict(list)
    direct: list[str] = []
    for kind, source, target, target_label in path:
        if kind == HAS_COMPONENT:
            owners[target].append(source)
        elif kind == PART_OF and source == responder.id and target_label == Label.PROJECT:
            direct.append(target)
    slots: list[Slot] = []
    for c in comps:
        projects: list[str | None] = [*sorted(set(owners[c]))]
        slots += [(p, c) for p in projects or [None]]
    via_components = {p for p, _ in slots}
    slots += [(p, None) for p in sorted(set(direct)) if p not in via_components]
    return slots or [(None, None)]


def detail(ap: NodeData, graph: Adjacency, include_goal_level: bool, as_of: AsOf | None = None) -> ActionPointDetail:
    """One action point with its goal and its responses (and those to its goal, if asked); with ``as_of``, only
    the links that may have existed on that day, between nodes that may have."""
    if ap.label != Label.ACTION_POINT:
        raise InvalidQuery(f"'{ap.id}' is a {ap.label}, not an ActionPoint")
    builder = _Builder(graph, as_of)
    found = builder.of(ap.id, include_goal_level)
    goal, goal_confidence = builder.goal(ap.id)
    own = builder.ref(ap.id)
    return ActionPointDetail(
        action_point=own if own is not None else ref(ap),
        number=int(ap.props.get("number", 0)),
        goal=goal,
        goal_confidence=goal_confidence,
        responses=[r for r in found if r.level == "action_point"],
        goal_responses=[r for r in found if r.level == "goal"],
        **_placement(builder, ap.id, goal),
        properties=dict(sorted(ap.props.items())),
    )


def _placement(builder: _Builder, ap: str, goal: NodeRef | None) -> dict[str, list[str]]:
    """The sources and locators of the UNDER link placing an action point under its goal."""
    under = builder.under(ap) if goal is not None else None
    if under is None:
        return {"placement_sources": [], "placement_locators": []}
    return {
        "placement_sources": list(under.props.get("sources", [])),
        "placement_locators": [str(x) for x in under.props.get("locators", [])],
    }


def facts(action_points: Iterable[NodeData], graph: Adjacency, as_of: AsOf | None = None) -> list[ActionPointFacts]:
    """Every action point (in the order given) with its goal, direct responses and goal-level responses; with
    ``as_of``, only the action points and links that may have existed on that day."""
    builder = _Builder(graph, as_of)
    out: list[ActionPointFacts] = []
    for ap in action_points:
        if as_of is not None and not may_exist(ap.props, as_of):
            continue
        goal, goal_confidence = builder.goal(ap.id)
        placement = _placement(builder, ap.id, goal)
        # Built from parts already checked; ``goal_responses`` stays a ``GoalResponses`` (validation would make
        # it a list: a copy of each response to the goal per action point under it).
        out.append(
            ActionPointFacts.model_construct(
                action_point=ref(ap),
                number=int(ap.props.get("number", 0)),
                goal=goal,
                goal_confidence=goal_confidence,
                responses=builder.own(ap.id),
                goal_responses=builder.at_goal(ap.id),
                placement_sources=placement["placement_sources"],
                placement_locators=placement["placement_locators"],
            )
        )
    return out


def activity_of(r: Response) -> str | None:
    """The activity group a response goes in: its responder, unless that is a project or a component."""
    return None if r.responder.label in (Label.PROJECT, Label.COMPONENT) else r.responder.id


def tree_order(key: str | None) -> tuple[bool, str]:
    # Projects and components: by id, null last.
    return (key is None, key or "")


PageKey = tuple[tuple[bool, str], tuple[bool, str], tuple[bool, str], bool, int, str, str, str, str, list[str], str]


def page_key(r: Response) -> PageKey:
    """Where a link comes in the whole headline answer: its first place in the tree, then a total order of its
    fields (the services page by it; the derivation stores each response's position in it).

    A link's own place comes before the activities of its component (as in the tree), hence ``not None``."""
    project, component = min(r.slots, key=lambda s: (tree_order(s[0]), tree_order(s[1])), default=(None, None))
    activity = activity_of(r)
    return (
        tree_order(project),
        tree_order(component),
        (activity is not None, activity or ""),
        r.level != "action_point",
        LABEL_ORDER.get(r.responder.label, 99),
        r.responder.id,
        r.target.id,
        r.strength,
        r.link_confidence,
        r.sources,
        r.note or "",
    )
