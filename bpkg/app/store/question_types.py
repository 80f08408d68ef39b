"""Result types of the traceability questions (responses, coverage facts, paths, search)."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, Final, Literal, overload

from pydantic import BaseModel, Field, field_serializer

from bpkg.app.store import trusted
from bpkg.app.store.graph_types import EdgeOut, NodeRef
from bpkg.graph_schema import weakest


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


made_response: Final = trusted.maker(Response)
"""A response from parts already checked, every field given (``bpkg.app.store.trusted``)."""


@functools.cache
def weaker(confidence: str, other: str) -> str:
    """The weaker of two confidence levels (``confidence`` when neither is known)."""
    return weakest((confidence, other)) or confidence


class GoalResponses(Sequence[Response]):
    """The responses to an action point's goal as the action point sees them, made when read: each response to
    the goal (``shared``: built once per goal, whichever action point under it asks, its path without the
    placement) with the action point's placement under the goal (``under``, its UNDER step) at the end of its
    path, and as sure as the weaker of the two. Every action point under a goal answers the same responses
    but for that step: kept once per goal, not once per action point (157,243 copies at 100k relationships).

    A sequence of ``Response``, equal to the list of the same responses; each read makes a new ``Response``
    (do not key by ``id`` across two reads)."""

    __slots__ = ("shared", "under")

    def __init__(self, shared: Sequence[Response], under: Step) -> None:
        self.shared = shared
        self.under = under

    def confidences(self) -> Iterator[str]:
        """Each response's ``confidence``, without making the responses (what a status reads)."""
        under = self.under.confidence
        return (weaker(like.confidence, under) for like in self.shared)

    def _at(self, like: Response) -> Response:
        return made_response(
            {
                **like.__dict__,
                "confidence": weaker(like.confidence, self.under.confidence),
                "path": [*like.path, self.under],
            }
        )

    @overload
    def __getitem__(self, index: int) -> Response: ...

    @overload
    def __getitem__(self, index: slice) -> list[Response]: ...

    def __getitem__(self, index: int | slice) -> Response | list[Response]:
        if isinstance(index, slice):
            return [self._at(like) for like in self.shared[index]]
        return self._at(self.shared[index])

    def __len__(self) -> int:
        return len(self.shared)

    def __iter__(self) -> Iterator[Response]:
        return map(self._at, self.shared)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, GoalResponses) and other.shared is self.shared and other.under == self.under:
            return True
        return isinstance(other, Sequence) and not isinstance(other, str) and list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return f"GoalResponses({len(self.shared)} responses, under={self.under.source.id}->{self.under.target.id})"


def confidences(responses: Sequence[Response]) -> Iterable[str]:
    """Each response's confidence (the responses to a goal as the facts keep them are not made for it)."""
    if isinstance(responses, GoalResponses):
        return responses.confidences()
    return (r.confidence for r in responses)


def unplaced(responses: Sequence[Response]) -> Sequence[Response]:
    """The responses as kept, for a reader of any field but ``confidence`` and ``path`` (which carry an action
    point's placement under its goal): a ``GoalResponses``'s goal responses, not made again; a list as it is."""
    return responses.shared if isinstance(responses, GoalResponses) else responses


class ActionPointFacts(BaseModel):
    """An action point with its goal, its direct responses and those to its goal: the raw material of coverage.

    ``goal.confidence`` is that of the assignment (the weakest of the UNDER link and the goal node);
    ``goal_confidence`` is the UNDER link's own."""

    action_point: NodeRef
    number: int
    goal: NodeRef | None
    goal_confidence: str | None = None
    responses: list[Response]
    goal_responses: Sequence[Response] = Field(default_factory=list)
    """A list, or (the facts ``response_builder.facts`` builds) a ``GoalResponses``: the goal's responses kept
    once per goal, each made with the action point's placement when read."""
    placement_sources: list[str] = Field(default_factory=list)
    """The sources of the UNDER link placing the action point under ``goal`` (what a table citing the placement
    names), and its locators ("source: where")."""
    placement_locators: list[str] = Field(default_factory=list)

    @field_serializer("goal_responses")
    def _dump_goal_responses(self, value: Sequence[Response]) -> list[Response]:
        # Dumped as the list it reads as (a ``GoalResponses`` makes its responses here).
        return value if isinstance(value, list) else list(value)


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
