"""Result types of the traceability questions (responses, coverage facts, paths, search)."""

from __future__ import annotations

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


Slot = tuple[str | None, str | None]
"""Where a response sits in the project -> component tree: (project id, component id), either may be None."""


class Response(BaseModel):
    """One responder linked to an action point (or, at goal level, to the action point's goal): the one summary
    of a response, everything about it that does not depend on the request (what the headline filters, counts,
    orders and groups by, and the path it shows), built once per dataset version.

    ``confidence`` is the weakest on the whole ``path`` (the responder's place in its component and project,
    the link itself and, at goal level, the action point's placement under the goal); ``link_confidence``
    is that of the RESPONDS_TO link alone; ``slots`` its places in the project -> component tree."""

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
    slots: list[Slot] = Field(default_factory=list)
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
    placement_sources: list[str] = Field(default_factory=list)
    """The sources of the UNDER link placing the action point under ``goal`` (what a table citing the placement
    names), and its locators ("source: where")."""
    placement_locators: list[str] = Field(default_factory=list)


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
