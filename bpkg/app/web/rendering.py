"""What every page is made of: the page object (nonce, links, the store, statuses, names), the templates and
their filters, the security headers, HTML error pages, the network filters and the network of a page.

Every page is Jinja2 with autoescape on; the only unescaped fragments are pyvis's sanitised network parts
(``bpkg.app.web.network``) and our own CSS. Each response carries a Content-Security-Policy with a per-response
nonce (no remote sources, no inline event handlers) and ``X-Content-Type-Options: nosniff``.
"""

from __future__ import annotations

import dataclasses
import functools
import secrets
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Final, ParamSpec
from urllib.parse import quote, urlencode

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, Response
from fastapi.routing import APIRoute
from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup, escape

from bpkg.app.errors import BpkgError, InvalidQuery
from bpkg.app.http import params
from bpkg.app.http.deps import get_store
from bpkg.app.http.errors import headers_for, status_of, validation_message
from bpkg.app.services import briefs, dataset_cache, lookup, node_view
from bpkg.app.services.api_types import ActionPointStatus
from bpkg.app.services.day_account import day_words
from bpkg.app.services.views import RANK
from bpkg.app.store.graph_types import EdgeOut, GraphOut, NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.web import network, words
from bpkg.app.web.layout import Layout
from bpkg.graph_schema import Confidence, Label, Strength
from bpkg.graph_schema.asof import AsOf
from bpkg.graph_schema.dates import changed_ends, parse_date
from bpkg.graph_schema.properties import CHECK_TO_REVIEW


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


MAX_DEPTH: Final = 3
MAX_TRACE_DEPTH: Final = params.MAX_DEPTH
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
# Page parameters carry the bounds of the API's (bpkg/app/api/params.py): a value out of range is a 422 page,
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
STATIC_DIR: Final = Path(__file__).parent / "static"

