"""The Neo4j trace follows each relationship type only in the direction the schema fixes for it."""

from __future__ import annotations

import re

from bpkg.app.store import base
from bpkg.app.store.graph_types import LINK_KEYS, LinkProps, NodeRef
from bpkg.app.store.neo4j import queries
from bpkg.app.store.neo4j.store import trace_directions
from bpkg.app.store.port import TraceDirection
from bpkg.graph_schema import RelType


def test_up_follows_responses_forward_and_components_backward() -> None:
    forward, backward, sideways = trace_directions("up", base.TRACE_TYPES)
    # An activity moves up along its own RESPONDS_TO and PART_OF links, and from a component to the project
    # that HAS_COMPONENT it: never along a component's incoming PART_OF (the activities under it).
    assert {"RESPONDS_TO", "PART_OF", "UNDER", "MAKES"} <= set(forward)
    assert {"HAS_COMPONENT", "CONTAINS", "SETS", "IN_COUNTRY", "PRODUCED"} <= set(backward)
    assert "PART_OF" not in backward and "RESPONDS_TO" not in backward
    assert sideways == ["SUCCEEDS"]


def test_down_is_up_reversed() -> None:
    up = trace_directions("up", base.TRACE_TYPES)
    down = trace_directions("down", base.TRACE_TYPES)
    assert (down[0], down[1], down[2]) == (up[1], up[0], up[2])


def test_only_the_chosen_types() -> None:
    assert trace_directions("up", ["HAS_COMPONENT"]) == ([], ["HAS_COMPONENT"], [])
    assert trace_directions("down", ["SUCCEEDS", "RESPONDS_TO"]) == ([], ["RESPONDS_TO"], ["SUCCEEDS"])
    assert trace_directions("up", []) == ([], [], [])


def test_the_queries_write_their_layer_once_and_repeat_it_up_to_the_depth() -> None:
    # One layer written once (cheap to plan), repeated by a reduce over range(1, $depth); traversal.check_depth
    # bounds $depth before a query is sent.
    for query in (queries.TRACE_UP, queries.TRACE_DOWN):
        assert query.count("COLLECT {") == 2  # the layer's moves, and its frontier made distinct
        assert query.count("CALL (a)") == 1
        assert "range(1, $depth)" in query
    for query in (queries.TRACE_OUTLINE_UP, queries.TRACE_OUTLINE_DOWN):
        assert query.count("COLLECT {") == 1  # the layer's frontier only, made distinct
        assert query.count("CALL (a)") == 1
        assert "range(1, $depth)" in query


def test_the_queries_spell_out_the_schema_directions() -> None:
    # TRACE_UP (TRACE_DOWN) expands outgoing exactly the types trace_directions derives from the schema as moving
    # the right way along their direction, incoming those moving the right way against it, and the sideways
    # type (SUCCEEDS) both ways: in both expansions, the rank check keeps its moves to a node of the same rank.
    # The outline's walks (TRACE_OUTLINE_UP, _DOWN) spell them out again: the same check holds them to it.
    ways: tuple[tuple[TraceDirection, str], ...] = (
        ("up", queries.TRACE_UP),
        ("down", queries.TRACE_DOWN),
        ("up", queries.TRACE_OUTLINE_UP),
        ("down", queries.TRACE_OUTLINE_DOWN),
    )
    for way, query in ways:
        # Every type of the schema, not only those a trace follows by default: a trace asked for PARTICIPATES_IN
        # must follow it on Neo4j as memory does ($types then keeps the chosen ones).
        forward, backward, sideways = trace_directions(way, [t.value for t in RelType])
        # (A long list of types is broken over two lines.)
        flat = re.sub(r"\|\s+", "|", query)
        outgoing = re.findall(r"MATCH \(a\)-\[r:([A-Z_|]+)\]->\(b:Entity\)", flat)
        incoming = re.findall(r"MATCH \(a\)<-\[r:([A-Z_|]+)\]-\(b:Entity\)", flat)
        either = re.findall(r"MATCH \(a\)-\[r:([A-Z_|]+)\]-\(b:Entity\)", flat)
        assert outgoing == ["|".join(forward + sideways)]
        assert incoming == ["|".join(backward + sideways)]
        assert either == []
        assert sideways == ["SUCCEEDS"]


def test_the_queries_return_what_a_trace_shows_of_each_node_and_link() -> None:
    # A trace sends back each node and link as the row of its answer, with only what the answer reads: a node's
    # NodeRef fields and its number (to sort), every qualifier of a link (LinkProps's fields, so a field added to
    # the answer is read too), in their order.
    for query in (queries.TRACE_UP, queries.TRACE_DOWN):
        flat = re.sub(r"\s+", " ", query)
        nodes = re.findall(r"\| n \{(.*?)\}\] AS nodes", flat)
        links = re.findall(r"\| e \{(.*?)\}\] AS edges", flat)
        keys = r"(?:^|, )\.?(\w+)"  # `.name` or `name: ...`, at the start or after a comma
        assert [re.findall(keys, re.sub(r"\[[^]]*\]|\([^)]*\)", "", found)) for found in nodes] == [
            list(queries.TRACE_NODE_KEYS)
        ]
        link_fields = [re.findall(keys, re.sub(r"\([^)]*\)", "", found)) for found in links]
        assert link_fields == [["source", "type", "target", *LINK_KEYS]]
        # A field missing from a link comes back null: one whose default is a list must come back as an empty
        # list instead (null is no list), the others as they are.
        for name, field in LinkProps.model_fields.items():
            written = f"{name}: coalesce(e.{name}, [])" if field.default_factory is list else f".{name}"
            assert written in links[0], name
        assert set(queries.TRACE_NODE_KEYS) - {"number"} == set(NodeRef.model_fields)
        assert "properties(" not in query
