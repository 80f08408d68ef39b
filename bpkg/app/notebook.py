"""Public helpers for notebooks: the graph, ready-made tables and plots, an API to talk to.

Notebooks hold no logic; they call these functions and show the results. Everything here is a thin layer
over the loaders, the store port, the services and the visual layer, so a notebook sees exactly what the
API and the pages see.
"""

from __future__ import annotations

import functools
import io
import os
from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import networkx as nx
from markupsafe import escape

from bpkg.app.services import lookup
from bpkg.app.services import responses as responses_service
from bpkg.app.services.api_types import CoverageRow, MatrixCols
from bpkg.app.services.coverage import CoverageBy, coverage
from bpkg.app.services.matrix import matrix
from bpkg.app.settings import Settings
from bpkg.app.store.base import TRACE_TYPES
from bpkg.app.store.graph_types import GraphOut
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import Response
from bpkg.app.web import layout, network, words
from bpkg.app.web.server import RunningServer, serve_in_background
from bpkg.graph_schema import Label
from bpkg.loaders import build_graph, load_dataset

if TYPE_CHECKING:
    from matplotlib.figure import Figure

NEO4J_FLAG: Final = "BPKG_NOTEBOOK_NEO4J"
DIALOGUE: Final = frozenset(label for label, style in network.LABEL_STYLES.items() if style.side == "dialogue")
OPERATIONS: Final = frozenset(label for label, style in network.LABEL_STYLES.items() if style.side == "operations")


# -- the graph --------------------------------------------------------------------------------------


def load_graph(dataset: str | Path | None = None) -> nx.MultiDiGraph:
    """A dataset (the bundled one by default) as a networkx ``MultiDiGraph``: node attribute ``label``
    and the node's properties; edge key = relationship type, edge attributes = its properties."""
    # Attributes of its own per node and link: an analyst may change the graph in place.
    return build_graph(load_dataset(dataset), shared=False)


def open_store(graph: nx.MultiDiGraph | None = None) -> MemoryStore:
    """The store port over a graph (the bundled dataset by default): the questions the API answers."""
    return MemoryStore(graph if graph is not None else load_graph())


