"""The network renderer: pyvis output made offline and safe, styles, caps, and server-side layouts."""

from __future__ import annotations

import json
import re

import pytest
from pyvis.network import Network

from bpkg.app.store.graph_types import EdgeOut, GraphOut, NodeRef
from bpkg.app.web import layout, network

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "<a href=javascript:alert(1)>click</a>"


def node(node_id: str, label: str, name: str | None = None, confidence: str = "confirmed") -> NodeRef:
    return NodeRef(id=node_id, label=label, name=name or node_id, confidence=confidence)


def edge(source: str, rel: str, target: str, confidence: str = "confirmed", strength: str | None = None) -> EdgeOut:
    return EdgeOut(
        source=source, target=target, type=rel, confidence=confidence, sources=["source-a"], strength=strength
    )


def small_graph() -> GraphOut:
    return GraphOut(
        nodes=[
            node("commitment-k", "Commitment", "Knowledge"),
            node("pg-1", "PriorityGoal", f"Goal {XSS_IMG}"),
            node("ap-1", "ActionPoint", f"Action point {XSS_LINK}", "inferred"),
            node("ap-2", "ActionPoint", "Action point 2", "inferred"),
            node("component-c", "Component", "Component C"),
            node("activity-a", "Activity", "Activity A"),
        ],
        edges=[
            edge("ap-1", "UNDER", "pg-1", "illustrative"),
            edge("ap-2", "UNDER", "pg-1", "illustrative"),
            edge("activity-a", "PART_OF", "component-c"),
            edge("activity-a", "RESPONDS_TO", "ap-1", "illustrative", "direct"),
            edge("component-c", "RESPONDS_TO", "pg-1", "inferred", "partial"),
        ],
    )


def dataset_of(html: str, name: str) -> list[dict[str, object]]:
    """The JSON given to ``new vis.DataSet(...)`` for ``nodes`` or ``edges`` in a pyvis body."""
    match = re.search(rf"{name} = new vis\.DataSet\((\[.*?\])\);", html, re.DOTALL)
    assert match is not None
    data: list[dict[str, object]] = json.loads(match.group(1))
    return data


def test_titles_never_contain_href_so_pyvis_keeps_plain_tooltips() -> None:
    title = network.plain_title("see <a HREF=x> and href and Href")
    assert "href" not in title.lower()
    assert title.replace("\u2060", "") == "see <a HREF=x> and href and Href"


def test_raw_pyvis_would_switch_to_html_tooltips_and_sanitise_refuses_it() -> None:
    net = Network(cdn_resources="in_line")
    net.add_node("a", title=XSS_LINK)
    document = net.generate_html()
    assert "popup.innerHTML" in document  # the pyvis behaviour we guard against
    with pytest.raises(network.UnsafeNetworkHtml):
        network.sanitise(document)


def test_sanitise_strips_remote_resources_and_headings() -> None:
    net = Network(cdn_resources="in_line", heading="<b>heading</b>")
    net.add_node("a")
    document = net.generate_html()
    assert "cdn.jsdelivr.net" in document and "<h1><b>heading</b></h1>" in document
    cleaned = network.sanitise(document)
    assert "jsdelivr" not in cleaned and "bootstrap" not in cleaned
    assert "<h1>" not in cleaned
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=\s*[\"']?(https?:)?//", cleaned, re.I)


def test_render_escapes_names_and_is_self_contained() -> None:
    view = network.render(small_graph(), "layers", nonce="n0nce", focus="pg-1")
    everything = view.assets + view.style + view.body
    assert XSS_IMG not in everything and "<a href" not in everything
    assert "popup.innerHTML" not in everything and "popup" not in view.body
    assert not re.search(r"<(script|link)\b[^>]*(src|href)\s*=", everything, re.I)
    assert re.findall(r"<script\b[^>]*>", view.body) == ['<script nonce="n0nce" type="text/javascript">']
    nodes = dataset_of(view.body, "nodes")
    # The name survives as text (JSON-escaped in the page, plain text in the DataSet).
    titles = {str(n["id"]): str(n["title"]).replace("\u2060", "") for n in nodes}
    assert XSS_LINK in titles["ap-1"] and XSS_IMG in titles["pg-1"]
    assert all("href" not in str(n["title"]) for n in nodes)


def test_the_nonce_goes_on_script_elements_only() -> None:
    library = network.library_file("vis-network.min.js").read_text(encoding="utf-8")
    assert "<script" in library  # inside the library's own text, where a nonce would break it
    view = network.render(small_graph(), "spring", nonce="n0nce")
    assert library.strip() in view.assets
    assert view.assets.count('<script nonce="n0nce">') == 2  # pyvis's bindings and vis-network


def test_render_styles_by_label_and_marks_illustrative_links() -> None:
    view = network.render(small_graph(), "layers", nonce="x", focus="pg-1")
    nodes = {str(n["id"]): n for n in dataset_of(view.body, "nodes")}
    edges = {str(e["id"]): e for e in dataset_of(view.body, "edges")}
    assert nodes["commitment-k"]["shape"] == "star"
    assert nodes["pg-1"]["color"] == network.LABEL_STYLES["PriorityGoal"].colour
    assert nodes["pg-1"]["size"] == 24  # the focus stands out
    assert all(n["physics"] is False and "x" in n and "y" in n for n in nodes.values())
    illustrative = edges["activity-a|RESPONDS_TO|ap-1"]
    assert illustrative["dashes"] and "label" not in illustrative  # dashed; the legend says so, no text on the link
    sourced = edges["component-c|RESPONDS_TO|pg-1"]
    assert "dashes" not in sourced and "label" not in sourced
    assert float(str(illustrative["width"])) > float(str(sourced["width"]))  # direct is drawn thicker than partial
    options = json.loads(re.search(r"var options = (\{.*?\});\n", view.body, re.DOTALL).group(1))  # type: ignore[union-attr]
    assert options["physics"]["enabled"] is False
    # In words people use, singular or plural by count.
    assert [item.label for item in view.legend] == [
        "Commitment",
        "Priority goal",
        "Action points",
        "Component",
        "Activity",
    ]
    assert view.has_illustrative and view.edge_count == 5


