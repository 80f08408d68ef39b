"""The allowed (from label, type, to label) patterns; everything else is rejected."""

from __future__ import annotations

from typing import Final

from bpkg.graph_schema.enums import Label as L
from bpkg.graph_schema.enums import RelType as R

Pattern = tuple[L, R, L]


def _fan(sources: tuple[L, ...], rel: R, targets: tuple[L, ...]) -> frozenset[Pattern]:
    return frozenset((s, rel, t) for s in sources for t in targets)


PATTERNS: Final[frozenset[Pattern]] = frozenset().union(
    _fan((L.EVENT, L.COUNTRY), R.ADOPTED, (L.DECLARATION,)),
    _fan((L.DECLARATION,), R.MAKES, (L.COMMITMENT,)),
    _fan((L.DECLARATION,), R.LAUNCHES, (L.ACTION_PLAN,)),
    _fan((L.ACTION_PLAN,), R.SETS, (L.PRIORITY_GOAL,)),
    _fan((L.ACTION_PLAN,), R.CONTAINS, (L.ACTION_POINT,)),
    _fan((L.ACTION_POINT,), R.UNDER, (L.PRIORITY_GOAL,)),
    _fan((L.PROJECT,), R.HAS_COMPONENT, (L.COMPONENT,)),
    _fan((L.ACTIVITY,), R.PART_OF, (L.COMPONENT, L.PROJECT)),
    _fan((L.EVENT,), R.PART_OF, (L.PROCESS,)),
    _fan(
        (L.ACTIVITY, L.COMPONENT, L.PROJECT, L.OUTPUT),
        R.RESPONDS_TO,
        (L.ACTION_POINT, L.PRIORITY_GOAL, L.COMMITMENT),
    ),
    _fan((L.OUTPUT, L.ACTIVITY), R.INFORMS, (L.EVENT, L.ACTION_POINT, L.PRIORITY_GOAL)),
    _fan((L.EVENT,), R.DISCUSSED, (L.PRIORITY_GOAL, L.ACTION_POINT)),
    _fan((L.ACTIVITY, L.EVENT), R.IN_COUNTRY, (L.COUNTRY,)),
    _fan((L.COMPONENT, L.PROJECT), R.ACTIVE_IN, (L.COUNTRY,)),
    _fan((L.COUNTRY, L.ORGANISATION), R.PARTICIPATES_IN, (L.PROCESS,)),
    _fan((L.COUNTRY,), R.IN_REGION, (L.REGION,)),
    _fan((L.ORGANISATION,), R.FUNDS, (L.PROJECT, L.COMPONENT, L.ACTIVITY)),
    _fan((L.ORGANISATION,), R.IMPLEMENTS, (L.PROJECT, L.COMPONENT, L.ACTIVITY)),
    _fan((L.ACTIVITY, L.COMPONENT, L.EVENT), R.PRODUCED, (L.OUTPUT,)),
    # Plan succession: the later action point (plan) takes up the earlier one.
    _fan((L.ACTION_POINT,), R.SUCCEEDS, (L.ACTION_POINT,)),
    _fan((L.ACTION_PLAN,), R.SUCCEEDS, (L.ACTION_PLAN,)),
)


def is_allowed(source: L, rel: R, target: L) -> bool:
    """Whether the schema allows ``(source)-[rel]->(target)``."""
    return (source, rel, target) in PATTERNS


def allowed_targets(source: L, rel: R) -> frozenset[L]:
    """Labels that ``rel`` may point to from ``source``."""
    return frozenset(t for s, r, t in PATTERNS if s == source and r == rel)
