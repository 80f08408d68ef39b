"""The projects and components as IATI 2.03 activity XML: a secondary report of what the graph holds.

One ``iati-activity`` per project and per component; ``related-activity`` links parents and children,
``participating-org`` says who funds (role 1) and implements (role 4), ``recipient-country`` where it is active,
``activity-date`` comes from the node's ``when``, and a ``tag`` (vocabulary 99, the reporting organisation's own,
with ``vocabulary-uri`` naming the SKOS scheme) names each goal, action point or commitment it responds to, with the
link's confidence and strength in its narrative. The graph holds no budgets, transactions or sectors, so none are
written. IATI requires at least one date and one participating organisation: an activity without either is left
out, and an XML comment names it.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Iterator
from typing import Final

import pycountry
from lxml import etree

from bpkg.app.formats.rdf import GraphLink, GraphNode
from bpkg.app.graphml_safe import xml_text
from bpkg.graph_schema import DateError, Label, RelType, parse_when
from bpkg.loaders.formats.vocab import NOTATION, node_uri

VERSION: Final = "2.03"
ROLE: Final[dict[str, str]] = {RelType.FUNDS.value: "1", RelType.IMPLEMENTS.value: "4"}
"""IATI OrganisationRole codes: 1 Funding, 4 Implementing."""
PARENT, CHILD = "1", "2"  # IATI RelatedActivityType
_XML_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


def identifier(prefix: str, ident: str) -> str:
    """The IATI identifier of a node: the reporting organisation's prefix, a hyphen, the node id."""
    return f"{prefix}-{ident}"


def _narrative(parent: etree._Element, text: str) -> None:
    etree.SubElement(parent, "narrative").text = xml_text(text)


def _alpha2(iso3: str) -> str | None:
    country = pycountry.countries.get(alpha_3=iso3)
    return None if country is None else str(country.alpha_2)


def _dates(when: str | None, today: dt.date) -> list[tuple[str, dt.date, str]]:
    """(IATI ActivityDateType, date, note) from a ``when``: the earliest day of the start, the latest of the end;
    actual when it has passed, planned otherwise. The note keeps the date as the data gives it."""
    if not when:
        return []
    try:
        span = parse_when(when)
    except DateError:
        return []
    out: list[tuple[str, dt.date, str]] = []
    if span.start is not None:
        day = span.start.earliest
        out.append(("2" if day <= today else "1", day, f"start as given: {when}"))
    if span.end is not None:
        day = span.end.latest
        out.append(("4" if day < today else "3", day, f"end as given: {when}"))
    return out


def write(
    nodes: Iterable[GraphNode],
    links: Iterable[GraphLink],
    prefix: str,
    base: str,
    org_type: str = "90",
    org_name: str = "bpkg (Budapest Process knowledge graph), secondary report",
    today: dt.date | None = None,
) -> Iterator[bytes]:
    """The ``iati-activities`` document, one activity at a time."""
    today = today or dt.date.today()
    by_id = {str(n.props["id"]): n for n in nodes}
    out_links: dict[str, list[GraphLink]] = defaultdict(list)
    in_links: dict[str, list[GraphLink]] = defaultdict(list)
    for link in links:
        out_links[link.source].append(link)
        in_links[link.target].append(link)
    yield b'<?xml version="1.0" encoding="UTF-8"?>\n'
    yield (
        b"<!-- A secondary report written by bpkg from its knowledge graph: every activity here was published "
        b"first by its funders or implementers. -->\n"
    )
    yield f'<iati-activities version="{VERSION}">\n'.encode()
    for ident, node in sorted(by_id.items()):
        if node.label not in (Label.PROJECT.value, Label.COMPONENT.value):
            continue
        element = _activity(node, by_id, out_links, in_links, prefix, base, org_type, org_name, today)
        if element is None:
            shown = xml_text(ident).replace("--", "- -")
            yield f"<!-- {shown}: left out, no date or no organisation known -->\n".encode()
            continue
        yield etree.tostring(element, encoding="utf-8", pretty_print=True)
    yield b"</iati-activities>\n"