def test_cap_keeps_the_nearest_nodes_and_says_so() -> None:
    nodes = [node("hub", "Component")] + [node(f"leaf-{i}", "Activity") for i in range(30)]
    edges = [edge(f"leaf-{i}", "PART_OF", "hub") for i in range(30)]
    far = [node(f"far-{i}", "Country") for i in range(5)]
    far_edges = [edge("leaf-0", "IN_COUNTRY", f"far-{i}") for i in range(5)]
    graph = GraphOut(nodes=far + nodes, edges=edges + far_edges)
    cut = network.cap(graph, "hub", max_nodes=20)
    kept = {n.id for n in cut.nodes}
    assert len(kept) == 20 and "hub" in kept and not any(k.startswith("far-") for k in kept)
    assert cut.truncated and cut.note is not None and "20 of 36" in cut.note
    assert all(e.source in kept and e.target in kept for e in cut.edges)
    view = network.render(graph, "spring", nonce="x", focus="hub", max_nodes=20)
    assert view.truncated and len(view.node_ids) == 20 and view.total_nodes == 36


def test_layered_layout_puts_each_label_rank_in_its_band() -> None:
    graph = small_graph()
    where = layout.layered(graph)
    assert set(where) == {n.id for n in graph.nodes}
    y = {n.label: where[n.id][1] for n in graph.nodes}
    assert y["Commitment"] < y["PriorityGoal"] < y["ActionPoint"] < y["Component"] < y["Activity"]
    assert len(set(where.values())) == len(where)


def test_wide_bands_fold_into_rows() -> None:
    graph = GraphOut(nodes=[node(f"ap-{i}", "ActionPoint") for i in range(41)], edges=[])
    where = layout.layered(graph)
    rows = {round(y) for _, y in where.values()}
    assert len(rows) == 3
    xs = [x for x, _ in where.values()]
    assert max(xs) - min(xs) <= layout.MAX_ROW * layout.NODE_GAP


def test_spring_layout_centres_the_focus_and_large_views_use_rings() -> None:
    where = layout.spring(small_graph(), "pg-1")
    assert where["pg-1"] == (0.0, 0.0)
    big = GraphOut(
        nodes=[node("hub", "Component")] + [node(f"a-{i}", "Activity") for i in range(layout.SPRING_MAX + 10)],
        edges=[edge(f"a-{i}", "PART_OF", "hub") for i in range(layout.SPRING_MAX + 10)],
    )
    rings = layout.spring(big, "hub")
    assert rings["hub"] == (0.0, 0.0)
    radii = {round((x**2 + y**2) ** 0.5) for node_id, (x, y) in rings.items() if node_id != "hub"}
    assert len(radii) == 1


def test_layouts_are_cached_by_structure() -> None:
    layout.clear_cache()
    graph = small_graph()
    first = layout.positions(graph, "spring", "pg-1")
    assert layout.positions(graph, "spring", "pg-1") is first
    assert layout.cache_info() == 1
    layout.positions(graph, "layers", "pg-1")
    changed = GraphOut(nodes=graph.nodes, edges=graph.edges[:-1])
    layout.positions(changed, "spring", "pg-1")
    assert layout.cache_info() == 3


def test_short_labels_wrap_and_cut() -> None:
    assert network.short_label("Action point 17") == "Action point 17"
    assert network.short_label("Migrant Resource Centre Dhaka") == "Migrant Resource\nCentre Dhaka"
    wrapped = network.short_label("Improving Migration Management in the Silk Routes Countries")
    assert wrapped.count("\n") == 1 and wrapped.endswith("…")
    assert all(len(line) <= network.LINE_CHARS for line in wrapped.split("\n"))


def test_drawn_views_are_cached_by_content_not_only_shape() -> None:
    graph = small_graph()
    first = network.render(graph, "layers", nonce="a", focus="pg-1")
    again = network.render(graph, "layers", nonce="b", focus="pg-1")
    assert again.body == first.body.replace('nonce="a"', 'nonce="b"')
    renamed = GraphOut(nodes=[*graph.nodes[:-1], node("activity-a", "Activity", "Renamed")], edges=graph.edges)
    assert "Renamed" in network.render(renamed, "layers", nonce="a", focus="pg-1").body


def test_plain_words_for_labels_relations_counts_and_notes() -> None:
    from bpkg.app.web import words

    assert words.label("ActionPoint") == "Action point" and words.label("Activity", 2) == "Activities"
    assert words.relation("CONTAINS", "in") == "part of" and words.relation("ACTIVE_IN", "out") == "active in"
    assert words.relation("RESPONDS_TO", "in") == "responded to by"
    assert words.count(1, "node") == "1 node" and words.count(2, "node") == "2 nodes"
    note = "deduced from what it does (facts.md §5); priority-goal level"
    assert words.plain(note) == "deduced from what it does; priority-goal level" and words.curation(note) == note
    citation = 'ICMPD fact sheet "X" (the dialogue; the project), project seed file 000_9cfd.txt'
    assert words.plain(citation) == 'ICMPD fact sheet "X" (the dialogue; the project)'
    assert words.plain("cited in facts.md (not in facts.yaml) for the facts that use it") == ""
    assert words.plain("Chair 1993-2006, Co-Chair since 2006") == "Chair 1993-2006, Co-Chair since 2006"
    assert words.curation("Chair 1993-2006") == ""