templates = Environment(
    loader=PackageLoader("bpkg.app.web", "templates"),
    autoescape=select_autoescape(default=True, default_for_string=True),
    undefined=StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
templates.filters.update(
    label_word=words.label,
    relation=words.relation,
    when=words.when,
    plain=words.plain,
    curation=words.curation,
    count=words.count,
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

    def __init__(
        self, request: Request, download: bool = False, public: bool = False, as_of: AsOf | None = None
    ) -> None:
        self.request = request
        self.public = public
        # The day the page answers as of (None: today); every link it makes keeps it.
        self.as_of = as_of
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
        self.file_ids: frozenset[str] = frozenset()
        self.file_names: dict[str, str] = {}
        self.file_links: dict[str, list[tuple[EdgeOut, str, str]]] = {}
        self.names: dict[str, str] = {}
        self._asked: set[str] = set()
        self.updated: dict[str, str] = {}
        self.found: dict[str, str] = {}  # source id: what the last source check found, when it puts facts to review
        self._statuses: dict[str, ActionPointStatus] | None = None

    @property
    def statuses(self) -> dict[str, ActionPointStatus]:
        """Every action point's status by id, read once per page (so every chip and list can show it)."""
        if self._statuses is None:
            self._statuses = briefs.statuses(self.store, as_of=self.as_of)
        return self._statuses

    def status(self, ref: NodeRef | str) -> ActionPointStatus | None:
        node_id = ref if isinstance(ref, str) else ref.id
        if not isinstance(ref, str) and ref.label != Label.ACTION_POINT:
            return None
        return self.statuses.get(node_id)

    def remember(self, ids: list[str]) -> None:
        """Read the names of ``ids`` (shown instead of ids, e.g. a link's countries) and when they last changed."""
        missing = [i for i in ids if i not in self._asked]
        if missing:
            self._asked.update(missing)  # an id that is no node is not asked for again
            for k, v in node_view.nodes(self.store, missing).items():
                self.names[k] = v.name
                if v.props.get("updated"):
                    self.updated[k] = str(v.props["updated"])
                if v.props.get("check_status") in CHECK_TO_REVIEW:
                    self.found[k] = f"{v.props['check_status']} on {v.props.get('checked_on')}"

    def source_review(self, sources: list[str]) -> str:
        """Why a fact citing ``sources`` is to review, in words, or "" when it is not: the last source check
        (``bpkg sources check --write``) found a cited page changed or gone."""
        if not sources:
            return ""
        self.remember(list(sources))
        found = [f"the page of {self.name(s)} was found {self.found[s]}" for s in sources if s in self.found]
        if not found:
            return ""
        return f"{' and '.join(found)}; check this fact against it"

    def suspect(self, reviewed: str | None, *ends: str) -> str:
        """Why a link between ``ends`` reviewed on ``reviewed`` is to review, in words, or "" when it is not: an
        end changed in substance (``updated``) on a day that may be after the review (the rule of ``bpkg
        validate``, ``bpkg.loaders.validation.review.suspect_links``)."""
        if not reviewed:
            return ""
        self.remember(list(ends))
        known = {end: parse_date(self.updated[end]) for end in ends if end in self.updated}
        changed = [f"{self.name(end)} changed on {self.updated[end]}" for end in changed_ends(known, ends, reviewed)]
        if not changed:
            return ""
        return f"{' and '.join(changed)}, after this link was reviewed on {reviewed}"

    def name(self, node_id: str) -> str:
        return self.names.get(node_id, node_id)

    def url(self, path: str, **params: Any) -> str:
        """A link to ``path`` with ``params``, keeping the day the page answers as of (``as_of=""`` drops it)."""
        if "as_of" in params and not params["as_of"]:
            del params["as_of"]
        elif self.as_of is not None and "as_of" not in params and "?" not in path:
            params["as_of"] = self.as_of.text
        query = urlencode([(k, v) for k, vs in params.items() for v in (vs if isinstance(vs, list) else [vs])])
        return f"{self.base}{path}" + (f"?{query}" if query else "")

    @property
    def as_of_words(self) -> str:
        """The day the page answers as of, in words ("31 December 2020"); "" for today."""
        return day_words(self.as_of) if self.as_of is not None else ""

    def today_url(self) -> str:
        """This page with the same question, answered for today."""
        kept = [(k, v) for k, v in self.request.query_params.multi_items() if k != "as_of"]
        return self.request.url.path + (f"?{urlencode(kept)}" if kept else "")

    def node_url(self, node_id: str) -> str:
        """Where a node's link leads: its page, or in a file without a live site its details in the file
        (empty when the file does not hold the node: the name is then shown without a link)."""
        if self.links:
            return self.url(f"/view/node/{quote(node_id, safe='')}")
        if node_id in self.file_ids:
            return f"#node-{quote(node_id, safe='')}"
        return ""

    def file_url(self, api_path: str, page_path: str, **params: Any) -> str:
        """A table's download: the API's own file, or with API keys configured (the API then wants a header a
        link cannot send) the same file from a page route, which accepts the key cookie."""
        keys = bool(self.request.app.state.settings.api_keys.strip())
        return self.url(page_path if keys else api_path, **params)

    def static(self, name: str) -> str:
        return f"/view/static/{name}"

    def render(self, template: str, status: int = 200, filename: str | None = None, **context: Any) -> HTMLResponse:
        # The footer names every dataset loaded.
        info, datasets = (None, []) if self.public else node_view.datasets(self.store)
        html = templates.get_template(template).render(
            page=self,
            nonce=self.nonce,
            download=self.download,
            dataset=info,
            datasets=datasets,
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
    return (STATIC_DIR / "site.css").read_text(encoding="utf-8")


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
            status = status_of(exc)
            if status == 500:
                raise
            if status == 503:
                nonce = secrets.token_urlsafe(18)
                text = templates.get_template("unavailable.html").render(nonce=nonce, message=str(exc))
                headers = {**security_headers(nonce), **headers_for(status)}
                return HTMLResponse(text, status_code=503, headers=headers)
            page = Page(request)
            return page.render(
                "error.html",
                status=status,
                title={404: "Not found", 504: "Too slow"}.get(status, "Bad request"),
                message=str(exc),
                q="",
            )

    return wrapped


def invalid_page(request: Request, exc: RequestValidationError) -> Response:
    """A parameter out of its bounds, as a 422 page that names it (rendered without the store)."""
    message = validation_message(exc.errors())
    return Page(request, public=True).render("error.html", status=422, title="Bad request", message=message, q="")


def labels_of(values: list[str]) -> list[str] | None:
    chosen = [v for raw in values for v in raw.split(",") if v]
    unknown = [v for v in chosen if v not in {lb.value for lb in Label}]
    if unknown:
        raise InvalidQuery(f"unknown label(s) {', '.join(unknown)}")
    return sorted(set(chosen), key=lambda v: list(Label).index(Label(v))) or None


class RawFilters:
    """The network filters as they come in the query string (checked by ``view_filters``)."""

    def __init__(
        self,
        confidence: Annotated[list[str], Query(max_length=3)] = [],  # noqa: B006
        strength: Annotated[list[str], Query(max_length=3)] = [],  # noqa: B006
        country: Annotated[str, Query(max_length=200)] = "",
        component: Annotated[str, Query(max_length=200)] = "",
    ) -> None:
        self.confidence, self.strength, self.country, self.component = confidence, strength, country, component


Filters = Annotated[RawFilters, Depends()]


def view_filters(page: Page, raw: RawFilters) -> briefs.ViewFilters:
    """Checked filters: known confidence levels and strengths, a country (ISO3 or id), a component id."""
    levels, strengths = [c.value for c in Confidence], [s.value for s in Strength]
    if any(c not in levels for c in raw.confidence) or any(s not in strengths for s in raw.strength):
        raise InvalidQuery(f"confidence is one of {', '.join(levels)}; strength one of {', '.join(strengths)}")
    country = lookup.country(page.store, raw.country).id if raw.country else ""
    component = lookup.of_label(page.store, raw.component, Label.COMPONENT).id if raw.component else ""
    page.remember([i for i in (country, component) if i])
    return briefs.ViewFilters(
        confidence=tuple(c for c in levels if c in raw.confidence),
        strength=tuple(s for s in strengths if s in raw.strength),
        country=country,
        component=component,
    )


@dataclasses.dataclass(frozen=True)
class FilterOptions:
    """What the country and component filters offer, as their ``<option>`` elements written once per dataset
    version: at 1M relationships a node page wrote the 7,000 of them in a template loop each time."""

    countries: str = ""
    components: str = ""

    def country(self, selected: str) -> Markup:
        return _chosen(self.countries, selected)

    def component(self, selected: str) -> Markup:
        return _chosen(self.components, selected)


def _written(nodes: list[NodeRef]) -> str:
    return "".join(f'<option value="{escape(n.id)}">{escape(n.name)}</option>' for n in nodes)


def _chosen(options: str, selected: str) -> Markup:
    """The options with ``selected`` marked as chosen (the ids are unique: one option at most)."""
    if selected:
        found = f'<option value="{escape(selected)}">'
        options = options.replace(found, f'<option value="{escape(selected)}" selected>', 1)
    return Markup(options)  # noqa: S704 (every id and name escaped above)


def filter_options(page: Page) -> FilterOptions:
    """What the country and component filters offer (only on served pages: a download has no form)."""
    if page.download:
        return FilterOptions()
    return dataset_cache.per_dataset(page.store, ("filter-options",), lambda: _filter_options(page.store))


def _filter_options(store: GraphStore) -> FilterOptions:
    # Every country and component of the dataset version: read once per version, not on every page (at 1M
    # relationships a node page spent a quarter of its time reading the 7,000 of them for its filter form).
    countries = sorted(lookup.nodes_of(store, Label.COUNTRY), key=lambda n: n.name)
    return FilterOptions(_written(countries), _written(lookup.nodes_of(store, Label.COMPONENT)))


def neighbourhood_context(
    page: Page,
    view: network.NetworkView,
    path: str,
    depth: int,
    labels: list[str] | None,
    filters: briefs.ViewFilters,
    **kept: str,
) -> dict[str, Any]:
    """What every page drawing a node's neighbourhood gives its template: the network, the depth and label
    choices, the filters and the page's own address with all of them and the page's own ``kept`` parameters (for
    downloads and the filter form)."""
    return {
        "net": view,
        "depth": depth,
        "max_depth": MAX_DEPTH,
        "labels": labels or [],
        "filter_labels": FILTER_LABELS,
        "filters": filters,
        "options": filter_options(page),
        "self_url": page.url(path, depth=depth, label=labels or [], **filters.params(), **kept),
    }


def status_line(status: ActionPointStatus) -> str:
    """An action point's status in words, with what it rests on when that is not confirmed."""
    weak = status.status_confidence and status.status_confidence != "confirmed"
    return f"status: {status.status_words}" + (f" ({status.status_confidence})" if weak else "")


def network_view(
    page: Page, graph: GraphOut, layout: Layout, focus: str | None, height: str, readable: bool = False
) -> network.NetworkView:
    if page.download:
        page.file_graph = graph
        page.file_ids = frozenset(n.id for n in graph.nodes)
        page.file_names = {n.id: n.name for n in graph.nodes}
        # Each node's links, seen from it (edge, direction, the other end): indexed once, not per node.
        for e in graph.edges:
            page.file_links.setdefault(e.source, []).append((e, "out", e.target))
            page.file_links.setdefault(e.target, []).append((e, "in", e.source))
    notes = {
        n.id: status_line(found) for n in graph.nodes if n.label == Label.ACTION_POINT and (found := page.status(n))
    }
    return network.render(graph, layout, page.nonce, focus=focus, height=height, notes=notes, readable=readable)
