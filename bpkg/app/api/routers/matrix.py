"""The traceability matrix as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from bpkg.app.api import plan_query
from bpkg.app.api.errors import INVALID, NOT_FOUND, UNAVAILABLE
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.files import FormatQuery, file_name, file_responses, legend, table_file
from bpkg.app.http.params import AsOfParam
from bpkg.app.services import matrix as service
from bpkg.app.services.api_types import MatrixCols, MatrixOut

router = APIRouter(tags=["coverage"], responses={**INVALID, **UNAVAILABLE, **NOT_FOUND})  # 404: an unknown plan


@router.get(
    "/matrix",
    response_model=MatrixOut,
    responses=file_responses("The matrix"),
    summary="Traceability matrix: action points x components, countries, projects, goals or GCM objectives",
    description="Rows are the action points by number, columns every component, country, project or goal, "
    "with names as well as ids (cols=gcm: the GCM's 23 objectives, ids gcm-N, each action point's status under the "
    "objectives its goal closely matches). CSV and XLSX files have one header row of names (the id is added where "
    "names repeat); a cell or status that rests on a link that is not confirmed says so in the cell "
    "('direct (2) - illustrative'); the XLSX has an `about` sheet with the legend and the illustrative notice.",
)
def get_matrix(
    store: StoreDep,
    cols: Annotated[MatrixCols, Query(description="what the columns are")] = "component",
    rows: Annotated[Literal["action_point"], Query(description="what the rows are")] = "action_point",
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
    plan: plan_query.PlanQuery = None,
) -> MatrixOut | Response:
    """Traceability matrix: action points x components, countries, projects, goals or GCM objectives."""
    found = service.matrix(store, cols, as_of=as_of, plan=plan)
    if fmt == "json":
        return found
    name = file_name(f"matrix-{rows}-{cols}", found.as_of)
    told = legend(found.legend, found.as_of)
    return table_file(store, fmt, name, service.table(found), found.illustrative, told, sheet="matrix")
