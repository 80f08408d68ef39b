"""Labels, relationship types and the closed vocabularies of the graph."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum
from typing import Final


class Label(StrEnum):
    """Node labels of the domain model (design.md §2)."""

    PROCESS = "Process"
    ORGANISATION = "Organisation"
    DECLARATION = "Declaration"
    ACTION_PLAN = "ActionPlan"
    COMMITMENT = "Commitment"
    PRIORITY_GOAL = "PriorityGoal"
    ACTION_POINT = "ActionPoint"
    PROJECT = "Project"
    COMPONENT = "Component"
    ACTIVITY = "Activity"
    OUTPUT = "Output"
    COUNTRY = "Country"
    REGION = "Region"
    EVENT = "Event"
    SOURCE = "Source"


class RelType(StrEnum):
    """Relationship types of the domain model; direction matters."""

    ADOPTED = "ADOPTED"
    MAKES = "MAKES"
    LAUNCHES = "LAUNCHES"
    SETS = "SETS"
    CONTAINS = "CONTAINS"
    UNDER = "UNDER"
    HAS_COMPONENT = "HAS_COMPONENT"
    PART_OF = "PART_OF"
    RESPONDS_TO = "RESPONDS_TO"
    INFORMS = "INFORMS"
    DISCUSSED = "DISCUSSED"
    IN_COUNTRY = "IN_COUNTRY"
    ACTIVE_IN = "ACTIVE_IN"
    PARTICIPATES_IN = "PARTICIPATES_IN"
    IN_REGION = "IN_REGION"
    FUNDS = "FUNDS"
    IMPLEMENTS = "IMPLEMENTS"
    PRODUCED = "PRODUCED"
    SUCCEEDS = "SUCCEEDS"


class Confidence(StrEnum):
    """How sure we are of a fact: stated by a source, deduced, or made up for illustration."""

    CONFIRMED = "confirmed"
    INFERRED = "inferred"
    ILLUSTRATIVE = "illustrative"


CONFIDENCE_RANK: Final[dict[str, int]] = {c.value: i for i, c in enumerate(Confidence)}
"""Most certain first; a level the schema does not know ranks below the weakest."""


def _rank(level: str) -> int:
    return CONFIDENCE_RANK.get(level, len(CONFIDENCE_RANK))


def weakest(levels: Iterable[str]) -> str | None:
    """The least certain of some confidence levels (illustrative < inferred < confirmed); None for none.

    The confidence of an answer built from several links: a chain is only as sure as its weakest link."""
    return max(levels, key=_rank, default=None)


def most_certain(levels: Iterable[str]) -> str | None:
    """The most certain of some confidence levels; None for none (what the best of several answers rests on)."""
    return min(levels, key=_rank, default=None)


class Strength(StrEnum):
    """How directly a responder addresses what it responds to."""

    DIRECT = "direct"
    PARTIAL = "partial"
    INDIRECT = "indirect"


class Role(StrEnum):
    """Role of a participant in the process (on PARTICIPATES_IN)."""

    MEMBER = "member"
    CHAIR = "chair"
    CO_CHAIR = "co-chair"
    OBSERVER = "observer"
    SECRETARIAT = "secretariat"


class SuccessionKind(StrEnum):
    """How an action point (or plan) of a later plan takes up one of an earlier plan (on SUCCEEDS)."""

    CONTINUES = "continues"
    MERGES = "merges"
    REPLACES = "replaces"
