"""Server-rendered pages: home, a page per node, overview, trace, search, label lists, and downloads.

Every page is Jinja2 with autoescape on; the only unescaped fragments are pyvis's sanitised network parts
(``app.web.network``) and our own CSS. Each response carries a Content-Security-Policy with a per-response
nonce (no remote sources, no inline event handlers) and ``X-Content-Type-Options: nosniff``. With
``?download=1`` a network view comes back as one self-contained HTML file that works opened from disk.
"""

from __future__ import annotations

import functools
import secrets
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, ParamSpec, cast
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from app.api.deps import KEY_COOKIE, get_store, key_is_valid
from app.api.errors import RETRY_AFTER
from app.api.params import MAX_QUERY, Offset
from app.errors import BackendUnavailable, BpkgError, InvalidQuery, NotFound
from app.services.coverage import coverage
from app.services.responses import status_fields
from app.store import results
from app.store.base import RANK
from app.store.models import GraphOut, LinkOut, NodeRef
from app.store.port import GraphStore, TraceDirection
from app.web import network
from app.web.layout import Layout
from graph_schema import Label, RelType


class PageRoute(APIRoute):
    """A page route: a parameter FastAPI refuses gets a 422 HTML page (the API answers JSON)."""

    def get_route_handler(self) -> Callable[[Request], Any]:
        handler = super().get_route_handler()

        async def page_handler(request: Request) -> Response:
            try:
                response: Response = await handler(request)
            except RequestValidationError as exc:
                return invalid_page(request, exc)
            return response

        return page_handler


router = APIRouter(include_in_schema=False, route_class=PageRoute)
# Reachable without a key even when API keys are configured: the key form and the static assets.
public_router = APIRouter(include_in_schema=False, route_class=PageRoute)

MAX_DEPTH: Final = 3
MAX_TRACE_DEPTH: Final = 4
SEARCH_LIMIT: Final = 50
PAGE_SIZE: Final = 100
OVERVIEW_LABELS: Final = (
    Label.DECLARATION,
    Label.ACTION_PLAN,
    Label.COMMITMENT,
    Label.PRIORITY_GOAL,
    Label.ACTION_POINT,
    Label.COMPONENT,
    Label.PROJECT,
)
# Page parameters carry the bounds of the API's (app/api/params.py): a value out of range is a 422 page,
# never an overflow deep in a backend.
PageNodeId = Annotated[str, PathParam(max_length=200)]
PageLabels = Annotated[list[str], Query(max_length=len(Label))]
# Labels offered as network filters (sources are provenance, not linked nodes).
FILTER_LABELS: Final = tuple(label.value for label in Label if label != Label.SOURCE)
STATIC_TYPES: Final = {
    "site.css": "text/css; charset=utf-8",
    "vis-network.css": "text/css; charset=utf-8",
    "vis-network.min.js": "text/javascript; charset=utf-8",
}
_STATIC_DIR: Final = Path(__file__).parent / "static"

