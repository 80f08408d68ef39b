"""A link's dates (when it held, when it was reviewed) reach every answer that shows the link, and exports."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset
from tests.factories import base_graph, write_dataset


def test_link_dates_are_shown_and_exported(tmp_path: Path) -> None:
    graph: dict[str, Any] = base_graph()
    for rel in graph["relationships"]:
        if rel["from"] == "plan-x" and rel["to"] == "pg-1":
            rel["when"] = "2019-02/2024"
            rel["reviewed"] = "2024-06-30"
    store = MemoryStore(build_graph(load_dataset(write_dataset(tmp_path / "d", graph=graph))))
    with TestClient(create_app(Settings(backend="memory", api_keys=""), store)) as client:
        links = client.get("/nodes/pg-1/links").json()["items"]
        sets = [link for link in links if link["type"] == "SETS"]
        assert [(link["when"], link["reviewed"]) for link in sets] == [("2019-02/2024", "2024-06-30")]
        exported = client.get("/export/graph.json").json()
        edge = next(e for e in exported["edges"] if e["source"] == "plan-x" and e["target"] == "pg-1")
        assert (edge["when"], edge["reviewed"]) == ("2019-02/2024", "2024-06-30")
        assert "when" not in next(e for e in exported["edges"] if e["target"] == "pg-2")
