"""Interactive networks with pyvis, made safe and offline.

pyvis 0.3.2 needs care (reference notes §5 and §8, design §7):
- only ``cdn_resources="in_line"`` renders offline, and even then Bootstrap is linked from a CDN: every
  remote ``<script src>`` / ``<link href>`` is stripped and the result is checked;
- if any node title contains ``href`` pyvis swaps every tooltip for ``innerHTML`` (stored XSS): titles are
  plain text in which ``href`` cannot occur, and a document holding the popup code is refused;
- ``heading`` is inserted unescaped: we never pass one (pages render their own, escaped);
- physics is off and positions come from the server (``bpkg.app.web.layout``), so a view is usable at once;
- nodes and edges are added one by one (``Network.from_nx`` is quadratic).
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Final, Literal

from cachetools import LRUCache
from jinja2 import Environment, FileSystemLoader
from pyvis.network import Network

from bpkg.app.store.graph_types import EdgeOut, GraphOut, NodeRef
from bpkg.app.web import words
from bpkg.app.web.layout import Layout, bounds, positions
from bpkg.graph_schema import Confidence, Label, RelType

MAX_NODES: Final = 2000
LINE_CHARS: Final = 20
ClickAction = Literal["navigate", "select"]


@dataclass(frozen=True)
class LabelStyle:
    colour: str
    shape: str  # a vis-network shape with its label underneath
    glyph: str  # the same shape as a character, for the legend
    side: str  # dialogue | operations | context


# Blues for the dialogue, oranges for the operations, greens for geography, greys for the rest.
LABEL_STYLES: Final[dict[str, LabelStyle]] = {
    Label.PROCESS: LabelStyle("#4b3f8f", "hexagon", "⬢", "dialogue"),
    Label.DECLARATION: LabelStyle("#1d3f7a", "square", "■", "dialogue"),
    Label.ACTION_PLAN: LabelStyle("#3a64b0", "square", "■", "dialogue"),
    Label.COMMITMENT: LabelStyle("#16317a", "star", "★", "dialogue"),
    Label.PRIORITY_GOAL: LabelStyle("#2f7fc1", "hexagon", "⬢", "dialogue"),
    Label.ACTION_POINT: LabelStyle("#6aaee8", "dot", "●", "dialogue"),
    Label.EVENT: LabelStyle("#8a6cc4", "triangleDown", "▼", "dialogue"),
    Label.PROJECT: LabelStyle("#a34f00", "square", "■", "operations"),
    Label.COMPONENT: LabelStyle("#e07b10", "diamond", "◆", "operations"),
    Label.ACTIVITY: LabelStyle("#f2a950", "triangle", "▲", "operations"),
    Label.OUTPUT: LabelStyle("#c99a2e", "triangleDown", "▼", "operations"),
    Label.COUNTRY: LabelStyle("#4f9a3c", "dot", "●", "context"),
    Label.REGION: LabelStyle("#2e6b22", "hexagon", "⬢", "context"),
    Label.ORGANISATION: LabelStyle("#8c8c8c", "square", "■", "context"),
    Label.SOURCE: LabelStyle("#b5b5b5", "dot", "●", "context"),
}
_FALLBACK: Final = LabelStyle("#999999", "dot", "●", "context")

_EDGE_COLOURS: Final[dict[str, str]] = {
    RelType.RESPONDS_TO: "#d9730d",
    RelType.INFORMS: "#7d5cc4",
    RelType.DISCUSSED: "#9d8ad0",
    RelType.ADOPTED: "#9d8ad0",
    RelType.IN_COUNTRY: "#8fc27f",
    RelType.ACTIVE_IN: "#8fc27f",
    RelType.IN_REGION: "#8fc27f",
}
_EDGE_DEFAULT_COLOUR: Final = "#9aa5b1"
_STRENGTH_WIDTH: Final[dict[str, float]] = {"direct": 3.0, "partial": 2.0, "indirect": 1.2}

# vis-network options: fixed positions, no physics, hover tooltips, zoom buttons.
OPTIONS: Final[dict[str, Any]] = {
    "physics": {"enabled": False},
    "layout": {"improvedLayout": False},
    "interaction": {
        "hover": True,
        "tooltipDelay": 120,
        "navigationButtons": False,  # they sit over the corners of the view; the page has its own buttons
        # Keyboard navigation focuses the canvas on click, and the browser then scrolls a partly visible
        # network into view between press and release: the click lands on the wrong node.
        "keyboard": {"enabled": False},
        "multiselect": False,
    },
    "nodes": {"size": 14, "font": {"size": 13, "face": "arial", "strokeWidth": 3, "strokeColor": "#ffffff"}},
    "edges": {
        "smooth": False,
        "arrows": {"to": {"enabled": True, "scaleFactor": 0.5}},
        "font": {"size": 10, "color": "#6b5d00", "strokeWidth": 3, "strokeColor": "#ffffff", "align": "middle"},
    },
}

_REMOTE_TAG: Final = re.compile(
    r"<script\b[^>]*\bsrc\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>\s*</script\s*>"
    r"|<link\b[^>]*\bhref\s*=\s*[\"']?\s*(?:https?:)?//[^>]*>",
    re.IGNORECASE,
)
_REMOTE_REF: Final = re.compile(r"<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I)
_HEADING: Final = re.compile(r"<center>\s*<h1>.*?</h1>\s*</center>", re.DOTALL)
_HREF: Final = re.compile("href", re.IGNORECASE)
DOCUMENT_CACHE: Final = 64
_documents: LRUCache[str, tuple[str, str, str]] = LRUCache(maxsize=DOCUMENT_CACHE)
_documents_lock = threading.Lock()
_interned: dict[str, str] = {}
_WORD_JOINER: Final = "\u2060"
_SCRIPT: Final = re.compile(r"<script\b([^>]*)>(.*?)</script>", re.DOTALL)


class UnsafeNetworkHtml(RuntimeError):
    """pyvis produced something we refuse to serve (remote resources or HTML tooltips)."""


@dataclass(frozen=True)
class LegendItem:
    label: str
    colour: str
    glyph: str
    count: int


@dataclass(frozen=True)
class NetworkView:
    """A rendered network: pyvis's style and body, ready to place into a page, and what it shows."""

    style: str
    body: str
    assets: str  # pyvis's inlined vis-network CSS and JS (used by downloads; pages load them from /view/static)
    node_ids: list[str]
    edge_count: int
    legend: list[LegendItem]
    has_illustrative: bool
    nodes: tuple[NodeRef, ...] = ()
    truncated: bool = False
    note: str | None = None
    total_nodes: int = 0


