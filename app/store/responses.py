"""Responses: how the links around an action point become explained answers (shared by both adapters).

An adapter gathers, natively, the material of an answer -- the RESPONDS_TO links into the action point (and
into its goal), its UNDER link, and each responder's context (PART_OF, IN_COUNTRY, ACTIVE_IN out of it,
HAS_COMPONENT into it and into the components it is part of) -- as an ``Adjacency``; the functions here turn
it into ``Response`` objects, each as sure as the weakest link on its path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Protocol

from app.errors import InvalidQuery
from app.store.asof import alive, alive_adjacency, basis, combined
from app.store.base import LABEL_ORDER, edge_sort_key, ref
from app.store.models import EdgeData, NodeData, NodeRef
from app.store.results import ActionPointDetail, ActionPointFacts, Response, Step
from graph_schema import Label, RelType, weakest
from graph_schema.asof import AsOf

RESPONDS_TO: Final = RelType.RESPONDS_TO.value
UNDER: Final = RelType.UNDER.value
PART_OF: Final = RelType.PART_OF.value
HAS_COMPONENT: Final = RelType.HAS_COMPONENT.value
PLACES: Final = (RelType.IN_COUNTRY.value, RelType.ACTIVE_IN.value)
CONTEXT_TYPES: Final = (PART_OF, HAS_COMPONENT, *PLACES)
"""The types of the links that place a responder: what an adapter reads around the responders."""


class Adjacency(Protocol):
    """The links and nodes an answer is built from, looked up by node and type."""

    def out_of(self, node_id: str, rel_type: str) -> Sequence[EdgeData]: ...

    def into(self, node_id: str, rel_type: str) -> Sequence[EdgeData]: ...

    def get(self, node_id: str) -> NodeData | None: ...


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


class _Builder:
    """Builds responses over one adjacency, remembering each responder's context and each node's ref."""

    def __init__(self, graph: Adjacency, as_of: AsOf | None = None) -> None:
        self.graph = alive_adjacency(graph, as_of)
        self.as_of = as_of
        self._refs: dict[str, NodeRef | None] = {}
        self._contexts: dict[str, _Context] = {}
        self._steps: dict[tuple[str, str, str], Step] = {}
        self._links: dict[tuple[str, str, str], dict[str, Any]] = {}

    def ref(self, node_id: str) -> NodeRef | None:
        if node_id not in self._refs:
            node = self.graph.get(node_id)
            self._refs[node_id] = ref(node) if node is not None else None
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
            self._steps[edge.key] = Step(
                source=self.need(edge.source),
                type=edge.type,
                target=self.need(edge.target),
                confidence=str(edge.props.get("confidence")),
                strength=edge.props.get("strength"),
                sources=list(edge.props.get("sources", [])),
            )
        return self._steps[edge.key]

    def _link(self, link: EdgeData) -> dict[str, Any]:
        """What every response built on ``link`` shares (at goal level, one per action point under the goal)."""
        if link.key not in self._links:
            place = self.context(link.source)
            where = list(link.props.get("countries", [])) or place.countries
            steps = [self.step(e) for e in place.path] + [self.step(link)]
            self._links[link.key] = {
                "target": self.need(link.target),
                "responder": self.need(link.source),
                "confidence": weakest(step.confidence for step in steps) or str(link.props.get("confidence")),
                "link_confidence": str(link.props.get("confidence")),
                "strength": str(link.props.get("strength")),
                "sources": list(link.props.get("sources", [])),
                "note": link.props.get("note"),
                "components": self.refs(place.components),
                "projects": self.refs(place.projects),
                "countries": self.refs(sorted(set(where))),
                "path": steps,
                "basis": self._basis(link),
            }
        return self._links[link.key]

    def _basis(self, link: EdgeData) -> str | None:
        """As of a day: what counting the response rests on, the link's date and its responder's."""
        if self.as_of is None:
            return None
        responder = self.graph.get(link.source)
        props = responder.props if responder is not None else {}
        return combined((basis(link.props, self.as_of), basis(props, self.as_of))).value

    def response(self, level: str, link: EdgeData, goal_link: EdgeData | None) -> Response:
        shared = self._link(link)
        if goal_link is None:
            return Response(level="action_point", **shared)
        # A chain is only as sure as its weakest link: the placement under the goal counts too.
        last = self.step(goal_link)
        confidence = weakest((shared["confidence"], last.confidence)) or shared["confidence"]
        return Response(level="goal", **{**shared, "confidence": confidence, "path": [*shared["path"], last]})

    def of(self, ap: str, include_goal_level: bool) -> list[Response]:
        found = [self.response("action_point", e, None) for e in self.graph.into(ap, RESPONDS_TO)]
        if include_goal_level:
            for under in self.graph.out_of(ap, UNDER):
                found += [self.response("goal", e, under) for e in self.graph.into(under.target, RESPONDS_TO)]
        found.sort(key=lambda r: (r.level != "action_point", LABEL_ORDER.get(r.responder.label, 99), r.responder.id))
        return found

    def goal(self, ap: str) -> tuple[NodeRef | None, str | None]:
        """The goal an action point sits under, with the confidence of that assignment (the weakest of the
        UNDER link and the goal node itself), and the UNDER link's own confidence."""
        under = next(iter(sorted(self.graph.out_of(ap, UNDER), key=edge_sort_key)), None)
        goal = self.ref(under.target) if under is not None else None
        if under is None or goal is None:
            return None, under.props.get("confidence") if under is not None else None
        levels = [str(level) for level in (under.props.get("confidence"), goal.confidence) if level]
        return goal.model_copy(update={"confidence": weakest(levels)}), under.props.get("confidence")


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
        properties=dict(sorted(ap.props.items())),
    )


def facts(action_points: Iterable[NodeData], graph: Adjacency, as_of: AsOf | None = None) -> list[ActionPointFacts]:
    """Every action point (in the order given) with its goal, direct responses and goal-level responses; with
    ``as_of``, only the action points and links that may have existed on that day."""
    builder = _Builder(graph, as_of)
    out: list[ActionPointFacts] = []
    for ap in action_points:
        if as_of is not None and not alive(ap.props, as_of):
            continue
        found = builder.of(ap.id, include_goal_level=True)
        goal, goal_confidence = builder.goal(ap.id)
        out.append(
            ActionPointFacts(
                action_point=ref(ap),
                number=int(ap.props.get("number", 0)),
                goal=goal,
                goal_confidence=goal_confidence,
                responses=[r for r in found if r.level == "action_point"],
                goal_responses=[r for r in found if r.level == "goal"],
            )
        )
    return out