templates = Environment(
    loader=PackageLoader("app.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)


def page_csp(nonce: str) -> str:
    """The policy of a served page: only this server, and only scripts carrying the nonce run."""
    return (
        "default-src 'none'; "
        f"script-src 'self' 'nonce-{nonce}'; "
        "style-src 'self' 'unsafe-inline'; "
        "img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        "form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    )


def file_csp(nonce: str) -> str:
    """The policy written into a downloaded file: nothing is ever fetched; only its own scripts run."""
    return f"default-src 'none'; script-src 'nonce-{nonce}'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'"


def security_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Security-Policy": page_csp(nonce),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


class Page:
    """What every template gets: nonce, links, dataset notice, and whether this is a download.

    A ``public`` page (the key form, the 401 and 422 pages) never touches the store: it renders while
    the backend is down and shows nobody without a key the dataset's name or notice.
    """

    store: GraphStore

    def __init__(self, request: Request, download: bool = False, public: bool = False) -> None:
        self.request = request
        self.public = public
        if not public:
            self.store = get_store(request)
        self.download = download
        self.nonce = secrets.token_urlsafe(18)
        # A downloaded file must work on its own for whoever receives it: it links to a live site only when
        # one is configured (BPKG_PUBLIC_URL), never to the address the request came in on (a Host header
        # or 127.0.0.1, dead for a colleague). Otherwise it links to the node details it carries itself.
        public_url: str = request.app.state.settings.public_url
        self.base = public_url if download else ""
        self.links = not download or bool(public_url)
        # What a downloaded file holds (set with its network): every node's details are written into it.
        self.file_graph: GraphOut | None = None

    def url(self, path: str, **params: Any) -> str:
        query = urlencode([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])])
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    def node_url(self, node_id: str) -> str:
        """Where a node's link leads: its page, or in a file without a live site its details in the file
        (empty when the file does not hold the node: the name is then shown without a link)."""
        if self.links:
            return f"{self.base}/view/node/{quote(node_id, safe='')}"
        if self.file_graph is not None and any(n.id == node_id for n in self.file_graph.nodes):
            return f"#node-{quote(node_id, safe='')}"
        return ""

    def static(self, name: str) -> str:
        return f"/view/static/{name}"

    def render(self, template: str, status: int = 200, filename: str | None = None, **context: Any) -> HTMLResponse:
        info = None if self.public else self.store.dataset_info()
        html = templates.get_template(template).render(
            page=self,
            nonce=self.nonce,
            download=self.download,
            dataset=info,
            illustrative=info.illustrative if info else "",
            backend=self.request.app.state.settings.backend if self.public else self.store.backend,
            saved_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
            server=self.base,
            file_csp=file_csp(self.nonce),
            site_css=Markup(site_css()) if self.download else "",  # noqa: S704 (our own file)
            rank=RANK,
            **context,
        )
        headers = security_headers(self.nonce)
        if filename is not None:
            headers["Content-Disposition"] = f'attachment; filename="{filename}"'
        return HTMLResponse(html, status_code=status, headers=headers)


@functools.cache
def site_css() -> str:
    return (_STATIC_DIR / "site.css").read_text(encoding="utf-8")


P = ParamSpec("P")


def html_errors(route: Callable[P, Response]) -> Callable[P, Response]:
    """Domain errors as HTML pages (the API maps them to JSON; a browser should see a page)."""

    @functools.wraps(route)
    def wrapped(*args: P.args, **kwargs: P.kwargs) -> Response:
        try:
            return route(*args, **kwargs)
        except BpkgError as exc:
            request = kwargs["request"]
            assert isinstance(request, Request)
            status = 404 if isinstance(exc, NotFound) else 503 if isinstance(exc, BackendUnavailable) else 422
            if isinstance(exc, BackendUnavailable):
                nonce = secrets.token_urlsafe(18)
                text = templates.get_template("unavailable.html").render(nonce=nonce, message=str(exc))
                headers = {**security_headers(nonce), "Retry-After": RETRY_AFTER}
                return HTMLResponse(text, status_code=503, headers=headers)
            page = Page(request)
            return page.render(
                "error.html",
                status=status,
                title="Not found" if status == 404 else "Bad request",
                message=str(exc),
                q="",
            )

    return wrapped


def invalid_page(request: Request, exc: RequestValidationError) -> Response:
    """A parameter out of its bounds, as a 422 page that names it (rendered without the store)."""
    problems = []
    for err in exc.errors():
        name = str(err.get("loc", ("", "?"))[-1])
        problems.append(f"{name}: {err.get('msg', 'invalid')}")
    message = "; ".join(problems) or "invalid request"
    return Page(request, public=True).render("error.html", status=422, title="Bad request", message=message, q="")


def _labels(values: list[str]) -> list[str] | None:
    chosen = [v for raw in values for v in raw.split(",") if v]
    unknown = [v for v in chosen if v not in {lb.value for lb in Label}]
    if unknown:
        raise InvalidQuery(f"unknown label(s) {', '.join(unknown)}")
    return sorted(set(chosen), key=lambda v: list(Label).index(Label(v))) or None


def _network(page: Page, graph: GraphOut, layout: Layout, focus: str | None, height: str) -> network.NetworkView:
    if page.download:
        page.file_graph = graph
    return network.render(graph, layout, page.nonce, focus=focus, height=height)


