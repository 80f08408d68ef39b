"""Coverage and gaps of the Call for Action, rolled up action points -> goals -> commitments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import StoreDep
from app.api.errors import INVALID, UNAVAILABLE
from app.services import coverage as service
from app.services.models import COMMITMENT_RULE, STATUS_RULE, CoverageOut, GapsOut

router = APIRouter(tags=["coverage"], responses={**INVALID, **UNAVAILABLE})


@router.get(
    "/coverage",
    response_model=CoverageOut,
    summary="Coverage of the action points, by goal, component, project or country",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_coverage(
    store: StoreDep,
    by: Annotated[service.CoverageBy, Query(description="how to group the rows")] = "goal",
) -> CoverageOut:
    """Coverage of the action points, by goal, component, project or country."""
    return service.coverage(store, by)


@router.get(
    "/gaps",
    response_model=GapsOut,
    summary="Action points nobody responds to",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_gaps(store: StoreDep) -> GapsOut:
    """The uncovered action points, with counts and shares per goal and per commitment."""
    return service.gaps(store)
