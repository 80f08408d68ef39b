"""The graph as RDF: SKOS for plans, commitments, goals and action points; PROV-O for sources; one qualified
resource per relationship, so that none of a link's properties is lost. Terms in ``bpkg.loaders.formats.vocab``."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, Final, Literal

import networkx as nx
from rdflib import RDF, Graph, URIRef
from rdflib import Literal as Lit
from rdflib.namespace import DCTERMS, FOAF, ORG, OWL, PROV, RDFS, SKOS, XSD

from bpkg.graph_schema import NODE_MODELS, REL_MODELS, Confidence, Label, RelType, Strength
from bpkg.loaders.crosswalk import MATCHED_LABELS, SCHEMES, matches, scheme
from bpkg.loaders.formats.vocab import (
    BPKG,
    CONCEPTS,
    ENUMS,
    LINK,
    LINK_FROM,
    LINK_RELATION,
    LINK_TO,
    NOTATION,
    WELL_KNOWN,
    field,
    link_uri,
    node_uri,
    relation,
)

RdfFormat = Literal["jsonld", "ttl"]
MEDIA_TYPES: Final[dict[str, str]] = {"jsonld": "application/ld+json", "ttl": "text/turtle"}
PREFIXES: Final[dict[str, str]] = {
    "bpkg": str(BPKG),
    "skos": str(SKOS),
    "prov": str(PROV),
    "dcterms": str(DCTERMS),
    "org": str(ORG),
    "foaf": str(FOAF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
}


@dataclass(frozen=True, slots=True)
class GraphNode:
    label: str
    props: dict[str, Any]


@dataclass(frozen=True, slots=True)
class GraphLink:
    type: str
    source: str
    target: str
    props: dict[str, Any]


def from_networkx(graph: nx.MultiDiGraph) -> tuple[list[GraphNode], list[GraphLink]]:
    """The nodes and links of an exported graph (``bpkg.app.services.graph_files.export_graph``)."""
    nodes = [
        GraphNode(str(attrs["label"]), {"id": node, **{k: v for k, v in attrs.items() if k != "label"}})
        for node, attrs in graph.nodes(data=True)
    ]
    links = [
        GraphLink(str(attrs.get("type", key)), source, target, {k: v for k, v in attrs.items() if k != "type"})
        for source, target, key, attrs in graph.edges(keys=True, data=True)
    ]
    return nodes, links


def _values(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list | tuple) else [value]


def _objects(base: str, name: str, value: Any) -> Iterator[URIRef | Lit]:
    how = field(name)
    for item in _values(value):
        if how.refers:
            yield node_uri(base, str(item))
        elif how.enum:
            yield BPKG[str(item)]
        elif isinstance(item, bool):
            yield Lit(item)
        elif isinstance(item, int):
            yield Lit(item, datatype=XSD.integer)
        else:
            yield Lit(str(item))


_NOT_IN_IRI: Final = re.compile(r'[<>"{}|\\^`\s]')
Block = tuple[URIRef, list[tuple[URIRef, URIRef | Lit]]]
"""A subject and some of its (predicate, object) pairs: the unit the writers stream."""


def _props(base: str, props: dict[str, Any]) -> Iterator[tuple[URIRef, URIRef | Lit]]:
    for name, value in props.items():
        if value is None or value == []:
            continue
        for obj in _objects(base, name, value):
            yield field(name).predicate, obj


def blocks(nodes: Iterable[GraphNode], links: Iterable[GraphLink], base: str) -> Iterator[Block]:
    """The triples of ``nodes`` and ``links``, one block per subject and statement group, as they come: the
    writers stream them, so memory holds one node or link at a time (plus each node's label)."""
    labels: dict[str, Label] = {}
    for node in nodes:
        ident = str(node.props["id"])
        label = Label(node.label)
        labels[ident] = label
        pairs: list[tuple[URIRef, URIRef | Lit]] = [(RDF.type, BPKG[label.value])]
        pairs += [(RDF.type, cls) for cls in WELL_KNOWN.get(label, ())]
        pairs += _props(base, node.props)
        name = Lit(str(node.props.get("name")))
        if label in CONCEPTS or label is Label.ACTION_PLAN:
            pairs.append((SKOS.prefLabel, name))
        if label in NOTATION and "number" in node.props:
            pairs.append((SKOS.notation, Lit(f"{NOTATION[label]} {node.props['number']}")))
        if label is Label.SOURCE:
            pairs.append((DCTERMS.title, name))
            url = str(node.props.get("url") or "")
            if url and not _NOT_IN_IRI.search(url):  # bpkg:url keeps any URL; foaf:page only one Turtle can hold
                pairs.append((FOAF.page, URIRef(url)))
        yield node_uri(base, ident), pairs
    for link in links:
        s, t = node_uri(base, link.source), node_uri(base, link.target)
        rel = RelType(link.type)
        qualified = link_uri(base, link.source, rel.value, link.target)
        yield s, [(relation(rel), t), (PROV.qualifiedInfluence, qualified)]
        yield (
            qualified,
            [
                (RDF.type, LINK),
                (RDF.type, PROV.Influence),
                (LINK_FROM, s),
                (LINK_RELATION, relation(rel)),
                (LINK_TO, t),
                (PROV.influencer, t),
                *_props(base, link.props),
            ],
        )
        yield from _skos(rel, s, t, labels.get(link.source))


def _skos(rel: RelType, s: URIRef, t: URIRef, source: Label | None) -> Iterator[Block]:
    """The SKOS reading of a link: a goal or action point in its plan's scheme, an action point under its goal.
    How sure a placement is stays on the link's qualified resource (an illustrative placement stays marked)."""
    pairs: list[tuple[URIRef, URIRef | Lit]]
    if rel is RelType.UNDER:
        yield s, [(SKOS.broader, t)]
        yield t, [(SKOS.narrower, s)]
    elif rel in (RelType.SETS, RelType.CONTAINS) and source is Label.ACTION_PLAN:
        pairs = [(SKOS.inScheme, s)]
        if rel is RelType.SETS:
            pairs.append((SKOS.topConceptOf, s))
        yield t, pairs
        if rel is RelType.SETS:
            yield s, [(SKOS.hasTopConcept, t)]


def crosswalk_blocks(nodes: Iterable[GraphNode], base: str) -> Iterator[Block]:
    """The GCM and SDG concept schemes and the goals' and commitments' ``skos:closeMatch`` to them, each match
    qualified by a ``bpkg:Match`` resource with its confidence and sources (``bpkg.loaders.crosswalk``)."""
    matched = [(str(n.props["id"]), n.props) for n in nodes if Label(n.label) in MATCHED_LABELS]
    for name in SCHEMES:
        of = scheme(name)
        uri = URIRef(f"{base}crosswalk/{name}")
        yield (
            uri,
            [
                (RDF.type, SKOS.ConceptScheme),
                (RDFS.label, Lit(of.name)),
                (DCTERMS.bibliographicCitation, Lit(of.citation)),
                (BPKG.confidence, BPKG[of.confidence.value]),
            ],
        )
        concepts: dict[str, URIRef] = {}
        for concept in of.concepts:
            curi = concepts[str(concept.number)] = URIRef(concept.uri or f"{base}crosswalk/{name}/{concept.number}")
            yield (
                curi,
                [
                    (RDF.type, SKOS.Concept),
                    (SKOS.inScheme, uri),
                    (SKOS.notation, Lit(f"{name.upper()} {concept.number}")),
                    (SKOS.prefLabel, Lit(concept.name, lang="en")),
                ],
            )
        for match in matches(of, matched):
            target = concepts.get(str(match.number))
            if target is None:
                continue
            subject = node_uri(base, match.source)
            qualified = URIRef(f"{base}links/{match.source}/closeMatch/{name}-{match.number}")
            yield subject, [(SKOS.closeMatch, target), (PROV.qualifiedInfluence, qualified)]
            yield (
                qualified,
                [
                    (RDF.type, BPKG.Match),
                    (RDF.type, PROV.Influence),
                    (LINK_FROM, subject),
                    (LINK_RELATION, SKOS.closeMatch),
                    (LINK_TO, target),
                    (PROV.influencer, target),
                    (BPKG.confidence, BPKG[match.confidence]),
                    *[(PROV.wasDerivedFrom, node_uri(base, s)) for s in match.sources],
                ],
            )


def build(nodes: Iterable[GraphNode], links: Iterable[GraphLink], base: str) -> Graph:
    """An rdflib graph of ``nodes`` and ``links`` (what the writers stream, in memory: for tests and queries)."""
    graph = _bound(Graph(bind_namespaces="none"))
    for subject, pairs in blocks(nodes, links, base):
        for predicate, obj in pairs:
            graph.add((subject, predicate, obj))
    return graph


def _bound(graph: Graph) -> Graph:
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri)
    return graph


