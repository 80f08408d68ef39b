"""Server-rendered pages: home, a page per node, overview, trace, search, label lists, static files and the
key form; the pages that answer a policy officer's questions (action points, gaps, countries, matrix, paths,
flow) are in ``bpkg.app.web.questions`` and served by the same router. What every page is made of (the page
object, templates, security headers, error pages, network filters) is in ``bpkg.app.web.rendering``.

Every action point shown carries its status; labels and relationship types are in plain words
(``bpkg.app.web.words``); network pages take filters (confidence, strength, country, component) that downloads
keep, list every node as text, and let a node's neighbours be added in place. With ``?download=1`` a
network view comes back as one self-contained HTML file that works opened from disk.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated, Any, Final, Literal, cast
from urllib.parse import parse_qs, quote, urlencode

from fastapi import APIRouter, Query, Request
from fastapi import Path as PathParam
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.http.deps import KEY_COOKIE, cookie_is_secure, key_is_valid, open_session
from bpkg.app.http.params import MAX_QUERY, AsOfParam, Offset
from bpkg.app.services import briefs, node_view, views
from bpkg.app.services.api_types import ResponsesOut
from bpkg.app.services.coverage import coverage
from bpkg.app.services.crosswalk import node_matches
from bpkg.app.services.status import StatusDict
from bpkg.app.services.timelines import KINDS
from bpkg.app.services.views import RANK
from bpkg.app.store.graph_types import GROUP_KEYS, Direction, GraphOut, LinkGroup, LinkOut, NodeRef, Way
from bpkg.app.store.port import TraceDirection
from bpkg.app.web import network, pdf, questions, timelines, words
from bpkg.app.web.rendering import (
    FILTER_LABELS,
    MAX_DEPTH,
    MAX_TRACE_DEPTH,
    OVERVIEW_LABELS,
    PAGE_SIZE,
    SEARCH_LIMIT,
    STATIC_DIR,
    STATIC_TYPES,
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
    view_filters,
)
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import AsOf, may_exist

router = APIRouter(include_in_schema=False, route_class=PageRoute)
# Reachable without a key even when API keys are configured: the key form and the static assets.
public_router = APIRouter(include_in_schema=False, route_class=PageRoute)


# -- home -----------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
@html_errors
def home(request: Request, as_of: AsOfParam) -> Response:
    """Home: the priority goals with coverage, and ways into the graph."""
    page = Page(request, as_of=as_of)
    store = page.store
    cov = coverage(store, "goal", as_of=as_of)
    by_goal: dict[str | None, list[Any]] = defaultdict(list)
    for status in cov.action_points:
        by_goal[status.goal.id if status.goal else None].append(status)
    entry = node_view.entries(store, (Label.COMMITMENT, Label.COMPONENT, Label.PROJECT, Label.COUNTRY), PAGE_SIZE)
    # The country where work responds to the most action points: the example of a country's page.
    by_country = [r for r in coverage(store, "country").rows if r.node is not None and r.covered]
    example = max(by_country, key=lambda r: (r.covered, r.node.name if r.node else "")).node if by_country else None
    return page.render(
        "home.html",
        title="Home",
        q="",
        cov=cov,
        by_goal=by_goal,
        entry=entry,
        stats=node_view.stats(store),
        example=example,
        open_notice=True,
    )


# -- one node -------------------------------------------------------------------------------------


# A node page lists at most this many links per group (the rest on the group's own paged list), and an action
# point's responses this many at a time: a node with tens of thousands of links still renders quickly.
LINKS_SHOWN: Final = 50
RESPONSES_SHOWN: Final = 50
RESPONDS_TO: Final = "Responds to"
RESPONDED_BY: Final = "Responded to by"
# A node's page draws the nearest of its neighbourhood, at most this many nodes, and links to the same page with
# ``network=all`` for the whole neighbourhood up to the 2,000 every network view allows (``network.MAX_NODES``):
# at 100k relationships the 2,000-node network was two thirds of a hub's page on Neo4j (docs/performance.md,
# "Issue 17: the node page of a hub").
NODE_NETWORK_NODES: Final = 250
TRACE_LISTED: Final = 200
"""The nodes a trace's page lists per level (each level says how many it reached)."""
TRACE_NEAR: Final = network.MAX_NODES
"""The nodes of a trace's network, the nearest the start (``GraphStore.trace_outline``)."""


