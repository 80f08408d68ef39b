"""The traceability matrix as JSON, CSV or XLSX."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query
from fastapi.responses import Response

from app.api.deps import StoreDep
from app.api.errors import INVALID, UNAVAILABLE
from app.services import matrix as service
from app.services.models import MatrixCols, MatrixOut
from app.services.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE

router = APIRouter(tags=["coverage"], responses={**INVALID, **UNAVAILABLE})

_FILES = {
    200: {
        "description": "The matrix (JSON), or a file with `format=csv|xlsx`",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


@router.get(
    "/matrix",
    response_model=MatrixOut,
    responses=_FILES,  # type: ignore[arg-type]
    summary="Traceability matrix: action points x components, countries, projects or goals",
    description="Rows are the action points by number, columns every component, country, project or goal, "
    "with names as well as ids. CSV and XLSX files have one header row of names (the id is added where "
    "names repeat); the XLSX has an `about` sheet with the legend and the illustrative notice.",
)
def get_matrix(
    store: StoreDep,
    cols: Annotated[MatrixCols, Query(description="what the columns are")] = "component",
    rows: Annotated[Literal["action_point"], Query(description="what the rows are")] = "action_point",
    fmt: Annotated[Literal["json", "csv", "xlsx"], Query(alias="format", description="json, csv or xlsx")] = "json",
) -> MatrixOut | Response:
    """Traceability matrix: action points x components, countries, projects or goals."""
    found = service.matrix(store, cols)
    if fmt == "json":
        return found
    name = f"matrix-{rows}-{cols}.{fmt}"
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    if found.illustrative:
        headers["X-Illustrative"] = "true"
    if fmt == "csv":
        return Response(service.as_csv(found), media_type=CSV_MEDIA_TYPE, headers=headers)
    info = store.dataset_info()
    dataset = f"{info.name} {info.version}" if info else ""
    return Response(service.as_xlsx(found, dataset), media_type=XLSX_MEDIA_TYPE, headers=headers)