# -- home -----------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@html_errors
def home(request: Request) -> Response:
    """Home: the priority goals with coverage, and ways into the graph."""
    page = Page(request)
    store = page.store
    cov = coverage(store, "goal")
    by_goal: dict[str | None, list[Any]] = defaultdict(list)
    for status in cov.action_points:
        by_goal[status.goal.id if status.goal else None].append(status)
    entry = {
        label: store.nodes(label.value, None, PAGE_SIZE, 0)
        for label in (Label.COMMITMENT, Label.COMPONENT, Label.PROJECT, Label.COUNTRY)
    }
    return page.render(
        "home.html", title="Home", q="", cov=cov, by_goal=by_goal, entry=entry, stats=store.stats(), open_notice=True
    )


# -- one node -------------------------------------------------------------------------------------


def _group_links(links: list[LinkOut]) -> tuple[list[LinkOut], list[LinkOut], dict[str, list[LinkOut]]]:
    responds_to = [link for link in links if link.type == RelType.RESPONDS_TO and link.direction == "out"]
    responded_by = [link for link in links if link.type == RelType.RESPONDS_TO and link.direction == "in"]
    others: dict[str, list[LinkOut]] = defaultdict(list)
    for link in links:
        if link.type != RelType.RESPONDS_TO:
            arrow = "→" if link.direction == "out" else "←"
            others[f"{arrow} {link.type}"].append(link)
    return responds_to, responded_by, dict(others)


@router.get("/view/node/{node_id}", response_class=HTMLResponse)
@html_errors
def node_page(
    request: Request,
    node_id: PageNodeId,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    label: PageLabels = [],  # noqa: B006 (FastAPI copies defaults)
    download: bool = False,
) -> Response:
    """A node: details, sources, links up and down, and its neighbourhood as a network."""
    page = Page(request, download)
    store = page.store
    node = store.node(node_id)
    depth = max(1, min(depth, MAX_DEPTH))
    labels = _labels(label)
    links = store.links(node_id)
    responds_to, responded_by, others = _group_links(links)
    responses: list[results.Response] = []
    status: dict[str, str | None] = {}
    if node.label == Label.ACTION_POINT:
        detail = store.action_point(node_id, include_goal_level=True)
        responses = [*detail.responses, *detail.goal_responses]
        status = status_fields(detail.responses, detail.goal_responses)
    graph = store.neighbourhood(node_id, depth, labels, network.MAX_NODES)
    view = _network(page, graph, "spring", node_id, "620px")
    return page.render(
        "node.html",
        filename=f"bpkg-node-{node_id}.html" if download else None,
        title=node.name,
        q="",
        node=node,
        responds_to=responds_to,
        responded_by=responded_by,
        others=others,
        responses=responses,
        ap_status=status,
        net=view,
        depth=depth,
        max_depth=MAX_DEPTH,
        labels=labels or [],
        filter_labels=FILTER_LABELS,
        self_url=page.url(f"/view/node/{quote(node_id, safe='')}", depth=depth, label=labels or []),
    )


# -- overview and trace -----------------------------------------------------------------------------


@router.get("/view/overview", response_class=HTMLResponse)
@html_errors
def overview(
    request: Request,
    label: PageLabels = [],  # noqa: B006
    download: bool = False,
) -> Response:
    """The dialogue and the projects in one hierarchical network."""
    page = Page(request, download)
    labels = _labels(label) or [lb.value for lb in OVERVIEW_LABELS]
    graph = page.store.whole_graph(labels, network.MAX_NODES)
    view = _network(page, graph, "layers", None, "760px")
    return page.render(
        "overview.html",
        filename="bpkg-overview.html" if download else None,
        title="Overview",
        q="",
        net=view,
        labels=labels,
        filter_labels=FILTER_LABELS,
        self_url=page.url("/view/overview", label=labels),
    )