def context() -> dict[str, Any]:
    """The JSON-LD ``@context`` of the export (also shipped as ``bpkg/app/formats/context.jsonld``)."""
    terms: dict[str, Any] = dict(PREFIXES)
    terms.update(
        {
            "id": "dcterms:identifier",
            "name": "rdfs:label",
            "sources": {"@id": "prov:wasDerivedFrom", "@type": "@id"},
            "confidence": {"@id": "bpkg:confidence", "@type": "@id"},
            "strength": {"@id": "bpkg:strength", "@type": "@id"},
        }
    )
    return terms


def turtle(stream: Iterable[Block]) -> Iterator[bytes]:
    """Turtle, one statement group at a time (terms written by rdflib, which escapes them)."""
    # Vocabulary terms as prefixed names, every other URI in full. Not rdflib's namespace manager: it would take
    # each link URI's path as a namespace of its own, and slows down as they add up.
    written: dict[URIRef, str] = {RDF.type: "a"}

    def term(node: URIRef | Lit) -> str:
        if isinstance(node, Lit):
            return node.n3()
        text = written.get(node)
        if text is None:
            short = _compact(node)
            text = short if short != str(node) else node.n3()
            if len(written) < _TERM_CACHE:
                written[node] = text
        return text

    yield "".join(f"@prefix {p}: <{u}> .\n" for p, u in PREFIXES.items()).encode() + b"\n"
    for subject, pairs in stream:
        body = " ;\n    ".join(f"{term(p)} {term(o)}" for p, o in pairs)
        yield f"{term(subject)} {body} .\n".encode()


