"""Coverage and gaps of the Call for Action, rolled up action points -> goals -> commitments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.errors import INVALID, UNAVAILABLE
from app.http.deps import StoreDep
from app.http.files import FormatQuery, file_responses, table_file
from app.services import coverage as service
from app.services import sheets
from app.services.models import COMMITMENT_RULE, STATUS_RULE, CoverageOut, GapsOut

router = APIRouter(tags=["coverage"], responses={**INVALID, **UNAVAILABLE})


@router.get(
    "/coverage",
    response_model=CoverageOut,
    responses=file_responses("Coverage"),
    summary="Coverage of the action points, by goal, component, project or country",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_coverage(
    store: StoreDep,
    by: Annotated[service.CoverageBy, Query(description="how to group the rows")] = "goal",
    fmt: FormatQuery = "json",
) -> CoverageOut | Response:
    """Coverage of the action points, by goal, component, project or country."""
    found = service.coverage(store, by)
    if fmt == "json":
        return found
    return table_file(store, fmt, f"coverage-by-{by}", sheets.coverage(found), found.illustrative, STATUS_RULE)


@router.get(
    "/gaps",
    response_model=GapsOut,
    responses=file_responses("The gaps"),
    summary="Action points not responded to directly: gaps, and those answered only through their goal",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_gaps(store: StoreDep, fmt: FormatQuery = "json") -> GapsOut | Response:
    """The action points not responded to directly, with counts and shares per goal and per commitment."""
    found = service.gaps(store)
    if fmt == "json":
        return found
    return table_file(store, fmt, "gaps", sheets.gaps(found), found.illustrative, STATUS_RULE)
