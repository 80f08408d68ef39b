"""Finding nodes the way people name them (action point numbers, ISO3 codes) and shared small helpers."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Final, TypeVar

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.search_words import words
from bpkg.app.store.base import conventional_id, pick_numbered
from bpkg.app.store.graph_types import NodeData, NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Label, Strength

# Strongest / most certain first: used to pick "the best" strength and "the weakest" confidence of a cell.
STRENGTH_ORDER: Final[dict[str, int]] = {s.value: i for i, s in enumerate(Strength)}
DEFAULT_NOTICE: Final = "Some links in this answer are illustrative: made up to exercise the tool, not facts."
_ISO3: Final = re.compile(r"^[A-Za-z]{3}$")
T = TypeVar("T")
MAX_CHOICES: Final = 8
"""How many matches a form lists when a typed name could mean several nodes."""


def to_ref(node: NodeData) -> NodeRef:
    return NodeRef(id=node.id, label=node.label, name=node.name, confidence=node.props.get("confidence"))


def strongest(strengths: Iterable[str]) -> str | None:
    return min(strengths, key=lambda s: STRENGTH_ORDER.get(s, 99), default=None)


def notice(store: GraphStore, illustrative: bool) -> str | None:
    """The dataset's illustrative notice when an answer holds an illustrative link, else ``None``."""
    if not illustrative:
        return None
    info = store.dataset_info()
    return (info.illustrative if info and info.illustrative else None) or DEFAULT_NOTICE


def nodes_of(store: GraphStore, label: Label, limit: int = 100_000) -> list[NodeRef]:
    """Every node of ``label`` (in the store's deterministic order), without reading any edges."""
    return store.nodes(label.value, None, limit, 0).items


def numbered(
    store: GraphStore, label: Label, number: int, read: Callable[[str], T], number_of: Callable[[T], object]
) -> T:
    """What ``read`` gives for the node of ``label`` with this ``number``: ids are ``prefix-N`` by convention
    (``ap-17``, ``pg-4``), so that id is read first; when it is not that node, the nodes of ``label`` are looked
    through for the number. The one lookup of a numbered node (a node, or an action point with its responses)."""
    try:
        found = read(conventional_id(label, number))
        if number_of(found) == number:
            return found
    except (NotFound, InvalidQuery):
        pass
    nodes = store.nodes_by_id([ref.id for ref in nodes_of(store, label)])
    picked = pick_numbered(nodes.values(), label, number)
    if picked is None:
        raise NotFound(f"no {label} number {number}")
    return read(picked.id)


def _numbered(store: GraphStore, label: Label, number: int) -> NodeData:
    return numbered(
        store,
        label,
        number,
        store.node_data,
        lambda node: node.props.get("number") if node.label == label else None,
    )


def action_point(store: GraphStore, number: int) -> NodeData:
    """The action point with this number."""
    return _numbered(store, Label.ACTION_POINT, number)


def goal(store: GraphStore, number: int) -> NodeData:
    """The priority goal with this number."""
    return _numbered(store, Label.PRIORITY_GOAL, number)


def country(store: GraphStore, code: str) -> NodeData:
    """A country from its ISO 3166 alpha-3 code (any case) or its node id."""
    if _ISO3.match(code):
        iso3 = code.upper()
        found = _country_by_iso3(store, [f"country-{code.lower()}"], iso3)
        if found is None:  # ids are ``country-xxx`` by convention; fall back to a search otherwise
            hits = [h.node.id for h in store.search(code, limit=20) if h.node.label == Label.COUNTRY]
            found = _country_by_iso3(store, hits, iso3)
        if found is not None:
            return found
    return of_label(store, code, Label.COUNTRY, what="country with ISO3 code or id")


def of_label(store: GraphStore, node_id: str, label: Label, what: str | None = None) -> NodeData:
    """The node ``node_id``, which must carry ``label`` (``NotFound`` otherwise)."""
    try:
        node = store.node_data(node_id)
    except NotFound:
        node = None
    if node is None or node.label != label:
        raise NotFound(f"no {what or label} '{node_id}'")
    return node


def _country_by_iso3(store: GraphStore, candidates: list[str], iso3: str) -> NodeData | None:
    for candidate in candidates:
        try:
            node = store.node_data(candidate)
        except NotFound:
            continue
        if node.label == Label.COUNTRY and node.props.get("iso3") == iso3:
            return node
    return None


def named(store: GraphStore, text: str) -> list[NodeRef]:
    """The node a person means by ``text`` (one item), or the nodes it could mean (several: ask which), or none.

    An id is that node. Otherwise the one node whose name or other name (``aliases``) is the text, word for word;
    when several are (EU: the Union and its member states), all of them; when none is, the best search match
    if it clearly leads (twice the score of the next), else the best few, so that a form never silently picks
    one of several equally likely nodes. Sources are not places a way can start or end.
    """
    text = text.strip()
    if not text:
        return []
    try:
        return [to_ref(store.node_data(text))]
    except NotFound:
        pass
    try:
        hits = [h for h in store.search(text, 50) if h.node.label != Label.SOURCE]
    except InvalidQuery:
        return []
    phrase = words(text)
    exact = [h.node for h in hits if words(h.node.name) == phrase or (h.alias is not None and words(h.alias) == phrase)]
    if exact:
        return exact[:MAX_CHOICES]
    if len(hits) == 1 or (len(hits) > 1 and hits[0].score >= 2 * hits[1].score):
        return [hits[0].node]
    return [h.node for h in hits[:MAX_CHOICES]]
