"""Node positions computed on the server, so a network is drawn at once with physics off.

Two layouts: ``layers`` (hierarchical: one band per ``RANK`` of the label, political level at the top,
the ground at the bottom) for traces and the overview, and ``spring`` (force-directed around a focus) for
neighbourhoods. Layouts are cached by the exact structure they were computed for, so a view asked for
again costs a dictionary look-up.
"""

from __future__ import annotations

import hashlib
import math
import threading
from collections import defaultdict
from collections.abc import Iterable
from typing import Final, Literal

import networkx as nx
from cachetools import LRUCache

from bpkg.app.services.views import RANK
from bpkg.app.store.graph_types import GraphOut

Layout = Literal["layers", "spring"]
Positions = dict[str, tuple[float, float]]

# Pixel geometry of the layered layout.
NODE_GAP: Final = 170.0
LAYER_GAP: Final = 230.0
ROW_GAP: Final = 80.0
MAX_ROW: Final = 14  # a band wider than this is folded into several staggered rows
SPREAD: Final = 2.5  # how far apart (in NODE_GAPs) the nodes of a narrow band may be spread
# networkx's spring layout is dense (numpy only) below 500 nodes; above this we lay out in rings.
SPRING_MAX: Final = 400
RING_GAP: Final = 260.0
RING_SPACING: Final = 55.0
CACHE_SIZE: Final = 256

_cache: LRUCache[str, Positions] = LRUCache(maxsize=CACHE_SIZE)
_lock = threading.Lock()


def rank(label: str) -> int:
    """The band of a label in hierarchical views (unknown labels go to the bottom)."""
    return RANK.get(label, max(RANK.values()) + 1)


def positions(graph: GraphOut, layout: Layout, focus: str | None = None) -> Positions:
    """Pixel positions for every node of ``graph`` (cached by structure, layout and focus)."""
    key = structure_key(graph, layout, focus)
    with _lock:
        cached = _cache.get(key)
    if cached is not None:
        return cached
    computed = layered(graph) if layout == "layers" else spring(graph, focus)
    with _lock:
        _cache[key] = computed
    return computed


def cache_info() -> int:
    """How many layouts are cached (for tests and benchmarks)."""
    with _lock:
        return len(_cache)


def clear_cache() -> None:
    with _lock:
        _cache.clear()


def structure_key(graph: GraphOut, variant: str, focus: str | None) -> str:
    """A digest of what a drawing depends on: nodes (id, label), edges, the variant and the focus."""
    digest = hashlib.sha256(f"{variant}\x1f{focus}".encode())
    for node in graph.nodes:
        digest.update(f"\x1e{node.id}\x1f{node.label}".encode())
    for edge in graph.edges:
        digest.update(f"\x1d{edge.source}\x1f{edge.type}\x1f{edge.target}".encode())
    return digest.hexdigest()


def _undirected(graph: GraphOut) -> nx.Graph:
    simple = nx.Graph()
    simple.add_nodes_from(n.id for n in graph.nodes)
    simple.add_edges_from((e.source, e.target) for e in graph.edges if e.source != e.target)
    return simple


def layered(graph: GraphOut) -> Positions:
    """Hierarchical layout: a band per label rank, ordered within a band by the barycentre of the
    neighbours already placed above it (a one-pass crossing reduction), wide bands folded into rows."""
    simple = _undirected(graph)
    bands: dict[int, list[str]] = defaultdict(list)
    for node in graph.nodes:  # GraphOut nodes come in a deterministic order
        bands[rank(node.label)].append(node.id)
    placed: dict[str, float] = {}
    result: Positions = {}
    y = 0.0
    # A band with few nodes is spread (up to SPREAD gaps apart) towards the width of the widest band, so that
    # the labels of the upper levels do not run into each other when the view is fitted.
    widest = max((min(len(m), MAX_ROW) - 1 for m in bands.values()), default=0) * NODE_GAP
    for band in sorted(bands):
        members = _by_barycentre(bands[band], simple, placed)
        rows = math.ceil(len(members) / MAX_ROW)
        for row in range(rows):
            chunk = members[row::rows] if rows > 1 else members  # interleave so each row spans the band
            stagger = (row % 2) * NODE_GAP / 2 if rows > 1 else 0.0
            gap = max(NODE_GAP, min(SPREAD * NODE_GAP, widest / max(len(chunk) - 1, 1)))
            width = (len(chunk) - 1) * gap
            for i, node_id in enumerate(chunk):
                x = i * gap - width / 2 + stagger
                result[node_id] = (x, y + row * ROW_GAP)
                placed[node_id] = x
        y += LAYER_GAP + (rows - 1) * ROW_GAP
    return result


def _by_barycentre(members: list[str], simple: nx.Graph, placed: dict[str, float]) -> list[str]:
    """``members`` ordered by the mean x of their neighbours already placed (unlinked ones last)."""
    order = {node_id: i for i, node_id in enumerate(members)}

    def key(node_id: str) -> tuple[int, float, int]:
        xs = [placed[n] for n in simple.neighbors(node_id) if n in placed]
        return (0, sum(xs) / len(xs), order[node_id]) if xs else (1, 0.0, order[node_id])

    return sorted(members, key=key)


def spring(graph: GraphOut, focus: str | None) -> Positions:
    """Force-directed layout centred on ``focus``; rings by distance from it for large views."""
    simple = _undirected(graph)
    n = simple.number_of_nodes()
    if n == 0:
        return {}
    if n > SPRING_MAX:
        return rings(simple, focus)
    raw = nx.spring_layout(simple, k=1.6 / math.sqrt(n), seed=7, iterations=120, method="force")
    scale = 90.0 * math.sqrt(n)
    cx, cy = raw.get(focus, (0.0, 0.0))
    return {str(node): (float((x - cx) * scale), float((y - cy) * scale)) for node, (x, y) in raw.items()}


def rings(simple: nx.Graph, focus: str | None) -> Positions:
    """Concentric rings by hop distance from ``focus`` (linear time; for views too big for springs)."""
    nodes = list(simple.nodes)
    start = focus if focus in simple else nodes[0]
    hops: dict[str, int] = nx.single_source_shortest_path_length(simple, start)
    far = max(hops.values(), default=0) + 1
    by_ring: dict[int, list[str]] = defaultdict(list)
    for node in nodes:
        by_ring[hops.get(node, far)].append(node)
    result: Positions = {}
    for ring, members in sorted(by_ring.items()):
        if ring == 0:
            for node in members:
                result[node] = (0.0, 0.0)
            continue
        radius = max(ring * RING_GAP, len(members) * RING_SPACING / (2 * math.pi))
        for i, node in enumerate(sorted(members)):
            angle = 2 * math.pi * i / len(members)
            result[node] = (radius * math.cos(angle), radius * math.sin(angle))
    return result


def bounds(points: Iterable[tuple[float, float]]) -> tuple[float, float, float, float]:
    """min x, min y, max x, max y of some positions (zeros when empty)."""
    pts = list(points)
    if not pts:
        return (0.0, 0.0, 0.0, 0.0)
    xs, ys = [p[0] for p in pts], [p[1] for p in pts]
    return (min(xs), min(ys), max(xs), max(ys))
