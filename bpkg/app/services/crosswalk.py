"""The crosswalks: each concept of a scheme (GCM objectives, SDG targets) with the goals and commitments that
closely match it, each match with its sources and confidence."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel

from bpkg.app.services.api_types import GoalMatchOut, ObjectiveOut
from bpkg.app.services.day_account import existing
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Label
from bpkg.graph_schema.asof import AsOf
from bpkg.loaders.crosswalk import MATCHED_LABELS, Match, matches, scheme

SchemeName = Literal["gcm", "sdg"]


class MatchOut(BaseModel):
    id: str
    label: str
    name: str
    confidence: str
    sources: list[str]


class ConceptOut(BaseModel):
    notation: str
    name: str
    uri: str | None
    matches: list[MatchOut]


class CrosswalkOut(BaseModel):
    scheme: str
    name: str
    citation: str
    confidence: str
    concepts: list[ConceptOut]


def matched_nodes(store: GraphStore) -> list[tuple[str, str, dict[str, object]]]:
    """(id, label, properties) of every node a crosswalk may match from (a few dozen: goals and commitments)."""
    out: list[tuple[str, str, dict[str, object]]] = []
    for label in MATCHED_LABELS:
        page = store.nodes(label.value, None, 500, 0)
        data = store.nodes_by_id([n.id for n in page.items])
        out += [(n.id, label.value, dict(data[n.id].props)) for n in page.items if n.id in data]
    return out


def crosswalk(store: GraphStore, name: SchemeName) -> CrosswalkOut:
    """The scheme's concepts in order, each with its matches (ordered by node id)."""
    of = scheme(name)
    nodes = matched_nodes(store)
    labels = {ident: (label, str(props.get("name", ident))) for ident, label, props in nodes}
    found: list[Match] = matches(of, [(ident, props) for ident, _, props in nodes])
    concepts = []
    for concept in of.concepts:
        mine = [m for m in found if str(m.number) == str(concept.number)]
        concepts.append(
            ConceptOut(
                notation=f"{name.upper()} {concept.number}",
                name=concept.name,
                uri=concept.uri,
                matches=[
                    MatchOut(
                        id=m.source,
                        label=labels[m.source][0],
                        name=labels[m.source][1],
                        confidence=m.confidence,
                        sources=list(m.sources),
                    )
                    for m in mine
                ],
            )
        )
    return CrosswalkOut(
        scheme=of.scheme, name=of.name, citation=of.citation, confidence=of.confidence.value, concepts=concepts
    )


class NodeMatchOut(BaseModel):
    """One concept a goal or commitment closely matches (for its page)."""

    notation: str
    name: str
    uri: str | None
    confidence: str
    sources: list[str]


def node_matches(node_id: str, label: str, props: dict[str, object]) -> list[NodeMatchOut]:
    """The GCM objectives and SDG targets one goal or commitment matches, in scheme and number order."""
    if label not in {lab.value for lab in MATCHED_LABELS}:
        return []
    out: list[NodeMatchOut] = []
    for name in ("gcm", "sdg"):
        of = scheme(name)
        concepts = {str(c.number): c for c in of.concepts}
        for m in matches(of, [(node_id, props)]):
            concept = concepts.get(str(m.number))
            if concept is not None:
                out.append(
                    NodeMatchOut(
                        notation=f"{name.upper()} {concept.number}",
                        name=concept.name,
                        uri=concept.uri,
                        confidence=m.confidence,
                        sources=list(m.sources),
                    )
                )
    return out


@dataclass(frozen=True)
class GcmRollUp:
    """The GCM objectives in order and, per objective number, the goals that closely match it."""

    objectives: list[ObjectiveOut]
    goals: dict[int, list[GoalMatchOut]]


def gcm_roll_up(store: GraphStore, as_of: AsOf | None = None) -> GcmRollUp:
    """The GCM objectives and the priority goals (existing on ``as_of``) matching each; commitments' matches are
    not counted, since coverage rolls up through the goals the action points sit under."""
    of = scheme("gcm")
    goals = [(ident, props) for ident, label, props in matched_nodes(store) if label == Label.PRIORITY_GOAL.value]
    refs = {
        ident: NodeRef(id=ident, label=Label.PRIORITY_GOAL.value, name=str(props.get("name", ident)))
        for ident, props in goals
    }
    kept = {r.id for r in existing(store, list(refs.values()), as_of)}
    by_objective: dict[int, list[GoalMatchOut]] = {}
    for m in matches(of, [(ident, props) for ident, props in goals if ident in kept]):
        match = GoalMatchOut(goal=refs[m.source], confidence=m.confidence, sources=list(m.sources))
        by_objective.setdefault(int(m.number), []).append(match)
    objectives = [
        ObjectiveOut(number=int(c.number), notation=f"GCM {c.number}", name=c.name, uri=c.uri) for c in of.concepts
    ]
    return GcmRollUp(objectives, by_objective)