_TERM_CACHE: Final = 10_000
"""Vocabulary terms repeat on every line; node URIs are written as they come (the cache stays small)."""


def _json_value(obj: URIRef | Lit) -> Any:
    if isinstance(obj, URIRef):
        return {"@id": _compact(obj)}
    if obj.language:
        return {"@value": str(obj), "@language": obj.language}
    if obj.datatype is not None:
        return {"@value": obj.toPython(), "@type": _compact(URIRef(obj.datatype))}
    return str(obj)


def _compact(uri: URIRef) -> str:
    text = str(uri)
    for prefix, ns in PREFIXES.items():
        if text.startswith(ns) and text != ns:
            local = text[len(ns) :]
            if local.replace("_", "").isalnum():
                return f"{prefix}:{local}"
    return text


def jsonld(stream: Iterable[Block]) -> Iterator[bytes]:
    """JSON-LD: the product's context inline (nothing to fetch), then one ``@graph`` object per statement group."""
    yield b'{"@context": ' + json.dumps(context(), sort_keys=True).encode() + b',\n"@graph": [\n'
    first = True
    for subject, pairs in stream:
        obj: dict[str, Any] = {"@id": _compact(subject)}
        for predicate, value in pairs:
            if predicate == RDF.type:
                obj.setdefault("@type", []).append(_compact(URIRef(value)))
            else:
                obj.setdefault(_compact(predicate), []).append(_json_value(value))
        yield (b"" if first else b",\n") + json.dumps(obj, ensure_ascii=False, sort_keys=True).encode()
        first = False
    yield b"\n]}\n"


