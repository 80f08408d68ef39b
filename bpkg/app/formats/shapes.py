"""SHACL shapes of the RDF export, generated from ``graph_schema``: one node shape per label (its required and
single-valued properties, its enums, and the relationships it may have, to which labels), one for link resources.

A validator such as pySHACL then refuses an export with a fact that has no source, a link the schema forbids or
a value outside its vocabulary, as ``bpkg validate`` refuses the dataset.
"""

from __future__ import annotations

import typing
from collections.abc import Iterable
from typing import Any, Final

from rdflib import RDF, BNode, Graph, URIRef
from rdflib import Literal as Lit
from rdflib.collection import Collection
from rdflib.namespace import SH, XSD

from bpkg.app.formats.rdf import PREFIXES
from bpkg.graph_schema import NODE_MODELS, REL_MODELS, Confidence, Label, RelType, Strength, allowed_targets
from bpkg.graph_schema.properties import ID_PATTERN, RelProps
from bpkg.loaders.formats.vocab import BPKG, LINK, LINK_FROM, LINK_RELATION, LINK_TO, field, relation

SHAPES: Final = "urn:bpkg:shapes#"
_ENUM_VALUES: Final[dict[str, list[str]]] = {
    "confidence": [c.value for c in Confidence],
    "strength": [s.value for s in Strength],
}


def _list(graph: Graph, items: Iterable[Any]) -> BNode:
    head = BNode()
    Collection(graph, head, list(items))
    return head


def _is_list(annotation: Any) -> bool:
    return typing.get_origin(annotation) is tuple or any(
        typing.get_origin(a) is tuple for a in typing.get_args(annotation)
    )


def _is_int(annotation: Any) -> bool:
    args = [a for a in typing.get_args(annotation) if a is not type(None)] or [annotation]
    return any(a is int or (typing.get_origin(a) is typing.Annotated and typing.get_args(a)[0] is int) for a in args)


def _property(graph: Graph, shape: URIRef | BNode, name: str, info: Any) -> None:
    how = field(name)
    prop = BNode()
    graph.add((shape, SH.property, prop))
    graph.add((prop, SH.path, how.predicate))
    graph.add((prop, SH.name, Lit(name)))
    if info.is_required():
        graph.add((prop, SH.minCount, Lit(1)))
    if not _is_list(info.annotation):
        graph.add((prop, SH.maxCount, Lit(1)))
    if how.enum:
        graph.add((prop, SH["in"], _list(graph, [BPKG[v] for v in _ENUM_VALUES[name]])))
    elif name == "sources":
        graph.add((prop, SH["class"], BPKG[Label.SOURCE.value]))
    elif how.refers:
        graph.add((prop, SH.nodeKind, SH.IRI))
    elif _is_int(info.annotation):
        graph.add((prop, SH.datatype, XSD.integer))
    else:
        graph.add((prop, SH.nodeKind, SH.Literal))
    if name == "id":
        graph.add((prop, SH.pattern, Lit(ID_PATTERN)))


def shapes() -> Graph:
    """The shapes graph (served at ``/export/shapes.ttl``; shipped as ``bpkg/app/formats/shapes.ttl``)."""
    graph = Graph(bind_namespaces="none")
    for prefix, uri in PREFIXES.items():
        graph.bind(prefix, uri)
    graph.bind("sh", str(SH))
    graph.bind("shape", SHAPES)
    for label in Label:
        shape = URIRef(f"{SHAPES}{label.value}")
        graph.add((shape, RDF.type, SH.NodeShape))
        graph.add((shape, SH.targetClass, BPKG[label.value]))
        for name, info in NODE_MODELS[label].model_fields.items():
            _property(graph, shape, name, info)
        for rel in RelType:
            prop = BNode()
            graph.add((shape, SH.property, prop))
            graph.add((prop, SH.path, relation(rel)))
            targets = sorted(allowed_targets(label, rel))
            if not targets:
                graph.add((prop, SH.maxCount, Lit(0)))
                graph.add((prop, SH.message, Lit(f"the schema allows no {rel.value} from a {label.value}")))
                continue
            graph.add((prop, SH.message, Lit(f"{rel.value} from a {label.value} goes to {', '.join(targets)} only")))
            graph.add((prop, SH["or"], _list(graph, [_class_shape(graph, t) for t in targets])))
    _link_shape(graph)
    return graph


def _class_shape(graph: Graph, label: Label) -> BNode:
    node = BNode()
    graph.add((node, SH["class"], BPKG[label.value]))
    return node


def _link_shape(graph: Graph) -> None:
    shape = URIRef(f"{SHAPES}Link")
    graph.add((shape, RDF.type, SH.NodeShape))
    graph.add((shape, SH.targetClass, LINK))
    for predicate in (LINK_FROM, LINK_TO):
        prop = BNode()
        graph.add((shape, SH.property, prop))
        for p, o in ((SH.path, predicate), (SH.minCount, Lit(1)), (SH.maxCount, Lit(1)), (SH.nodeKind, SH.IRI)):
            graph.add((prop, p, o))
    prop = BNode()
    graph.add((shape, SH.property, prop))
    graph.add((prop, SH.path, LINK_RELATION))
    graph.add((prop, SH.minCount, Lit(1)))
    graph.add((prop, SH.maxCount, Lit(1)))
    graph.add((prop, SH["in"], _list(graph, [relation(r) for r in RelType])))
    names = {n: i for m in REL_MODELS.values() for n, i in m.model_fields.items()}
    for name, info in names.items():
        required = name in RelProps.model_fields and info.is_required()
        _property(graph, shape, name, info if required else info.__class__(annotation=info.annotation, default=None))
    # Properties a type requires beyond every link's (RESPONDS_TO's strength, PARTICIPATES_IN's role ...).
    for rel, model in REL_MODELS.items():
        for name, info in model.model_fields.items():
            if name in RelProps.model_fields or not info.is_required():
                continue
            is_rel = BNode()
            graph.add((is_rel, SH.path, LINK_RELATION))
            graph.add((is_rel, SH.hasValue, relation(rel)))
            not_rel, rel_shape, has = BNode(), BNode(), BNode()
            graph.add((rel_shape, SH.property, is_rel))
            graph.add((not_rel, SH["not"], rel_shape))
            needs = BNode()
            graph.add((has, SH.property, needs))
            graph.add((needs, SH.path, field(name).predicate))
            graph.add((needs, SH.minCount, Lit(1)))
            graph.add((shape, SH["or"], _list(graph, [not_rel, has])))


def main() -> None:
    """Write the shipped files (``python -m bpkg.app.formats.shapes``): shapes, vocabulary and JSON-LD context."""
    from pathlib import Path

    from bpkg.app.formats.rdf import context_document, vocabulary

    here = Path(__file__).parent
    (here / "shapes.ttl").write_bytes(shapes().serialize(format="turtle", encoding="utf-8"))
    (here / "vocab.ttl").write_bytes(vocabulary().serialize(format="turtle", encoding="utf-8"))
    (here / "context.jsonld").write_bytes(context_document())


if __name__ == "__main__":
    main()
