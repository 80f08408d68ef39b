"""The traceability matrix as JSON, CSV or XLSX: whole, paged, or streamed row by row."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response, StreamingResponse

from bpkg.app.api import plan_query
from bpkg.app.api.errors import INVALID, NOT_FOUND, UNAVAILABLE
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.files import FormatQuery, cited_csv, file_name, file_responses, legend, table_file
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
    "('direct (2) - illustrative'); the XLSX has an `about` sheet with the legend and the illustrative notice. "
    f"`total` is the number of rows of the whole matrix. With `limit` (at most {service.MAX_PAGE}) the answer is "
    "the page of rows from `offset`; without it, every row: a matrix of more than "
    f"{service.MAX_WHOLE:,} rows comes as the same JSON written row by row (as CSV always does), so a large one "
    "never sits whole in the server's memory.",
)
def get_matrix(
    store: StoreDep,
    cols: Annotated[MatrixCols, Query(description="what the columns are")] = "component",
    rows: Annotated[Literal["action_point"], Query(description="what the rows are")] = "action_point",
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
    plan: plan_query.PlanQuery = None,
    offset: Annotated[int, Query(ge=0, description="the first row of the page (with limit)")] = 0,
    limit: Annotated[int | None, Query(ge=1, le=service.MAX_PAGE, description="rows per page; none: every row")] = None,
) -> MatrixOut | Response:
    """Traceability matrix: action points x components, countries, projects, goals or GCM objectives."""
    if offset and limit is None:
        limit = service.MAX_PAGE
    found = service.frame(store, cols, as_of=as_of, plan=plan)
    name = file_name(f"matrix-{rows}-{cols}", found.facts.as_of)
    if fmt == "csv":
        return cited_csv(store, name, service.cited_pieces(found, offset, limit), found.illustrative)
    if limit is not None:
        answer = service.page(store, cols, offset, limit, as_of=as_of, plan=plan)
    elif fmt == "json" and found.total > service.MAX_WHOLE:
        return StreamingResponse(service.json_stream(found), media_type="application/json")
    else:
        answer = service.matrix(store, cols, as_of=as_of, plan=plan)
    if fmt == "json":
        return answer
    told = legend(answer.legend, answer.as_of)
    return table_file(store, fmt, name, service.table(answer), answer.illustrative, told, sheet="matrix")