def serialise(stream: Iterable[Block], fmt: RdfFormat) -> Iterator[bytes]:
    """The triples as Turtle or JSON-LD, streamed."""
    return turtle(stream) if fmt == "ttl" else jsonld(stream)


def vocabulary() -> Graph:
    """The product's vocabulary as RDFS/OWL: a class per label, a property per relationship type and per
    property, the link class and the confidence and strength levels (shipped as ``bpkg/app/formats/vocab.ttl``)."""
    g = Graph(bind_namespaces="none")
    for prefix, uri in PREFIXES.items():
        g.bind(prefix, uri)
    g.bind("owl", str(OWL))
    onto = URIRef(str(BPKG).rstrip("#"))
    g.add((onto, RDF.type, OWL.Ontology))
    g.add((onto, RDFS.label, Lit("bpkg: the Budapest Process traceability graph's vocabulary")))
    for label in Label:
        cls = BPKG[label.value]
        g.add((cls, RDF.type, OWL.Class))
        g.add((cls, RDFS.label, Lit(label.value)))
        for known in WELL_KNOWN.get(label, ()):
            g.add((cls, RDFS.subClassOf, known))
    for rel in RelType:
        prop = relation(rel)
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.label, Lit(rel.value)))
    g.add((LINK, RDF.type, OWL.Class))
    g.add((LINK, RDFS.subClassOf, PROV.Influence))
    g.add((LINK, RDFS.comment, Lit("One relationship with its properties (confidence, strength, sources ...).")))
    g.add((BPKG.Match, RDF.type, OWL.Class))
    g.add((BPKG.Match, RDFS.subClassOf, PROV.Influence))
    g.add((BPKG.Match, RDFS.comment, Lit("One crosswalk match (skos:closeMatch) with its confidence and sources.")))
    for prop, comment in ((LINK_FROM, "the node a link starts from"), (LINK_TO, "the node a link goes to")):
        g.add((prop, RDF.type, OWL.ObjectProperty))
        g.add((prop, RDFS.comment, Lit(comment)))
    g.add((LINK_RELATION, RDF.type, OWL.ObjectProperty))
    g.add((LINK_RELATION, RDFS.comment, Lit("the direct property the link qualifies")))
    for name, values in (("confidence", list(Confidence)), ("strength", list(Strength))):
        cls = BPKG[name.capitalize()]
        g.add((cls, RDF.type, OWL.Class))
        g.add((BPKG[name], RDF.type, OWL.ObjectProperty))
        g.add((BPKG[name], RDFS.range, cls))
        for value in values:
            g.add((BPKG[value.value], RDF.type, cls))
            g.add((BPKG[value.value], RDFS.label, Lit(value.value)))
    names = {n for m in [*NODE_MODELS.values(), *REL_MODELS.values()] for n in m.model_fields}
    for name in sorted(names):
        how = field(name)
        if how.predicate.startswith(str(BPKG)) and name not in ENUMS:
            kind = OWL.ObjectProperty if how.refers else OWL.DatatypeProperty
            g.add((how.predicate, RDF.type, kind))
    return g


def shipped(name: str) -> bytes:
    """A file shipped with this module (``vocab.ttl``, ``context.jsonld``, ``shapes.ttl``)."""
    return (resources.files("bpkg.app.formats") / name).read_bytes()


def context_document() -> bytes:
    return json.dumps({"@context": context()}, indent=2, sort_keys=True).encode("utf-8") + b"\n"