def style_of(label: str) -> LabelStyle:
    return LABEL_STYLES.get(label, _FALLBACK)


def plain_title(text: str) -> str:
    """A tooltip text that pyvis cannot mistake for HTML: it switches to ``innerHTML`` tooltips when a
    title contains ``href``, so that word is broken by an invisible word joiner. vis-network shows string
    titles with ``innerText``, so no further escaping is needed (and escaping would show entities)."""
    return _HREF.sub(lambda m: m.group(0)[:2] + _WORD_JOINER + m.group(0)[2:], text)


def short_label(name: str, width: int = LINE_CHARS, lines: int = 2) -> str:
    """The name on at most ``lines`` lines of about ``width`` characters (an ellipsis when cut), so that
    neighbours' labels do not run into each other."""
    out: list[str] = []
    current = ""
    for word in name.split():
        if current and len(current) + 1 + len(word) > width:
            out.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    out.append(current)
    if len(out) > lines:
        out = [*out[: lines - 1], " ".join(out[lines - 1 :])]
    return "\n".join(_cut(line, width) for line in out)


def _cut(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1].rstrip() + "…"


def cap(graph: GraphOut, focus: str | None, max_nodes: int = MAX_NODES) -> GraphOut:
    """At most ``max_nodes`` nodes, the ones nearest ``focus`` first, with a note when cut."""
    if len(graph.nodes) <= max_nodes:
        return graph
    order = _nearest_first(graph, focus)
    keep = set(order[:max_nodes])
    nodes = [n for n in graph.nodes if n.id in keep]
    edges = [e for e in graph.edges if e.source in keep and e.target in keep]
    note = (
        f"This view was cut to {max_nodes} of {len(graph.nodes)} nodes (the nearest first). "
        "Narrow it with the depth or label filters."
    )
    return GraphOut(nodes=nodes, edges=edges, truncated=True, note=note)


