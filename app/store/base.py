"""Shared answers to the domain questions, written once over a few primitives each backend provides.

Adapters implement the primitives (fetch nodes by id, the edges around a set of nodes, nodes of a label,
edges of a type, a page of nodes, full-text candidates); everything else -- responses, traces, paths,
neighbourhoods, search ranking -- is computed here, so both backends give identical answers by
construction and the contract tests check the primitives.
"""

from __future__ import annotations

import itertools
import re
from abc import ABC, abstractmethod
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable
from typing import Final

from app.errors import InvalidQuery, NotFound
from app.store.models import (
    DatasetOut,
    EdgeData,
    EdgeOut,
    GraphOut,
    LinkCount,
    LinkOut,
    NodeData,
    NodeOut,
    NodePage,
    NodeRef,
    SourceOut,
)
from app.store.port import TraceDirection
from app.store.results import ActionPointDetail, ActionPointFacts, PathOut, PathStepOut, Response, SearchHit, Step
from graph_schema import Label, RelType, most_certain, weakest
from loaders.stats import GraphStats, stats_from_counts

# Height of each label between the political level (low numbers) and the ground (high numbers):
# "up" moves to a lower rank, "down" to a higher one, whatever the stored direction of the edge.
RANK: Final[dict[str, int]] = {
    Label.PROCESS: -1,
    Label.COMMITMENT: 0,
    Label.DECLARATION: 1,
    Label.ACTION_PLAN: 2,
    Label.PRIORITY_GOAL: 3,
    Label.ACTION_POINT: 4,
    Label.PROJECT: 5,
    Label.COMPONENT: 6,
    Label.ACTIVITY: 7,
    Label.EVENT: 7,
    Label.OUTPUT: 8,
    Label.COUNTRY: 9,
    Label.REGION: 10,
    Label.ORGANISATION: 11,
    Label.SOURCE: 12,
}
TRACE_TYPES: Final[tuple[str, ...]] = tuple(
    t.value for t in RelType if t not in (RelType.PARTICIPATES_IN, RelType.IN_REGION, RelType.FUNDS, RelType.IMPLEMENTS)
)
_CONTEXT_TYPES: Final = (
    RelType.PART_OF.value,
    RelType.HAS_COMPONENT.value,
    RelType.IN_COUNTRY.value,
    RelType.ACTIVE_IN.value,
)
LABEL_ORDER: Final[dict[str, int]] = {label.value: i for i, label in enumerate(Label)}
_WORD = re.compile(r"[0-9a-zà-ÿāăąćčďēęěğīıłńňōőœřśşšţťūůűźżž]+")
MAX_SEARCH_TOKENS: Final = 8


def words(text: str) -> list[str]:
    """Lower-case words of a text (letters and digits), as search sees them."""
    return _WORD.findall(text.lower())


def node_sort_key(node: NodeData) -> tuple[str, bool, int, str]:
    """Deterministic order of nodes: label, then number (missing last), then id."""
    number = node.props.get("number")
    return (node.label, number is None, number if isinstance(number, int) else 0, node.id)


def ref(node: NodeData) -> NodeRef:
    return NodeRef(id=node.id, label=node.label, name=node.name, confidence=node.props.get("confidence"))


def link_props(edge: EdgeData) -> dict[str, object]:
    keys = ("confidence", "sources", "strength", "note", "countries", "role")
    return {k: edge.props[k] for k in keys if k in edge.props}


def edge_out(edge: EdgeData) -> EdgeOut:
    return EdgeOut(source=edge.source, target=edge.target, type=edge.type, **link_props(edge))


def edge_sort_key(edge: EdgeData) -> tuple[str, str, str]:
    return edge.key


