"""The memory backend's compact layout: values stored once without merging different ones, and the structures
that read the graph's adjacency (the responses' adjacency, the trace's up moves, the links of a node) giving what
a copy of every link gave."""

from __future__ import annotations

from typing import Any

from bpkg.app.store.base import TRACE_TYPES
from bpkg.app.store.graph_types import EdgeData
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.response_builder import EdgeIndex
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import parse_as_of
from bpkg.loaders import build_graph
from bpkg.loaders.batch import DatasetInfo, GraphBatch, Node, Rel
from bpkg.loaders.memory import SharedValues

HUB = 40
"""Activities responding to ap-1 and part of component-c: more than a node's few neighbours read in full."""


def _props(**extra: Any) -> dict[str, Any]:
    # A new list and new strings per row, as a file reader makes them.
    return {"sources": ["source-" + "a"], "confidence": "".join(["illus", "trative"]), **extra}


def _batch() -> GraphBatch:
    nodes = [
        Node(Label.SOURCE, "source-a", _props(name="Source A")),
        Node(Label.PRIORITY_GOAL, "pg-1", _props(name="Goal", number=1)),
        Node(Label.ACTION_POINT, "ap-1", _props(name="AP 1", number=1)),
        Node(Label.ACTION_POINT, "ap-2", _props(name="AP 2", number=2, when="2021/..")),
        Node(Label.PROJECT, "project-p", _props(name="Project")),
        Node(Label.COMPONENT, "component-c", _props(name="Component")),
        Node(Label.COUNTRY, "country-pak", _props(name="Pakistan")),
        *(Node(Label.ACTIVITY, f"activity-{i:02}", _props(name=f"Activity {i}", number="1")) for i in range(HUB)),
    ]
    rels = [
        Rel(RelType.UNDER, "ap-1", "pg-1", _props()),
        Rel(RelType.UNDER, "ap-2", "pg-1", _props()),
        Rel(RelType.SUCCEEDS, "ap-2", "ap-1", _props(kind="continues")),
        Rel(RelType.HAS_COMPONENT, "project-p", "component-c", _props()),
        Rel(RelType.RESPONDS_TO, "component-c", "pg-1", _props(strength="partial")),
        Rel(RelType.ACTIVE_IN, "component-c", "country-pak", _props()),
    ]
    for i in range(HUB):
        activity = f"activity-{i:02}"
        rels += [
            Rel(RelType.RESPONDS_TO, activity, "ap-1", _props(strength="direct", when="2020/2020" if i % 2 else None)),
            Rel(RelType.PART_OF, activity, "component-c", _props()),
            Rel(RelType.IN_COUNTRY, activity, "country-pak", _props(countries=["country-pak"])),
        ]
        if i % 3 == 0:  # a second type between the same two nodes
            rels.append(Rel(RelType.INFORMS, activity, "ap-1", _props()))
    rels = [Rel(r.type, r.source, r.target, {k: v for k, v in r.props.items() if v is not None}) for r in rels]
    return GraphBatch(DatasetInfo("layout", "1"), nodes, rels)


def test_equal_values_are_stored_once_and_different_ones_stay_apart() -> None:
    shared = SharedValues()
    one = shared.props({"a": "".join(["x", "y"]), "b": ["s", "t"], "n": 1, "d": "1"})
    two = shared.props({"a": "".join(["x", "y"]), "b": ["s", "t"], "n": "1", "d": 1, "c": ("s", "t")})
    assert one["a"] is two["a"] and one["b"] is two["b"]
    assert one["n"] == 1 and two["n"] == "1" and one["d"] == "1" and two["d"] == 1
    assert two["c"] == ("s", "t") and isinstance(two["c"], tuple)
    assert shared.value(["s"]) == ["s"] and shared.value(["s"]) is not one["b"]
    assert shared.value([1, "s"]) == [1, "s"]  # not only strings: left as it is
    assert shared.value([True]) == [True] and shared.value([1]) == [1]


def test_the_graph_holds_the_batch_with_repeated_values_once() -> None:
    batch = _batch()
    graph = build_graph(batch)
    for node in batch.nodes:
        assert graph.nodes[node.id] == {"label": node.label.value, **node.props}
    for rel in batch.rels:
        assert graph.edges[rel.source, rel.target, rel.type.value] == {"type": rel.type.value, **rel.props}
    sources = [attrs["sources"] for *_, attrs in graph.edges(keys=True, data=True)]
    assert all(s is sources[0] for s in sources)
    # A link's ends are the node's own id, not a copy per row.
    assert all(next(n for n in graph.nodes if n == s) is s for s, _ in graph.edges())