def outlined(filtered: bool, as_of: AsOf | None, direction: str) -> bool:
    """Whether a trace's page is made from the store's outline of the trace (``trace_outline``: today's trace,
    up or down, no filter) rather than from the whole trace (as of a day, both ways, or filtered)."""
    return not filtered and as_of is None and direction in ("up", "down")


def _heading(rel_type: str, direction: str) -> str:
    """The heading a group of links (type and direction) is listed under on a node's page."""
    if rel_type == RelType.RESPONDS_TO:
        return RESPONDS_TO if direction == "out" else RESPONDED_BY
    return words.relation(rel_type, direction).capitalize()


# The groups of links (type and direction) under each heading, in links order: a few headings take several
# (``Part of`` is CONTAINS and HAS_COMPONENT in, PART_OF out), listed one after the other as one list.
HEADINGS: Final[dict[str, list[tuple[str, Direction]]]] = {}
for _type, _direction in GROUP_KEYS:
    HEADINGS.setdefault(_heading(_type, _direction), []).append((_type, _direction))


def _headed(groups: list[LinkGroup], shown: int) -> dict[str, tuple[list[LinkOut], int]]:
    """Per heading, its first ``shown`` links and how many it has, in the page's order (responses first)."""
    out: dict[str, tuple[list[LinkOut], int]] = {RESPONDS_TO: ([], 0), RESPONDED_BY: ([], 0)}
    for group in groups:
        links, total = out.get(_heading(group.type, group.direction), ([], 0))
        out[_heading(group.type, group.direction)] = ((links + group.links)[:shown], total + group.total)
    return out


def _here(page: Page, **changed: int | str) -> str:
    """This page with the same parameters (the day, depth, filters...) but ``changed`` (a zero or "" is dropped)."""
    kept: dict[str, list[str]] = {}
    for k, v in page.request.query_params.multi_items():
        if k not in changed and k != "download":
            kept.setdefault(k, []).append(v)
    return page.url(quote(page.request.url.path), **kept, **{k: v for k, v in changed.items() if v})


