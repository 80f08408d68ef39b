"""The HTML pages over HTTP (in-process): content, escaping, security headers, downloads, errors."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import unquote

import pytest
from markupsafe import Markup, escape
from starlette.exceptions import StarletteDeprecationWarning

from bpkg.app.api.main import create_app
from bpkg.app.services.coverage import coverage
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.web import network
from bpkg.loaders import build_graph, load_dataset
from tests.factories import base_graph, write_dataset

with warnings.catch_warnings():
    # Starlette prefers httpx2 for its test client; httpx (which the project pins) still works.
    warnings.simplefilter("ignore", StarletteDeprecationWarning)
    from fastapi.testclient import TestClient

XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_LINK = "<a href=javascript:alert(1)>x</a>"
PAGES = [
    "/",
    "/view/node/ap-17",
    "/view/node/ap-17?depth=2&label=Activity&label=Project",
    "/view/node/country-pak",
    "/view/overview",
    "/view/trace/ap-17?direction=up",
    "/view/trace/pg-4?direction=down",
    "/view/search?q=resource+centre",
    "/view/label/Country",
]
# A tag that makes the browser fetch something (a data: URL fetches nothing).
LOADS_SOMETHING = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*(?![\"']?data:)", re.I)
REMOTE = re.compile(r"<(script|link|img|iframe)\b[^>]*\b(src|href)\s*=\s*[\"']?\s*(https?:)?//", re.I)


def settings() -> Settings:
    return Settings(backend="memory", api_keys="")


def xss_graph() -> dict[str, list[dict[str, object]]]:
    graph = base_graph()
    for item in graph["nodes"]:
        if item["id"] == "pg-1":
            item["name"] = f"Goal {XSS_IMG}"
        if item["id"] == "ap-1":
            item["name"] = f"Action point {XSS_LINK}"
            item["description"] = f"described as {XSS_IMG}"
        if item["id"] == "activity-a":
            item["name"] = f"Activity {XSS_LINK} {XSS_IMG}"
    return graph


@pytest.fixture(scope="module")
def xss_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    folder: Path = write_dataset(tmp_path_factory.mktemp("xss") / "xss", graph=xss_graph())
    store = MemoryStore(build_graph(load_dataset(folder)))
    with TestClient(create_app(settings(), store=store)) as test_client:
        yield test_client


def scripts_without_nonce(text: str, nonce: str) -> list[str]:
    """Opening tags of script elements (not "<script" inside a script's text) that lack the nonce."""
    tags = [m.group(1) for m in re.finditer(r"(<script\b[^>]*>).*?</script>", text, re.DOTALL)]
    return [tag for tag in tags if f'nonce="{nonce}"' not in tag]


@pytest.mark.parametrize("path", PAGES)
def test_pages_load_with_a_strict_policy(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["x-content-type-options"] == "nosniff"
    csp = response.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    assert "default-src 'none'" in csp and "http" not in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert scripts_without_nonce(response.text, nonce) == []
    assert not REMOTE.search(response.text)
    assert "Illustrative links" in response.text


def test_home_shows_each_goal_with_the_coverage_service_figures(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/").text
    cov = coverage(memory_store, "goal")
    for row in cov.rows:
        assert row.node is not None
        assert str(escape(row.node.name)) in text
        pct = round(row.share_covered * 100)
        assert f"{row.covered} of {row.action_points} action points responded to directly ({pct}%)" in text
        assert f'aria-valuenow="{pct}"' in text
    s = cov.summary
    summary = re.sub(r"<[^>]+>|\s+", " ", text.split('id="summary">')[1].split("</p>")[0])
    assert f"{s.covered} of {s.action_points} action points" in summary
    assert "rests on illustrative links" in summary  # the home page's figure rests on the sample plan
    assert f"{s.goal_only} only through their goal" in summary and f"{s.gap} " in summary
    info = memory_store.dataset_info()
    # The notice about illustrative links is in plain words; the dataset's own statement says the same in plain
    # words too, so it needs no curation note (it gets one only where it names files or ids).
    assert info is not None and 'id="illustrative-notice"' in text and "not public" in visible(text)
    assert (
        "sample-plan.csv" not in info.illustrative and '<details class="curation"><summary>curation notes' not in text
    )
    for entry in ("/view/label/Commitment", "/view/label/Component", "/view/label/Country", "/view/search"):
        assert entry in text


def test_node_page_lists_responders_and_sources(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/node/ap-17").text
    responders = [r.responder for r in memory_store.action_point("ap-17", include_goal_level=False).responses]
    assert responders
    section = text.split('id="responded-to-by"')[1].split("</ul>")[0]
    first_links = re.findall(r'<li>.*?href="/view/node/([^"]+)"', section, re.DOTALL)
    assert first_links == [r.id for r in responders]
    for source in memory_store.node("ap-17").sources:
        if source.url:
            assert f'href="{escape(source.url)}"' in text
    assert "badge inferred" in text and "badge illustrative" in text
    assert "Status: responded to directly" in text


def test_a_gap_page_says_it_is_answered_only_through_its_goal(client: TestClient, memory_store: MemoryStore) -> None:
    # Action point 6 has no direct responder: its page must not look answered.
    text = client.get("/view/node/ap-6").text
    status = re.sub(r"<[^>]+>", "", text.split('id="status">')[1].split("</p>")[0])
    assert "Status: only through its goal" in status and "rests on illustrative links" in status
    assert "Responses to this action point (through its goal only)" in text
    assert "only its goal: " in text and "<td>this action point</td>" not in text


def test_node_page_network_matches_the_store(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/node/ap-17?depth=2&label=Activity&label=PriorityGoal").text
    expected = memory_store.neighbourhood("ap-17", 2, ["Activity", "PriorityGoal"], network.MAX_NODES)
    ids = re.findall(r'"id": "([^"|]+)", "kind"', text)
    assert sorted(ids) == sorted(n.id for n in expected.nodes)
    assert 'value="Activity" checked' in text and 'value="Project" checked' not in text


def test_download_is_one_self_contained_file(client: TestClient) -> None:
    response = client.get("/view/node/ap-17?download=1")
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="bpkg-node-ap-17.html"'
    text = response.text
    assert not LOADS_SOMETHING.search(text)
    assert "vis.Network" in text and "new vis.DataSet" in text and "<style>" in text
    nonce = re.search(r"script-src (?:'|&#39;)nonce-([\w-]+)", text).group(1)  # type: ignore[union-attr]
    assert '<meta http-equiv="Content-Security-Policy"' in text and scripts_without_nonce(text, nonce) == []
    for path in ("/view/overview?download=1", "/view/trace/pg-4?direction=down&download=1"):
        other = client.get(path)
        assert other.status_code == 200 and "attachment" in other.headers["content-disposition"]
        assert not LOADS_SOMETHING.search(other.text)


@pytest.mark.parametrize(
    "path", ["/view/node/ap-17?download=1", "/view/overview?download=1", "/view/trace/pg-4?download=1"]
)
def test_a_download_works_for_whoever_receives_it(client: TestClient, memory_store: MemoryStore, path: str) -> None:
    # No link to the address the request came in on (127.0.0.1, or whatever Host header was sent): every
    # link in the file leads to details the file holds itself, or to a cited source.
    text = client.get(path, headers={"Host": "evil.example"}).text
    assert "evil.example" not in text and "testserver" not in text and "127.0.0.1" not in text
    hrefs = set(re.findall(r'href="([^"]*)"', text))
    local = {h for h in hrefs if not h.startswith(("#", "data:", "https://", "http://"))}
    assert local == set(), local
    anchors = set(re.findall(r'id="node-([^"]+)"', text))
    assert anchors and {unquote(h[len("#node-") :]) for h in hrefs if h.startswith("#node-")} <= {
        unquote(a) for a in anchors
    }
    assert "Everything in this view" in text


def test_a_download_links_to_the_public_site_when_one_is_configured(memory_store: MemoryStore) -> None:
    app = create_app(Settings(backend="memory", api_keys="", public_url="https://bpkg.example.org/"), memory_store)
    with TestClient(app) as public:
        text = public.get("/view/node/ap-17?download=1", headers={"Host": "evil.example"}).text
    assert "evil.example" not in text
    assert 'href="https://bpkg.example.org/view/node/pg-2"' in text
    assert "its links lead back to the live site" in text
    with pytest.raises(ValueError, match="public_url"):
        Settings(public_url="javascript:alert(1)")


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/view/node/no-such-node", 404),
        ("/view/trace/no-such-node", 404),
        ("/view/trace/ap-17?direction=sideways", 422),
        ("/view/node/ap-17?label=Spaceship", 422),
        ("/view/label/Spaceship", 404),
    ],
)
def test_errors_are_pages(client: TestClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.headers["content-type"].startswith("text/html")
    assert "<h1>" in response.text and "Traceback" not in response.text


def test_static_files_are_a_fixed_list(client: TestClient) -> None:
    assert client.get("/view/static/vis-network.min.js").headers["content-type"].startswith("text/javascript")
    assert client.get("/view/static/site.css").headers["x-content-type-options"] == "nosniff"
    assert client.get("/view/static/pages.py").status_code == 404
    assert client.get("/view/static/..%2Fpages.py").status_code == 404


def test_search_page_lists_the_store_hits(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/search?q=lahore").text
    hits = memory_store.search("lahore", 50)
    assert hits
    listed = re.findall(r'href="/view/node/([^"]+)"', text.split('id="hits"')[1])
    assert listed == [h.node.id for h in hits]
    assert "has no letters or digits" in client.get("/view/search?q=%21%21").text


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/view/node/ap-1",
        "/view/node/pg-1",
        "/view/node/activity-a",
        "/view/trace/ap-1?direction=up",
        "/view/overview",
        "/view/search?q=goal",
        "/view/node/ap-1?download=1",
    ],
)
def test_names_from_data_are_escaped(xss_client: TestClient, path: str) -> None:
    text = xss_client.get(path).text
    assert XSS_IMG not in text and "<a href=javascript" not in text
    assert "<img src=x" not in text and "<a href=javascript" not in text
    assert "popup.innerHTML" not in text
    assert str(escape(XSS_IMG)) in text or "\\u003cimg src=x onerror=alert(1)\\u003e" in text


def test_an_unreachable_backend_gives_a_503_page() -> None:
    # Nothing listens on port 1: every read fails fast with BackendUnavailable.
    app = create_app(Settings(backend="neo4j", api_keys="", neo4j_uri="bolt://127.0.0.1:1", connect_timeout=0.5))
    with TestClient(app) as down:
        response = down.get("/view/node/ap-17")
    assert response.status_code == 503
    assert response.headers["content-type"].startswith("text/html")
    assert "The graph is unavailable" in response.text and "Traceback" not in response.text
    assert response.headers["x-content-type-options"] == "nosniff"


# -- pages that answer a policy officer (issue 8) -------------------------------------------------------

OFFICER_PAGES = [
    "/",
    "/view/node/ap-17",
    "/view/node/ap-6",
    "/view/node/pg-1",
    "/view/node/activity-mrc-lahore",
    "/view/node/component-mrc",
    "/view/country/PAK",
    "/view/overview",
    "/view/trace/activity-mrc-lahore?direction=up",
    "/view/trace/pg-4?direction=down",
    "/view/action-points",
    "/view/gaps",
    "/view/matrix",
    "/view/matrix?rows=action_point&cols=country",
    "/view/matrix/cell?row=pg-1&col=component-mrc&cols=component",
    "/view/label/Country",
    "/view/search?q=lahore",
    "/view/flow",
    "/view/paths?from=activity-mrc-lahore&to=Knowledge",
]
# What a reader should never see: schema names, relationship types, ids, curation files and references.
JARGON = re.compile(
    r"\b(?:ActionPoint|PriorityGoal|ActionPlan|RESPONDS_TO|ACTIVE_IN|IN_COUNTRY|PART_OF|HAS_COMPONENT|CONTAINS|"
    r"country-[a-z]{3}|source-[a-z0-9-]+|sample-plan|facts\.md|facts\.yaml|seed file)\b|§|\b1 nodes\b|\b1 links\b"
)


def visible(html: str) -> str:
    """The text a reader sees: no scripts or styles, no collapsed curation notes, tags dropped."""
    html = re.sub(r"<script\b.*?</script>|<style\b.*?</style>", " ", html, flags=re.DOTALL)
    html = re.sub(r'<details class="curation">.*?</details>', " ", html, flags=re.DOTALL)
    text = re.sub(r"<[^>]+>", " ", html)
    return re.sub(r"\s+", " ", str(Markup(text).unescape()))


@pytest.mark.parametrize("path", OFFICER_PAGES)
def test_pages_speak_plain_words(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    text = visible(response.text)
    assert not JARGON.findall(text), JARGON.findall(text)


def test_internal_notes_are_kept_as_collapsed_curation_notes(client: TestClient) -> None:
    text = client.get("/view/node/ap-17").text
    curation = re.findall(r'<details class="curation">(.*?)</details>', text, re.DOTALL)
    # Curation notes, where a page shows less of a note, speak in words too: no file of the dataset or of the
    # research notes behind it (issue 19), on any node page that has them.
    for node in ["pg-1", "component-relec", "source-seed-fact-sheet", "source-sample-plan", "country-pak"]:
        page = client.get(f"/view/node/{node}").text
        curation += re.findall(r'<details class="curation">(.*?)</details>', page, re.DOTALL)
    assert not re.findall(r"[\w-]+\.(?:csv|yaml|md|txt|xlsx)\b", " ".join(curation)), curation
    assert "deduced from what it does; priority-goal level" in visible(text)


def test_action_points_page_is_a_table_with_every_status(client: TestClient, memory_store: MemoryStore) -> None:
    cov = coverage(memory_store, "goal")
    text = client.get("/view/action-points").text
    rows = re.findall(r'<tr class="status-(\w+)">(.*?)</tr>', text, re.DOTALL)
    assert len(rows) == cov.summary.action_points
    for (status_class, row), status in zip(rows, cov.action_points, strict=True):
        cells = visible(row)
        assert status_class == status.status
        assert f"Action point {status.number} " in cells + " " and status.status_words in cells
        if status.status_confidence == "illustrative":
            assert "illustrative" in cells
    summary = visible(text.split('id="summary">')[1].split("</p>")[0])
    assert f"{cov.summary.covered} responded to directly" in summary
    assert 'href="/action-points?format=csv&amp;limit=500"' in text and "format=xlsx" in text
    # Sorted by status: gaps first; a header link sorts and says how (aria-sort).
    by_status = client.get("/view/action-points?sort=status").text
    first = re.search(r'<tr class="status-(\w+)">', by_status)
    assert first is not None and first.group(1) == ("gap" if cov.summary.gap else "goal_only")
    assert 'aria-sort="ascending"' in by_status
    only_gaps = client.get("/view/action-points?status=goal_only").text
    assert set(re.findall(r'<tr class="status-(\w+)">', only_gaps)) == {"goal_only"}
    assert client.get("/view/action-points?sort=colour").status_code == 422
    # The label list of action points is this page.
    assert client.get("/view/label/ActionPoint", follow_redirects=False).headers["location"] == "/view/action-points"


def test_gaps_page_lists_each_gap_with_what_answers_its_goal(client: TestClient, memory_store: MemoryStore) -> None:
    from bpkg.app.services.coverage import gaps as gaps_answer

    answer = gaps_answer(memory_store)
    text = client.get("/view/gaps").text
    table = visible(text.split('id="gaps"')[1].split("</table>")[0])
    for s in answer.gaps:
        assert f"Action point {s.number} " in table + " "
        assert s.status_words in table
    assert "By priority goal" in text and "By component" in text and "By country" in text
    assert 'href="/gaps?format=csv"' in text
    facts = {f.number: f for f in memory_store.action_point_facts()}
    for s in answer.gaps:
        for r in facts[s.number].goal_responses:
            assert str(escape(r.responder.name)) in text


def test_country_page_answers_what_is_done_there(client: TestClient, memory_store: MemoryStore) -> None:
    from bpkg.app.services.countries import country as country_answer

    answer = country_answer(memory_store, "PAK")
    response = client.get("/view/node/country-pak", follow_redirects=False)
    assert response.status_code == 307 and response.headers["location"].startswith("/view/country/country-pak")
    text = client.get("/view/country/PAK").text
    served = visible(text.split('id="served"')[1].split("</table>")[0])
    assert (
        len(answer.action_points) == 18
    )  # the sample plan links AP 35 to IBM Silk Routes (Pakistan among its countries), issue 20
    for ap in answer.action_points:
        assert f"Action point {ap.number} " in served + " "
    assert "responded to directly" in served
    page_text = visible(text)
    assert "Migrant Resource Centre Lahore" in page_text and "2015" in page_text
    for project in answer.projects:
        assert str(escape(project.name)) in text
    assert "Nothing in this direction" not in page_text and "Responds to: Nothing" not in page_text
    assert f"responds to {len(answer.action_points)} action points" in page_text
    # The same as a file: every action point served there, the projects, the centres and events by year.
    link = re.search(r'href="(/view/country/country-pak/table\?format=csv)"', text)
    assert link is not None
    saved = client.get(link.group(1))
    assert saved.headers["content-disposition"] == 'attachment; filename="country-pak-brief.csv"'
    lines = saved.content.decode("utf-8-sig").splitlines()
    assert sum(line.startswith("action point served there,") for line in lines) == 18
    assert any(line.startswith("Migrant Resource Centre,2015,Migrant Resource Centre Lahore") for line in lines)
    assert client.get("/view/country/country-pak/table?format=xlsx").content[:2] == b"PK"
    assert client.get("/view/country/country-pak/table?format=pdf").status_code == 422


def test_matrix_page_is_a_heatmap_with_illustrative_cells_marked(client: TestClient) -> None:
    text = client.get("/view/matrix").text
    assert 'class="heatmap"' in text and "heat-4" in text
    assert 'class="heat heat-' in text and " illustrative" in text
    cell = re.search(r'href="(/view/matrix/cell\?[^"]+)"', text)
    assert cell is not None
    behind = client.get(cell.group(1).replace("&amp;", "&"))
    assert behind.status_code == 200 and 'id="cell-links"' in behind.text
    per_ap = client.get("/view/matrix?rows=action_point&cols=project").text
    assert "responded to directly" in per_ap and "format=csv" in per_ap and "format=xlsx" in per_ap
    saved = client.get("/view/matrix/table?rows=goal&cols=component&format=csv").content.decode("utf-8-sig")
    header, *lines = saved.splitlines()
    assert header.startswith("priority goal,") and len(lines) == 6
    assert "- illustrative" in saved
    assert client.get("/view/matrix?cols=colour").status_code == 422


def test_overview_tells_the_same_coverage_as_the_home_page(client: TestClient, memory_store: MemoryStore) -> None:
    cov = coverage(memory_store, "goal")
    text = client.get("/view/overview").text
    edges = re.findall(r'"([^"|]+)\|RESPONDS_TO\|(ap-\d+)"', text)
    assert len({target for _, target in edges}) == cov.summary.covered
    summary = visible(text.split('id="overview-summary">')[1].split("</p>")[0])
    assert f"{cov.summary.covered} of {cov.summary.action_points} action points" in summary
    api = client.get("/coverage").json()["summary"]["covered"]
    assert api == cov.summary.covered
    assert 'id="overview-table"' in text
    # Action point 17 shows its responders' components and projects.
    responders = {s for s, t in edges if t == "ap-17"}
    assert len(responders) >= 2


def test_every_network_has_a_text_list_of_its_nodes(client: TestClient, memory_store: MemoryStore) -> None:
    for path, graph in [
        ("/view/node/ap-17", memory_store.neighbourhood("ap-17", 1, None, network.MAX_NODES)),
        ("/view/trace/pg-4?direction=down", memory_store.trace("pg-4", "down", 4, None)),
    ]:
        text = client.get(path).text
        listed = text.split('id="node-list"')[1].split("</details>")[0]
        links = set(re.findall(r'href="/view/node/([^"]+)"', listed))
        assert links == {n.id for n in graph.nodes}


def test_action_points_carry_their_status_wherever_they_are_listed(client: TestClient) -> None:
    for path in ("/view/node/pg-4", "/view/trace/pg-4?direction=down", "/view/search?q=action+point+6"):
        text = visible(client.get(path).text)
        assert "only through its goal" in text or "responded to directly" in text, path
    gap_page = visible(client.get("/view/node/ap-6").text)
    assert "only through its goal" in gap_page


def test_flow_view_widths_follow_the_links(client: TestClient, memory_store: MemoryStore) -> None:
    text = client.get("/view/flow").text
    assert "<svg" in text and 'id="flow-table"' in text and not REMOTE.search(text)
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td><td>(\d+)</td>", text)
    assert rows
    facts = {f.action_point.id: f for f in memory_store.action_point_facts()}
    ap17 = facts["ap-17"]
    into = sum(int(n) for src, dst, n in rows if "Action point 17<" in dst)
    assert into == len(ap17.responses)


def test_paths_page_finds_the_way_by_name(client: TestClient) -> None:
    text = client.get("/view/paths?from=Migrant+Resource+Centre+Lahore&to=Knowledge").text
    steps = visible(text.split('id="paths"')[1].split("</ol>\n  </li>")[0])
    assert "Migrant Resource Centre Lahore responds to" in steps and "makes" in steps
    assert "Nothing is called" in client.get("/view/paths?from=zzzqqqxx&to=Knowledge").text
    assert client.get("/view/paths?from=a&to=b&max_hops=9").status_code == 422


def test_expand_gives_a_nodes_neighbours_as_plain_network_items(client: TestClient, memory_store: MemoryStore) -> None:
    data = client.get("/view/expand/pg-2?x=10&y=-20").json()
    expected = memory_store.neighbourhood("pg-2", 1, None, 200)
    assert {n["id"] for n in data["nodes"]} == {n.id for n in expected.nodes} - {"pg-2"}
    assert len(data["edges"]) == len(expected.edges)
    assert all("href" not in n["title"] for n in data["nodes"])
    assert client.get("/view/expand/no-such-node").status_code == 404


def test_network_filters_narrow_the_view_and_are_kept_in_the_url_and_downloads(client: TestClient) -> None:
    path = "/view/node/ap-17?depth=2&confidence=confirmed&confidence=inferred&country=PAK"
    text = client.get(path).text
    assert '"dashes": [6, 5]' not in text  # no illustrative link is drawn
    assert 'value="confirmed" checked' in text and 'value="country-pak" selected' in text
    download = re.search(r'href="([^"]*download=1)"', text)
    assert download is not None
    href = download.group(1).replace("&amp;", "&")
    assert "confidence=confirmed" in href and "country=country-pak" in href
    saved = client.get(href).text
    assert "Narrowed to confirmed, inferred links, work in Pakistan." in visible(saved)
    assert '"dashes": [6, 5]' not in saved and '"dashes": [6, 5]' in client.get("/view/node/ap-17").text
    only_mrc = client.get("/view/trace/pg-2?direction=down&component=component-mrc").text
    kinds = re.findall(r'"id": "(activity-[^"|]+)", "kind"', only_mrc)
    assert kinds and all(k.startswith("activity-mrc") for k in kinds)
    assert client.get("/view/node/ap-17?confidence=sure").status_code == 422
    assert client.get("/view/overview?strength=direct").status_code == 200


def test_table_downloads_work_under_api_keys(memory_store: MemoryStore) -> None:
    # The API wants a header a link cannot send: with keys, the pages link to page routes that accept the
    # key cookie and give the same files.
    app = create_app(Settings(backend="memory", api_keys="k1"), memory_store)
    with TestClient(app) as keyed, TestClient(create_app(settings(), store=memory_store)) as open_client:
        assert keyed.post("/view/key", data={"key": "k1", "next": "/"}, follow_redirects=False).status_code == 303
        for page, api in (("/view/action-points", "/action-points"), ("/view/gaps", "/gaps")):
            text = keyed.get(page).text
            link = re.search(r'href="([^"]*/table\?format=csv[^"]*)"', text)
            assert link is not None, page
            mine = keyed.get(link.group(1).replace("&amp;", "&"))
            assert mine.status_code == 200
            params = {"format": "csv", "limit": 500} if api == "/action-points" else {"format": "csv"}
            assert mine.content == open_client.get(api, params=params).content
            assert f'href="{api}?format=csv' in open_client.get(page).text


@pytest.mark.parametrize(
    "path",
    [
        "/view/action-points",
        "/view/gaps",
        "/view/matrix",
        "/view/matrix?rows=action_point&cols=component",
        "/view/matrix/cell?row=pg-1&col=component-c&cols=component",
        "/view/country/PAK",
        "/view/country/PAK?download=1",
        "/view/flow",
        "/view/paths?from=activity-a&to=pg-1",
    ],
)
def test_names_from_data_are_escaped_on_the_officer_pages(xss_client: TestClient, path: str) -> None:
    response = xss_client.get(path)
    assert response.status_code == 200
    text = response.text
    assert "<img src=x" not in text and "<a href=javascript" not in text
    assert str(escape(XSS_IMG)) in text or str(escape(XSS_LINK)) in text or "\\u003cimg src=x" in text


def test_a_large_view_says_how_to_narrow_it(client: TestClient) -> None:
    assert "A large view: narrow it" in visible(client.get("/view/node/ap-17?depth=3").text)
    assert "A large view" not in client.get("/view/node/ap-17").text


def test_the_paths_page_takes_the_network_filters(client: TestClient) -> None:
    def summary(query: str) -> str:
        text = client.get(f"/view/paths?from=org-eu&to=ap-17{query}").text
        return " ".join(re.sub(r"<[^>]+>", " ", text.split('id="summary">')[1].split("</p>")[0]).split())

    assert summary("").startswith("Ways from European Union to Action point 17 in at most 4 steps, shortest first: 1")
    # Every way from EU funding to action point 17 rests on the illustrative sample plan.
    assert "(0 of these pass the filters)" in summary("&confidence=confirmed")
    assert "(7 of these pass the filters)" in summary("&country=PAK")
    both = client.get("/view/paths?from=org-eu&to=ap-17&confidence=confirmed&confidence=illustrative").text
    assert "Narrowed to confirmed, illustrative links" in " ".join(re.sub(r"<[^>]+>", " ", both).split())
    download = re.search(r'href="([^"]*download=1[^"]*)"', both)
    assert download is not None and "confidence=confirmed" in download.group(1)


def test_the_filter_form_offers_every_component_escaped_with_the_one_asked_chosen(tmp_path: Path) -> None:
    # The options are written once per version and the one asked for marked then: a name is still text, never
    # markup, and no other option is chosen.
    graph = base_graph()
    hostile = '<b onmouseover="x()">C & "D"</b>'
    for node in graph["nodes"]:
        if node["id"] == "component-c":
            node["name"] = hostile
    write_dataset(tmp_path / "tiny", graph=graph)
    store = MemoryStore(build_graph(load_dataset(tmp_path / "tiny")))
    with TestClient(create_app(settings(), store=store)) as tiny:
        for _ in range(2):  # written, then kept
            text = tiny.get("/view/node/ap-1?component=component-c").text
            chosen = text.split('<select name="component">')[1].split("</select>")[0]
            assert f'<option value="component-c" selected>{escape(hostile)}</option>' in chosen
            assert chosen.count(" selected>") == 1 and "<b onmouseover" not in text
        plain = tiny.get("/view/node/ap-1").text.split('<select name="component">')[1].split("</select>")[0]
        assert f'<option value="component-c">{escape(hostile)}</option>' in plain and " selected>" not in plain


def test_a_trace_page_lists_the_first_nodes_of_each_level_and_counts_the_rest(
    client: TestClient, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A busy action point's trace down reaches tens of thousands of nodes: each level lists its first
    # TRACE_LISTED and says how many more it reached (here two, on the bundled dataset's goal 4).
    from bpkg.app.services import views
    from bpkg.app.web import pages
    from bpkg.app.web.rendering import MAX_TRACE_DEPTH

    monkeypatch.setattr(pages, "TRACE_LISTED", 2)
    html = client.get("/view/trace/pg-4?direction=down").text
    table = html[html.index('id="reached"') : html.index("</table>", html.index('id="reached"'))]
    reached = views.trace(memory_store, "pg-4", "down", MAX_TRACE_DEPTH, None)
    levels: dict[str, list[str]] = {}
    for ref in reached.nodes:
        if ref.id != "pg-4":
            levels.setdefault(ref.label, []).append(ref.id)
    cut = 0
    for row in re.findall(r"<tr><th scope=\"row\">(.*?)</td></tr>", table, re.DOTALL):
        listed = re.findall(r'href="[^"]*/view/node/([^"?]+)"', row)
        label = next(label for label, ids in levels.items() if listed and listed[0] in ids)
        ids = levels[label]
        assert listed == ids[:2], label
        if len(ids) > 2:
            cut += 1
            assert f"({len(ids):,})" in row and f"and {len(ids) - 2:,} more" in row, row
        else:
            assert "more" not in row
    assert cut, "some level of the trace is cut"


def _without_nonces(html: str) -> str:
    return re.sub(r'nonce="[^"]*"', 'nonce=""', html)


def test_a_trace_page_made_from_the_outline_is_the_page_made_from_the_whole_trace(
    any_client: TestClient, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Today's trace up or down, unfiltered, is made from the store's outline (trace_outline); a trace that fits
    # in the network makes the same page as the whole trace did, on every backend.
    from bpkg.app.web import pages

    made_whole = [False]
    outlined = pages.outlined
    monkeypatch.setattr(pages, "outlined", lambda *a: outlined(*a) and not made_whole[0])
    nodes = memory_store.nodes(None, None, 100_000, 0).items
    chosen = [ref.id for ref in nodes if ref.label in ("ActionPoint", "Goal", "Commitment", "Project")]
    assert len(chosen) > 50
    for node_id in chosen:
        for way in ("up", "down"):
            url = f"/view/trace/{node_id}?direction={way}"
            made_whole[0] = False
            outline = _without_nonces(any_client.get(url).text)
            made_whole[0] = True
            whole = _without_nonces(any_client.get(url).text)
            assert outline == whole, url
    # Filtered, both ways or as of a day the page is made from the whole trace.
    assert not outlined(True, None, "down") and not outlined(False, None, "both")


def test_a_trace_page_cut_to_the_nodes_nearest_the_start(
    any_client: TestClient, memory_store: MemoryStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A trace with more nodes than the network draws: the network shows the nearest (TRACE_NEAR, the start among
    # them) and says of how many, and each level still counts every node it reached.
    from bpkg.app.web import pages
    from bpkg.app.web.rendering import MAX_TRACE_DEPTH

    monkeypatch.setattr(pages, "TRACE_NEAR", 5)
    html = any_client.get("/view/trace/pg-4?direction=down").text
    whole = memory_store.trace("pg-4", "down", MAX_TRACE_DEPTH, None)
    assert len(whole.nodes) > 5
    assert f"This view was cut to 5 of the {len(whole.nodes):,} nodes of the trace (the nearest first)" in html
    assert re.search(r'id="network-summary">5 nodes', html), "the network draws five nodes"
    table = html[html.index('id="reached"') : html.index("</table>", html.index('id="reached"'))]
    linked = set(re.findall(r'href="[^"]*/view/node/([^"?]+)"', table))
    assert linked == {ref.id for ref in whole.nodes if ref.id != "pg-4"}, "every node is listed (200 a level)"