def test_the_responses_adjacency_gives_what_an_index_of_every_link_gives() -> None:
    graph = build_graph(_batch())
    store = MemoryStore(graph)
    edges = [EdgeData(s, t, k, props) for s, t, k, props in graph.edges(keys=True, data=True)]
    reference = EdgeIndex.of(sorted(edges, key=lambda e: e.key), store._nodes)
    for node in graph.nodes:
        for rel_type in (t.value for t in RelType):
            for asked in range(2):  # a hub's grouping is made by the first look-up and read by the second
                found, expected = store._index.out_of(node, rel_type), reference.out_of(node, rel_type)
                assert list(found) == list(expected), asked
                assert list(store._index.into(node, rel_type)) == list(reference.into(node, rel_type)), asked
    assert len(store._index.into("ap-1", "RESPONDS_TO")) == HUB


def test_a_node_s_links_and_dated_links_as_of_a_day() -> None:
    store = MemoryStore(build_graph(_batch()))
    links = store.links("ap-1")
    assert sum(1 for link in links if link.type == "RESPONDS_TO") == HUB
    assert sum(1 for link in links if link.type == "INFORMS") == len(range(0, HUB, 3))
    counts = store.node("activity-00").link_counts
    assert {(c.type, c.direction, c.count) for c in counts} == {
        (t, "out", 1) for t in ("RESPONDS_TO", "PART_OF", "IN_COUNTRY", "INFORMS")
    }
    # Half the responses are dated 2020: as of 2019 they do not count; ap-2 (from 2021) neither.
    in_2019 = store.links("ap-1", parse_as_of("2019"))
    assert sum(1 for link in in_2019 if link.type == "RESPONDS_TO") == HUB // 2
    assert all(link.node.id != "ap-2" for link in in_2019)
    assert any(link.node.id == "ap-2" for link in store.links("ap-1", parse_as_of("2022")))


def test_traces_move_up_down_and_sideways_along_the_graph_s_links() -> None:
    store = MemoryStore(build_graph(_batch()))
    up = store.trace("activity-01", "up", 2, None)
    # Two moves up: ap-1 and its component, then the goal, the project, and ap-2 beside ap-1 (one rank: SUCCEEDS
    # moves a trace sideways, either way).
    assert {n.id for n in up.nodes} == {"activity-01", "ap-1", "ap-2", "component-c", "pg-1", "project-p"}
    assert {(e.source, e.type, e.target) for e in up.edges} >= {
        ("activity-01", "RESPONDS_TO", "ap-1"),
        ("activity-01", "PART_OF", "component-c"),
        ("ap-1", "UNDER", "pg-1"),
        ("project-p", "HAS_COMPONENT", "component-c"),
    }
    sideways = store.trace("ap-1", "up", 1, ["SUCCEEDS"])
    assert [e.type for e in sideways.edges] == ["SUCCEEDS"] and {n.id for n in sideways.nodes} == {"ap-1", "ap-2"}
    # As of 2019 the dated half of the responses (and ap-2) did not exist yet.
    down = store.trace("ap-1", "down", 1, ["RESPONDS_TO"], parse_as_of("2019"))
    assert len([e for e in down.edges if e.type == "RESPONDS_TO"]) == HUB // 2
    assert len(store.trace("ap-1", "down", 1, ["RESPONDS_TO"]).edges) == HUB
    assert store.trace("ap-1", "up", 1, ["SUCCEEDS"], parse_as_of("2019")).edges == []


def test_a_default_trace_walks_only_the_moves_its_types_make_and_other_types_are_followed_when_asked() -> None:
    # The up moves a default trace walks unfiltered are those its types make: an organisation that only FUNDS the
    # project is not reached; asked for FUNDS (alone, beside default types, or beside SUCCEEDS) it is, through the
    # moves of every type.
    batch = _batch()
    funder = Node(Label.ORGANISATION, "org-eu", _props(name="EU"))
    batch = GraphBatch(
        batch.info, [*batch.nodes, funder], [*batch.rels, Rel(RelType.FUNDS, "org-eu", "project-p", _props())]
    )
    store = MemoryStore(build_graph(batch))
    assert "org-eu" not in {n.id for n in store.trace("project-p", "both", 3, None).nodes}
    mixed = store.trace("project-p", "down", 1, ["HAS_COMPONENT", "FUNDS"])
    assert {(e.source, e.type, e.target) for e in mixed.edges} == {
        ("project-p", "HAS_COMPONENT", "component-c"),
        ("org-eu", "FUNDS", "project-p"),
    }
    sideways = store.trace("ap-1", "up", 1, ["SUCCEEDS", "FUNDS"])
    assert {n.id for n in sideways.nodes} == {"ap-1", "ap-2"}


