"""Crosswalks: the GCM's 23 objectives and SDG 10.7 as concept schemes, goals matched to them with sources and
confidence, in the API and in the RDF export."""

from __future__ import annotations

from fastapi.testclient import TestClient
from rdflib import Graph, URIRef
from rdflib.namespace import PROV, SKOS

from bpkg.loaders.crosswalk import scheme
from bpkg.loaders.formats.vocab import BPKG


def test_gcm_crosswalk_lists_the_23_objectives_and_the_stated_matches(client: TestClient) -> None:
    response = client.get("/crosswalk", params={"scheme": "gcm"})
    assert response.status_code == 200
    body = response.json()
    assert [c["notation"] for c in body["concepts"]] == [f"GCM {n}" for n in range(1, 24)]
    by_objective = {c["notation"]: c["matches"] for c in body["concepts"]}
    # The UN Network on Migration's page states pg-1's objectives (2, 4, 7, 9, 11, 14, 21): confirmed, cited.
    assert [m["id"] for m in by_objective["GCM 21"]] == ["pg-1"]
    assert by_objective["GCM 21"][0]["confidence"] == "confirmed"
    assert by_objective["GCM 21"][0]["sources"] == ["source-unmn-budapest-process"]
    # No source gives the objectives of goals 4-6: nothing is matched from them.
    matched = {m["id"] for ms in by_objective.values() for m in ms}
    assert matched == {"pg-1", "pg-2", "pg-3"}


def test_sdg_crosswalk_has_target_10_7_and_no_unsourced_match(client: TestClient) -> None:
    body = client.get("/crosswalk", params={"scheme": "sdg"}).json()
    assert [(c["notation"], c["matches"]) for c in body["concepts"]] == [("SDG 10.7", [])]
    assert client.get("/crosswalk", params={"scheme": "wto"}).status_code == 422


def test_rdf_export_has_close_matches_with_their_provenance(client: TestClient) -> None:
    g = Graph().parse(data=client.get("/export/graph.ttl").content, format="turtle")
    pg1, objective = URIRef("urn:bpkg:nodes/pg-1"), URIRef("urn:bpkg:crosswalk/gcm/21")
    assert (pg1, SKOS.closeMatch, objective) in g
    assert (objective, SKOS.inScheme, URIRef("urn:bpkg:crosswalk/gcm")) in g
    match = URIRef("urn:bpkg:links/pg-1/closeMatch/gcm-21")
    assert (match, BPKG.confidence, BPKG.confirmed) in g
    assert (match, PROV.wasDerivedFrom, URIRef("urn:bpkg:nodes/source-unmn-budapest-process")) in g
    assert len(list(g.subjects(SKOS.inScheme, URIRef("urn:bpkg:crosswalk/gcm")))) == len(scheme("gcm").concepts) == 23


def test_goal_pages_show_their_gcm_objectives(client: TestClient) -> None:
    page = client.get("/view/node/pg-1").text
    assert 'id="crosswalk"' in page
    assert "GCM 21: Safe and dignified return and readmission, and lasting reintegration" in page
    assert "GCM 5:" not in page  # pg-2's, not pg-1's
    # No source states the objectives of goal 4: no crosswalk section at all.
    assert 'id="crosswalk"' not in client.get("/view/node/pg-4").text
