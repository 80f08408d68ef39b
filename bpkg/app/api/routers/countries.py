"""A country: its role in the process and the work done there."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.files import FormatQuery, file_name, file_responses, legend, table_file
from bpkg.app.http.params import AsOfParam
from bpkg.app.services import countries as service
from bpkg.app.services import sheets
from bpkg.app.services.api_types import CountryOut

router = APIRouter(prefix="/countries", tags=["countries"], responses={**ERRORS})


@router.get(
    "/{code}",
    response_model=CountryOut,
    responses=file_responses("The country"),
    summary="A country's role and the work done there",
)
def get_country(
    store: StoreDep,
    code: Annotated[str, Path(max_length=200, description="ISO3 code or node id", examples=["PAK", "country-afg"])],
    fmt: FormatQuery = "json",
    as_of: AsOfParam = None,
) -> CountryOut | Response:
    """Role in the process, activities, components and projects there, action points addressed, events hosted.

    ``code`` is an ISO 3166 alpha-3 code (``PAK``, any case) or a node id (``country-pak``); the CSV and
    XLSX files list the action points served there.
    """
    found = service.country(store, code, as_of=as_of)
    if fmt == "json":
        return found
    name = file_name(f"country-{found.iso3 or found.country.id}".lower(), found.as_of)
    return table_file(store, fmt, name, sheets.country(found), found.illustrative, legend("", found.as_of))