def _nearest_first(graph: GraphOut, focus: str | None) -> list[str]:
    ids = [n.id for n in graph.nodes]
    if focus is None or focus not in ids:
        return ids
    around: dict[str, list[str]] = {i: [] for i in ids}
    for edge in graph.edges:
        if edge.source in around and edge.target in around:
            around[edge.source].append(edge.target)
            around[edge.target].append(edge.source)
    seen = {focus: None}
    frontier = [focus]
    while frontier:
        nxt: list[str] = []
        for node in frontier:
            for other in around[node]:
                if other not in seen:
                    seen[other] = None
                    nxt.append(other)
        frontier = nxt
    return list(seen) + [i for i in ids if i not in seen]


def node_title(node: NodeRef, extra: str | None = None) -> str:
    """Name, kind (in words) and confidence; ``extra`` is a line more (an action point's status)."""
    lines = [node.name, words.label(node.label)]
    if extra:
        lines.append(extra)
    if node.confidence:
        lines.append(f"confidence: {node.confidence}")
    return plain_title("\n".join(lines))


def edge_title(edge: EdgeOut, names: dict[str, str]) -> str:
    relation = words.relation(edge.type, "out")
    lines = [f"{names.get(edge.source, edge.source)} — {relation} → {names.get(edge.target, edge.target)}"]
    qualifiers = [f"confidence: {edge.confidence}"]
    if edge.strength:
        qualifiers.append(f"strength: {edge.strength}")
    lines.append(", ".join(qualifiers))
    note = words.plain(edge.note)
    if note:
        lines.append(note)
    return plain_title("\n".join(lines))


def readable_font(graph: GraphOut, layout: Layout, focus: str | None, width: float = 800, height: float = 700) -> int:
    """A label size that stays about 13 px on screen once the whole view is fitted into a box of about
    ``width`` x ``height`` (a wide overview is shown at half its size or less)."""
    x0, y0, x1, y1 = bounds(positions(graph, layout, focus).values())
    scale = min(1.0, width / (x1 - x0 + 150), height / (y1 - y0 + 100))
    return max(13, min(40, round(13 / scale)))


def _chars(font: int) -> int:
    """Characters per label line: what fits between two neighbours at this font size (0: the default)."""
    return LINE_CHARS if not font else max(10, min(LINE_CHARS, int(170 / (0.55 * font))))


def build(
    graph: GraphOut,
    layout: Layout,
    focus: str | None = None,
    height: str = "640px",
    notes: dict[str, str] | None = None,
    readable: bool = False,
) -> Network:
    """A pyvis Network of ``graph`` with server-side positions, styles by label and provenance; ``notes``
    add a line to some nodes' tooltips; ``readable`` sizes labels for the fitted view."""
    where = positions(graph, layout, focus)
    notes = notes or {}
    font = readable_font(graph, layout, focus) if readable else 0
    net = Network(height=height, width="100%", directed=True, cdn_resources="in_line", heading="")
    net.templateEnv = _pyvis_templates()  # shared, so pyvis's template is compiled once per process
    for node in graph.nodes:
        style = style_of(node.label)
        x, y = where.get(node.id, (0.0, 0.0))
        extra: dict[str, Any] = {}
        if node.id == focus:
            extra = {"size": 24, "borderWidth": 4, "font": {"size": 16}}
        elif font:
            extra = {"size": round(font * 1.1), "font": {"size": font}}
        number = node.id.removeprefix("ap-") if node.label == Label.ACTION_POINT and readable else ""
        net.add_node(
            node.id,
            label=f"AP {number}" if number.isdigit() else short_label(node.name, _chars(font)),
            title=node_title(node, notes.get(node.id)),
            shape=style.shape,
            color=style.colour,
            x=round(x, 1),
            y=round(y, 1),
            physics=False,
            kind=node.label,  # not "group": pyvis then drops the colour and vis restyles the node
            **extra,
        )
    names = {n.id: n.name for n in graph.nodes}
    for edge in graph.edges:
        net.add_edge(edge.source, edge.target, **edge_options(edge, names))
    net.set_options(json.dumps(OPTIONS))
    return net