def test_a_default_trace_gives_what_the_filtered_walk_over_every_type_s_moves_gives() -> None:
    # With no link of a type outside the default ones, asking for one more type walks the moves of every type
    # through the filter (the way other types and days go): the same answer as the default trace, which walks its
    # own moves with no filter, from every node, each way, at every depth.
    store = MemoryStore(build_graph(_batch()))
    every = [*TRACE_TYPES, RelType.FUNDS.value]
    for node in store.nodes(None, None, 1000, 0).items:
        for direction in ("up", "down", "both"):
            for depth in (1, 2, 3):
                plain = store.trace(node.id, direction, depth, None)
                assert plain == store.trace(node.id, direction, depth, every), (node.id, direction, depth)


def test_paths_read_the_links_of_each_step_from_the_pair() -> None:
    store = MemoryStore(build_graph(_batch()))
    [path] = store.paths("activity-03", "ap-1", 2, 5)
    assert [r.type for r in path.steps[0].relationships] == ["INFORMS", "RESPONDS_TO"]
    assert store._degree("ap-1") == len(store.links("ap-1"))


def test_links_with_the_same_properties_share_one_dict_and_others_keep_their_own() -> None:
    shared = SharedValues()
    one = shared.attributes(shared.props({"type": "A", "sources": ["s"], "n": 1}))
    assert shared.attributes(shared.props({"type": "A", "sources": ["s"], "n": 1})) is one
    for other in (
        {"type": "B", "sources": ["s"], "n": 1},
        {"type": "A", "sources": ["t"], "n": 1},
        {"type": "A", "sources": ["s"], "n": "1"},
        {"type": "A", "sources": ["s"], "n": True},
        {"type": "A", "sources": ["s"], "n": 1.0},
        {"type": "A", "n": 1, "sources": ["s"]},  # another order of keys: kept apart, its order kept
    ):
        found = shared.attributes(shared.props(other))
        assert found is not one and found == other and list(found) == list(other)
    mixed = shared.props({"type": "A", "sources": [1, "s"]})
    assert shared.attributes(mixed) is mixed
    assert shared.attributes(shared.props({"type": "A", "sources": [1, "s"]})) is not mixed
    unhashable = {"type": "A", "extra": ({"a": 1},)}
    assert shared.attributes(unhashable) is unhashable


def test_the_graph_shares_the_dicts_of_equal_links() -> None:
    graph = build_graph(_batch())
    part_of = [attrs for _, _, k, attrs in graph.edges(keys=True, data=True) if k == "PART_OF"]
    assert len(part_of) == HUB and all(a is part_of[0] for a in part_of)
    dated = {id(a) for s, _, k, a in graph.edges(keys=True, data=True) if k == "RESPONDS_TO" and s != "component-c"}
    assert len(dated) == 2  # dated 2020 or not
    # The successors and the predecessors read the same dict.
    assert graph.succ["activity-00"]["component-c"]["PART_OF"] is graph.pred["component-c"]["activity-00"]["PART_OF"]


def test_a_graph_for_analysts_has_attributes_of_its_own_and_the_same_content() -> None:
    own, shared = build_graph(_batch(), shared=False), build_graph(_batch())
    assert dict(own.nodes(data=True)) == dict(shared.nodes(data=True))
    assert sorted(own.edges(keys=True, data=True), key=str) == sorted(shared.edges(keys=True, data=True), key=str)
    # Changing one link or one node in place changes nothing else (a notebook may do it).
    own.edges["activity-00", "component-c", "PART_OF"]["sources"].append("mine")
    own.nodes["activity-00"]["sources"].append("mine")
    assert own.edges["activity-01", "component-c", "PART_OF"]["sources"] == ["source-a"]
    assert own.nodes["activity-01"]["sources"] == ["source-a"]
