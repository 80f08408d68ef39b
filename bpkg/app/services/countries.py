"""A country's place in the process and the work done there."""

from __future__ import annotations

from bpkg.app.services import lookup
from bpkg.app.services.api_types import AsOfOut, CountryActionPoint, CountryOut, CountryRole
from bpkg.app.services.coverage import Facts, read_facts
from bpkg.app.services.day_account import account
from bpkg.app.services.status import is_illustrative
from bpkg.app.store.graph_types import NodeRef
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import Response
from bpkg.graph_schema import Label, RelType, weakest
from bpkg.graph_schema.asof import AsOf

# From the country up to the work located there: activities and events in it, components and projects
# active in it, and the components and projects those activities belong to.
_WORK_TYPES = [RelType.IN_COUNTRY.value, RelType.ACTIVE_IN.value, RelType.PART_OF.value, RelType.HAS_COMPONENT.value]


def country(store: GraphStore, code: str, *, as_of: AsOf | None = None) -> CountryOut:
    """A country's roles, regions, declarations, the work located there and the action points it addresses;
    as of a day, only the links and work that may have existed then, and the action points of the plan(s) in
    force then (``coverage.read_facts``)."""
    node = lookup.country(store, code)
    links = store.links(node.id, as_of)

    def ends(rel: RelType, direction: str, label: Label | None = None) -> list[NodeRef]:
        found = {
            link.node.id: link.node
            for link in links
            if link.type == rel and link.direction == direction and (label is None or link.node.label == label)
        }
        return [found[k] for k in sorted(found)]

    work = store.trace(node.id, "up", 3, _WORK_TYPES, as_of)
    components = sorted((n for n in work.nodes if n.label == Label.COMPONENT), key=lambda n: n.id)
    projects = sorted((n for n in work.nodes if n.label == Label.PROJECT), key=lambda n: n.id)

    addressed: list[CountryActionPoint] = []
    illustrative = False
    found = read_facts(store, as_of=as_of)  # cached per dataset (and day), ordered by number
    counted: list[str | None] = []
    for facts in found.items:
        here: list[Response] = [r for r in facts.responses if any(c.id == node.id for c in r.countries)]
        if not here:
            continue
        counted += [r.basis for r in here]
        illustrative = illustrative or any(map(is_illustrative, here))
        responders: dict[str, NodeRef] = {}
        for r in here:
            responders[r.responder.id] = r.responder
        addressed.append(
            CountryActionPoint(
                action_point=facts.action_point,
                number=facts.number,
                goal=facts.goal,
                responders=[responders[k] for k in sorted(responders)],
                strength=lookup.strongest(r.strength for r in here) or "",
                confidence=weakest(r.confidence for r in here) or "",
            )
        )
    roles = [
        CountryRole(process=link.node, role=link.role, confidence=link.confidence, sources=link.sources)
        for link in links
        if link.type == RelType.PARTICIPATES_IN and link.direction == "out"
    ]
    iso3 = node.props.get("iso3")
    return CountryOut(
        country=lookup.to_ref(node),
        aliases=[str(a) for a in node.props.get("aliases", [])],
        iso3=str(iso3) if iso3 else None,
        groups=[str(g) for g in node.props.get("groups", [])],
        roles=roles,
        regions=ends(RelType.IN_REGION, "out"),
        declarations_adopted=ends(RelType.ADOPTED, "out"),
        activities=ends(RelType.IN_COUNTRY, "in", Label.ACTIVITY),
        components=components,
        projects=projects,
        events=ends(RelType.IN_COUNTRY, "in", Label.EVENT),
        action_points=addressed,
        illustrative=lookup.notice(store, illustrative),
        as_of=_account(store, node.id, as_of, counted, found) if as_of is not None else None,
    )


def _account(store: GraphStore, country_id: str, as_of: AsOf, counted: list[str | None], found: Facts) -> AsOfOut:
    """The account of a country as of a day: the responses located there, counted and left out (those to the
    same action points that did not exist on the day)."""
    scope = {f.action_point.id for f in found.items}
    everywhere = [
        r
        for f in read_facts(store).items
        if f.action_point.id in scope
        for r in f.responses
        if any(c.id == country_id for c in r.countries)
    ]
    plans = found.as_of.plans if found.as_of else []
    return account(as_of, ("response", "responses"), counted, max(0, len(everywhere) - len(counted)), plans)
