"""A node page stays bounded at scale: an action point's responses a page at a time (the headline's own paging),
each group of links cut at ``LINKS_SHOWN`` with "and M more" and a paged list of the rest.

Checked by visible text on a generated dataset (``bpkg.loaders.synth``), whose action point 10 has hundreds of
responders, and on the bundled one, whose pages are unchanged (every response shown, no pager)."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.services.responses import responses
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web.pages import LINKS_SHOWN, RESPONSES_SHOWN
from bpkg.app.web.rendering import PAGE_SIZE
from bpkg.graph_schema import RelType
from bpkg.loaders import build_graph, load_dataset, synth
from tests.api.conftest import settings


@pytest.fixture(scope="module")
def synth_store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    folder: Path = tmp_path_factory.mktemp("synth-pages")
    synth.write(folder, 3000, 0)
    return MemoryStore(build_graph(load_dataset(str(folder))))


@pytest.fixture(scope="module")
def synth_client(synth_store: MemoryStore) -> Iterator[TestClient]:
    with TestClient(create_app(settings(), store=synth_store)) as test_client:
        yield test_client


def response_rows(text: str) -> list[str]:
    """The rows of the responses table, as text without markup."""
    table = text.split('id="responses"', 1)[1].split("</table>", 1)[0]
    rows = table.split("<tbody>", 1)[1].split("<tr>")[1:]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in rows]


def link(text: str, rel: str) -> str | None:
    """Where the first ``rel`` (prev or next) link of the page goes, or None."""
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', text)
    return html.unescape(found.group(1)) if found else None


def listed(text: str, list_id: str) -> list[str]:
    """The node ids a link list names, in order."""
    items = text.split(f'id="{list_id}"', 1)[1].split("</ul>", 1)[0]
    return re.findall(r'<li>[^<]*<span[^>]*>[^<]*</span>\s*<a href="/view/node/([^"?]+)', items)


def test_an_action_point_with_hundreds_of_responses_shows_one_page(
    synth_client: TestClient, synth_store: MemoryStore
) -> None:
    answer = responses(synth_store, 10, include_goal_level=True)
    assert answer.total > 2 * RESPONSES_SHOWN  # the dataset is big enough to page
    text = synth_client.get("/view/node/ap-10").text
    assert len(response_rows(text)) == RESPONSES_SHOWN
    counts = answer.counts
    assert (
        f"Showing 1–{RESPONSES_SHOWN} of {answer.total:,} responses, from {counts.projects} projects, "
        f"{counts.components} components and {counts.activities} activities."
    ) in text
    assert link(text, "prev") is None
    assert link(text, "next") == f"/view/node/ap-10?offset={RESPONSES_SHOWN}#responses"


def test_next_and_previous_walk_every_response_once(synth_client: TestClient, synth_store: MemoryStore) -> None:
    total = responses(synth_store, 10, include_goal_level=True).total
    seen: list[str] = []
    url: str | None = "/view/node/ap-10"
    pages: list[str] = []
    while url is not None:
        text = synth_client.get(url).text
        pages.append(url)
        rows = response_rows(text)
        start = len(seen) + 1
        assert f"Showing {start}–{len(seen) + len(rows)} of {total:,} responses" in text
        seen += rows
        url = link(text, "next")
    assert len(seen) == total
    assert len(pages) == -(-total // RESPONSES_SHOWN)
    # Back from the last page, previous gives the page before it.
    last = synth_client.get(pages[-1]).text
    previous = link(last, "prev")
    assert previous is not None and previous.split("#")[0] == pages[-2].split("#")[0]
    assert (
        response_rows(synth_client.get(previous).text) == seen[(len(pages) - 2) * RESPONSES_SHOWN :][:RESPONSES_SHOWN]
    )


def test_paging_keeps_the_other_parameters(synth_client: TestClient) -> None:
    text = synth_client.get("/view/node/ap-10?as_of=2030-12-31&depth=2&label=Activity").text
    following = link(text, "next")
    assert following is not None
    assert "as_of=2030-12-31" in following and "depth=2" in following and "label=Activity" in following
    second = synth_client.get(following).text
    assert "as_of=2030-12-31" in (link(second, "prev") or "")
    assert f"Showing {RESPONSES_SHOWN + 1}–" in second


def test_each_link_group_is_cut_with_the_rest_a_page_at_a_time(
    synth_client: TestClient, synth_store: MemoryStore
) -> None:
    links = synth_store.links("ap-10")
    responders = [x.node.id for x in links if x.type == RelType.RESPONDS_TO and x.direction == "in"]
    informs = [x.node.id for x in links if x.type == RelType.INFORMS and x.direction == "in"]
    assert len(responders) > LINKS_SHOWN and len(informs) > LINKS_SHOWN
    text = synth_client.get("/view/node/ap-10").text
    assert listed(text, "responded-to-by") == responders[:LINKS_SHOWN]
    assert f"and {len(responders) - LINKS_SHOWN:,} more" in text
    assert f"and {len(informs) - LINKS_SHOWN:,} more" in text
    more = re.search(r'<a href="(/view/links/ap-10\?group=Responded[^"]+)">all ([\d,]+), a page at a time</a>', text)
    assert more is not None and more.group(2) == f"{len(responders):,}"
    # The paged list gives every responder once, in order.
    url: str | None = html.unescape(more.group(1))
    found: list[str] = []
    while url is not None:
        page = synth_client.get(url)
        assert page.status_code == 200
        found += listed(page.text, "links")
        url = link(page.text, "next")
    assert found == responders


def test_an_unknown_link_group_is_a_clear_error(synth_client: TestClient) -> None:
    response = synth_client.get("/view/links/ap-10?group=Nonsense")
    assert response.status_code == 422
    assert "Nonsense" in response.text and "Responded to by" in response.text


def test_small_action_points_show_every_response_without_a_pager(client: TestClient, memory_store: MemoryStore) -> None:
    for status in memory_store.action_point_facts():
        text = client.get(f"/view/node/{status.action_point.id}").text
        assert 'id="responses-range"' not in text and 'rel="next"' not in text and "a page at a time" not in text
        total = len(status.responses) + len(status.goal_responses)
        if total:
            assert len(response_rows(text)) == total


def test_a_group_is_paged_first_middle_last_and_past_the_end(
    synth_client: TestClient, synth_store: MemoryStore
) -> None:
    responders = [
        x.node.id for x in synth_store.links("ap-10") if x.type == RelType.RESPONDS_TO and x.direction == "in"
    ]
    total = len(responders)
    assert total > 2 * PAGE_SIZE
    last = (total - 1) // PAGE_SIZE * PAGE_SIZE
    base = "/view/links/ap-10?group=Responded+to+by"
    for offset in (0, PAGE_SIZE, last):
        page = synth_client.get(f"{base}&offset={offset}")
        assert page.status_code == 200
        assert listed(page.text, "links") == responders[offset : offset + PAGE_SIZE]
        shown = min(PAGE_SIZE, total - offset)
        assert f"Showing {offset + 1:,}–{offset + shown:,} of {total:,} links." in page.text
        assert (link(page.text, "prev") is None) == (offset == 0)
        assert (link(page.text, "next") is None) == (offset == last)
    past = synth_client.get(f"{base}&offset={total}")
    assert past.status_code == 404
    assert "offset" in past.text and f"{total:,} links of this group" in past.text and f"{last:,}" in past.text
    assert synth_client.get(f"{base}&offset=-1").status_code == 422


def test_the_whole_network_asked_for_stays_asked_for_by_the_form_and_the_download(synth_client: TestClient) -> None:
    # The node page draws its nearest nodes; asked for its whole network (network=all), the depth and kinds form
    # and "Download this view" keep asking for it, and the download holds as many nodes as the page.
    near = synth_client.get("/view/node/ap-1")
    assert near.status_code == 200 and 'name="network"' not in near.text
    whole = synth_client.get("/view/node/ap-1?network=all")
    assert whole.status_code == 200
    assert '<input type="hidden" name="network" value="all">' in whole.text
    download = re.search(r'<a class="button secondary" href="([^"]+)" download>Download this view</a>', whole.text)
    assert download is not None and "network=all" in html.unescape(download.group(1))
    saved = synth_client.get(html.unescape(download.group(1)))
    assert saved.status_code == 200
    nodes = re.compile(r'id="network-summary">([\d,]+) node')
    found_page, found_saved = nodes.search(whole.text), nodes.search(saved.text)
    assert found_page is not None and found_saved is not None
    assert found_saved.group(1) == found_page.group(1)
