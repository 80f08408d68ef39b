"""Timeline pages: a priority goal's, a country's, a component's, a project's, an activity's, an output's or an
event's events and activities by year,
with the share of action points responded to at each year-end, drawn on the server as SVG beside a text
table of the same numbers, and those numbers as CSV or XLSX (``bpkg.app.services.timelines`` computes them)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from bpkg.app.http.files import FileFormat, table_file
from bpkg.app.services import timelines
from bpkg.app.web.rendering import Page, PageNodeId, PageRoute, html_errors

router = APIRouter(include_in_schema=False, route_class=PageRoute)

# The drawing: one column per year, two bars (events, activities running) and a dot for the share covered.
LEFT: Final = 44.0
RIGHT: Final = 48.0
TOP: Final = 24.0
PLOT: Final = 160.0
COLUMN: Final = 30.0
BAR: Final = 10.0
BOTTOM: Final = 42.0
WIDE: Final = 960.0
"""The drawing's least width: the columns spread over it, and the page scales it to fill its card."""


@dataclass(frozen=True)
class Column:
    year: timelines.Year
    x: float
    events_y: float
    running_y: float
    share_y: float | None


@dataclass(frozen=True)
class Chart:
    width: float
    height: float
    base: float
    top: int
    columns: list[Column]
    line: str
    ticks: list[tuple[int, float]]
    share_ticks: list[tuple[int, float]]
    left: float = LEFT
    bar: float = BAR

    @property
    def right(self) -> float:
        return self.width - RIGHT


def chart(found: timelines.Timeline) -> Chart:
    """Where every bar and dot goes (counts on the left axis, the share on the right, 0 to 100%)."""
    top = max([max(len(y.events), len(y.running)) for y in found.years] + [1])
    base = TOP + PLOT
    width = max(LEFT + COLUMN * max(len(found.years), 1) + RIGHT, WIDE)
    column = (width - LEFT - RIGHT) / max(len(found.years), 1)
    columns: list[Column] = []
    for i, y in enumerate(found.years):
        x = LEFT + column * i + column / 2
        share = None if y.share is None else base - PLOT * y.share
        columns.append(Column(y, x, base - PLOT * len(y.events) / top, base - PLOT * len(y.running) / top, share))
    # The share as a line, broken where there is none (no action plan in force).
    line, pen = [], "M"
    for c in columns:
        if c.share_y is None:
            pen = "M"
            continue
        line.append(f"{pen}{c.x:.1f},{c.share_y:.1f}")
        pen = "L"
    step = max(1, top // 4)
    ticks = [(n, base - PLOT * n / top) for n in range(0, top + 1, step)]
    shares = [(pct, base - PLOT * pct / 100) for pct in (0, 25, 50, 75, 100)]
    bar = min(column * 0.35, 3 * BAR)
    return Chart(width, base + BOTTOM, base, top, columns, " ".join(line), ticks, shares, bar=bar)


@router.get("/view/timeline/{node_id}", response_class=HTMLResponse)
@html_errors
def timeline(request: Request, node_id: PageNodeId) -> Response:
    """A goal's, country's, component's, project's, activity's, output's or event's timeline, by year."""
    page = Page(request)
    found = timelines.timeline(page.store, node_id)
    return page.render(
        "timeline.html",
        title=f"Timeline: {found.node.name}",
        q="",
        found=found,
        chart=chart(found),
        table_url=f"/view/timeline/{quote(found.node.id, safe='')}/table",
    )


@router.get("/view/timeline/{node_id}/table")
@html_errors
def timeline_table(request: Request, node_id: PageNodeId, fmt: FileFormat = "csv") -> Response:
    """The timeline's numbers, year by year (CSV or XLSX)."""
    page = Page(request)
    found = timelines.timeline(page.store, node_id)
    legend = " ".join([f"Share responded to: {found.coverage_rule}.", *found.accounts])
    name = f"timeline-{found.node.id}"
    return table_file(page.store, fmt, name, timelines.table(found), found.illustrative, legend, sheet="timeline")
