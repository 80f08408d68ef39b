"""Pages that answer a policy officer's questions: the action points as a sortable table, the gaps, a
country's brief, the matrix as a heatmap (and the links behind a cell), how A is connected to B, the flow
from commitments to components, a node's neighbours added in place, and the tables as CSV or XLSX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Final, cast
from urllib.parse import quote

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bpkg.app.errors import InvalidQuery
from bpkg.app.http.files import FileFormat, file_name, legend, table_file
from bpkg.app.http.params import MAX_QUERY, AsOfParam
from bpkg.app.services import briefs, lookup, node_view, sheets, views
from bpkg.app.services.api_types import STATUS_RULE
from bpkg.app.services.coverage import coverage, read_facts
from bpkg.app.services.coverage import gaps as coverage_gaps
from bpkg.app.services.responses import list_action_points
from bpkg.app.services.views import MAX_WAYS
from bpkg.app.store.graph_types import GraphOut
from bpkg.app.web import flow as flows
from bpkg.app.web import network
from bpkg.app.web.rendering import (
    MAX_DEPTH,
    Filters,
    Page,
    PageLabels,
    PageNodeId,
    PageRoute,
    filter_options,
    html_errors,
    labels_of,
    neighbourhood_context,
    network_view,
    status_line,
    view_filters,
)
from bpkg.graph_schema import RelType

router = APIRouter(include_in_schema=False, route_class=PageRoute)


EXPAND_MAX: Final = 200


@router.get("/view/expand/{node_id}")
@html_errors
def expand(
    request: Request,
    node_id: PageNodeId,
    x: Annotated[float, Query(ge=-1e6, le=1e6)] = 0.0,
    y: Annotated[float, Query(ge=-1e6, le=1e6)] = 0.0,
) -> Response:
    """A node's neighbours as vis-network items, for "show its neighbours here" on a network page."""
    page = Page(request)
    graph = views.around(page.store, node_id, 1, None, EXPAND_MAX)
    notes = {n.id: status_line(s) for n in graph.nodes if (s := page.status(n))}
    return JSONResponse(network.expansion(graph, node_id, (x, y), notes), headers={"X-Content-Type-Options": "nosniff"})


PATH_HOPS: Final = 5
PATH_LIMIT: Final = 10


@router.get("/view/paths", response_class=HTMLResponse)
@html_errors
def paths(
    request: Request,
    raw: Filters,
    source: Annotated[str, Query(alias="from", max_length=MAX_QUERY)] = "",
    target: Annotated[str, Query(alias="to", max_length=MAX_QUERY)] = "",
    max_hops: Annotated[int, Query(ge=1, le=PATH_HOPS)] = 4,
    offset: Annotated[int, Query(ge=0, le=MAX_WAYS - PATH_LIMIT)] = 0,
    download: bool = False,
    *,
    as_of: AsOfParam,
) -> Response:
    """How is A connected to B: every way between two nodes, shortest first, in words and as a network."""
    page = Page(request, download, as_of=as_of)
    chosen = view_filters(page, raw)
    starts, ends = lookup.named(page.store, source), lookup.named(page.store, target)
    start = starts[0] if len(starts) == 1 else None
    end = ends[0] if len(ends) == 1 else None
    # A name that could mean several nodes is not guessed: the page lists them and asks which one.
    choices = {"from": starts if len(starts) > 1 else [], "to": ends if len(ends) > 1 else []}
    message = ""
    found = None
    view = None
    listed = 0  # the ways on this page before the filters
    if source.strip() and not starts:
        message = f"Nothing is called “{source}”."
    elif target.strip() and not ends:
        message = f"Nothing is called “{target}”."
    elif start is not None and end is not None:
        found = views.ways(page.store, start.id, end.id, max_hops, PATH_LIMIT, offset, as_of=as_of)
        listed = len(found.paths)
        nodes = {n.id: n for p in found.paths for n in p.nodes}
        edges = {(e.source, e.type, e.target): e for p in found.paths for st in p.steps for e in st.relationships}
        graph = GraphOut(nodes=list(nodes.values()), edges=list(edges.values()))
        if chosen.active:
            # Only the ways that survive the filters: every node kept, every step joined by a kept link.
            graph = briefs.filtered(page.store, graph, start.id, chosen)
            kept_nodes = {n.id for n in graph.nodes}
            kept_edges = {(e.source, e.type, e.target) for e in graph.edges}
            ways = [
                p
                for p in found.paths
                if all(n.id in kept_nodes for n in p.nodes)
                and all(any((e.source, e.type, e.target) in kept_edges for e in st.relationships) for st in p.steps)
            ]
            found = found.model_copy(update={"paths": ways})
        if found.paths:
            view = network_view(page, graph, "layers", start.id, "520px")
    return page.render(
        "paths.html",
        filename="bpkg-paths.html" if download else None,
        title="How are they connected?",
        q="",
        source=source,
        target=target,
        start=start,
        end=end,
        max_hops=max_hops,
        path_hops=PATH_HOPS,
        path_limit=PATH_LIMIT,
        listed=listed,
        max_ways=MAX_WAYS,
        more_url=page.url(
            "/view/paths",
            **{"from": source, "to": target, "max_hops": max_hops},
            **chosen.params(),
            offset=offset + PATH_LIMIT,
        ),
        back_url=page.url(
            "/view/paths",
            **{"from": source, "to": target, "max_hops": max_hops},
            **chosen.params(),
            offset=max(0, offset - PATH_LIMIT),
        ),
        found=found,
        net=view,
        message=message,
        choices=choices,
        filters=chosen,
        options=filter_options(page),
        self_url=page.url(
            "/view/paths", **{"from": source, "to": target, "max_hops": max_hops, "offset": offset}, **chosen.params()
        ),
    )


