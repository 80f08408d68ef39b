"""Names as people type them: other names (aliases) are searched and shown on both backends, and a name that
could mean several nodes makes Connections ask which one instead of picking one."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.api.test_viz_pages import visible

if TYPE_CHECKING:
    from fastapi.testclient import TestClient


def test_search_finds_a_country_by_its_exonym_and_says_so(any_client: TestClient) -> None:
    hits = any_client.get("/search", params={"q": "Turkey"}).json()["hits"]
    assert hits[0]["node"]["id"] == "country-tur" and hits[0]["alias"] == "Turkey"
    assert "org-gov-tur" in [h["node"]["id"] for h in hits]
    page = visible(any_client.get("/view/search", params={"q": "Turkey"}).text)
    assert "Türkiye" in page and "also called Turkey" in page and "Government of Türkiye" in page
    assert "matched" not in page  # field names are machinery, not words


def test_abbreviations_find_what_they_abbreviate(any_client: TestClient) -> None:
    for text, wanted in (("SRPP", "project-srpp"), ("ICMPD", "org-icmpd"), ("MRC", "component-mrc")):
        hits = any_client.get("/search", params={"q": text}).json()["hits"]
        assert hits[0]["node"]["id"] == wanted, (text, hits[:2])


def test_a_node_page_shows_other_names(any_client: TestClient) -> None:
    page = visible(any_client.get("/view/node/country-tur").text)
    assert "Also called Turkey, Republic of Türkiye" in page


def test_an_ambiguous_name_in_connections_asks_which_one(any_client: TestClient) -> None:
    response = any_client.get("/view/paths", params={"from": "EU", "to": "ap-17"})
    assert response.status_code == 200
    text = visible(response.text)
    assert "“EU” could mean 2 things. Which one did you mean to start from?" in text
    assert "European Union Organisation" in text and "European Union member states Region" in text
    assert "No way" not in text and "ways from" not in text
    # Each choice asks the same question again with that node.
    links = re.findall(r'href="([^"]*/view/paths\?[^"]*)"', response.text)
    assert any("from=org-eu" in link and "to=ap-17" in link for link in links), links
    chosen = visible(any_client.get("/view/paths", params={"from": "org-eu", "to": "ap-17"}).text)
    assert "could mean" not in chosen and "from European Union to Action point 17" in chosen


def test_an_unambiguous_other_name_is_taken_at_its_word(any_client: TestClient) -> None:
    text = visible(any_client.get("/view/paths", params={"from": "Turkey", "to": "Knowledge"}).text)
    assert "could mean" not in text and "from Türkiye to" in text


def test_a_country_summary_says_which_counts_include_others(any_client: TestClient) -> None:
    text = visible(any_client.get("/view/country/country-pak").text)
    found = re.search(r"(\d+) activities \(the (\d+) Migrant Resource Centres? among them\)", text)
    assert found, text[:800]
    assert int(found[2]) <= int(found[1])
