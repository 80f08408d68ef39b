"""Result types of the read side: the same pydantic models whichever backend answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

from pydantic import BaseModel, Field

from bpkg.app.store import trusted
from bpkg.graph_schema import RelType

Direction = Literal["out", "in"]
_WAYS: Final[tuple[Direction, ...]] = ("in", "out")
GROUP_KEYS: Final[tuple[tuple[str, Direction], ...]] = tuple(
    (rel_type, direction) for direction in _WAYS for rel_type in sorted(t.value for t in RelType)
)
"""Every group a node's links can fall in, in links order (direction, then type: ``base.links_out``)."""


class NodeData(BaseModel):
    """A node as a backend holds it: label and properties (including id, name, sources, confidence)."""

    id: str
    label: str
    props: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.props.get("name", self.id))


def node_made(node_id: str, label: str, props: dict[str, Any]) -> NodeData:
    """A node from what the loader or the sink checked, without validating it again (``bpkg.app.store.trusted``;
    ``props`` becomes the node's own)."""
    return _NODE({"id": node_id, "label": label, "props": props})


_NODE: Final = trusted.maker(NodeData)


@dataclass(frozen=True, slots=True)
class EdgeData:
    """A relationship as a backend holds it (a slotted dataclass, not a model: the memory store keeps one per
    relationship, and a model with its field set and dict cost twice as much)."""

    source: str
    target: str
    type: str
    props: dict[str, Any]

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.source, self.type, self.target)


class DatasetOut(BaseModel):
    name: str
    version: str
    description: str = ""
    illustrative: str = ""
    loaded_at: str | None = None
    fingerprint: str | None = None
    loading: bool = False
    """A load of this dataset began and did not finish (Neo4j): the graph may hold part of it."""
    serving: str | None = None
    """While a load is under way or unfinished (no ``fingerprint``): the version published before it, whose
    answers derived at load (the headline, coverage, gaps) are still the ones served."""


class NodeRef(BaseModel):
    """Enough to show and link a node."""

    id: str
    label: str
    name: str
    confidence: str | None = None


class SourceOut(BaseModel):
    id: str
    name: str
    url: str | None = None
    citation: str | None = None
    confidence: str | None = None
    kind: str | None = None  # official page, news, third party, document
    where: str | None = None  # where on the page the fact stands (the fact's locator for this source)
    read_on: str | None = None  # when the page was read to check its facts
    checked_on: str | None = None  # when bpkg sources check --write last read the page
    check_status: str | None = None  # what it found: unchanged, changed, gone, unreachable, never checked ...
    to_review: bool = False  # the page was found changed or gone: the facts citing it are to review
    line: str = ""  # "Source: title — where — read on DAY (kind; address)" as pages, briefs and exports print it


class LinkProps(BaseModel):
    """Provenance and qualifiers of one relationship."""

    confidence: str
    sources: list[str]
    strength: str | None = None
    note: str | None = None
    countries: list[str] = Field(default_factory=list)
    role: str | None = None
    kind: str | None = Field(default=None, description="SUCCEEDS: continues, merges or replaces")
    when: str | None = Field(default=None, description="when the link held (EDTF-like, see docs/dataset-format.md)")
    reviewed: str | None = Field(default=None, description="when the link was last reviewed")
    locators: list[str] = Field(
        default_factory=list, description="where on each cited page the link stands: '<source id>: <where>'"
    )


LINK_KEYS: Final = tuple(LinkProps.model_fields)
"""Every qualifier of a relationship that answers and exports show: LinkProps's fields, so none can drift."""


class LinkOut(LinkProps):
    """One relationship seen from a node: its type, direction and the node at the other end."""

    type: str
    direction: Direction
    node: NodeRef


class LinkCount(BaseModel):
    type: str
    direction: Direction
    count: int


class NodeOut(NodeRef):
    properties: dict[str, Any]
    sources: list[SourceOut]
    link_counts: list[LinkCount]


Way = Literal["up", "down"]
"""Which way a trace of depth 1 finds something from a node (``bpkg.app.store.base.ways``)."""


class LinkGroup(BaseModel):
    """One group of a node's links (one type, one direction): how many it has, and one page of them in the
    order of ``links`` (the other node's label, then its id)."""

    type: str
    direction: Direction
    total: int
    offset: int = 0
    links: list[LinkOut]


class LinkGroups(BaseModel):
    """What a node's page reads about its links without reading them all: the node (its ``link_counts`` are the
    groups' totals), per group its total and one page, every link that carries a review date (its page counts
    those to review), and the traces of depth 1 that find something from it."""

    node: NodeOut
    groups: list[LinkGroup]
    reviewed: list[LinkOut]
    traces: list[Way]


class NodePage(BaseModel):
    items: list[NodeRef]
    total: int
    limit: int
    offset: int


class EdgeOut(LinkProps):
    source: str
    target: str
    type: str


class GraphOut(BaseModel):
    """Nodes and edges for visualisation, traces and exports."""

    nodes: list[NodeRef]
    edges: list[EdgeOut]
    truncated: bool = False
    note: str | None = None


class TraceLevel(BaseModel):
    """The nodes of one label that a trace reaches: how many, and the first in node order."""

    label: str
    count: int
    first: list[NodeRef]


class TraceOutline(BaseModel):
    """A trace told in outline, as the trace page shows one that reaches tens of thousands of nodes: every node it
    reaches counted per label (the start left out) with each label's first nodes, and the part of it nearest the
    start as a graph: the nodes reached in the fewest hops (then in node order), the start among them, and the
    trace's links among those (``truncated`` when the trace reaches more). A trace that fits is its whole graph."""

    total: int
    levels: list[TraceLevel]
    graph: GraphOut
