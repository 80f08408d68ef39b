"""The node page's service: which trace buttons a node gets is read from its links, and must be what the
traces themselves find (today and as of a day), on every backend."""

from __future__ import annotations

from typing import get_args

import pytest

from bpkg.app.services import node_view
from bpkg.app.store.base import groups_of_links
from bpkg.app.store.port import GraphStore, TraceDirection
from bpkg.graph_schema.asof import parse_as_of

WAYS: tuple[TraceDirection, ...] = ("up", "down")


@pytest.mark.parametrize("day", [None, "2016", "2021-06-30"])
def test_trace_buttons_are_what_a_trace_finds(store: GraphStore, day: str | None) -> None:
    as_of = parse_as_of(day) if day else None
    every = store.nodes(None, None, 100_000, 0).items
    assert len(every) > 100
    offered = {}
    for ref in every:
        found = node_view.traces(ref, node_view.links(store, ref.id, as_of))
        finds = [way for way in WAYS if len(store.trace(ref.id, way, 1, None, as_of).nodes) > 1]
        assert found == finds, ref.id
        offered[ref.id] = found
    assert set(WAYS) <= set(get_args(TraceDirection))
    assert any(offered.values()), "some node has a trace to offer"


def test_a_node_view_holds_what_its_page_shows(store: GraphStore) -> None:
    found, today = node_view.link_groups(store, "ap-17", 2)
    seen = node_view.node_view(store, found, depth=1, labels=None, max_nodes=200, responses_shown=3)
    assert seen.answer is not None and seen.answer.number == 17
    assert 0 < len(seen.responses) <= 3
    assert [r.level for r in seen.responses] == sorted(
        (r.level for r in seen.responses), key=lambda lv: lv != "action_point"
    )
    every = store.links("ap-17")
    assert seen.links == groups_of_links(store.node("ap-17"), every, 2)
    assert seen.links_today is None and today is None
    assert {"ap-17"} | {link.node.id for link in every} <= {n.id for n in seen.around.nodes}
    component = node_view.node_view(
        store,
        node_view.link_groups(store, "component-mrc", 2)[0],
        depth=1,
        labels=None,
        max_nodes=200,
        responses_shown=3,
    )
    assert component.answer is None and component.responses == [] and component.traces == ["up", "down"]
