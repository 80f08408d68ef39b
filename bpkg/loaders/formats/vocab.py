"""The product's RDF vocabulary: namespaces, node and link URIs, and how each property becomes a triple.

Shared by the RDF writer (``bpkg.app.formats.rdf``), the SHACL shapes (``bpkg.app.formats.shapes``) and the RDF reader
(``bpkg.loaders.formats.rdf``), so that what is written is exactly what is read back.

URIs: a node is ``<base>nodes/<id>`` and a relationship ``<base>links/<from>/<TYPE>/<to>``, where ``<base>`` is
the deployment's public address (``BPKG_PUBLIC_URL`` + ``/``) or, without one, ``urn:bpkg:`` (an informal URN
namespace of this product: ``urn:bpkg:nodes/ap-17``). The vocabulary's own namespace never depends on the
deployment (``urn:bpkg:vocab#``), so that files from two deployments use the same terms.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rdflib import Namespace, URIRef
from rdflib.namespace import DCTERMS, ORG, PROV, RDFS, SKOS

from bpkg.graph_schema import Label, RelType

BPKG: Final = Namespace("urn:bpkg:vocab#")
URN_BASE: Final = "urn:bpkg:"
ENUMS: Final = ("confidence", "strength")
"""Properties whose values are individuals of the vocabulary (``bpkg:confirmed``, ``bpkg:direct``)."""


def base_of(public_url: str) -> str:
    """The base of node and link URIs: the public address with a final ``/``, else ``urn:bpkg:``."""
    return public_url.rstrip("/") + "/" if public_url else URN_BASE


def node_uri(base: str, ident: str) -> URIRef:
    return URIRef(f"{base}nodes/{ident}")


def link_uri(base: str, source: str, rel: str, target: str) -> URIRef:
    return URIRef(f"{base}links/{source}/{rel}/{target}")


def node_id(base: str, uri: str) -> str | None:
    """The node id in a node URI of ``base``; None when the URI is not one."""
    prefix = f"{base}nodes/"
    return uri[len(prefix) :] if uri.startswith(prefix) else None


def relation(rel: RelType) -> URIRef:
    """The direct property of a relationship type: RESPONDS_TO -> ``bpkg:respondsTo``."""
    head, *rest = rel.value.lower().split("_")
    return BPKG[head + "".join(word.capitalize() for word in rest)]


RELATIONS: Final[dict[URIRef, RelType]] = {relation(t): t for t in RelType}
CLASSES: Final[dict[URIRef, Label]] = {BPKG[label.value]: label for label in Label}

# Well-known classes a node of a label also has (the product's class is always there too).
WELL_KNOWN: Final[dict[Label, tuple[URIRef, ...]]] = {
    Label.ACTION_PLAN: (SKOS.ConceptScheme,),
    Label.COMMITMENT: (SKOS.Concept,),
    Label.PRIORITY_GOAL: (SKOS.Concept,),
    Label.ACTION_POINT: (SKOS.Concept,),
    Label.ORGANISATION: (ORG.Organization,),
    Label.PROCESS: (ORG.Organization,),
    Label.PROJECT: (PROV.Activity,),
    Label.COMPONENT: (PROV.Activity,),
    Label.ACTIVITY: (PROV.Activity,),
    Label.EVENT: (PROV.Activity,),
    Label.OUTPUT: (PROV.Entity,),
    Label.DECLARATION: (PROV.Entity,),
    Label.SOURCE: (PROV.Entity,),
    Label.COUNTRY: (DCTERMS.Location,),
    Label.REGION: (DCTERMS.Location,),
}
CONCEPTS: Final = frozenset({Label.COMMITMENT, Label.PRIORITY_GOAL, Label.ACTION_POINT})
NOTATION: Final[dict[Label, str]] = {Label.COMMITMENT: "C", Label.PRIORITY_GOAL: "PG", Label.ACTION_POINT: "AP"}
"""``skos:notation`` of a numbered concept: its prefix and number ("AP 17")."""


@dataclass(frozen=True, slots=True)
class Field:
    """How one property is written: its predicate, and whether its values are node URIs or vocabulary terms."""

    predicate: URIRef
    refers: bool = False  # values are node ids, written as node URIs
    enum: bool = False  # values are vocabulary terms (bpkg:<value>)


# Properties with a well-known predicate; every other property ``p`` is ``bpkg:p`` (a plain literal).
_KNOWN: Final[dict[str, Field]] = {
    "id": Field(DCTERMS.identifier),
    "name": Field(RDFS.label),
    "description": Field(DCTERMS.description),
    "note": Field(RDFS.comment),
    "sources": Field(PROV.wasDerivedFrom, refers=True),
    "countries": Field(BPKG.country, refers=True),
    "confidence": Field(BPKG.confidence, enum=True),
    "strength": Field(BPKG.strength, enum=True),
    # A declaration's adoption date; ``bpkg:adopted`` is the ADOPTED relationship.
    "adopted": Field(BPKG.adoptedOn),
}


def field(name: str) -> Field:
    """How the property ``name`` is written."""
    return _KNOWN.get(name) or Field(BPKG[name])


def field_name(predicate: str) -> str | None:
    """The property a predicate writes; None for a predicate that is derived (types, SKOS, links)."""
    for name, known in _KNOWN.items():
        if str(known.predicate) == predicate:
            return name
    if predicate.startswith(str(BPKG)) and predicate not in _DERIVED:
        local = predicate[len(str(BPKG)) :]
        return local if local and local[0].islower() and URIRef(predicate) not in RELATIONS else None
    return None


# Link resources: what they qualify.
LINK: Final = BPKG.Link
LINK_FROM: Final = BPKG["from"]
LINK_TO: Final = BPKG.to
LINK_RELATION: Final = BPKG.relation
_DERIVED: Final = frozenset(str(p) for p in (LINK_FROM, LINK_TO, LINK_RELATION))