def edge_options(edge: EdgeOut, names: dict[str, str]) -> dict[str, Any]:
    """How a link is drawn: colour by type, width by strength, dashed when illustrative, a plain-text title."""
    options: dict[str, Any] = {
        "id": f"{edge.source}|{edge.type}|{edge.target}",
        "title": edge_title(edge, names),
        "color": _EDGE_COLOURS.get(edge.type, _EDGE_DEFAULT_COLOUR),
        "width": _STRENGTH_WIDTH.get(edge.strength or "", 1.0),
    }
    if edge.confidence == Confidence.ILLUSTRATIVE:
        options["dashes"] = [6, 5]  # the legend says so; a text label on every such link would clutter
    return options


def expansion(graph: GraphOut, around: str, at: tuple[float, float], notes: dict[str, str]) -> dict[str, Any]:
    """The neighbours of ``around`` as vis-network items to add in place (a page's "show its neighbours
    here"): placed on a ring around ``at``; every text is plain (vis-network shows string titles as text)."""
    others = [n for n in graph.nodes if n.id != around]
    radius = max(160.0, 30.0 * len(others))
    nodes = []
    for i, node in enumerate(others):
        angle = 2 * math.pi * i / max(len(others), 1)
        style = style_of(node.label)
        nodes.append(
            {
                "id": node.id,
                "label": short_label(node.name),
                "title": node_title(node, notes.get(node.id)),
                "shape": style.shape,
                "color": style.colour,
                "x": round(at[0] + radius * math.cos(angle), 1),
                "y": round(at[1] + radius * math.sin(angle), 1),
                "physics": False,
                "kind": node.label,
                "name": node.name,
                "kind_words": words.label(node.label),
            }
        )
    names = {n.id: n.name for n in graph.nodes}
    edges = [{"from": e.source, "to": e.target, **edge_options(e, names)} for e in graph.edges]
    return {"nodes": nodes, "edges": edges, "truncated": graph.truncated}


def sanitise(document: str) -> str:
    """pyvis's document without remote resources or its heading; refuses HTML tooltips."""
    cleaned = _REMOTE_TAG.sub("", document)
    cleaned = _HEADING.sub("", cleaned)
    if "popup.innerHTML" in cleaned or "div.popup" in cleaned:
        raise UnsafeNetworkHtml("pyvis switched to HTML tooltips; titles must be plain text")
    if _REMOTE_REF.search(cleaned):
        raise UnsafeNetworkHtml("the network document still refers to a remote resource")
    return cleaned


def _section(document: str, tag: str) -> str:
    match = re.search(rf"<{tag}>(.*)</{tag}>", document, re.DOTALL)
    if match is None:
        raise UnsafeNetworkHtml(f"unexpected pyvis document: no <{tag}>")
    return match.group(1)


def split(document: str) -> tuple[str, str, str]:
    """(inlined library assets, the network's own style, the body) of a sanitised pyvis document."""
    head = _section(document, "head")
    body = _section(document, "body")
    own_style = re.search(r"<style type=\"text/css\">.*?</style>", head, re.DOTALL)
    if own_style is None:
        raise UnsafeNetworkHtml("unexpected pyvis document: no network style")
    assets = "".join(re.findall(r"<script>.*?</script>|<style>.*?</style>", head, re.DOTALL))
    if "vis.Network" not in body or "vis-network" not in assets:
        raise UnsafeNetworkHtml("pyvis did not inline vis-network (cdn_resources must be 'in_line')")
    return assets, own_style.group(0), body


