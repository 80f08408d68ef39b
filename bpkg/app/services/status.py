"""An action point's status (direct, only through its goal, gap) and what it rests on, read from its responses."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, TypedDict

from bpkg.app.services.api_types import STATUS_WORDS, Status
from bpkg.app.store.question_types import Response, confidences
from bpkg.graph_schema import Confidence, most_certain

ILLUSTRATIVE: Final = Confidence.ILLUSTRATIVE.value


def status_of(direct: Sequence[Response], via_goal: Sequence[Response]) -> Status:
    """direct when something responds to the action point, goal_only when only its goal is responded to, else gap."""
    if any(r.level == "action_point" for r in direct):
        return "direct"
    return "goal_only" if via_goal else "gap"


class StatusDict(TypedDict):
    status: Status
    status_words: str
    status_confidence: str | None


def status_fields(direct: Sequence[Response], via_goal: Sequence[Response]) -> StatusDict:
    """status, status_words and status_confidence: the most certain of the responses that give the status."""
    status = status_of(direct, via_goal)
    basis = direct if status == "direct" else via_goal
    return StatusDict(
        status=status,
        status_words=STATUS_WORDS[status],
        status_confidence=most_certain(confidences(basis)),
    )


def is_illustrative(response: Response) -> bool:
    # Response.confidence is already the weakest on its path.
    return response.confidence == ILLUSTRATIVE