@router.get("/view/trace/{node_id}", response_class=HTMLResponse)
@html_errors
def trace(
    request: Request,
    node_id: PageNodeId,
    direction: Annotated[str, Query(max_length=10)] = "down",
    depth: Annotated[int, Query(ge=1, le=MAX_TRACE_DEPTH)] = MAX_TRACE_DEPTH,
    download: bool = False,
) -> Response:
    """What a node serves (up) or what responds to it (down), laid out by level."""
    page = Page(request, download)
    if direction not in ("up", "down", "both"):
        raise InvalidQuery("direction must be 'up', 'down' or 'both'")
    depth = max(1, min(depth, MAX_TRACE_DEPTH))
    node = page.store.node(node_id)
    graph = page.store.trace(node_id, cast(TraceDirection, direction), depth, None)
    view = _network(page, graph, "layers", node_id, "760px")
    by_label: dict[str, list[NodeRef]] = defaultdict(list)
    for ref in graph.nodes:
        if ref.id != node_id:
            by_label[ref.label].append(ref)
    ordered = sorted(by_label.items(), key=lambda item: RANK.get(item[0], 99))
    return page.render(
        "trace.html",
        filename=f"bpkg-trace-{direction}-{node_id}.html" if download else None,
        title=f"Trace {direction}: {node.name}",
        q="",
        node=node,
        direction=direction,
        depth=depth,
        max_depth=MAX_TRACE_DEPTH,
        net=view,
        by_label=ordered,
        self_url=page.url(f"/view/trace/{quote(node_id, safe='')}", direction=direction, depth=depth),
    )


# -- search and lists -------------------------------------------------------------------------------


@router.get("/view/search", response_class=HTMLResponse)
@html_errors
def search(request: Request, q: Annotated[str, Query(max_length=MAX_QUERY)] = "") -> Response:
    """Search nodes by name, description or id."""
    page = Page(request)
    hits = []
    message = ""
    if q.strip():
        try:
            hits = page.store.search(q, SEARCH_LIMIT)
        except InvalidQuery as exc:
            message = str(exc)
    return page.render("search.html", title=f"Search: {q}" if q else "Search", q=q, hits=hits, message=message)


@router.get("/view/label/{label}", response_class=HTMLResponse)
@html_errors
def label_list(request: Request, label: Annotated[str, PathParam(max_length=40)], offset: Offset = 0) -> Response:
    """Every node of a label, a page at a time."""
    page = Page(request)
    if label not in {lb.value for lb in Label}:
        raise NotFound(f"no label '{label}'")
    offset = max(0, offset)
    found = page.store.nodes(label, None, PAGE_SIZE, offset)
    return page.render("label.html", title=label, q="", label=label, found=found, page_size=PAGE_SIZE)


# -- static files -----------------------------------------------------------------------------------


@public_router.get("/view/static/{name}")
def static(name: str) -> Response:
    """The site's CSS and the vis-network files that ship inside pyvis."""
    if name not in STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    path = _STATIC_DIR / name if name == "site.css" else network.library_file(name)
    return Response(
        path.read_bytes(),
        media_type=STATIC_TYPES[name],
        headers={"X-Content-Type-Options": "nosniff", "Cache-Control": "public, max-age=3600"},
    )


# -- the key form (only when API keys are configured) -------------------------------------------------


def _local(target: str) -> str:
    """``target`` if it is a path on this site, else the home page (no open redirects)."""
    return target if target.startswith("/") and not target.startswith(("//", "/\\")) else "/"


def key_form(request: Request, status: int = 401, wrong: bool = False, next_url: str | None = None) -> Response:
    """The page that asks for an API key; a valid key is kept in an HttpOnly cookie."""
    target = _local(next_url if next_url is not None else request.url.path)
    page = Page(request, public=True)
    return page.render("key.html", status=status, title="API key needed", next_url=target, wrong=wrong, q="")


def key_required(request: Request, exc: Exception) -> Response:
    """Exception handler: a page asked for without a valid key gets the key form (401)."""
    return key_form(request)


@public_router.get("/view/key", response_class=HTMLResponse)
def key_page(request: Request, next: Annotated[str, Query(max_length=2000)] = "/") -> Response:
    return key_form(request, status=200, next_url=next)


@public_router.post("/view/key", response_class=HTMLResponse)
async def key_submit(request: Request) -> Response:
    form = parse_qs((await request.body()).decode("utf-8", "replace"))
    key = form.get("key", [""])[0]
    target = _local(form.get("next", ["/"])[0])
    if not key_is_valid(request.app.state.settings, key):
        return key_form(request, wrong=True, next_url=target)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(KEY_COOKIE, key, httponly=True, samesite="strict", path="/")
    return response
