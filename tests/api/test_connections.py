"""Connections lists every way up to the chosen number of steps, shortest first, paged, saying its bound and
which ways are the shortest; the API gives the same ways (both backends)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from tests.api.test_viz_pages import visible

if TYPE_CHECKING:
    from fastapi.testclient import TestClient

ASK = {"from": "org-eu", "to": "ap-17", "max_hops": 3}


def test_connections_lists_longer_ways_and_says_which_are_shortest(any_client: TestClient) -> None:
    text = visible(any_client.get("/view/paths", params=ASK).text)
    assert (
        "Ways from European Union to Action point 17 in at most 3 steps, shortest first: 1 to 10 of more than 10"
        in text
    )
    assert "The shortest take 2 steps." in text
    assert "Every way that passes no place twice is looked for, 10 to a page, up to the 500th." in text
    assert text.count("· one of the shortest") == 3  # the three ways of two steps
    assert text.count("3 steps ·") == 7
    assert "as sure as its weakest step: illustrative" in text


def test_connections_shows_the_way_through_the_facility_and_pages_on(any_client: TestClient) -> None:
    first = any_client.get("/view/paths", params=ASK).text
    # The route, longer than the shortest ways: EU funds the Facility, whose technical assistance in
    # Pakistan responds to action point 17.
    assert re.search(
        r"European Union funds confirmed Silk Routes Facility .{0,80}Technical assistance for Pakistan's emigration"
        r" policy responds to illustrative Action point 17",
        visible(first),
    )
    more = re.search(r'href="([^"]*offset=10[^"]*)">More ways<', first)
    assert more, "no link to more ways"
    text = visible(any_client.get(more[1].replace("&amp;", "&")).text)
    assert "shortest first: 11 to 13" in text and "(all of them)" not in text
    assert "Earlier ways" in text and "More ways" not in text


def test_the_api_gives_every_way_with_the_same_bound(any_client: TestClient) -> None:
    body = any_client.get("/paths", params={**ASK, "every": "true", "limit": 100}).json()
    assert body["every"] is True and body["more"] is False and body["shortest"] == 2
    seqs = [[n["id"] for n in p["nodes"]] for p in body["paths"]]
    assert len(seqs) == 13 and [len(s) - 1 for s in seqs] == sorted(len(s) - 1 for s in seqs)
    assert ["org-eu", "component-facility", "activity-facility-ta-pak-emigration-policy", "ap-17"] in seqs
    shortest = any_client.get("/paths", params=ASK).json()
    assert shortest["every"] is False and len(shortest["paths"]) == 3 and shortest["shortest"] == 2
    late = any_client.get("/paths", params={**ASK, "every": "true", "offset": 495, "limit": 10})
    assert late.status_code == 422 and "500th" in late.json()["error"]["message"]
