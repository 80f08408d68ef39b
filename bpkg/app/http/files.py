"""Table-shaped answers as CSV or XLSX files (``format=csv|xlsx``), the same way for every such route."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query
from fastapi.responses import Response

from bpkg.app.services.api_types import AsOfOut
from bpkg.app.services.sheets import Table
from bpkg.app.services.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from bpkg.app.store.port import GraphStore

Format = Literal["json", "csv", "xlsx"]
# A table download's format on the pages' table routes (the API's routes take ``format=json`` too).
FileFormat = Annotated[Literal["csv", "xlsx"], Query(alias="format")]


def file_name(name: str, as_of: AsOfOut | None) -> str:
    """A download's name, saying the day it is as of."""
    return f"{name}-as-of-{as_of.date}" if as_of is not None else name


def legend(text: str, as_of: AsOfOut | None) -> str:
    """A download's legend, beginning with the day it is as of and what its count rests on."""
    if as_of is None:
        return text
    return f"As of {as_of.date} (asked: {as_of.given}). {as_of.sentence} {as_of.rule}" + (f" {text}" if text else "")


FormatQuery = Annotated[Format, Query(alias="format", description="json (default), csv or xlsx")]


def file_responses(what: str) -> dict[int | str, dict[str, Any]]:
    """OpenAPI: the 200 answer is JSON, or a file with ``format=csv|xlsx``."""
    return {
        200: {
            "description": f"{what} (JSON), or a file with `format=csv|xlsx`",
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }


def table_file(
    store: GraphStore,
    fmt: Literal["csv", "xlsx"],
    name: str,
    table: Table,
    illustrative: str | None,
    legend: str = "",
    sheet: str | None = None,
) -> Response:
    """``table`` as a download; cells that rest on weak links say so themselves, and the XLSX has an ``about``
    sheet with the dataset, the legend and the illustrative notice."""
    header, rows = table
    headers = {"Content-Disposition": f'attachment; filename="{name}.{fmt}"', "X-Content-Type-Options": "nosniff"}
    if illustrative:
        headers["X-Illustrative"] = "true"
    if fmt == "csv":
        return Response(to_csv(header, rows), media_type=CSV_MEDIA_TYPE, headers=headers)
    info = store.dataset_info()
    notes = [("dataset", f"{info.name} {info.version}" if info else "")]
    if legend:
        notes.append(("legend", legend))
    notes.append(("confidence", "a value that rests on a link that is not confirmed says so after a dash"))
    if illustrative:
        notes.append(("illustrative", illustrative))
    return Response(to_xlsx(sheet or name, header, rows, notes), media_type=XLSX_MEDIA_TYPE, headers=headers)