def with_nonce(html: str, nonce: str) -> str:
    """Every ``<script>`` of ``html`` carrying the page's CSP nonce (and nothing else can run)."""
    # Whole elements are matched so that "<script" inside a script's own text (vis-network has one) is
    # left alone; no script here contains "</script" (pyvis's data goes through |tojson).
    return _SCRIPT.sub(lambda m: f'<script nonce="{nonce}"{m.group(1)}>{m.group(2)}</script>', html)


def render(
    graph: GraphOut,
    layout: Layout,
    nonce: str,
    focus: str | None = None,
    height: str = "640px",
    max_nodes: int = MAX_NODES,
    notes: dict[str, str] | None = None,
    readable: bool = False,
) -> NetworkView:
    """The network of ``graph`` as page parts: capped, laid out, drawn by pyvis, sanitised."""
    total = len(graph.nodes)
    shown = cap(graph, focus, max_nodes)
    assets, own_style, body = _document(shown, layout, focus, height, notes or {}, readable)
    counts: dict[str, int] = {}
    for node in shown.nodes:
        counts[node.label] = counts.get(node.label, 0) + 1
    legend = [
        LegendItem(
            label=words.label(label.value, counts[label]),
            colour=style_of(label).colour,
            glyph=style_of(label).glyph,
            count=counts[label],
        )
        for label in Label
        if label in counts
    ]
    return NetworkView(
        style=own_style,
        body=with_nonce(body, nonce),
        assets=with_nonce(assets, nonce),
        node_ids=[n.id for n in shown.nodes],
        edge_count=len(shown.edges),
        legend=legend,
        has_illustrative=any(e.confidence == Confidence.ILLUSTRATIVE for e in shown.edges),
        nodes=tuple(shown.nodes),
        truncated=shown.truncated or graph.truncated,
        note=shown.note or graph.note,
        total_nodes=total,
    )


def _document(
    graph: GraphOut, layout: Layout, focus: str | None, height: str, notes: dict[str, str], readable: bool
) -> tuple[str, str, str]:
    """pyvis's sanitised parts for a view, cached like layouts: pyvis checks every new edge against a
    list of all nodes, so drawing 2,000 nodes costs ~0.4 s, and a view asked for again costs nothing."""
    # Names, provenance and notes are drawn too, so the key covers the whole view, not just its shape.
    extra = json.dumps([readable, sorted(notes.items())])
    digest = hashlib.sha256(f"{layout}\x1f{height}\x1f{focus}\x1f{extra}\x1f{graph.model_dump_json()}".encode())
    key = digest.hexdigest()
    with _documents_lock:
        found = _documents.get(key)
    if found is not None:
        return found
    assets, own_style, body = split(sanitise(build(graph, layout, focus, height, notes, readable).generate_html()))
    assets = _interned.setdefault(assets, assets)  # one copy of the ~700 kB library text for all views
    with _documents_lock:
        _documents[key] = (assets, own_style, body)
    return assets, own_style, body


@cache
def _pyvis_templates() -> Environment:
    import pyvis

    # pyvis's own template, unchanged (it escapes nodes and edges with |tojson); the heading it would
    # insert unescaped is never set, and sanitise() checks what comes out.
    return Environment(loader=FileSystemLoader(Path(pyvis.__file__).parent / "templates"))  # noqa: S701


@cache
def library_file(name: str) -> Path:
    """A vis-network file that ships inside pyvis (served to pages; downloads inline it)."""
    import pyvis

    files = {
        "vis-network.min.js": "vis-9.1.2/vis-network.min.js",
        "vis-network.css": "vis-9.1.2/vis-network.css",
    }
    return Path(pyvis.__file__).parent / "templates" / "lib" / files[name]