# -- tables -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Table:
    """Rows with named columns; shows as an HTML table in Jupyter and as aligned text elsewhere."""

    columns: list[str]
    rows: list[list[Any]]
    title: str = ""
    notes: list[str] = field(default_factory=list)

    def column(self, name: str) -> list[Any]:
        i = self.columns.index(name)
        return [row[i] for row in self.rows]

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[dict[str, Any]]:
        return (dict(zip(self.columns, row, strict=True)) for row in self.rows)

    def __str__(self) -> str:
        cells = [[str(c) for c in self.columns], *[[_text(v) for v in row] for row in self.rows]]
        widths = [max(len(r[i]) for r in cells) for i in range(len(self.columns))]
        lines = [self.title] if self.title else []
        for n, row in enumerate(cells):
            lines.append("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)).rstrip())
            if n == 0:
                lines.append("  ".join("-" * w for w in widths))
        return "\n".join([*lines, *self.notes])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{escape(c)}</th>" for c in self.columns)
        body = "".join("<tr>" + "".join(f"<td>{escape(_text(v))}</td>" for v in row) + "</tr>" for row in self.rows)
        caption = f"<caption>{escape(self.title)}</caption>" if self.title else ""
        notes = "".join(f"<p><em>{escape(n)}</em></p>" for n in self.notes)
        return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{notes}"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.3f}"
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def _notice(store: GraphStore) -> list[str]:
    info = store.dataset_info()
    return [f"Illustrative: {info.illustrative}"] if info and info.illustrative else []


def responders(store: GraphStore, action_point: int, include_goal_level: bool = False) -> Table:
    """Which activities, components and projects respond to action point ``action_point``."""
    detail = responses_service.find(store, action_point, include_goal_level)
    rows = [
        [
            r.responder.name,
            r.responder.label,
            r.level,
            r.strength,
            r.confidence,
            [p.name for p in r.projects],
            [c.name for c in r.countries],
        ]
        for r in detail.responses
    ]
    columns = ["responder", "label", "level", "strength", "confidence", "projects", "countries"]
    return Table(columns, rows, title=f"Responses to {detail.action_point.name}", notes=_notice(store))


def coverage_table(store: GraphStore, by: CoverageBy) -> Table:
    """Coverage of the action points by goal, component, project, country or GCM objective (the coverage service)."""
    out = coverage(store, by)
    # Countries: only those where some response takes place (most participating states have none).
    shown = [row for row in out.rows if by != "country" or row.responses > 0]
    rows: list[list[Any]] = [
        [_row_name(row), row.covered, row.action_points, row.share_covered, row.responses] for row in shown
    ]
    notes = [out.status_rule, *_notice(store)]
    columns = [by, "covered", "action_points", "share_covered", "responses"]
    title = (
        f"Coverage by {by}: {out.summary.covered} of {out.summary.action_points} action points responded to directly"
    )
    return Table(columns, rows, title=title, notes=notes)


def _row_name(row: CoverageRow) -> str:
    if row.objective is not None:
        return f"{row.objective.notation}: {row.objective.name}"
    return row.node.name if row.node else "(no goal)"


@dataclass(frozen=True)
class Grid:
    """Counts on a grid: ``values[i][j]`` for row ``rows[i]`` and column ``cols[j]``."""

    rows: list[str]
    cols: list[str]
    values: list[list[int]]
    title: str


def goal_grid(store: GraphStore, cols: MatrixCols = "component") -> Grid:
    """For each priority goal (rows) and component, project or country (columns): how many of the goal's
    action points that column responds to (from the traceability matrix service)."""
    m = matrix(store, cols)
    goals: dict[str, str] = {}
    counts: dict[str, Counter[int]] = defaultdict(Counter)
    for row in m.rows:
        goal = row.goal.name if row.goal else "(no goal)"
        goals.setdefault(row.goal.id if row.goal else "", goal)
        for j, cell in enumerate(row.cells):
            if cell is not None:
                counts[goal][j] += 1
    used = [j for j in range(len(m.columns)) if any(counts[g][j] for g in goals.values())]
    names = list(goals.values())
    return Grid(
        rows=names,
        cols=[m.columns[j].name for j in used],
        values=[[counts[g][j] for j in used] for g in names],
        title=f"Action points responded to, per goal and {cols}",
    )


@functools.cache
def _figure_class() -> type[Figure]:
    try:
        from matplotlib.figure import Figure
    except ModuleNotFoundError as exc:
        raise ModuleNotFoundError('plots need matplotlib: pip install "bpkg[notebook]"') from exc

    class NotebookFigure(Figure):
        """A matplotlib figure that Jupyter shows as a PNG without pyplot (and its global state)."""

        def _repr_png_(self) -> bytes:
            buffer = io.BytesIO()
            self.savefig(buffer, format="png", dpi=100)
            return buffer.getvalue()

    return NotebookFigure


def figure(size: tuple[float, float]) -> Figure:
    """A new figure of ``size`` inches, shown as a PNG by Jupyter."""
    return _figure_class()(figsize=size, layout="constrained")


def heatmap(grid: Grid, wrap: int = 40) -> Figure:
    """A matplotlib heatmap of a ``Grid`` with the counts written in the cells."""
    import textwrap

    # Wide enough for the row labels, the cells and the colour bar, so that the title is never clipped.
    label_inches = 0.075 * min(wrap, max((len(r) for r in grid.rows), default=0))
    fig = figure((max(6.0, 1.6 + label_inches + 0.9 * len(grid.cols)), 2.0 + 0.6 * len(grid.rows)))
    ax = fig.subplots()
    image = ax.imshow(grid.values, cmap="Blues", aspect="auto", vmin=0)
    ax.set_xticks(range(len(grid.cols)), [textwrap.shorten(c, wrap) for c in grid.cols], rotation=35, ha="right")
    ax.set_yticks(range(len(grid.rows)), [textwrap.shorten(r, wrap) for r in grid.rows])
    top = max((v for row in grid.values for v in row), default=0)
    for i, row in enumerate(grid.values):
        for j, value in enumerate(row):
            ax.text(j, i, str(value), ha="center", va="center", color="white" if value > top / 2 else "black")
    fig.suptitle("\n".join(textwrap.wrap(grid.title, 60)), fontsize=10)  # over the whole figure, not one axis
    fig.colorbar(image, ax=ax, label="action points")
    return fig


# -- network analysis ---------------------------------------------------------------------------------


def linked_graph(graph: nx.MultiDiGraph, types: Sequence[str] | None = None) -> nx.Graph:
    """The graph as a simple undirected graph without provenance nodes (sources are not linked facts),
    keeping only relationships of ``types`` when given."""
    simple = nx.Graph()
    simple.add_nodes_from((n, a) for n, a in graph.nodes(data=True) if a.get("label") != Label.SOURCE)
    simple.add_edges_from(
        (u, v)
        for u, v, rel in graph.edges(keys=True)
        if u in simple and v in simple and u != v and (types is None or rel in types)
    )
    return simple


def centrality(graph: nx.MultiDiGraph, top: int = 15) -> Table:
    """The most central nodes: degree and betweenness on the linked graph."""
    simple = linked_graph(graph)
    degree = nx.degree_centrality(simple)
    between = nx.betweenness_centrality(simple, seed=7)
    ranked = sorted(simple.nodes, key=lambda n: (-between[n], -degree[n], n))[:top]
    rows = [[n, simple.nodes[n]["label"], simple.nodes[n].get("name", n), simple.degree(n), between[n]] for n in ranked]
    return Table(["id", "label", "name", "degree", "betweenness"], rows, title=f"Top {top} by betweenness")


def bridges(graph: nx.MultiDiGraph, top: int = 15) -> Table:
    """What carries the paths between the dialogue (declarations, goals, action points, events) and the
    operations (projects, components, activities, outputs): betweenness restricted to those paths, over
    the traceability relationships only (membership, regions and funding left out)."""
    simple = linked_graph(graph, TRACE_TYPES)
    dialogue = [n for n, a in simple.nodes(data=True) if a["label"] in DIALOGUE]
    operations = [n for n, a in simple.nodes(data=True) if a["label"] in OPERATIONS]
    score = nx.betweenness_centrality_subset(simple, sources=dialogue, targets=operations, normalized=True)
    ranked = sorted((n for n in simple.nodes if score[n] > 0), key=lambda n: (-score[n], n))[:top]
    rows = [[n, simple.nodes[n]["label"], simple.nodes[n].get("name", n), score[n]] for n in ranked]
    return Table(["id", "label", "name", "bridge_score"], rows, title="Nodes on the paths from dialogue to operations")


def crossing_links(graph: nx.MultiDiGraph) -> Table:
    """The relationships that join the dialogue side and the operations side, counted by type and confidence."""
    counts: Counter[tuple[str, str, str, str]] = Counter()
    for u, v, rel, attrs in graph.edges(keys=True, data=True):
        a, b = graph.nodes[u]["label"], graph.nodes[v]["label"]
        if {a in DIALOGUE, b in DIALOGUE} == {True, False} and (a in OPERATIONS or b in OPERATIONS):
            counts[(a, rel, b, str(attrs.get("confidence")))] += 1
    rows = [[*key, n] for key, n in sorted(counts.items(), key=lambda item: (-item[1], item[0]))]
    return Table(["from", "type", "to", "confidence", "links"], rows, title="Links between dialogue and operations")


def draw(view: GraphOut, focus: str | None = None, hierarchical: bool = False, size: float = 9.0) -> Figure:
    """A static drawing of a view (a neighbourhood, a trace) with the pages' colours and layouts."""
    where = layout.positions(view, "layers" if hierarchical else "spring", focus)
    fig = figure((size, size * 0.7))
    ax = fig.subplots()
    ax.set_axis_off()
    for edge in view.edges:
        (x1, y1), (x2, y2) = where[edge.source], where[edge.target]
        dashed = edge.confidence == "illustrative"
        ax.plot([x1, x2], [-y1, -y2], color="#d9730d" if edge.type == "RESPONDS_TO" else "#9aa5b1",
                linestyle="--" if dashed else "-", linewidth=0.8, zorder=1)  # fmt: skip
    counts = Counter(node.label for node in view.nodes)
    for node in view.nodes:
        style = network.style_of(node.label)
        x, y = where[node.id]
        ax.scatter([x], [-y], s=160 if node.id == focus else 60, color=style.colour, zorder=2)
        ax.annotate(network.short_label(node.name), (x, -y), fontsize=6, ha="center", va="top",
                    xytext=(0, -6), textcoords="offset points")  # fmt: skip
    ax.margins(0.08)
    # The legend sits below the drawing (never over a node), one same-sized marker per kind, in words.
    from matplotlib.lines import Line2D

    handles = [
        Line2D([], [], marker="o", linestyle="", markersize=7, color=network.style_of(label).colour, label=name)
        for label, name in ((lb, f"{words.label(lb, counts[lb])} ({counts[lb]})") for lb in Label)
        if counts[label]
    ]
    handles.append(Line2D([], [], color="#d9730d", linestyle="--", label="illustrative link (dashed)"))
    fig.legend(handles=handles, loc="outside lower center", ncols=min(4, len(handles)), fontsize=7, frameon=False)
    return fig


# -- an API to talk to ------------------------------------------------------------------------------------


class ApiServer:
    """The API (and pages) served on 127.0.0.1 from this process; ``stop()`` ends it."""

    def __init__(self, store: GraphStore | None = None) -> None:
        from bpkg.app.api.main import create_app

        self._stack = ExitStack()
        app = create_app(Settings(backend="memory", api_keys=""), store=store or open_store())
        self.running: RunningServer = self._stack.enter_context(serve_in_background(app))
        self.url = self.running.url

    def stop(self) -> None:
        self._stack.close()


def neo4j_store(settings: Settings | None = None) -> GraphStore | None:
    """A store over Neo4j when ``BPKG_NOTEBOOK_NEO4J=1`` (connection from NEO4J_URI / NEO4J_USER /
    NEO4J_PASSWORD / NEO4J_DATABASE); otherwise ``None``, after saying so."""
    if os.environ.get(NEO4J_FLAG) != "1":
        print(
            f"Neo4j part not run: set {NEO4J_FLAG}=1 and NEO4J_URI / NEO4J_PASSWORD to run it against a loaded Neo4j."
        )
        return None
    from bpkg.app.neo4j_driver import open_driver
    from bpkg.app.store.neo4j.store import Neo4jStore

    settings = settings or Settings()
    driver = open_driver(settings)
    print(f"Neo4j at {settings.neo4j_uri}, database {settings.neo4j_database}")
    return Neo4jStore(driver, settings.neo4j_database, timeout=settings.query_timeout)


def _responses(store: GraphStore, action_point_id: str) -> list[Response]:
    found = store.action_point(action_point_id, include_goal_level=True)
    return [*found.responses, *found.goal_responses]


def same_answers(first: GraphStore, second: GraphStore, action_points: Sequence[int]) -> Table:
    """The responders each store gives for some action points, side by side (they must agree)."""
    rows = []
    for number in action_points:
        ap = lookup.action_point(first, number).id
        a = sorted(r.responder.id for r in _responses(first, ap))
        b = sorted(r.responder.id for r in _responses(second, ap))
        rows.append([number, len(a), len(b), a == b])
    columns = ["action_point", first.backend, second.backend, "same"]
    return Table(columns, rows, title="Responders per action point on both backends")
