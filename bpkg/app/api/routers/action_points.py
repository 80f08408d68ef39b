"""Action points, and the headline question: which projects respond to action point N."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import Response

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.files import FormatQuery, file_name, file_responses, legend, table_file
from bpkg.app.http.params import AsOfParam, Limit, Offset
from bpkg.app.services import responses as service
from bpkg.app.services import sheets
from bpkg.app.services.api_types import STATUS_RULE, ActionPointOut, ActionPointPage, ResponsesOut, Status
from bpkg.graph_schema import Confidence, Strength

router = APIRouter(prefix="/action-points", tags=["action points"], responses={**ERRORS})

Number = Annotated[int, Path(ge=1, le=999, description="the action point's number", examples=[17])]


@router.get(
    "",
    response_model=ActionPointPage,
    responses=file_responses("A page of action points"),
    summary="List action points",
)
def list_action_points(
    store: StoreDep,
    goal: Annotated[int | None, Query(ge=1, le=99, description="only those under this priority goal number")] = None,
    status: Annotated[
        Status | None,
        Query(description="only those responded to directly (direct), only through their goal (goal_only), or gaps"),
    ] = None,
    limit: Limit = 50,
    offset: Offset = 0,
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
) -> ActionPointPage | Response:
    """Action points by number, with their goal, number of direct responses and status."""
    found = service.list_action_points(store, goal, status, limit, offset, as_of=as_of)
    if fmt == "json":
        return found
    name = file_name("action-points", found.as_of)
    told = legend(STATUS_RULE, found.as_of)
    return table_file(store, fmt, name, sheets.action_points(found), found.illustrative, told)


@router.get("/{number}", response_model=ActionPointOut, summary="One action point")
def get_action_point(store: StoreDep, number: Number) -> ActionPointOut:
    """An action point with its goal, status and properties (its official text is null until sourced)."""
    return service.action_point_detail(store, number)


@router.get(
    "/{number}/responses",
    response_model=ResponsesOut,
    summary="Which projects respond to action point N",
    description="The activities, components and projects that respond to the action point, grouped "
    "project -> component -> activity; every link with its strength, confidence, sources, countries and the "
    "path of relationships that justifies it. `include_goal_level=true` adds links to the action point's "
    "priority goal, marked `level: goal`. `illustrative` carries the dataset's notice when a link is "
    "illustrative. The links are paged (`limit`, `offset`) in the order they come in the tree (project, "
    "component, activity by id, then the link's fields), before grouping: `counts` and `total` describe the "
    "whole filtered answer, `projects` groups this page.",
)
def get_responses(
    store: StoreDep,
    number: Number,
    country: Annotated[
        str | None,
        Query(max_length=120, description="only responses located in this country (ISO3 or id)", examples=["PAK"]),
    ] = None,
    component: Annotated[
        str | None,
        Query(max_length=120, description="only responses within this component (id)", examples=["component-mrc"]),
    ] = None,
    confidence: Annotated[
        list[Confidence] | None,
        Query(description="only links whose answer has these confidence levels (the weakest on its path)"),
    ] = None,
    strength: Annotated[list[Strength] | None, Query(description="only links with these strengths")] = None,
    include_goal_level: Annotated[bool, Query(description="also links to the action point's goal")] = False,
    limit: Limit = 50,
    offset: Offset = 0,
    as_of: AsOfParam = None,
) -> ResponsesOut:
    """Which projects respond to action point N."""
    return service.responses(
        store,
        number,
        country=country,
        component=component,
        confidence=confidence or [],
        strength=strength or [],
        include_goal_level=include_goal_level,
        limit=limit,
        offset=offset,
        as_of=as_of,
    )