def _scheme(target: str, in_links: dict[str, list[GraphLink]], by_id: dict[str, GraphNode], base: str) -> str | None:
    """The URI of the SKOS scheme (action plan) that holds a goal or action point, or the declaration that makes
    a commitment."""
    for link in in_links.get(target, []):
        if link.type in (RelType.CONTAINS.value, RelType.SETS.value, RelType.MAKES.value) and link.source in by_id:
            return str(node_uri(base, link.source))
    return None


def _activity(
    node: GraphNode,
    by_id: dict[str, GraphNode],
    out_links: dict[str, list[GraphLink]],
    in_links: dict[str, list[GraphLink]],
    prefix: str,
    base: str,
    org_type: str,
    org_name: str,
    today: dt.date,
) -> etree._Element | None:
    ident = str(node.props["id"])
    dates = _dates(node.props.get("when"), today)
    orgs = [
        (ROLE[link.type], by_id[link.source])
        for link in sorted(in_links.get(ident, []), key=lambda k: (k.type, k.source))
        if link.type in ROLE and link.source in by_id
    ]
    if not dates or not orgs:
        return None
    act = etree.Element("iati-activity", {_XML_LANG: "en", "linked-data-uri": str(node_uri(base, ident))})
    act.set("hierarchy", "1" if node.label == Label.PROJECT.value else "2")
    etree.SubElement(act, "iati-identifier").text = identifier(prefix, ident)
    reporting = etree.SubElement(act, "reporting-org", ref=prefix, type=org_type)
    reporting.set("secondary-reporter", "1")
    _narrative(reporting, org_name)
    _narrative(etree.SubElement(act, "title"), str(node.props["name"]))
    description = etree.SubElement(act, "description", type="1")
    _narrative(description, str(node.props.get("description") or node.props["name"]))
    for role, org in orgs:
        part = etree.SubElement(act, "participating-org", role=role)
        _narrative(part, str(org.props["name"]))
    # IATI ActivityStatus, from the dates alone: 4 (closed) once the end has passed, else 2 (implementation).
    ended = any(kind == "4" for kind, _, _ in dates)
    etree.SubElement(act, "activity-status", code="4" if ended else "2")
    for kind, day, note in dates:
        date = etree.SubElement(act, "activity-date", type=kind)
        date.set("iso-date", day.isoformat())
        _narrative(date, note)
    countries = sorted(
        {
            code
            for link in out_links.get(ident, [])
            if link.type == RelType.ACTIVE_IN.value and link.target in by_id
            if (code := _alpha2(str(by_id[link.target].props.get("iso3", ""))))
        }
    )
    for code in countries:
        etree.SubElement(act, "recipient-country", code=code)
    for link in sorted(out_links.get(ident, []), key=lambda k: k.target):
        target = by_id.get(link.target)
        if link.type != RelType.RESPONDS_TO.value or target is None:
            continue
        tag = etree.SubElement(act, "tag", vocabulary="99", code=link.target)
        scheme = _scheme(link.target, in_links, by_id, base)
        if scheme:
            tag.set("vocabulary-uri", scheme)
        label = Label(target.label)
        shown = f"{NOTATION[label]} {target.props['number']}: " if "number" in target.props else ""
        _narrative(
            tag,
            f"responds to {shown}{target.props['name']} (confidence {link.props.get('confidence')}, "
            f"strength {link.props.get('strength')})",
        )
    related = [(CHILD, k.target) for k in out_links.get(ident, []) if k.type == RelType.HAS_COMPONENT.value]
    related += [(PARENT, k.source) for k in in_links.get(ident, []) if k.type == RelType.HAS_COMPONENT.value]
    for kind, other in sorted(related, key=lambda r: r[1]):
        etree.SubElement(act, "related-activity", ref=identifier(prefix, other), type=kind)
    return act
