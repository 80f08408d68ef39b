"""Row hashing without a JSON encoder: equal rows hash alike whatever their keys' order, different rows differ."""

from __future__ import annotations

import dataclasses
import datetime as dt

from bpkg.graph_schema import Label, RelType
from bpkg.loaders import GraphBatch, Node, Rel
from bpkg.loaders.batch import DatasetInfo, RowHashes, canonical, row_hash


def test_key_order_does_not_matter() -> None:
    assert canonical({"a": 1, "b": ["x", "y"]}) == canonical({"b": ["x", "y"], "a": 1})
    nested_one = {"m": {"p": 1, "q": {"r", "s"}}, "d": dt.date(2020, 1, 2)}
    nested_two = {"d": dt.date(2020, 1, 2), "m": {"q": {"s", "r"}, "p": 1}}
    assert canonical(nested_one) == canonical(nested_two)
    assert row_hash({"a": 1, "b": 2}, "Project") == row_hash({"b": 2, "a": 1}, "Project")


def test_different_rows_differ() -> None:
    assert canonical({"a": 1}) != canonical({"a": "1"})
    assert canonical({"a": ["x,y"]}) != canonical({"a": ["x", "y"]})
    assert canonical({"a": None}) != canonical({"a": "None"})
    assert canonical({"m": {"p": 1}}) != canonical({"m": {"p": 2}})
    assert row_hash({"a": 1}, "Project") != row_hash({"a": 1}, "Component")
    assert row_hash({"a": 1}) != row_hash({"a": 2})


def test_fingerprint_ignores_row_order_and_sees_every_change() -> None:
    info = DatasetInfo(name="t", version="1")
    a = Node(Label.PROJECT, "p1", {"name": "A", "sources": ["s1"]})
    b = Node(Label.COMPONENT, "c1", {"name": "B"})
    link = Rel(RelType.HAS_COMPONENT, "p1", "c1", {"confidence": "stated", "sources": ["s1"]})
    one = GraphBatch(info, [a, b], [link])
    assert one.fingerprint() == GraphBatch(info, [b, a], [link]).fingerprint()
    changed = Rel(RelType.HAS_COMPONENT, "p1", "c1", {"confidence": "inferred", "sources": ["s1"]})
    assert one.fingerprint() != GraphBatch(info, [a, b], [changed]).fingerprint()
    renamed = Node(Label.PROJECT, "p1", {"name": "A2", "sources": ["s1"]})
    assert one.fingerprint() != GraphBatch(info, [renamed, b], [link]).fingerprint()


def test_the_fingerprint_is_made_from_the_rows_hashes_computed_once() -> None:
    info = DatasetInfo(name="t", version="1")
    a = Node(Label.PROJECT, "p1", {"name": "A", "sources": ["s1"]})
    b = Node(Label.COMPONENT, "c1", {"name": "B"})
    link = Rel(RelType.HAS_COMPONENT, "p1", "c1", {"confidence": "stated", "sources": ["s1"]})
    batch = GraphBatch(info, [a, b], [link])
    hashes = batch.row_hashes()
    assert hashes.nodes == {"p1": row_hash(a.props, "Project"), "c1": row_hash(b.props, "Component")}
    assert hashes.rels == {("p1", "HAS_COMPONENT", "c1"): row_hash(link.props)}
    assert batch.fingerprint() == hashes.fingerprint(info)
    # What the dataset says of itself is part of its fingerprint, not of its rows'.
    for said in ({"version": "2"}, {"description": "d"}, {"illustrative": "sample links"}, {"name": "u"}):
        other = dataclasses.replace(batch, info=dataclasses.replace(info, **said))
        assert other.row_hashes() == hashes and other.fingerprint() != batch.fingerprint(), said
    # The same hashes under other ids or keys are another dataset.
    moved = RowHashes({"p2": hashes.nodes["p1"], "c1": hashes.nodes["c1"]}, hashes.rels)
    assert moved.fingerprint() != hashes.fingerprint()
    turned = RowHashes(hashes.nodes, {("c1", "HAS_COMPONENT", "p1"): row_hash(link.props)})
    assert turned.fingerprint() != hashes.fingerprint()
    # A batch with one row more is another dataset.
    assert RowHashes({}, {}).fingerprint() != RowHashes({"x": "0"}, {}).fingerprint()