@router.get("/view/flow", response_class=HTMLResponse)
@html_errors
def flow(request: Request) -> Response:
    """Commitments -> goals -> action points -> components, widths by the number of response links."""
    page = Page(request)
    return page.render("flow.html", title="Flow", q="", flow=flows.flow(page.store))


# -- action points, gaps, a country, the matrix --------------------------------------------------------

SORTS: Final = ("number", "goal", "status", "responders", "countries")
_STATUS_ORDER: Final = {"gap": 0, "goal_only": 1, "direct": 2}


def _sort_key(sort: str) -> Callable[[briefs.ActionPointRow], Any]:
    if sort == "goal":
        return lambda r: (r.status.goal.name if r.status.goal else "~", r.status.number)
    if sort == "status":
        return lambda r: (_STATUS_ORDER[r.status.status], r.status.number)
    if sort == "responders":
        return lambda r: (len(r.responders), r.status.number)
    if sort == "countries":
        return lambda r: (len(r.countries), r.status.number)
    return lambda r: r.status.number


@router.get("/view/action-points", response_class=HTMLResponse)
@html_errors
def action_points(
    request: Request,
    sort: Annotated[str, Query(max_length=20)] = "number",
    order: Annotated[str, Query(max_length=4)] = "asc",
    status: Annotated[str, Query(max_length=10)] = "",
    *,
    as_of: AsOfParam,
) -> Response:
    """Every action point with its goal, status, responders and countries, as a sortable table."""
    page = Page(request, as_of=as_of)
    if sort not in SORTS or order not in ("asc", "desc") or status not in ("", *_STATUS_ORDER):
        raise InvalidQuery(f"sort is one of {', '.join(SORTS)}; order asc or desc; status direct, goal_only or gap")
    facts = read_facts(page.store, as_of=as_of)
    rows = briefs.action_point_rows(page.store, facts)
    counts = {k: sum(r.status.status == k for r in rows) for k in _STATUS_ORDER}
    shown = sorted((r for r in rows if not status or r.status.status == status), key=_sort_key(sort))
    if order == "desc":
        shown.reverse()
    return page.render(
        "action_points.html",
        title="Action points",
        q="",
        rows=shown,
        total=len(rows),
        counts=counts,
        sort=sort,
        order=order,
        only=status,
        sorts=SORTS,
        as_of_told=facts.as_of,
    )


@router.get("/view/gaps", response_class=HTMLResponse)
@html_errors
def gaps(request: Request, as_of: AsOfParam) -> Response:
    """Action points not responded to directly, by goal, component and country, with what answers their goal."""
    page = Page(request, as_of=as_of)
    found = briefs.gaps_view(page.store, as_of=as_of)
    cov = coverage(page.store, "goal", as_of=as_of)
    return page.render("gaps.html", title="Action points not responded to directly", q="", found=found, cov=cov)


@router.get("/view/country/{code}", response_class=HTMLResponse)
@html_errors
def country(
    request: Request,
    raw: Filters,
    code: PageNodeId,
    as_of: AsOfParam,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    label: PageLabels = [],  # noqa: B006
    download: bool = False,
) -> Response:
    """A country's brief: its role, the action points served there, the work there by year, its network."""
    page = Page(request, download, as_of=as_of)
    filters = view_filters(page, raw)
    brief = briefs.country_brief(page.store, code, as_of=as_of)
    node_id = brief.answer.country.id
    labels = labels_of(label)
    graph = views.around(page.store, node_id, depth, labels, network.MAX_NODES, as_of)
    view = network_view(page, briefs.filtered(page.store, graph, node_id, filters), "spring", node_id, "560px")
    api_code = brief.answer.iso3 or node_id
    return page.render(
        "country.html",
        filename=f"bpkg-country-{api_code.lower()}.html" if download else None,
        title=brief.answer.country.name,
        q="",
        brief=brief,
        api_code=api_code,
        **neighbourhood_context(page, view, f"/view/country/{quote(node_id, safe='')}", depth, labels, filters),
    )