class TraversalStore(ABC):
    """Implements the store port on top of backend primitives."""

    backend: str = "abstract"

    # -- primitives ----------------------------------------------------------------------------
    @abstractmethod
    def ping(self) -> None: ...

    @abstractmethod
    def dataset_info(self) -> DatasetOut | None: ...

    @abstractmethod
    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        """The nodes among ``ids`` that exist."""

    @abstractmethod
    def incident(self, ids: Collection[str], types: Collection[str] | None = None) -> list[EdgeData]:
        """Every edge (of ``types``, or any type) with at least one end in ``ids``, sorted by key."""

    @abstractmethod
    def nodes_by_label(self, labels: Collection[str] | None) -> list[NodeData]:
        """Every node with one of ``labels`` (all nodes for ``None``), sorted by ``node_sort_key``."""

    @abstractmethod
    def edges_by_type(self, types: Collection[str] | None) -> list[EdgeData]:
        """Every edge of one of ``types`` (all edges for ``None``), sorted by key."""

    @abstractmethod
    def page_nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> tuple[list[NodeData], int]:
        """A page of nodes in ``node_sort_key`` order, filtered by label and by ``q`` (case-insensitive
        substring of name or id), and the total count before paging."""

    @abstractmethod
    def text_candidates(self, tokens: list[str], limit: int) -> list[NodeData]:
        """Nodes in which some word of name, description or id starts with one of ``tokens``."""

    # -- helpers -------------------------------------------------------------------------------
    def node_data(self, node_id: str) -> NodeData:
        found = self.nodes_by_id([node_id]).get(node_id)
        if found is None:
            raise NotFound(f"no node with id '{node_id}'")
        return found

    def _refs(self, ids: Iterable[str]) -> dict[str, NodeRef]:
        return {i: ref(n) for i, n in self.nodes_by_id(set(ids)).items()}

    # -- questions -----------------------------------------------------------------------------
    def stats(self) -> GraphStats:
        labels: Counter[str] = Counter()
        types: Counter[str] = Counter()
        levels: Counter[str] = Counter()
        for node in self.nodes_by_label(None):
            labels[node.label] += 1
            levels[str(node.props.get("confidence"))] += 1
        for edge in self.edges_by_type(None):
            types[edge.type] += 1
            levels[str(edge.props.get("confidence"))] += 1
        return stats_from_counts(labels, types, levels)

    def node(self, node_id: str) -> NodeOut:
        node = self.node_data(node_id)
        counts: Counter[tuple[str, str]] = Counter()
        for edge in self.incident([node_id]):
            if edge.source == node_id:
                counts[(edge.type, "out")] += 1
            if edge.target == node_id:
                counts[(edge.type, "in")] += 1
        source_ids = list(node.props.get("sources", []))
        found = self.nodes_by_id(source_ids)
        sources = [
            SourceOut(
                id=s,
                name=found[s].name if s in found else s,
                url=found[s].props.get("url") if s in found else None,
                citation=found[s].props.get("citation") if s in found else None,
                confidence=found[s].props.get("confidence") if s in found else None,
            )
            for s in source_ids
        ]
        return NodeOut(
            **ref(node).model_dump(),
            properties=dict(sorted(node.props.items())),
            sources=sources,
            link_counts=[LinkCount(type=t, direction=d, count=c) for (t, d), c in sorted(counts.items())],
        )

    def links(self, node_id: str) -> list[LinkOut]:
        self.node_data(node_id)
        edges = self.incident([node_id])
        others = self._refs({e.target if e.source == node_id else e.source for e in edges})
        out: list[LinkOut] = []
        for edge in edges:
            for direction, other in (("out", edge.target), ("in", edge.source)):
                if (edge.source if direction == "out" else edge.target) != node_id or other not in others:
                    continue
                out.append(LinkOut(type=edge.type, direction=direction, node=others[other], **link_props(edge)))
        out.sort(key=lambda link: (link.direction, link.type, LABEL_ORDER.get(link.node.label, 99), link.node.id))
        return out

    def nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> NodePage:
        if label is not None and label not in LABEL_ORDER:
            raise InvalidQuery(f"unknown label '{label}'; known: {', '.join(LABEL_ORDER)}")
        found, total = self.page_nodes(label, q.lower().strip() if q else None, limit, offset)
        return NodePage(items=[ref(n) for n in found], total=total, limit=limit, offset=offset)

    # -- responses and coverage ------------------------------------------------------------------
    def response_edges(self, action_point_id: str, include_goal_level: bool) -> tuple[NodeData, list[EdgeData]]:
        """The action point and every edge its responses are built from: RESPONDS_TO into it (and into its
        goal, at goal level), its UNDER edge, and the responders' context (PART_OF, IN_COUNTRY, ACTIVE_IN
        out of them; HAS_COMPONENT into them and into the components they are part of).

        A backend may answer this in one round trip; this default uses the primitives."""
        ap = self.node_data(action_point_id)
        edges = self.incident([ap.id], [RelType.RESPONDS_TO.value, RelType.UNDER.value])
        goals = [e.target for e in edges if e.type == RelType.UNDER.value and e.source == ap.id]
        if include_goal_level and goals:
            edges += [e for e in self.incident(goals, [RelType.RESPONDS_TO.value]) if e.target in goals]
        responders = {e.source for e in edges if e.type == RelType.RESPONDS_TO.value}
        context = self.incident(responders, _CONTEXT_TYPES)
        components = {e.target for e in context if e.type == RelType.PART_OF.value} | responders
        context += self.incident(components, [RelType.HAS_COMPONENT.value])
        unique = {e.key: e for e in [*edges, *context]}
        return ap, [unique[k] for k in sorted(unique)]

    def responses(self, action_point_id: str, include_goal_level: bool) -> list[Response]:
        detail = self.action_point(action_point_id, include_goal_level)
        return [*detail.responses, *detail.goal_responses]

    def action_point(self, action_point_id: str, include_goal_level: bool) -> ActionPointDetail:
        ap, edges = self.response_edges(action_point_id, include_goal_level)
        if ap.label != Label.ACTION_POINT:
            raise InvalidQuery(f"'{action_point_id}' is a {ap.label}, not an ActionPoint")
        found, refs = _responses([ap.id], edges, self, include_goal_level)
        under = next((e for e in edges if e.type == RelType.UNDER.value and e.source == ap.id), None)
        return ActionPointDetail(
            action_point=ref(ap),
            number=int(ap.props.get("number", 0)),
            goal=_goal_ref(under, refs),
            goal_confidence=under.props.get("confidence") if under else None,
            responses=[r for r in found[ap.id] if r.level == "action_point"],
            goal_responses=[r for r in found[ap.id] if r.level == "goal"],
            properties=dict(sorted(ap.props.items())),
        )

    def action_point_facts(self) -> list[ActionPointFacts]:
        aps = self.nodes_by_label([Label.ACTION_POINT.value])
        types = [RelType.RESPONDS_TO.value, RelType.UNDER.value, *_CONTEXT_TYPES]
        edges = self.edges_by_type(types)
        by_ap, goal_refs = _responses([a.id for a in aps], edges, self, include_goal_level=True)
        under = {e.source: e for e in edges if e.type == RelType.UNDER.value}
        facts: list[ActionPointFacts] = []
        for ap in aps:
            goal_edge = under.get(ap.id)
            facts.append(
                ActionPointFacts(
                    action_point=ref(ap),
                    number=int(ap.props.get("number", 0)),
                    goal=_goal_ref(goal_edge, goal_refs),
                    goal_confidence=goal_edge.props.get("confidence") if goal_edge else None,
                    responses=[r for r in by_ap[ap.id] if r.level == "action_point"],
                    goal_responses=[r for r in by_ap[ap.id] if r.level == "goal"],
                )
            )
        return facts

    # -- traversals ---------------------------------------------------------------------------------
    def _check_types(self, types: list[str] | None) -> list[str]:
        if types is None:
            return list(TRACE_TYPES)
        unknown = [t for t in types if t not in RelType.__members__]
        if unknown:
            raise InvalidQuery(f"unknown relationship type(s) {', '.join(unknown)}; known: {', '.join(RelType)}")
        return sorted(set(types))

    def trace(self, node_id: str, direction: TraceDirection, depth: int, types: list[str] | None) -> GraphOut:
        start = self.node_data(node_id)
        allowed = self._check_types(types)
        nodes: dict[str, NodeData] = {start.id: start}
        edges: dict[tuple[str, str, str], EdgeData] = {}
        for way in ("up", "down") if direction == "both" else (direction,):
            frontier = {start.id}
            for _ in range(depth):
                if not frontier:
                    break
                hits = self.incident(frontier, allowed)
                others = self.nodes_by_id({e.target if e.source in frontier else e.source for e in hits} - set(nodes))
                known = {**nodes, **others}
                nxt: set[str] = set()
                for edge in hits:
                    for here, there in ((edge.source, edge.target), (edge.target, edge.source)):
                        if here not in frontier or there not in known:
                            continue
                        step = RANK.get(known[there].label, 99) - RANK.get(known[here].label, 99)
                        if (way == "up" and step < 0) or (way == "down" and step > 0):
                            edges[edge.key] = edge
                            if there not in nodes:
                                nodes[there] = known[there]
                                nxt.add(there)
                frontier = nxt
        return _graph_out(nodes.values(), edges.values())

    def neighbourhood(self, focus: str, depth: int, labels: list[str] | None, max_nodes: int) -> GraphOut:
        start = self.node_data(focus)
        if labels is not None:
            unknown = [lb for lb in labels if lb not in LABEL_ORDER]
            if unknown:
                raise InvalidQuery(f"unknown label(s) {', '.join(unknown)}; known: {', '.join(LABEL_ORDER)}")
        keep = set(labels) if labels else None
        nodes: dict[str, NodeData] = {start.id: start}
        frontier = [start.id]
        truncated = False
        for _ in range(depth):
            if not frontier or truncated:
                break
            hits = self.incident(frontier)
            found = self.nodes_by_id(({e.target for e in hits} | {e.source for e in hits}) - set(nodes))
            nxt: list[str] = []
            for node in sorted(found.values(), key=node_sort_key):
                if keep is not None and node.label not in keep:
                    continue
                if len(nodes) >= max_nodes:
                    truncated = True
                    break
                nodes[node.id] = node
                nxt.append(node.id)
            frontier = nxt
        edges = [e for e in self.incident(list(nodes)) if e.source in nodes and e.target in nodes]
        out = _graph_out(nodes.values(), edges)
        if truncated:
            out.truncated = True
            out.note = f"View cut at {max_nodes} nodes; narrow it with depth or labels."
        return out

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut:
        nodes = self.nodes_by_label(labels)
        truncated = len(nodes) > max_nodes
        nodes = nodes[:max_nodes]
        ids = {n.id for n in nodes}
        # Only a chosen set of labels (or a cut view): read the edges around those nodes, not every edge.
        pool = self.edges_by_type(None) if labels is None and not truncated else self.incident(ids)
        edges = [e for e in pool if e.source in ids and e.target in ids]
        out = _graph_out(nodes, edges)
        if truncated:
            out.truncated = True
            out.note = f"View cut at {max_nodes} nodes; narrow it with labels."
        return out

    def paths(self, source: str, target: str, max_hops: int, limit: int) -> list[PathOut]:
        start, goal = self.node_data(source), self.node_data(target)
        if start.id == goal.id:
            return [PathOut(length=0, nodes=[ref(start)], steps=[])]
        # Breadth-first layers over edges in either direction, remembering every shortest predecessor.
        preds: dict[str, set[str]] = {start.id: set()}
        frontier = {start.id}
        found = False
        for _ in range(max_hops):
            layer: dict[str, set[str]] = defaultdict(set)
            for edge in self.incident(frontier):
                for here, there in ((edge.source, edge.target), (edge.target, edge.source)):
                    if here in frontier and there not in preds:
                        layer[there].add(here)
            if not layer:
                break
            preds.update(layer)
            frontier = set(layer)
            if goal.id in layer:
                found = True
                break
        if not found:
            return []
        sequences: list[list[str]] = []

        def walk(node: str, tail: list[str]) -> None:
            if len(sequences) >= limit * 50:
                return
            if node == start.id:
                sequences.append([node, *tail])
                return
            for prev in sorted(preds[node]):
                walk(prev, [node, *tail])

        walk(goal.id, [])
        sequences = sorted(sequences)[:limit]
        on_paths = {n for seq in sequences for n in seq}
        refs = self._refs(on_paths)
        joins: dict[frozenset[str], list[EdgeData]] = defaultdict(list)
        for edge in self.incident(on_paths):
            if edge.source in on_paths and edge.target in on_paths:
                joins[frozenset((edge.source, edge.target))].append(edge)
        result: list[PathOut] = []
        for seq in sequences:
            steps = []
            for a, b in itertools.pairwise(seq):
                rels = sorted(joins[frozenset((a, b))], key=edge_sort_key)
                steps.append(
                    PathStepOut(
                        source=refs[a],
                        target=refs[b],
                        relationships=[edge_out(e) for e in rels],
                        explanation="; ".join(_explain(e, refs) for e in rels),
                    )
                )
            hops = [most_certain(rel.confidence for rel in step.relationships) for step in steps]
            result.append(
                PathOut(
                    length=len(seq) - 1,
                    nodes=[refs[n] for n in seq],
                    steps=steps,
                    confidence=weakest(h for h in hops if h is not None),
                )
            )
        return result

    # -- search -----------------------------------------------------------------------------------
    def search(self, q: str, limit: int) -> list[SearchHit]:
        tokens = list(dict.fromkeys(words(q)))[:MAX_SEARCH_TOKENS]
        if not tokens:
            raise InvalidQuery("the search text has no letters or digits")
        hits: list[SearchHit] = []
        phrase = " ".join(words(q))
        for node in self.text_candidates(tokens, limit=max(200, limit * 4)):
            score, matched = _score(node, tokens, phrase)
            if score > 0:
                hits.append(SearchHit(node=ref(node), score=score, matched=matched))
        hits.sort(key=lambda h: (-h.score, LABEL_ORDER.get(h.node.label, 99), h.node.id))
        return hits[:limit]


