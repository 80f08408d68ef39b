"""Coverage and gaps of the Call for Action, rolled up action points -> goals -> commitments."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from bpkg.app.api import plan_query
from bpkg.app.api.errors import INVALID, NOT_FOUND, UNAVAILABLE
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.encoded import encoded_once
from bpkg.app.http.files import FormatQuery, file_name, file_responses, legend, table_file
from bpkg.app.http.params import AsOfParam
from bpkg.app.services import coverage as service
from bpkg.app.services import sheets
from bpkg.app.services.api_types import COMMITMENT_RULE, STATUS_RULE, CoverageOut, GapsOut

router = APIRouter(tags=["coverage"], responses={**INVALID, **UNAVAILABLE, **NOT_FOUND})  # 404: an unknown plan


@router.get(
    "/coverage",
    response_model=CoverageOut,
    responses=file_responses("Coverage"),
    summary="Coverage of the action points, by goal, component, project, country or GCM objective",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_coverage(
    request: Request,
    store: StoreDep,
    by: Annotated[
        service.CoverageBy, Query(description="how to group the rows (gcm: per GCM objective, through its goals)")
    ] = "goal",
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
    plan: plan_query.PlanQuery = None,
) -> CoverageOut | Response:
    """Coverage of the action points, by goal, component, project, country or GCM objective."""
    if fmt == "json" and as_of is None and plan is None:  # today's: the same bytes for every request of a version
        return encoded_once(request, store, ("coverage", by), lambda: service.coverage(store, by))
    found = service.coverage(store, by, as_of=as_of, plan=plan)
    if fmt == "json":
        return found
    name = file_name(f"coverage-by-{by}", found.as_of)
    return table_file(store, fmt, name, sheets.coverage(found), found.illustrative, legend(STATUS_RULE, found.as_of))


@router.get(
    "/gaps",
    response_model=GapsOut,
    responses=file_responses("The gaps"),
    summary="Action points not responded to directly: gaps, and those answered only through their goal",
    description=f"{STATUS_RULE} {COMMITMENT_RULE}",
)
def get_gaps(
    request: Request,
    store: StoreDep,
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
    plan: plan_query.PlanQuery = None,
) -> GapsOut | Response:
    """The action points not responded to directly, with counts and shares per goal and per commitment."""
    if fmt == "json" and as_of is None and plan is None:
        return encoded_once(request, store, ("gaps",), lambda: service.gaps(store))
    found = service.gaps(store, as_of=as_of, plan=plan)
    if fmt == "json":
        return found
    name = file_name("gaps", found.as_of)
    return table_file(store, fmt, name, sheets.gaps(found), found.illustrative, legend(STATUS_RULE, found.as_of))