@router.get("/view/node/{node_id}", response_class=HTMLResponse)
@html_errors
def node_page(
    request: Request,
    raw: Filters,
    node_id: PageNodeId,
    as_of: AsOfParam,
    depth: Annotated[int, Query(ge=1, le=MAX_DEPTH)] = 1,
    label: PageLabels = [],  # noqa: B006 (FastAPI copies defaults)
    download: bool = False,
    offset: Offset = 0,
    network_size: Annotated[Literal["near", "all"], Query(alias="network")] = "near",
) -> Response:
    """A node: details, sources, links up and down (at most ``LINKS_SHOWN`` of each group), an action point's
    responses ``RESPONSES_SHOWN`` at a time from ``offset``, and its neighbourhood as a network (the nearest
    ``NODE_NETWORK_NODES``; with ``network=all`` up to the cap of every network view)."""
    page = Page(request, download, as_of=as_of)
    whole = network_size == "all"
    # Per group of links its first LINKS_SHOWN and its total, not every link (as of a day: read whole).
    found, today = node_view.link_groups(page.store, node_id, LINKS_SHOWN, as_of=as_of)
    node = found.node
    if node.label == Label.COUNTRY:
        # A country's page is its brief (what is done there), with the same network and filters.
        return _to_country(page, raw, node_id, depth, label)
    depth = max(1, min(depth, MAX_DEPTH))
    labels = labels_of(label)
    seen = node_view.node_view(
        page.store,
        found,
        depth=depth,
        labels=labels,
        max_nodes=network.MAX_NODES if whole else NODE_NETWORK_NODES,
        responses_shown=RESPONSES_SHOWN,
        offset=offset,
        as_of=as_of,
        links_today=today,
    )
    headed = _headed(found.groups, LINKS_SHOWN)
    responds_to, responded_by = headed.pop(RESPONDS_TO)[0], headed.pop(RESPONDED_BY)[0]
    link_total = sum(c.count for c in node.link_counts)
    reviewed = [link for link in found.reviewed if link.reviewed]
    shown = [*responds_to, *responded_by, *(x for v, _ in headed.values() for x in v)]
    # Every name and source the lists show, read at once (each link's sources are checked for review).
    named = {c for link in shown for c in link.countries} | {s for link in shown for s in link.sources}
    page.remember(sorted(named | {node_id} | {x.node.id for x in reviewed}))
    suspects = [link for link in reviewed if page.suspect(link.reviewed, node_id, link.node.id)]
    answer = seen.answer
    filters = view_filters(page, raw)
    graph = briefs.filtered(page.store, seen.around, node_id, filters)
    near_cut = seen.around.truncated and not whole
    if near_cut:
        graph = graph.model_copy(update={"note": _near_note(len(graph.nodes), link_total)})
    view = network_view(page, graph, "spring", node_id, "620px")
    totals = {RESPONDS_TO: 0, RESPONDED_BY: 0} | {_heading(c.type, c.direction): 0 for c in node.link_counts}
    for c in node.link_counts:
        totals[_heading(c.type, c.direction)] += c.count
    return page.render(
        "node.html",
        filename=f"bpkg-node-{node_id}.html" if download else None,
        title=node.name,
        q="",
        node=node,
        responds_to=responds_to,
        responded_by=responded_by,
        others={k: v for k, (v, _) in headed.items()},
        link_counts=totals,
        links_url=f"/view/links/{quote(node_id, safe='')}",
        suspects_shown=suspects[:LINKS_SHOWN],
        # When a list is cut, the links to review are listed on their own (else they are marked in the lists).
        bounded=len(shown) < link_total,
        page_size=RESPONSES_SHOWN,
        responses=seen.responses,
        answer=answer,
        previous_url=_paging(page, answer, offset)[0],
        next_url=_paging(page, answer, offset)[1],
        ap_status=_status(answer),
        traces=seen.traces,
        timeline=node.label in KINDS,
        suspects=suspects,
        reviewed_links=len(reviewed),
        link_total=link_total,
        reviewed_by={x.node.id: x.reviewed for x in reviewed if x.type == RelType.RESPONDS_TO and x.direction == "in"},
        as_of_told=answer.as_of if answer else None,
        # As of a day, how many of its links are shown (the store keeps those that may have existed then).
        links_then=(link_total, seen.links_today) if seen.links_today is not None else None,
        existed=as_of is None or may_exist(node.properties, as_of),
        crosswalk=node_matches(node.id, node.label, node.properties),
        # The node page's smaller network, when it was cut there: how many it shows, and the whole one's address.
        near_cut=near_cut,
        whole_network_url=_here(page, network="all", offset=offset) + "#network-heading",
        max_network=network.MAX_NODES,
        # Asked for the whole network: the form and the download keep asking for it.
        whole_network=whole,
        **neighbourhood_context(
            page,
            view,
            f"/view/node/{quote(node_id, safe='')}",
            depth,
            labels,
            filters,
            **({"network": "all"} if whole else {}),
        ),
    )


def _near_note(shown: int, links: int) -> str:
    """What a node page's network says when its smaller cap cut it (the whole network is one link away)."""
    return (
        f"Showing {shown:,} nodes of its neighbourhood, not all of them (it has {links:,} links): a node's page "
        f"draws at most {NODE_NETWORK_NODES:,}, by kind, then number and id."
    )


def _to_country(page: Page, raw: Filters, node_id: str, depth: int, label: list[str]) -> Response:
    """A country's node page: its brief, with the same depth, labels, filters, download and day."""
    query = urlencode(
        [
            ("depth", depth),
            *[("label", v) for v in label],
            *[
                (k, v)
                for k, vs in view_filters(page, raw).params().items()
                for v in ([vs] if isinstance(vs, str) else vs)
            ],
            *([("download", 1)] if page.download else []),
            *([("as_of", page.as_of.text)] if page.as_of else []),
        ]
    )
    return RedirectResponse(f"/view/country/{quote(node_id, safe='')}?{query}", status_code=307)