def matches_tokens(node: NodeData, tokens: list[str]) -> bool:
    """Whether some word of the node's name, description or id starts with one of ``tokens``."""
    text = " ".join(str(node.props.get(k, "")) for k in ("name", "description", "id"))
    return any(w.startswith(t) for w in words(text) for t in tokens)


def _score(node: NodeData, tokens: list[str], phrase: str) -> tuple[float, list[str]]:
    score = 0.0
    matched: set[str] = set()
    fields = {
        "name": words(str(node.props.get("name", ""))),
        "description": words(str(node.props.get("description", ""))),
        "id": words(node.id),
    }
    weights = {"name": 3.0, "id": 2.0, "description": 1.0}
    for token in tokens:
        for field, ws in fields.items():
            if token in ws:
                score += weights[field]
                matched.add(field)
            elif any(w.startswith(token) for w in ws):
                score += weights[field] / 2
                matched.add(field)
    if phrase and " ".join(fields["name"]) == phrase:
        score += 10.0
    elif phrase and phrase in " ".join(fields["name"]):
        score += 4.0
    return score, sorted(matched)


def _goal_ref(under: EdgeData | None, refs: dict[str, NodeRef]) -> NodeRef | None:
    """The goal an action point sits under, with the confidence of that assignment: the weakest of the
    UNDER link and the goal node itself."""
    if under is None or under.target not in refs:
        return None
    goal = refs[under.target]
    levels = [str(level) for level in (under.props.get("confidence"), goal.confidence) if level]
    return goal.model_copy(update={"confidence": weakest(levels)})


