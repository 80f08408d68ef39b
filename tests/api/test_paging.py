"""Large answers page and are compressed: responses' ``limit``/``offset`` and gzip over HTTP (issue 9, item 2).

Paging is checked on a generated dataset (``bpkg.loaders.synth``), whose action point 10 has hundreds of
responders, and on the bundled one on every backend."""

from __future__ import annotations

import gzip
import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.http.encoded import GZIP_MINIMUM_SIZE
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset, synth
from tests.api.conftest import settings

URL = "/action-points/10/responses?include_goal_level=true"
Entry = tuple[str | None, str | None, str | None, str]


@pytest.fixture(scope="module")
def synth_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """The API in memory over a generated dataset of 3,000 relationships."""
    folder: Path = tmp_path_factory.mktemp("synth")
    synth.write(folder, 3000, 0)
    store = MemoryStore(build_graph(load_dataset(str(folder))))
    with TestClient(create_app(settings(), store=store)) as test_client:
        yield test_client


def _id(ref: dict[str, Any] | None) -> str | None:
    return None if ref is None else str(ref["id"])


def entries(answer: dict[str, Any]) -> list[Entry]:
    """Every (project, component, activity, link) of a grouped answer, in the tree's order."""
    found: list[Entry] = []
    for p in answer["projects"]:
        project = _id(p["project"])
        found += [(project, None, None, json.dumps(link, sort_keys=True)) for link in p["responses"]]
        for c in p["components"]:
            component = _id(c["component"])
            found += [(project, component, None, json.dumps(link, sort_keys=True)) for link in c["responses"]]
            for a in c["activities"]:
                found += [
                    (project, component, _id(a["activity"]), json.dumps(link, sort_keys=True))
                    for link in a["responses"]
                ]

    def place(e: Entry) -> tuple[bool, str, bool, str, bool, str]:
        # The paging order: project and component by id with null last; a link's own place before activities.
        return (e[0] is None, e[0] or "", e[1] is None, e[1] or "", e[2] is not None, e[2] or "")

    return sorted(found, key=place)  # stable: within one place, the answer's own order


def links_in_order(answer: dict[str, Any]) -> list[str]:
    """Each link once, where it first comes in the tree (a link may sit under several projects)."""
    return list(dict.fromkeys(e[3] for e in entries(answer)))


def pages(client: TestClient, url: str, limit: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    offset = 0
    while True:
        response = client.get(f"{url}&limit={limit}&offset={offset}")
        assert response.status_code == 200, response.text
        out.append(response.json())
        offset += limit
        if offset >= out[-1]["total"]:
            return out


def test_pages_concatenate_to_the_whole_answer(synth_client: TestClient) -> None:
    whole = synth_client.get(f"{URL}&limit=500").json()
    assert 150 < whole["total"] <= 500  # a large answer, still one page at the maximum size
    parts = pages(synth_client, URL, 37)
    assert len(parts) == -(-whole["total"] // 37)
    assert [len(links_in_order(p)) for p in parts[:-1]] == [37] * (len(parts) - 1)
    assert sum(len(links_in_order(p)) for p in parts) == whole["total"]
    # Same links, in the same order, each under the same projects, components and activities.
    assert [link for p in parts for link in links_in_order(p)] == links_in_order(whole)
    assert Counter(e for p in parts for e in entries(p)) == Counter(entries(whole))
    # Deterministic: asking again gives the same page.
    assert synth_client.get(f"{URL}&limit=37&offset=74").json() == parts[2]


def test_counts_describe_the_whole_filtered_answer(synth_client: TestClient) -> None:
    for url in (URL, "/action-points/10/responses?strength=direct", "/action-points/10/responses?country=country-xah"):
        whole = synth_client.get(f"{url}&limit=500").json()
        assert whole["total"] == whole["counts"]["links"] > 8
        assert (whole["limit"], whole["offset"]) == (500, 0)
        for limit, offset in ((5, 0), (7, 3), (50, whole["total"] - 1), (10, whole["total"] + 20)):
            page = synth_client.get(f"{url}&limit={limit}&offset={offset}").json()
            assert page["counts"] == whole["counts"]
            assert page["total"] == whole["total"]
            assert (page["limit"], page["offset"]) == (limit, offset)
            assert len(links_in_order(page)) == max(0, min(limit, whole["total"] - offset))
            for key in ("status", "status_words", "illustrative", "filters", "goal", "action_point"):
                assert page[key] == whole[key]
    narrowed = synth_client.get("/action-points/10/responses?strength=direct&limit=500").json()
    assert narrowed["total"] < synth_client.get("/action-points/10/responses?limit=500").json()["total"]


def test_default_page_and_bounds(synth_client: TestClient) -> None:
    answer = synth_client.get(URL).json()
    assert (answer["limit"], answer["offset"]) == (50, 0)
    assert len(links_in_order(answer)) == 50 < answer["total"]
    for bad in ("limit=0", "limit=501", "offset=-1"):
        assert synth_client.get(f"{URL}&{bad}").status_code == 422


def test_paging_on_every_backend(any_client: TestClient) -> None:
    url = "/action-points/17/responses?include_goal_level=true"
    whole = any_client.get(url).json()
    assert whole["total"] > 3
    parts = pages(any_client, url, 2)
    assert [link for p in parts for link in links_in_order(p)] == links_in_order(whole)
    assert all(p["counts"] == whole["counts"] for p in parts)


def raw_get(client: TestClient, url: str, encoding: str) -> tuple[dict[str, str], bytes]:
    """Headers and body exactly as sent (not decoded by the client)."""
    with client.stream("GET", url, headers={"Accept-Encoding": encoding}) as response:
        assert response.status_code == 200
        return dict(response.headers), b"".join(response.iter_raw())


def test_large_answers_are_gzipped_for_clients_that_accept_it(synth_client: TestClient) -> None:
    url = f"{URL}&limit=500"
    headers, body = raw_get(synth_client, url, "identity")
    assert "content-encoding" not in headers
    zipped_headers, zipped = raw_get(synth_client, url, "gzip, deflate")
    assert zipped_headers["content-encoding"] == "gzip"
    assert "accept-encoding" in zipped_headers["vary"].lower()
    assert len(zipped) < len(body) / 5
    assert json.loads(gzip.decompress(zipped)) == json.loads(body)


def test_small_answers_are_not_compressed(synth_client: TestClient) -> None:
    url = "/action-points/999/responses"  # a 404: a short JSON error
    with synth_client.stream("GET", url, headers={"Accept-Encoding": "gzip"}) as response:
        body = b"".join(response.iter_raw())
        assert response.status_code == 404
        assert "content-encoding" not in response.headers
    assert len(body) < GZIP_MINIMUM_SIZE
    assert json.loads(body)["error"]["status"] == 404
