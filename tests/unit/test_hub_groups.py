"""A hub's groups of links on Neo4j are counted and paged per relationship type written out in the query (a dynamic
type expands every relationship of the node in Neo4j 5.26): every schema type must be there, both ways, or a
hub's links of a new type would go uncounted. And the labels the schema allows at the far end of a group, which
decide a hub's trace buttons without reading its links."""

from __future__ import annotations

import re

from bpkg.app.store.base import far_labels
from bpkg.app.store.neo4j import queries
from bpkg.graph_schema import Label, RelType


def _counted(text: str) -> set[tuple[str, str]]:
    counted = re.findall(r"\['(\w+)', '(out|in)', COUNT \{ \(n\)(-\[:(\w+)\]->|<-\[:(\w+)\]-)\(\) \}\]", text)
    return {(t, d) for t, d, arrow, a, b in counted if t == (a or b) and arrow.startswith("-" if d == "out" else "<")}


def test_a_nodes_links_are_counted_for_every_type_both_ways() -> None:
    # The node's own counts (``GraphStore.node``): the same written-out list, so a new type is counted there too.
    assert _counted(queries.NODE_COUNTED) == {(t.value, d) for t in RelType for d in ("out", "in")}
    assert "MATCH (n)-[r" not in queries.NODE_COUNTED, "the counts read no relationship"


def test_every_type_is_counted_and_paged_both_ways() -> None:
    text = queries.NODE_LINK_GROUPS
    assert _counted(text) == {(t.value, d) for t in RelType for d in ("out", "in")}
    paged = set(re.findall(r"WHERE g = \['(\w+)', '(out|in)'\] MATCH \(n\)(-\[r:(\w+)\]->|<-\[r:(\w+)\]-)", text))
    found = {(t, d) for t, d, arrow, a, b in paged if t == (a or b) and arrow.startswith("-" if d == "out" else "<")}
    assert found == {(t.value, d) for t in RelType for d in ("out", "in")}


def test_the_groups_that_grow_with_the_ground_are_paged_last() -> None:
    # A row goes through every union after its branch: the groups a hub can have without bound come last.
    text = queries.NODE_LINK_GROUPS
    branches = re.findall(r"WHERE g = \['(\w+)', '(out|in)'\] MATCH", text)
    assert tuple(branches[-len(queries.HUB_GROUPS_LAST) :]) == queries.HUB_GROUPS_LAST
    assert branches[-1] == ("RESPONDS_TO", "in")


def test_far_labels_follow_the_schema() -> None:
    assert far_labels(Label.ACTION_POINT, RelType.RESPONDS_TO, "in") == ["Project", "Component", "Activity", "Output"]
    assert far_labels(Label.ACTION_POINT, RelType.UNDER, "out") == ["PriorityGoal"]
    assert far_labels(Label.ACTIVITY, RelType.INFORMS, "out") == ["PriorityGoal", "ActionPoint", "Event"]
    assert far_labels(Label.ACTION_POINT, RelType.UNDER, "in") == []