def _paging(page: Page, answer: ResponsesOut | None, offset: int) -> tuple[str, str]:
    """The links to an action point's previous and next page of responses ("" where there is none)."""
    if answer is None:
        return "", ""
    previous = _here(page, offset=max(0, offset - RESPONSES_SHOWN)) if offset > 0 else ""
    following = _here(page, offset=offset + RESPONSES_SHOWN) if offset + RESPONSES_SHOWN < answer.total else ""
    return previous, following


def _status(answer: ResponsesOut | None) -> StatusDict | None:
    if answer is None:
        return None
    return StatusDict(
        status=answer.status, status_words=answer.status_words, status_confidence=answer.status_confidence
    )


@router.get("/view/links/{node_id}", response_class=HTMLResponse)
@html_errors
def node_links(
    request: Request,
    node_id: PageNodeId,
    as_of: AsOfParam,
    group: Annotated[str, Query(max_length=80)] = RESPONDED_BY,
    offset: Offset = 0,
) -> Response:
    """One group of a node's links (as headed on its page), a page at a time."""
    page = Page(request, as_of=as_of)
    node, items, total = node_view.group_page(page.store, node_id, HEADINGS.get(group, []), PAGE_SIZE, offset, as_of)
    if not total:
        headings = dict.fromkeys(_heading(c.type, c.direction) for c in node.link_counts)
        raise InvalidQuery(f"group: '{group}' is not one of {', '.join(headings) or 'its groups: it has no links'}")
    if offset >= total:
        last = (total - 1) // PAGE_SIZE * PAGE_SIZE
        raise NotFound(
            f"offset: {offset:,} is past the last of the {total:,} links of this group; its last page starts at "
            f"offset {last:,}"
        )
    page.remember(sorted({c for link in items for c in link.countries} | {node_id}))
    return page.render(
        "links.html",
        title=f"{group}: {node.name}",
        q="",
        node=node,
        group=group,
        items=items,
        total=total,
        offset=offset,
        previous_url=_here(page, offset=max(0, offset - PAGE_SIZE)) if offset > 0 else "",
        next_url=_here(page, offset=offset + PAGE_SIZE) if offset + PAGE_SIZE < total else "",
    )


# -- overview and trace -----------------------------------------------------------------------------


@router.get("/view/overview", response_class=HTMLResponse)
@html_errors
def overview(
    request: Request,
    raw: Filters,
    label: PageLabels = [],  # noqa: B006
    download: bool = False,
    *,
    as_of: AsOfParam,
) -> Response:
    """The dialogue and the projects in one hierarchical network; as of a day, what may have existed then."""
    page = Page(request, download, as_of=as_of)
    filters = view_filters(page, raw)
    labels = labels_of(label) or [lb.value for lb in OVERVIEW_LABELS]
    # Activities and outputs are not drawn: their responses are drawn from their component (or project).
    whole = views.whole(page.store, labels, network.MAX_NODES, as_of)
    graph = briefs.rolled_up(page.store, whole, as_of)
    graph = briefs.filtered(page.store, graph, None, filters)
    view = network_view(page, graph, "layers", None, "760px", readable=True)
    cov = coverage(page.store, "goal", as_of=as_of)
    responded = briefs.responded_in(graph)
    return page.render(
        "overview.html",
        filename="bpkg-overview.html" if download else None,
        title="Overview",
        q="",
        cov=cov,
        responded=responded,
        net=view,
        labels=labels,
        filter_labels=FILTER_LABELS,
        filters=filters,
        options=filter_options(page),
        self_url=page.url("/view/overview", label=labels, **filters.params()),
    )