def _graph_out(nodes: Iterable[NodeData], edges: Iterable[EdgeData]) -> GraphOut:
    return GraphOut(
        nodes=[ref(n) for n in sorted(nodes, key=node_sort_key)],
        edges=[edge_out(e) for e in sorted(edges, key=edge_sort_key)],
    )


def _explain(edge: EdgeData, refs: dict[str, NodeRef]) -> str:
    source = refs[edge.source].name if edge.source in refs else edge.source
    target = refs[edge.target].name if edge.target in refs else edge.target
    extra = [str(edge.props.get("confidence", ""))]
    if edge.props.get("strength"):
        extra.append(str(edge.props["strength"]))
    return f"{source} {edge.type.replace('_', ' ').lower()} {target} ({', '.join(extra)})"


def _step(edge: EdgeData, refs: dict[str, NodeRef]) -> Step:
    return Step(
        source=refs[edge.source],
        type=edge.type,
        target=refs[edge.target],
        confidence=str(edge.props.get("confidence")),
        strength=edge.props.get("strength"),
        sources=list(edge.props.get("sources", [])),
    )


def _responses(
    ap_ids: list[str], edges: list[EdgeData], store: TraversalStore, include_goal_level: bool
) -> tuple[dict[str, list[Response]], dict[str, NodeRef]]:
    """Responses per action point, from the RESPONDS_TO/UNDER edges and the responders' context edges,
    and the nodes they name (the action points' goals included)."""
    out_of: dict[str, list[EdgeData]] = defaultdict(list)
    into: dict[str, list[EdgeData]] = defaultdict(list)
    for edge in edges:
        out_of[edge.source].append(edge)
        into[edge.target].append(edge)
    plan: list[tuple[str, str, EdgeData, EdgeData | None]] = []  # (action point, level, RESPONDS_TO, UNDER)
    for ap in ap_ids:
        plan += [(ap, "action_point", e, None) for e in into[ap] if e.type == RelType.RESPONDS_TO.value]
        if include_goal_level:
            for under in (e for e in out_of[ap] if e.type == RelType.UNDER.value):
                plan += [(ap, "goal", e, under) for e in into[under.target] if e.type == RelType.RESPONDS_TO.value]
    goals = {e.target for ap in ap_ids for e in out_of[ap] if e.type == RelType.UNDER.value}
    if not plan:
        return {ap: [] for ap in ap_ids}, {i: ref(n) for i, n in store.nodes_by_id(goals).items()}
    responders = {edge.source for _, _, edge, _ in plan}
    ups = {e.target for r in responders for e in out_of[r] if e.type == RelType.PART_OF.value}
    nodes = store.nodes_by_id(
        set(ap_ids)
        | goals
        | responders
        | ups
        | {e.target for _, _, e, _ in plan}
        | {u.target for *_, u in plan if u is not None}
        | {c for _, _, e, _ in plan for c in e.props.get("countries", [])}
        | {e.target for r in responders for e in out_of[r]}
        | {e.source for c in responders | ups for e in into[c] if e.type == RelType.HAS_COMPONENT.value}
    )
    refs = {i: ref(n) for i, n in nodes.items()}

    def label(node_id: str) -> str:
        return nodes[node_id].label if node_id in nodes else ""

    # Context: the components and projects above a responder, the countries where it works, and the
    # PART_OF / HAS_COMPONENT edges that justify them.
    context: dict[str, tuple[list[str], list[str], list[str], list[EdgeData]]] = {}
    for responder in responders:
        comps: set[str] = {responder} if label(responder) == Label.COMPONENT else set()
        projects: set[str] = {responder} if label(responder) == Label.PROJECT else set()
        countries: set[str] = set()
        path: list[EdgeData] = []
        for e in out_of[responder]:
            if e.type == RelType.PART_OF.value and label(e.target) in (Label.COMPONENT, Label.PROJECT):
                path.append(e)
                (comps if label(e.target) == Label.COMPONENT else projects).add(e.target)
            elif e.type in (RelType.IN_COUNTRY.value, RelType.ACTIVE_IN.value):
                countries.add(e.target)
        for comp in sorted(comps):
            for e in into[comp]:
                if e.type == RelType.HAS_COMPONENT.value:
                    path.append(e)
                    projects.add(e.source)
        context[responder] = (sorted(comps), sorted(projects), sorted(countries), path)
    result: dict[str, list[Response]] = {ap: [] for ap in ap_ids}
    for ap, level, link, goal_link in plan:
        comp_ids, project_ids, country_ids, justification = context[link.source]
        where = list(link.props.get("countries", [])) or country_ids
        steps = [_step(e, refs) for e in sorted(justification, key=edge_sort_key)] + [_step(link, refs)]
        if goal_link is not None:
            steps.append(_step(goal_link, refs))
        result[ap].append(
            Response(
                level=level,
                target=refs[link.target],
                responder=refs[link.source],
                # A chain is only as sure as its weakest link: every step of the path counts.
                confidence=weakest(step.confidence for step in steps) or str(link.props.get("confidence")),
                link_confidence=str(link.props.get("confidence")),
                strength=str(link.props.get("strength")),
                sources=list(link.props.get("sources", [])),
                note=link.props.get("note"),
                components=[refs[c] for c in comp_ids if c in refs],
                projects=[refs[p] for p in project_ids if p in refs],
                countries=[refs[c] for c in sorted(set(where)) if c in refs],
                path=steps,
            )
        )
    for responses in result.values():
        responses.sort(
            key=lambda r: (r.level != "action_point", LABEL_ORDER.get(r.responder.label, 99), r.responder.id)
        )
    return result, refs
