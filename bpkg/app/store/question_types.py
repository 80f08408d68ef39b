"""Result types of the traceability questions (responses, coverage facts, paths, search)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel, Field

from bpkg.app.store.graph_types import EdgeOut, NodeRef


class Step(BaseModel):
    """One relationship on a justifying path, written in its own direction."""

    source: NodeRef
    type: str
    target: NodeRef
    confidence: str
    strength: str | None = None
    sources: list[str] = Field(default_factory=list)


class Response(BaseModel):
    """One responder linked to an action point (or, at goal level, to the action point's goal).

    ``confidence`` is the weakest on the whole ``path`` (the responder's place in its component and project,
    the link itself and, at goal level, the action point's placement under the goal); ``link_confidence``
    is that of the RESPONDS_TO link alone."""

    level: Literal["action_point", "goal"]
    target: NodeRef
    responder: NodeRef
    confidence: str
    link_confidence: str
    strength: str
    sources: list[str]
    note: str | None = None
    components: list[NodeRef]
    projects: list[NodeRef]
    countries: list[NodeRef]
    path: list[Step]
    basis: str | None = Field(
        default=None,
        exclude_if=lambda v: v is None,
        description="as of a day only: what counting the response rests on, its link's and its responder's dates "
        "(dated, undated, imprecise, approximate; bpkg.graph_schema.asof)",
    )


class ActionPointFacts(BaseModel):
    """An action point with its goal, its direct responses and those to its goal: the raw material of coverage.

    ``goal.confidence`` is that of the assignment (the weakest of the UNDER link and the goal node);
    ``goal_confidence`` is the UNDER link's own."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    goal_confidence: str | None = None
    responses: list[Response]
    goal_responses: list[Response] = Field(default_factory=list)


Slot = tuple[str | None, str | None]
"""Where a response sits in the project -> component tree: (project id, component id), either may be None."""


@dataclass(frozen=True, slots=True)
class LinkSummary:
    """One response reduced to what filtering, counting, ordering and the status need (ids, not refs; no path):
    the headline question summarises every link and builds whole ``Response`` objects only for the page.

    ``confidence`` is the weakest on the response's whole path, as in ``Response``; ``countries`` and
    ``components`` are ids; ``slots`` its places in the tree."""

    level: Literal["action_point", "goal"]
    responder: NodeRef
    target: str
    confidence: str
    link_confidence: str
    strength: str
    sources: list[str]
    note: str | None
    countries: list[str]
    components: list[str]
    slots: list[Slot]
    basis: str | None = None

    @property
    def key(self) -> tuple[str, str, str]:
        """Which response it summarises: level, responder id, target id (one RESPONDS_TO link per pair)."""
        return (self.level, self.responder.id, self.target)


@dataclass(frozen=True, slots=True)
class ResponseLinks:
    """An action point with its goal and every response summarised, direct and to its goal (in the order of
    ``ActionPointDetail``)."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    goal_confidence: str | None
    responses: list[LinkSummary]
    goal_responses: list[LinkSummary]


class ActionPointDetail(ActionPointFacts):
    """One action point with its properties, goal and responses: what the headline question needs."""

    properties: dict[str, Any]


class PathStepOut(BaseModel):
    """A hop from one node to the next on a path, with every relationship that joins them."""

    source: NodeRef
    target: NodeRef
    relationships: list[EdgeOut]
    explanation: str
    to_review: list[str] = Field(
        default_factory=list,
        description="why this step is to review, in words: a page cited by one of its relationships was found "
        "changed or gone by the last source check (bpkg sources check --write); empty: nothing to review",
    )


class PathOut(BaseModel):
    length: int
    nodes: list[NodeRef]
    steps: list[PathStepOut]
    confidence: str | None = Field(
        default=None,
        description="the weakest hop on the path, each hop as sure as the most certain relationship joining "
        "its two nodes (illustrative < inferred < confirmed); null for a path of length 0",
    )


class SearchHit(BaseModel):
    node: NodeRef
    score: float
    matched: list[str]
    alias: str | None = None
    """The other name of the node that matched the text (``aliases``), when one did."""
