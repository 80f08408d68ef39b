"""Exports stay well-formed whatever text a graph holds: validation refuses control characters in datasets,
and a graph built another way (a notebook, a future loader) still writes as XML and as a workbook."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET

import networkx as nx
from openpyxl import load_workbook

from bpkg.app.services.graph_files import serialise
from bpkg.app.services.tables import to_csv, to_xlsx

HOSTILE = "bell\a nul\x00 esc\x1b tab\t ok"


def hostile_graph() -> nx.MultiDiGraph:
    graph = nx.MultiDiGraph()
    graph.graph["dataset"] = HOSTILE
    graph.add_node("a\x01", label="Activity", name=HOSTILE, sources=[HOSTILE])
    graph.add_node("b", label="ActionPoint", name="B")
    graph.add_edge("a\x01", "b", key="RESPONDS_TO", type="RESPONDS_TO", note=HOSTILE, confidence="illustrative")
    return graph


def test_graphml_and_gexf_of_control_characters_are_well_formed_xml() -> None:
    for fmt in ("graphml", "gexf"):
        data = serialise(hostile_graph(), fmt)
        ET.fromstring(data)  # raises on anything that is not well-formed XML
        text = data.decode("utf-8")
        assert "bell\ufffd nul\ufffd esc\ufffd" in text and "\x00" not in text


def test_graphml_reads_back_with_networkx() -> None:
    back = nx.read_graphml(io.BytesIO(serialise(hostile_graph(), "graphml")))
    assert back.number_of_nodes() == 2 and back.number_of_edges() == 1


def test_workbooks_and_csv_of_control_characters_write_and_read_back() -> None:
    book = load_workbook(io.BytesIO(to_xlsx("t", ["name"], [[HOSTILE], ["=1+1"]], [("note", HOSTILE)])))
    assert [c.value for c in book["t"]["A"]] == ["name", "bell\ufffd nul\ufffd esc\ufffd tab\t ok", "'=1+1"]
    assert "\x00" not in to_csv(["name"], [[HOSTILE]]).decode("utf-8")