@router.get("/view/action-points/table")
@html_errors
def action_points_table(request: Request, as_of: AsOfParam, fmt: FileFormat = "csv") -> Response:
    """The API's action points file (every action point), for pages under API keys."""
    page = Page(request)
    found = list_action_points(page.store, None, None, 500, 0, as_of=as_of)
    told = legend(STATUS_RULE, found.as_of)
    name = file_name("action-points", found.as_of)
    return table_file(page.store, fmt, name, sheets.action_points(found), found.illustrative, told)


@router.get("/view/gaps/table")
@html_errors
def gaps_table(request: Request, as_of: AsOfParam, fmt: FileFormat = "csv") -> Response:
    """The API's gaps file, for pages under API keys."""
    page = Page(request)
    found = coverage_gaps(page.store, as_of=as_of)
    told = legend(STATUS_RULE, found.as_of)
    return table_file(page.store, fmt, file_name("gaps", found.as_of), sheets.gaps(found), found.illustrative, told)


@router.get("/view/country/{code}/table")
@html_errors
def country_table(request: Request, code: PageNodeId, as_of: AsOfParam, fmt: FileFormat = "csv") -> Response:
    """Everything on a country's page as one table (CSV or XLSX)."""
    page = Page(request)
    brief = briefs.country_brief(page.store, code, as_of=as_of)
    name = file_name(f"country-{(brief.answer.iso3 or brief.answer.country.id).lower()}-brief", brief.answer.as_of)
    told = legend("", brief.answer.as_of)
    return table_file(page.store, fmt, name, briefs.country_table(brief), brief.answer.illustrative, told)


@router.get("/view/matrix/table")
@html_errors
def matrix_table(
    request: Request,
    rows: Annotated[str, Query(max_length=20)] = "goal",
    cols: Annotated[str, Query(max_length=20)] = "component",
    fmt: FileFormat = "csv",
    *,
    as_of: AsOfParam,
) -> Response:
    """The heatmap as the page shows it (CSV or XLSX)."""
    page = Page(request)
    if rows not in ("goal", "action_point") or cols not in ("component", "country", "project"):
        raise InvalidQuery("rows is goal or action_point; cols is component, country or project")
    found = briefs.heatmap(page.store, cast(briefs.MatrixRows, rows), cast(briefs.MatrixColumns, cols), as_of=as_of)
    notice = lookup.notice(page.store, found.illustrative)
    told = legend("", found.answer.as_of)
    name = file_name(f"matrix-{rows}-{cols}", found.answer.as_of)
    return table_file(page.store, fmt, name, briefs.heatmap_table(found), notice, told)


@router.get("/view/matrix", response_class=HTMLResponse)
@html_errors
def matrix(
    request: Request,
    rows: Annotated[str, Query(max_length=20)] = "goal",
    cols: Annotated[str, Query(max_length=20)] = "component",
    *,
    as_of: AsOfParam,
) -> Response:
    """Goals or action points x components, countries or projects, as a heatmap table."""
    page = Page(request, as_of=as_of)
    if rows not in ("goal", "action_point") or cols not in ("component", "country", "project"):
        raise InvalidQuery("rows is goal or action_point; cols is component, country or project")
    found = briefs.heatmap(page.store, cast(briefs.MatrixRows, rows), cast(briefs.MatrixColumns, cols), as_of=as_of)
    return page.render("matrix.html", title="Matrix", q="", found=found, rows_are=rows, cols_are=cols)


@router.get("/view/matrix/cell", response_class=HTMLResponse)
@html_errors
def matrix_cell(
    request: Request,
    row: Annotated[str, Query(max_length=200)],
    col: Annotated[str, Query(max_length=200)],
    cols: Annotated[str, Query(max_length=20)] = "component",
    *,
    as_of: AsOfParam,
) -> Response:
    """The links behind one cell of the matrix."""
    page = Page(request, as_of=as_of)
    if cols not in ("component", "country", "project"):
        raise InvalidQuery("cols is component, country or project")
    found = briefs.cell_links(page.store, row, col, cast(briefs.MatrixColumns, cols), as_of=as_of)
    title = f"{found.row.name} × {found.column.name}"
    # When each link behind the cell was last reviewed (a cell's responses do not carry it; their links do).
    reviewed = {
        (link.node.id, ap): link.reviewed
        for ap in sorted({s.action_point.id for s, _ in found.responses})
        for link in node_view.links(page.store, ap, as_of)
        if link.type == RelType.RESPONDS_TO and link.direction == "in" and link.reviewed
    }
    return page.render("matrix_cell.html", title=title, q="", found=found, cols_are=cols, reviewed=reviewed)
