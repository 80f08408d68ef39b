"""No import circle anywhere in the packages: every module of bpkg (app, loaders and graph_schema) can be read
before the modules that import it (a circle also counts imports made inside functions)."""

from __future__ import annotations

import grimp
import networkx as nx


def test_no_module_imports_itself_through_others() -> None:
    graph = grimp.build_graph("bpkg", cache_dir=None)
    imports = nx.DiGraph()
    for module in graph.modules:
        imports.add_edges_from((module, imported) for imported in graph.find_modules_directly_imported_by(module))
    circles = sorted(sorted(c) for c in nx.strongly_connected_components(imports) if len(c) > 1)
    assert circles == [], f"modules that import each other: {circles}"
