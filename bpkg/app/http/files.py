"""Table-shaped answers as CSV or XLSX files (``format=csv|xlsx``), the same way for every such route."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Annotated, Any, Final, Literal

from fastapi import Query
from fastapi.responses import Response, StreamingResponse

from bpkg.app.services import citations
from bpkg.app.services.api_types import AsOfOut
from bpkg.app.services.citations import Cited
from bpkg.app.services.sheets import Table
from bpkg.app.services.tables import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, Cell, Sheet, to_csv, to_xlsx
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


SOURCES_SHEET: Final = "Sources"
SOURCES_HEADER: Final = (
    "id",
    "title",
    "url",
    "citation",
    "kind",
    "where",
    "read_on",
    "fingerprint",
    "checked_on",
    "check status",
    "to review",
)


def _with_sources(
    store: GraphStore, fmt: Literal["csv", "xlsx"], table: Cited
) -> tuple[list[str], list[list[Cell]], list[Sheet]]:
    """The table with its rows' sources: in CSV a ``sources`` column ("title — where — read on" of each, joined
    with " | ") and a ``source ids`` column; in XLSX the ``source ids`` column, pointing into a ``Sources`` sheet."""
    found, known = citations.row_sources(store, table)
    where: dict[str, set[str]] = {}
    for row in found:
        for s, texts in row.where.items():
            where.setdefault(s, set()).update(texts)
    ids = ["; ".join(row.ids) for row in found]
    if fmt == "csv":
        lines = [" | ".join(citations.line(known[s], row.where.get(s, ())) for s in row.ids) for row in found]
        header = [*table.header, "sources", "source ids"]
        return header, [[*r, text or None, i or None] for r, text, i in zip(table.rows, lines, ids, strict=True)], []
    sources: list[list[Cell]] = [
        [
            s.id,
            s.title,
            s.url,
            s.citation,
            s.kind,
            "; ".join(sorted(where.get(s.id, ()))) or None,
            s.read_on,
            s.fingerprint or "none stored (never checked against a fingerprint)",
            s.checked_on,
            s.check_status,
            "yes: its page was found changed or gone" if s.to_review else "no",
        ]
        for s in known.values()
    ]
    rows = [[*r, i or None] for r, i in zip(table.rows, ids, strict=True)]
    return [*table.header, "source ids"], rows, [(SOURCES_SHEET, list(SOURCES_HEADER), sources)]


def cited_csv(store: GraphStore, name: str, pieces: Iterable[Cited], illustrative: str | None) -> StreamingResponse:
    """A cited table that comes in pieces (``pieces``, at least one) as a CSV download written piece by piece,
    with the sources columns of ``table_file`` and the same bytes as its CSV of the whole table."""
    headers = {"Content-Disposition": f'attachment; filename="{name}.csv"', "X-Content-Type-Options": "nosniff"}
    if illustrative:
        headers["X-Illustrative"] = "true"
    return StreamingResponse(_csv_pieces(store, pieces), media_type=CSV_MEDIA_TYPE, headers=headers)


def _csv_pieces(store: GraphStore, pieces: Iterable[Cited]) -> Iterator[bytes]:
    first = True
    for piece in pieces:
        header, rows, _ = _with_sources(store, "csv", piece)
        whole = to_csv(header, rows)
        if first:
            yield whole
            first = False
        else:  # the header line (after the BOM) is written once
            yield whole[whole.index(b"\r\n") + 2 :]


def table_file(
    store: GraphStore,
    fmt: Literal["csv", "xlsx"],
    name: str,
    table: Table | Cited,
    illustrative: str | None,
    legend: str = "",
    sheet: str | None = None,
) -> Response:
    """``table`` as a download; cells that rest on weak links say so themselves, and the XLSX has an ``about``
    sheet with the dataset, the legend and the illustrative notice. A table that says what its rows rest on
    (``Cited``) carries their sources: columns in CSV, a ``Sources`` sheet in XLSX."""
    more: list[Sheet] = []
    if isinstance(table, Cited):
        header, rows, more = _with_sources(store, fmt, table)
    else:
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
    if more:
        notes.append(
            (
                "sources",
                "'source ids' lists the sources of the facts a row counts (its action points, their goals and "
                "placements, the responses its status rests on); the Sources sheet says where each stands and "
                "when it was read and checked",
            )
        )
    if illustrative:
        notes.append(("illustrative", illustrative))
    return Response(to_xlsx(sheet or name, header, rows, notes, more), media_type=XLSX_MEDIA_TYPE, headers=headers)
