"""Read an IATI 2.03 activity file (``format: iati`` in a manifest) as node and relationship items.

Each ``iati-activity`` becomes a project, or an activity when its ``related-activity type="1"`` names a parent
in the same file (then ``PART_OF`` that parent); its ``participating-org`` with role 1 (funding) and 4
(implementing) become organisations that ``FUNDS`` / ``IMPLEMENTS`` it; ``recipient-country`` becomes
``ACTIVE_IN`` (a project) or ``IN_COUNTRY`` (an activity) the country ``country-<iso3>``, which the dataset must
hold (the bundled ``countries.csv`` has them); ``activity-date`` gives ``when``. Every fact cites one ``Source``
per activity, named by its IATI identifier, and is ``confirmed`` (stated by the publisher's file).

The file is parsed with entities, DTDs and network access off; a file with a DOCTYPE is refused.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Final

import pycountry
from lxml import etree

from bpkg.loaders.formats.rdf import Item
from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems, excerpt, shorten
from bpkg.loaders.reading.bounded import check_text

ROLES: Final = {"1": "FUNDS", "4": "IMPLEMENTS"}
"""IATI OrganisationRole codes the schema has a relationship for (2 accountable and 3 extending have none)."""
_LANG: Final = "{http://www.w3.org/XML/1998/namespace}lang"


def slug(text: str) -> str:
    """A node id part from an IATI identifier or organisation reference: lower-case, hyphens for the rest."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")[:100] or "unnamed"


def _narrative(element: etree._Element | None) -> str | None:
    """The English narrative of an element (or its first one)."""
    if element is None:
        return None
    narratives = element.findall("narrative")
    chosen = [n for n in narratives if n.get(_LANG) in (None, "en")] or narratives
    texts = [(n.text or "").strip() for n in chosen]
    return next((t for t in texts if t), None)


def _parse(path: Path, problems: Problems, name: str, limits: Limits) -> etree._Element | None:
    if not check_text(path, problems, name, limits):
        return None
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )
    try:
        tree = etree.parse(str(path), parser)
    except etree.XMLSyntaxError as exc:
        problems.add(Loc(name, f"line {exc.lineno}"), "", f"not well-formed XML: {shorten(exc.msg, 200)}")
        return None
    if tree.docinfo.internalDTD is not None or tree.docinfo.system_url or tree.docinfo.public_id:
        problems.add(Loc(name), "", "a DOCTYPE is not allowed in an IATI file (entities are not expanded)")
        return None
    root = tree.getroot()
    if root.tag != "iati-activities":
        problems.add(Loc(name, f"line {root.sourceline}"), root.tag, "the root element must be iati-activities")
        return None
    version = root.get("version", "")
    if not version.startswith("2."):
        problems.add(Loc(name, f"line {root.sourceline}"), "version", f"IATI version {excerpt(version)}; 2.0x only")
        return None
    return root


def _when(activity: etree._Element) -> str | None:
    dates: dict[str, str] = {}
    for date in activity.findall("activity-date"):
        kind, day = date.get("type", ""), date.get("iso-date", "")
        if kind and day:
            dates.setdefault(kind, day)
    start = dates.get("2") or dates.get("1")
    end = dates.get("4") or dates.get("3")
    if start and end:
        return f"{start}/{end}"
    if start:
        return f"{start}/.."
    return f"../{end}" if end else None


def items(path: Path, problems: Problems, name: str, limits: Limits) -> Iterator[Item] | None:
    """The file's nodes and links, or None when it cannot be read (with a problem)."""
    root = _parse(path, problems, name, limits)
    return None if root is None else _items(root, name, problems)


def _items(root: etree._Element, name: str, problems: Problems) -> Iterator[Item]:
    activities = root.findall("iati-activity")
    ids: dict[str, str] = {}
    for activity in activities:
        identifier = (activity.findtext("iati-identifier") or "").strip()
        if identifier:
            ids[identifier] = f"iati-{slug(identifier)}"
    parents: dict[str, str] = {}
    for activity in activities:
        identifier = (activity.findtext("iati-identifier") or "").strip()
        for related in activity.findall("related-activity"):
            if related.get("type") == "1" and related.get("ref", "").strip() in ids:
                parents[identifier] = related.get("ref", "").strip()
    orgs: dict[str, dict[str, Any]] = {}
    for activity in activities:
        loc = Loc(name, f"line {activity.sourceline}")
        identifier = (activity.findtext("iati-identifier") or "").strip()
        if not identifier:
            problems.add(loc, "iati-identifier", "required element is missing or empty")
            continue
        node_id = ids[identifier]
        source_id = f"source-{node_id}"
        cite = {"sources": [source_id], "confidence": "confirmed"}
        title = _narrative(activity.find("title")) or identifier
        yield Item(
            "nodes",
            loc,
            {
                "label": "Source",
                "id": source_id,
                "name": f"IATI activity {identifier}",
                "citation": f"IATI identifier {identifier}, in {name}",
                **cite,
            },
        )
        parent = parents.get(identifier)
        label = "Activity" if parent else "Project"
        node: dict[str, Any] = {"label": label, "id": node_id, "name": title, **cite}
        if parent and parents.get(parent):
            problems.add(loc, "related-activity", "its parent has a parent too; only two levels are read")
            continue
        description = _narrative(activity.find("description"))
        if description:
            node["description"] = description
        when = _when(activity)
        if when:
            node["when"] = when
        yield Item("nodes", loc, node)
        if parent:
            yield Item("relationships", loc, {"type": "PART_OF", "from": node_id, "to": ids[parent], **cite})
        yield from _org_items(activity, name, node_id, cite, orgs)
        yield from _country_items(activity, name, node_id, cite, "IN_COUNTRY" if parent else "ACTIVE_IN", problems)


def _org_items(
    activity: etree._Element, name: str, node_id: str, cite: dict[str, Any], orgs: dict[str, dict[str, Any]]
) -> Iterator[Item]:
    """The organisations taking part in an activity (each once per file, in ``orgs``) and their links to it."""
    for org in activity.findall("participating-org"):
        rel = ROLES.get(org.get("role", ""))
        org_name = _narrative(org) or org.get("ref")
        if rel is None or not org_name:
            continue
        org_id = f"org-iati-{slug(org.get('ref') or org_name)}"
        if org_id not in orgs:
            orgs[org_id] = {"label": "Organisation", "id": org_id, "name": org_name, **cite}
            yield Item("nodes", Loc(name, f"line {org.sourceline}"), orgs[org_id])
        yield Item(
            "relationships",
            Loc(name, f"line {org.sourceline}"),
            {"type": rel, "from": org_id, "to": node_id, **cite},
        )


def _country_items(
    activity: etree._Element, name: str, node_id: str, cite: dict[str, Any], rel: str, problems: Problems
) -> Iterator[Item]:
    """An activity's links (``rel``) to its recipient countries; a code that is not ISO 3166-1 is a problem."""
    for country in activity.findall("recipient-country"):
        code = country.get("code", "")
        found = pycountry.countries.get(alpha_2=code.upper()) if len(code) == 2 else None
        cloc = Loc(name, f"line {country.sourceline}")
        if found is None:
            problems.add(cloc, "recipient-country", f"{excerpt(code)} is not an ISO 3166-1 alpha-2 code")
            continue
        yield Item(
            "relationships", cloc, {"type": rel, "from": node_id, "to": f"country-{found.alpha_3.lower()}", **cite}
        )