@router.get("/view/trace/{node_id}", response_class=HTMLResponse)
@html_errors
def trace(
    request: Request,
    raw: Filters,
    node_id: PageNodeId,
    as_of: AsOfParam,
    direction: Annotated[str, Query(max_length=10)] = "down",
    depth: Annotated[int, Query(ge=1, le=MAX_TRACE_DEPTH)] = MAX_TRACE_DEPTH,
    download: bool = False,
) -> Response:
    """What a node serves (up) or what responds to it (down), laid out by level."""
    page = Page(request, download, as_of=as_of)
    filters = view_filters(page, raw)
    if direction not in ("up", "down", "both"):
        raise InvalidQuery("direction must be 'up', 'down' or 'both'")
    depth = max(1, min(depth, MAX_TRACE_DEPTH))
    node = node_view.node(page.store, node_id)
    # Each level's first TRACE_LISTED nodes and its count: a busy action point's trace down reaches tens of
    # thousands of nodes (a page of 14.5 MB at 1M relationships), which no one reads as a list.
    if outlined(filters.active, as_of, direction):
        # Today's trace, unfiltered, up or down: the store's outline (its counts, each level's first nodes, the
        # network of the nearest), not the whole trace made into an answer to be cut here (docs/performance.md,
        # "The trace page of a hub"). A trace that fits is the whole trace, and the page is the same.
        outline = page.store.trace_outline(node_id, cast(Way, direction), depth, TRACE_LISTED, TRACE_NEAR)
        traced = views.graph_view(page.store, outline.graph)
        if traced.truncated:
            traced.note = (
                f"This view was cut to {len(traced.nodes):,} of the {outline.total + 1:,} nodes of the trace (the "
                "nearest first); the links to review above are those among them. Narrow it with the depth or the "
                "filters."
            )
        graph: GraphOut = traced
        levels = [(level.label, level.first, level.count) for level in outline.levels]
    else:
        traced = views.trace(page.store, node_id, cast(TraceDirection, direction), depth, None, as_of=as_of)
        graph = briefs.filtered(page.store, traced, node_id, filters)
        by_label: dict[str, list[NodeRef]] = defaultdict(list)
        for ref in graph.nodes:
            if ref.id != node_id:
                by_label[ref.label].append(ref)
        levels = [(label, refs[:TRACE_LISTED], len(refs)) for label, refs in sorted(by_label.items())]
    view = network_view(page, graph, "layers", node_id, "760px")
    ordered = sorted(levels, key=lambda x: RANK.get(x[0], 99))
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
        as_of_told=traced.as_of,
        to_review=traced.to_review,
        filters=filters,
        options=filter_options(page),
        self_url=page.url(
            f"/view/trace/{quote(node_id, safe='')}", direction=direction, depth=depth, **filters.params()
        ),
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
            hits = views.search(page.store, q, SEARCH_LIMIT).hits
        except InvalidQuery as exc:
            message = str(exc)
    return page.render("search.html", title=f"Search: {q}" if q else "Search", q=q, hits=hits, message=message)


@router.get("/view/label/{label}", response_class=HTMLResponse)
@html_errors
def label_list(
    request: Request, label: Annotated[str, PathParam(max_length=40)], offset: Offset = 0, *, as_of: AsOfParam
) -> Response:
    """Every node of a label, a page at a time; as of a day, those that may have existed then."""
    page = Page(request, as_of=as_of)
    if label not in {lb.value for lb in Label}:
        raise NotFound(f"no label '{label}'")
    if label == Label.ACTION_POINT:
        return RedirectResponse("/view/action-points", status_code=307)
    found, every = node_view.label_page(page.store, label, PAGE_SIZE, max(0, offset), as_of)
    return page.render(
        "label.html", title=words.label(label, 2), q="", label=label, found=found, page_size=PAGE_SIZE, every=every
    )


# -- static files -----------------------------------------------------------------------------------


@public_router.get("/view/static/{name}")
def static(name: str) -> Response:
    """The site's CSS and the vis-network files that ship inside pyvis."""
    if name not in STATIC_TYPES:
        return Response("not found", status_code=404, media_type="text/plain")
    path = STATIC_DIR / name if name == "site.css" else network.library_file(name)
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
    settings = request.app.state.settings
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        KEY_COOKIE,
        open_session(request, settings, key),
        max_age=int(settings.session_hours * 3600),
        httponly=True,
        samesite="strict",
        secure=cookie_is_secure(request, settings),
        path="/",
    )
    return response


# The question pages share this router (and so its key requirement, when API keys are configured).
router.include_router(questions.router)
router.include_router(timelines.router)
router.include_router(pdf.router)
