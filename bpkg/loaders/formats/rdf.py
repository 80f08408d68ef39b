"""Read a Turtle or JSON-LD file of the product's vocabulary (what ``bpkg export --format ttl|jsonld`` writes)
back as node and relationship items for the dataset validator.

Nothing is fetched: a JSON-LD file that names a remote ``@context`` (or ``@import``) is refused, since the
export carries its context inline. Triples the export derives (SKOS, the direct relation, classes other than the
product's) are not read: the nodes and the qualified link resources hold every fact.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from rdflib import RDF, Graph, Literal, URIRef
from rdflib.namespace import XSD

from bpkg.loaders.formats.vocab import (
    BPKG,
    CLASSES,
    LINK,
    LINK_FROM,
    LINK_RELATION,
    LINK_TO,
    RELATIONS,
    field,
    field_name,
)
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems, excerpt, shorten
from bpkg.loaders.reading.bounded import check_text

SUFFIXES: Final = {".ttl": "turtle", ".jsonld": "json-ld", ".json": "json-ld"}


@dataclass(frozen=True, slots=True)
class Item:
    """A node (``kind`` "nodes") or relationship ("relationships") as read, with where it was read."""

    kind: str
    loc: Loc
    data: dict[str, Any]


def _remote_contexts(value: Any, depth: int = 0) -> bool:
    """Whether a JSON-LD document names a context to fetch (a string where a context or import goes)."""
    if depth > 64:
        return True
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("@context", "@import") and (
                isinstance(item, str) or (isinstance(item, list) and any(isinstance(i, str) for i in item))
            ):
                return True
            if _remote_contexts(item, depth + 1):
                return True
    elif isinstance(value, list):
        return any(_remote_contexts(item, depth + 1) for item in value)
    return False


def parse(path: Path, problems: Problems, name: str, limits: Limits) -> Graph | None:
    """The file's triples, or None (with a problem)."""
    syntax = SUFFIXES.get(path.suffix.lower())
    if syntax is None:
        problems.add(
            Loc(name), "path", f"an 'rdf' file must be Turtle (.ttl) or JSON-LD (.jsonld); got {excerpt(path.suffix)}"
        )
        return None
    if not check_text(path, problems, name, limits):
        return None
    text = path.read_text(encoding="utf-8-sig")
    if syntax == "json-ld":
        try:
            doc = json.loads(text)
        except (ValueError, RecursionError) as exc:
            problems.add(Loc(name), "", f"not valid JSON: {shorten(str(exc), 200)}")
            return None
        if _remote_contexts(doc):
            problems.add(Loc(name), "@context", "a remote @context or @import is not fetched; put the context inline")
            return None
    graph = Graph(bind_namespaces="none")
    try:
        with warnings.catch_warnings():
            # rdflib's JSON-LD parser uses its own deprecated ConjunctiveGraph inside; nothing the file can fix.
            warnings.filterwarnings("ignore", "ConjunctiveGraph is deprecated", DeprecationWarning)
            graph.parse(data=text, format=syntax)
    except Exception as exc:  # rdflib raises many kinds (syntax, bad IRIs, JSON-LD errors): all are the file's
        problems.add(Loc(name), "", f"not valid {syntax}: {shorten(str(exc).strip(), 300)}")
        return None
    return graph


def _value(obj: Any, name: str, ids: dict[URIRef, str]) -> Any:
    how = field(name)
    if how.refers and isinstance(obj, URIRef):
        return ids.get(obj) or str(obj).rpartition("/")[2]
    if how.enum and isinstance(obj, URIRef) and str(obj).startswith(str(BPKG)):
        return str(obj)[len(str(BPKG)) :]
    if isinstance(obj, Literal):
        if obj.datatype == XSD.integer:
            return int(obj)
        return str(obj)
    return str(obj)


def _props(
    graph: Graph, subject: URIRef, ids: dict[URIRef, str], list_fields: Collection[str], loc: Loc, problems: Problems
) -> dict[str, Any]:
    values: dict[str, list[Any]] = {}
    for predicate, obj in graph.predicate_objects(subject):
        name = field_name(str(predicate))
        if name is not None:
            values.setdefault(name, []).append(_value(obj, name, ids))
    data: dict[str, Any] = {}
    for name, found in values.items():
        if name in list_fields:
            # RDF keeps no order among repeated values: they come back sorted (a stable, documented order).
            data[name] = sorted(found, key=lambda v: (str(type(v)), v))
        elif len(found) > 1:
            problems.add(loc, name, f"{len(found)} values where one is allowed")
        else:
            data[name] = found[0]
    return data


def items(graph: Graph, name: str, list_fields: Collection[str], problems: Problems) -> Iterator[Item]:
    """The nodes (resources with one of the product's classes) then the links (``bpkg:Link`` resources)."""
    nodes: list[tuple[URIRef, Any]] = []
    for subject, cls in graph.subject_objects(RDF.type):
        if isinstance(cls, URIRef) and cls in CLASSES and isinstance(subject, URIRef):
            nodes.append((subject, CLASSES[cls]))
    ids: dict[URIRef, str] = {}
    for subject, _ in nodes:
        for ident in graph.objects(subject, field("id").predicate):
            ids[subject] = str(ident)
    seen: dict[URIRef, str] = {}
    for subject, label in sorted(nodes, key=lambda pair: str(pair[0])):
        loc = Loc(name, f"resource <{shorten(str(subject), 200)}>")
        if subject in seen:
            problems.add(loc, "rdf:type", f"two of the product's classes: {seen[subject]} and {label.value}")
            continue
        seen[subject] = label.value
        yield Item("nodes", loc, {"label": label.value, **_props(graph, subject, ids, list_fields, loc, problems)})
    for subject in sorted(graph.subjects(RDF.type, LINK), key=str):
        if not isinstance(subject, URIRef):
            continue
        loc = Loc(name, f"resource <{shorten(str(subject), 200)}>")
        data = _props(graph, subject, ids, list_fields, loc, problems)
        for key, predicate in (("from", LINK_FROM), ("to", LINK_TO)):
            end = graph.value(subject, predicate)
            data[key] = ids.get(end, str(end).rpartition("/")[2]) if isinstance(end, URIRef) else None
        rel = graph.value(subject, LINK_RELATION)
        data["type"] = RELATIONS[rel].value if isinstance(rel, URIRef) and rel in RELATIONS else None
        if rel is not None and data["type"] is None:
            problems.add(loc, "bpkg:relation", f"{excerpt(str(rel))} is not a relationship of the vocabulary")
            continue
        yield Item("relationships", loc, data)
