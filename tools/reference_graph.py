"""The reference graph built from ``facts.yaml`` and the curated tables under ``tools/dataset/``: the rules that
turn facts into nodes and relationships (ids, sources, confidence, and the note that says why an inferred fact is
inferred)."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

from bpkg.graph_schema import Label, RelType
from tools.dates import start_of, when_of
from tools.tables import BuildError, Correction, PlanNode, TableLink, Tables

CONFIRMED: Final = "confirmed"
INFERRED: Final = "inferred"
ILLUSTRATIVE: Final = "illustrative"
_CERTAINTY: Final = {CONFIRMED: 2, INFERRED: 1, ILLUSTRATIVE: 0}


def as_list(value: Any) -> list[Any]:
    """``None`` -> [], a list -> itself, anything else -> [value]."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


def slug(text: str) -> str:
    """Kebab-case id fragment."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def ordinal(n: int) -> str:
    """1 -> 1st, 2 -> 2nd, 11 -> 11th."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def split_qualifier(token: str) -> tuple[str, str | None]:
    """``"HUN (lead partner)"`` -> ("HUN", "lead partner")."""
    match = re.fullmatch(r"\s*(.+?)\s*(?:\((.+)\))?\s*", token)
    if match is None:
        return token.strip(), None
    return match.group(1), match.group(2)


def weaker(a: str, b: str) -> str:
    """The less certain of two confidence levels."""
    return a if _CERTAINTY[a] <= _CERTAINTY[b] else b


def _dedupe(items: Iterable[str]) -> list[str]:
    seen: dict[str, None] = {}
    for item in items:
        seen.setdefault(item, None)
    return list(seen)


def _urls(value: Any, seed_file: str) -> Iterable[str]:
    """Every URL or seed-file citation anywhere in a facts value."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _urls(item, seed_file)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item, seed_file)
    elif isinstance(value, str) and (value.startswith(("http://", "https://")) or seed_file in value):
        yield value


# --------------------------------------------------------------------------------------------------
# The graph under construction
# --------------------------------------------------------------------------------------------------
@dataclass
class Graph:
    """Nodes and relationships as plain dicts in the dataset format, plus source-id resolution."""

    tags: dict[str, str]  # facts tags and sources.csv tags -> citation
    seed_file: str
    seed_source: str
    source_ids: dict[str, str] = field(default_factory=dict)
    nodes: list[dict[str, Any]] = field(default_factory=list)
    countries: list[dict[str, Any]] = field(default_factory=list)
    rels: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    labels: dict[str, Label] = field(default_factory=dict)

    # -- sources ------------------------------------------------------------------------------
    def src(self, *refs: Any) -> list[str]:
        """Source ids for URLs, seed citations, facts tags (``"FAC"``) or source ids, in order, deduplicated."""
        out: list[str] = []
        for ref in refs:
            for item in as_list(ref):
                text = str(item)
                text = self.tags.get(text, text)
                if text.startswith("source-"):
                    out.append(text)
                elif self.seed_file in text:
                    out.append(self.seed_source)
                elif text in self.source_ids:
                    out.append(self.source_ids[text])
                else:
                    raise BuildError(f"no source for citation {text!r}")
        return _dedupe(out)

    # -- nodes --------------------------------------------------------------------------------
    def node(
        self,
        label: Label,
        ident: str,
        name: str,
        sources: Sequence[str],
        confidence: str,
        *,
        description: str | None = None,
        note: str | None = None,
        **props: Any,
    ) -> str:
        """Add a node; properties that are None or empty are left out."""
        if ident in self.labels:
            raise BuildError(f"duplicate node id {ident}")
        if not sources:
            raise BuildError(f"node {ident} has no sources")
        data: dict[str, Any] = {"id": ident, "label": label.value, "name": name}
        for key, value in props.items():
            if value is None or value == "" or value == [] or value == ():
                continue
            data[key] = list(value) if isinstance(value, tuple | list) else value
        if description:
            data["description"] = description
        data["sources"] = list(sources)
        data["confidence"] = confidence
        if note:
            data["note"] = note
        self.labels[ident] = label
        (self.countries if label is Label.COUNTRY else self.nodes).append(data)
        return ident

    # -- relationships ------------------------------------------------------------------------
    def rel(
        self,
        source: str,
        rel_type: RelType,
        target: str,
        sources: Sequence[str],
        confidence: str,
        note: str | None = None,
        **props: Any,
    ) -> None:
        """Add a relationship; a repeated (from, type, to) merges sources and notes, keeping the weaker
        confidence (a fact is never made surer by being stated twice)."""
        key = (source, rel_type.value, target)
        if not sources:
            raise BuildError(f"relationship {key} has no sources")
        existing = self.rels.get(key)
        if existing is not None:
            existing["sources"] = _dedupe([*existing["sources"], *sources])
            existing["confidence"] = weaker(existing["confidence"], confidence)
            if note and note not in (existing.get("note") or ""):
                existing["note"] = f"{existing['note']}; {note}" if existing.get("note") else note
            return
        data: dict[str, Any] = {"from": source, "type": rel_type.value, "to": target}
        for pkey, value in props.items():
            if value is not None and value != [] and value != ():
                data[pkey] = list(value) if isinstance(value, tuple | list) else value
        data["sources"] = list(sources)
        data["confidence"] = confidence
        if note:
            data["note"] = note
        self.rels[key] = data

    def has(self, source: str, rel_type: RelType, target: str) -> bool:
        """Whether the relationship exists."""
        return (source, rel_type.value, target) in self.rels


# --------------------------------------------------------------------------------------------------
# Building the reference graph from the facts
# --------------------------------------------------------------------------------------------------
class ReferenceBuilder:
    """Turns facts.yaml into the reference graph (nodes + relationships)."""

    def __init__(self, facts: Mapping[str, Any], tables: Tables) -> None:
        self.facts = facts
        self.t = tables
        self.ids = tables.ids
        self.names = {row.name: row for row in tables.organisation_names}
        self.centre_partners = {(row.holder, row.listed_as): row for row in tables.centre_partners}
        self.sources_by_url = {row.url: row for row in tables.sources if row.url}
        table_tags = {row.tag: row.url for row in tables.sources if row.tag and row.url}
        facts_tags = {str(k): str(v) for k, v in facts["meta"]["source_tags"].items()}
        settings = tables.settings
        self.g = Graph({**table_tags, **facts_tags}, settings.seed_file, settings.seed_source)
        self.countries: dict[str, Mapping[str, Any]] = {str(c["iso3"]): c for c in facts["countries"]}
        self.country_iso_by_name: dict[str, str] = {}
        for iso, record in self.countries.items():
            base, alias = split_qualifier(str(record["name"]))
            self.country_iso_by_name[base] = iso
            if alias:
                self.country_iso_by_name[alias] = iso
        self.org_sources: dict[str, list[str]] = {}
        self.mrc_ids: dict[str, str] = {}
        self.event_ids: dict[str, str] = {}
        self.date_table = {row.wording: row.when or "" for row in tables.dates}

    # -- helpers ------------------------------------------------------------------------------
    def country(self, iso: str) -> str:
        """Country node id for an ISO alpha-3 code (must be in the facts)."""
        if iso not in self.countries:
            raise BuildError(f"country {iso} is not in the facts")
        return f"country-{iso.lower()}"

    def organisation_for(self, token: str) -> tuple[str, RelType | None, bool, str | None] | None:
        """An organisation named in the facts -> (org id, default relationship, inferred?, qualifier)."""
        base, qualifier = split_qualifier(token)
        named = self.names.get(token) or self.names.get(base)
        if named is not None:
            if named.organisation is None:
                return None  # a generic phrase ("national ministries")
            return named.organisation, named.relationship, named.deduced, None if token in self.names else qualifier
        if re.fullmatch(r"[A-Z]{3}", base) and base in self.countries:
            return f"org-gov-{base.lower()}", None, False, qualifier
        if base in self.country_iso_by_name:
            return f"org-gov-{self.country_iso_by_name[base].lower()}", None, False, qualifier
        raise BuildError(f"no organisation for {token!r}; add it to tools/dataset/organisation-names.csv")

    def org_link(
        self,
        token: str,
        rel_type: RelType | None,
        target: str,
        sources: Sequence[str],
        confidence: str,
        note: str | None = None,
    ) -> None:
        """FUNDS / IMPLEMENTS from the organisation a facts token names (``rel_type`` None: its default)."""
        found = self.organisation_for(token)
        if found is None:
            return
        org, default, inferred, qualifier = found
        chosen = rel_type or default
        if chosen is None:
            raise BuildError(f"no relationship type for {token!r}")
        notes = []
        base = split_qualifier(token)[0]
        if qualifier:
            notes.append(f"listed in the source as '{token}'")
        elif org.startswith("org-gov-") and not re.fullmatch(r"[A-Z]{3}", base):
            notes.append(f"named in the source as '{base}'")
        if inferred:
            notes.append("named as a partner only; the funding role is deduced")
        if note:
            notes.append(note)
        self.g.rel(
            org,
            chosen,
            target,
            sources,
            INFERRED if inferred else confidence,
            note="; ".join(notes) or None,
        )
        self.org_sources.setdefault(org, [])
        self.org_sources[org] = _dedupe([*self.org_sources[org], *sources])

    def imm_end(self) -> int:
        """The year the IMM ("Silk Routes") project closed."""
        code = self.t.wording.components.project_code
        imm = next(p for p in self.facts["projects"] if p["code"] == code)
        return int(str(imm["years"]).split(" to ")[1][:4])

    def centre(self, city: str) -> Mapping[str, Any]:
        """The facts record of a Migrant Resource Centre, by its city as the facts write it."""
        records: list[Mapping[str, Any]] = self.facts["mrcs"]
        for m in records:
            if str(m["city"]) == city:
                return m
        raise BuildError(f"no Migrant Resource Centre {city!r} in the facts")

    def centre_in_component(self, m: Mapping[str, Any]) -> str:
        """Confidence of a centre's place under the MRC component: deduced when it opened after IMM closed."""
        return str(m["confidence"]) if int(str(m["opened"])[:4]) <= self.imm_end() else INFERRED

    def centre_partner_link(
        self, code: str, token: str, rel_type: RelType, target: str, record_sources: Sequence[str]
    ) -> None:
        """A partner the facts give for a component or project through the centres it concerns (centre-partners.yaml):
        cite the centres' records, which name it, and keep the weakest link of the chain."""
        row = self.centre_partners[(code, token)]
        cities, reason = row.centres, row.reason
        found = self.organisation_for(token)
        if found is None:
            raise BuildError(f"no organisation for {token!r}")
        org = found[0]
        sources: list[str] = []
        best = INFERRED
        late: list[str] = []
        for city in cities:
            m = self.centre(city)
            named = {f[0] for f in (self.organisation_for(str(p)) for p in as_list(m.get("partners"))) if f}
            if org not in named:
                raise BuildError(f"the facts for the centre in {city} do not name {token!r}")
            sources.extend(self.g.src(m["source"]))
            placed = str(m["confidence"])
            if code == "MRC":
                placed = weaker(placed, self.centre_in_component(m))
                if self.centre_in_component(m) == INFERRED:
                    late.append(f"{city} opened in {str(m['opened'])[:4]}")
            best = placed if _CERTAINTY[placed] > _CERTAINTY[best] else best
        which = "centre" if len(cities) == 1 else "centres"
        notes = [
            f"listed in the facts as '{token}'; cited from the sources on the {which} it concerns "
            f"({' and '.join(cities)}), which name it among the partners"
        ]
        if code == "MRC" and best == INFERRED and late:
            one = len(late) == 1
            notes.append(
                f"the {'centre' if one else 'centres'} in {' and '.join(late)}, after the IMM project closed "
                f"({self.imm_end()}), and {'is' if one else 'are'} placed under the MRC flagship initiative only by "
                "deduction, so this link is deduced"
            )
        if reason:
            notes.append(reason)
            sources.extend(record_sources)
            best = INFERRED
        sources = _dedupe(sources)
        self.g.rel(org, rel_type, target, sources, best, note="; ".join(notes))
        self.org_sources[org] = _dedupe([*self.org_sources.get(org, []), *sources])

    def record(self, ref: str) -> Mapping[str, Any]:
        """The facts record a ``facts:<id>`` reference names: documents and events by id, projects and components
        by code."""
        key = ref.removeprefix("facts:")
        for section, name in (("documents", "id"), ("events", "id"), ("projects", "code"), ("components", "code")):
            for rec in self.facts[section]:
                if str(rec[name]) == key:
                    found: Mapping[str, Any] = rec
                    return found
        raise BuildError(f"no facts record {key!r} (tools/dataset/links.yaml)")

    def cite(self, *refs: str) -> list[str]:
        """Source ids for table references: ``facts:<id>`` cites that record's sources; anything else goes to
        ``Graph.src`` (a source id, a facts tag or a URL)."""
        return self.g.src(*(self.record(ref)["source"] if ref.startswith("facts:") else ref for ref in refs))

    def table_links(self, links: Iterable[TableLink]) -> None:
        """Links listed in links.yaml; without a confidence there, the weakest of the facts records they cite."""
        for link in links:
            records = [str(self.record(ref)["confidence"]) for ref in link.sources if ref.startswith("facts:")]
            confidence: str = link.confidence or functools.reduce(weaker, records)
            kind = link.kind.value if link.kind else None
            self.g.rel(link.from_, link.type, link.to, self.cite(*link.sources), confidence, note=link.note, kind=kind)

    # -- sections -----------------------------------------------------------------------------
    def build(self) -> Graph:
        """All sections in a fixed order."""
        self.register_sources()
        self.process()
        self.countries_and_regions()
        self.documents()
        self.commitments()
        self.priority_goals()
        self.action_points()
        self.projects()
        self.components()
        self.mrcs()
        self.activities_and_outputs()
        self.events()
        self.priority_goal_links()
        self.corrections()
        self.organisations()
        self.source_nodes()
        self.aliases()
        return self.g

    def aliases(self) -> None:
        """Other names of nodes (aliases.csv), after every node exists: an alias of an unknown node is an error."""
        by_id = {n["id"]: n for n in (*self.g.nodes, *self.g.countries)}
        for row in self.t.aliases:
            node = by_id.get(row.id)
            if node is None:
                raise BuildError(f"aliases.csv: no node {row.id} to give other names to")
            same = [a for a in row.aliases if a.casefold() == str(node["name"]).casefold()]
            if same:
                raise BuildError(f"aliases.csv: {row.id}: {same[0]!r} is its name, not another name")
            # Right after the name, where a reader of reference.yaml looks for it.
            items = list(node.items())
            at = next(i for i, (key, _) in enumerate(items) if key == "name") + 1
            node.clear()
            node.update([*items[:at], ("aliases", list(row.aliases)), *items[at:]])

    def register_sources(self) -> None:
        """Map every cited URL to a Source id (nodes are added last, see source_nodes)."""
        for url in _dedupe(_urls(self.facts, self.g.seed_file)):
            if self.g.seed_file in url:
                continue
            row = self.sources_by_url.get(url)
            self.g.source_ids[url] = row.id if row else self._fallback(url)
        for row in self.t.sources:
            if row.tag and row.url:
                self.g.source_ids.setdefault(row.url, row.id)
        ids = list(self.g.source_ids.values())
        if len(ids) != len(set(ids)):
            raise BuildError("two URLs map to the same source id")

    def _fallback(self, url: str) -> str:
        tail = slug(re.sub(r"^https?://(www\.)?", "", url))[:60].strip("-")
        return f"source-{tail}"

    def source_nodes(self) -> None:
        """One Source node per distinct URL, then the sources that are not web pages (sources.csv)."""
        g = self.g
        for url, ident in g.source_ids.items():
            row = self.sources_by_url.get(url)
            name = row.title if row else re.sub(r"^https?://(www\.)?", "", url)[:120]
            g.node(
                Label.SOURCE,
                ident,
                name,
                [ident],
                CONFIRMED,
                url=url,
                kind=row.kind if row else None,
                read_on=row.read_on if row else None,
                note=row.note if row else None,
            )
        for row in self.t.sources:
            if row.citation:
                g.node(
                    Label.SOURCE,
                    row.id,
                    row.title,
                    [row.id],
                    row.confidence,
                    citation=row.citation,
                    kind=row.kind,
                    read_on=row.read_on,
                )

    def process(self) -> None:
        """The Budapest Process and its secretariat."""
        g = self.g
        spec = self.t.documents.process
        g.node(
            Label.PROCESS,
            spec.id,
            spec.name,
            self.cite(*spec.cite),
            CONFIRMED,
            acronym=spec.acronym,
            description=spec.description,
        )
        words = self.t.wording.process
        secretariat = next(b for b in self.facts["bodies"] if b["name"] == "Secretariat")
        g.rel(
            words.secretariat,
            RelType.PARTICIPATES_IN,
            spec.id,
            g.src(secretariat["source"], "SEED"),
            str(secretariat["confidence"]),
            note=words.secretariat_note.format(org=secretariat["org"]),
            role="secretariat",
        )
        self.org_sources[words.secretariat] = g.src(secretariat["source"], "SEED")

    def countries_and_regions(self) -> None:
        """Country nodes (countries.csv), their participation and regions."""
        words = self.t.wording.countries
        sets = self.facts["country_group_sets"]
        # Roles in the dialogue's bodies (already told in the countries' notes) add the bodies' sources.
        extra_sources: dict[str, list[str]] = {}
        for body in self.facts["bodies"]:
            for key in ("chair", "rapporteur"):
                if body.get(key):
                    extra_sources.setdefault(str(body[key]), []).extend(self.g.src(body["source"]))
        # States known to have attended the 2013 conference (the full list is missing).
        attended = sets["attended_mc5_2013"]
        extra_notes: dict[str, str] = {}
        # partial_confirmed and partial_sources are parallel lists (one source per state).
        signed = dict(
            zip(as_list(attended.get("partial_confirmed")), as_list(attended.get("partial_sources")), strict=True)
        )
        for iso, url in signed.items():
            if iso in words.signatories_2013:
                continue  # signed the declaration: an ADOPTED link below
            extra_sources.setdefault(str(iso), []).extend(self.g.src(url))
            extra_notes[str(iso)] = words.attended_2013_note
        for iso, record in self.countries.items():
            self.country_node(iso, record, extra_sources.get(iso, []), extra_notes.get(iso))
        self.regions(sets)
        # Signature of the 2013 declaration by individual states (partial list).
        for iso, note in words.signatories_2013.items():
            if iso in signed:
                self.g.rel(
                    self.country(iso),
                    RelType.ADOPTED,
                    words.declaration_2013,
                    self.g.src(signed[iso]),
                    CONFIRMED,
                    note=note,
                )

    def country_node(
        self, iso: str, record: Mapping[str, Any], extra_sources: Sequence[str], extra_note: str | None
    ) -> None:
        """A country's node and, for a participating state, its PARTICIPATES_IN link with its role."""
        g = self.g
        base, _ = split_qualifier(str(record["name"]))
        name = self.ids.country_names.get(iso, base)
        notes = []
        if name != record["name"]:
            notes.append(f"named '{record['name']}' in the facts")
        for key in ("confidence_note", "notes"):
            if record.get(key):
                notes.append(str(record[key]))
        if extra_note:
            notes.append(extra_note)
        groups = [str(x) for x in as_list(record.get("groups"))]
        g.node(
            Label.COUNTRY,
            self.country(iso),
            name,
            _dedupe([*g.src(record["source"]), *extra_sources, self.t.settings.iso_source]),
            str(record["confidence"]),
            iso3=iso,
            groups=groups,
            note="; ".join(notes) or None,
        )
        if "participating_state" not in groups:
            return  # China, India, Sri Lanka: participation not confirmed
        role, sources, conf, note = self.participation(record, groups)
        g.rel(
            self.country(iso), RelType.PARTICIPATES_IN, self.t.documents.process.id, sources, conf, note=note, role=role
        )

    def participation(self, record: Mapping[str, Any], groups: Sequence[str]) -> tuple[str, list[str], str, str]:
        """A participating state's role, the sources and confidence of its participation, and the note saying
        what they rest on."""
        words = self.t.wording.countries
        if "chair" in groups:
            return "chair", self.g.src(record["source"]), str(record["confidence"]), words.chair_note
        if "co_chair" in groups:
            # The co-chair role is stated by the governance page; only the EU-wide list is inferred.
            return "co-chair", self.g.src(words.co_chair_source), CONFIRMED, words.co_chair_note
        sources, conf = self.g.src(record["source"]), str(record["confidence"])
        note = words.member_note_inferred if conf == INFERRED else words.member_note
        if conf == CONFIRMED and set(sources) <= set(self.t.settings.secondary_only):
            conf, note = INFERRED, words.member_note_secondary_only
        return "member", sources, conf, note

    def regions(self, sets: Mapping[str, Any]) -> None:
        """The regions of ids.yaml from the facts' country groups, and the region of the EU Member States."""
        g = self.g
        for key, region in self.ids.regions.items():
            group = sets[key]
            if group.get("confidence") == "missing" or not group.get("members"):
                continue
            sources = g.src(group["source"])
            conf = str(group["confidence"])
            g.node(
                Label.REGION, region.id, region.name, sources, conf, kind=region.kind, description=region.description
            )
            for iso in group["members"]:
                g.rel(self.country(str(iso)), RelType.IN_REGION, region.id, sources, conf)
        eu = self.t.wording.countries.eu_region
        eu_members = [iso for iso, r in self.countries.items() if "eu_member" in as_list(r.get("groups"))]
        shared = set.intersection(*(set(g.src(self.countries[iso]["source"])) for iso in eu_members))
        eu_sources = [s for s in g.src(self.countries[eu_members[0]]["source"]) if s in shared]
        g.node(Label.REGION, eu.id, eu.name, eu_sources, CONFIRMED, kind=eu.kind, description=eu.description)
        for iso in eu_members:
            record = self.countries[iso]
            g.rel(
                self.country(iso),
                RelType.IN_REGION,
                eu.id,
                g.src(record["source"]),
                str(record["confidence"]),
                note=eu.member_note,
            )

    def documents(self) -> None:
        """Declarations and action plans (documents.yaml), then LAUNCHES and SUCCEEDS (links.yaml)."""
        g = self.g
        for spec in (*self.t.documents.declarations, *self.t.documents.plans):
            rec = self.record(spec.record)
            props: dict[str, Any] = {"code": spec.record}
            if isinstance(spec, PlanNode):
                start = when_of(str(rec[spec.starts]), self.date_table) if spec.starts else spec.year_start
                props.update(when=f"{start}/{spec.year_end}")
            else:
                adopted = str(rec["adopted"])
                props.update(adopted=adopted, when=when_of(adopted, self.date_table))
            g.node(
                Label.ACTION_PLAN if isinstance(spec, PlanNode) else Label.DECLARATION,
                spec.id,
                spec.name or str(rec["name"]),
                self.cite(f"facts:{spec.record}", *spec.cite),
                str(rec["confidence"]),
                description=spec.description.format(**rec),
                note=spec.note.format(**rec) if spec.note else None,
                **props,
            )
        self.table_links(self.t.links.documents)

    def commitments(self) -> None:
        """The five commitments of the 2019 Istanbul Commitments."""
        g = self.g
        words = self.t.wording.commitments
        for c in self.facts["commitments"]:
            number = int(c["number"])
            sources = g.src(c["source"])
            ident = g.node(
                Label.COMMITMENT,
                self.ids.commitments[number],
                str(c["name_fact_sheet"]),
                sources,
                str(c["confidence"]),
                number=number,
                name_fact_sheet=str(c["name_fact_sheet"]),
                name_bp_website=str(c["name_bp_website"]),
                description=words.description,
            )
            g.rel(words.declaration, RelType.MAKES, ident, sources, str(c["confidence"]))

    def priority_goals(self) -> None:
        """The six priority goals (2019 order) set by the Call for Action."""
        g = self.g
        words = self.t.wording.priority_goals
        for pg in self.facts["priority_areas"]:
            number = int(pg["order_2019"])
            src = pg["source"]
            order_sources = g.src(src["order_2019"])
            gcm = [int(x) for x in as_list(pg.get("gcm_objectives"))]
            note = words.gcm_note.format(gcm_note=pg["gcm_note"]) if pg.get("gcm_note") else None
            ident = g.node(
                Label.PRIORITY_GOAL,
                f"pg-{number}",
                str(pg["name_2019_fact_sheet"]),
                g.src(src["order_2019"], src["order_2013"], src["gcm"] if gcm else []),
                str(pg["confidence"]),
                number=number,
                order_2013=int(pg["order_2013"]),
                short_label=str(pg["short_label"]),
                gcm_objectives=gcm,
                description=words.description.format(number=number, order_2013=pg["order_2013"]),
                note=note,
            )
            g.rel(words.plan, RelType.SETS, ident, order_sources, str(pg["confidence"]))

    def action_points(self) -> None:
        """The 41 action points: nodes without text (the wording is not public)."""
        g = self.g
        words = self.t.wording.action_points
        meta = self.facts["action_points_meta"]
        sources = g.src(meta["source"])
        numbers = [int(ap["number"]) for ap in self.facts["action_points"]]
        if numbers != list(range(1, int(meta["count"]) + 1)):
            raise BuildError("action points are expected as 1..count")
        for number in numbers:
            ident = g.node(
                Label.ACTION_POINT,
                f"ap-{number}",
                words.name.format(number=number),
                sources,
                INFERRED,
                number=number,
                text_status=words.text_status,
                note=words.note,
            )
            g.rel(words.plan, RelType.CONTAINS, ident, sources, INFERRED, note=words.contains_note)

    def projects(self) -> None:
        """Projects, where they are active, who funds and implements them."""
        g = self.g
        words = self.t.wording.projects
        for p in self.facts["projects"]:
            code = str(p["code"])
            ident = self.ids.projects[code].id if code in self.ids.projects else f"project-{slug(code)}"
            sources = g.src(p["source"])
            conf = str(p["confidence"])
            years = str(p["years"]) if p.get("years") else None
            described = self.ids.projects.get(code)
            desc = [described.description] if described and described.description else []
            if p.get("regional_countries"):
                desc.append("Regional-level countries: " + ", ".join(p["regional_countries"]) + ".")
            if p.get("budget_note"):
                desc.append(f"Budget: {p['budget_note']}.")
            if p.get("outputs"):
                desc.append("Results: " + "; ".join(p["outputs"]) + ".")
            if p.get("launch_event"):
                desc.append(f"Launched in {p['launch_event']}.")
            when = when_of(years, self.date_table) if years else None
            if years and years != when:
                desc.append(f"Dates as the sources give them: {years}.")
            g.node(
                Label.PROJECT,
                ident,
                str(p["name"]),
                sources,
                conf,
                code=code,
                when=when,
                description=" ".join(desc) or None,
            )
            for iso in as_list(p.get("countries")):
                g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf)
            for iso in as_list(p.get("regional_countries")):
                g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf, note=words.regional_note)
            for key, rel_type in (("donors", RelType.FUNDS), ("implementing_partners", RelType.IMPLEMENTS)):
                for token in as_list(p.get(key)):
                    if (code, str(token)) in self.centre_partners:
                        self.centre_partner_link(code, str(token), rel_type, ident, sources)
                    else:
                        self.org_link(str(token), rel_type, ident, sources, conf)
            for token in as_list(p.get("partners")):
                self.org_link(str(token), RelType.IMPLEMENTS, ident, sources, conf, note=words.partner_note)

    def components(self) -> None:
        """The five components of the IMM ("Silk Routes") project."""
        g = self.g
        words = self.t.wording.components
        imm = next(p for p in self.facts["projects"] if p["code"] == words.project_code)
        for c in self.facts["components"]:
            code = str(c["code"])
            ident, name = self.ids.components[code].id, self.ids.components[code].name
            sources = g.src(c["source"])
            conf = str(c["confidence"])
            notes = []
            if name != c["name"]:
                notes.append(f"facts name: {c['name']}")
            if c.get("missing"):
                notes.append("missing in the sources: " + ", ".join(c["missing"]))
            if isinstance(c.get("countries"), str):
                notes.append(f"countries: {c['countries']}")
            g.node(
                Label.COMPONENT,
                ident,
                name,
                sources,
                conf,
                code=code,
                when=when_of(str(c["years"]), self.date_table),
                description=f"{c['description']} Dates as the sources give them: {c['years']}.",
                note="; ".join(notes) or None,
            )
            # Why the facts give the whole component as inferred, for each of its links.
            why = None
            if conf == INFERRED:
                why = f"the facts give {name} as inferred" + (
                    f" (missing in the sources: {', '.join(c['missing'])})" if c.get("missing") else ""
                )
            if code in imm["components"]:
                g.rel(words.project, RelType.HAS_COMPONENT, ident, g.src(imm["source"][:2]), str(imm["confidence"]))
            self.component_countries(code, c, ident, sources, conf, why)
            self.component_partners(code, c, ident, sources, conf, why)

    def component_countries(
        self, code: str, c: Mapping[str, Any], ident: str, sources: Sequence[str], conf: str, why: str | None
    ) -> None:
        """ACTIVE_IN of a component: the countries the facts list, or the focus countries (deduced) where the facts
        give them in words."""
        words = self.t.wording.components
        if not isinstance(c.get("countries"), list):
            # "all BP participating states; focus SRCs and Central Asia": the focus countries, deduced.
            sets = self.facts["country_group_sets"]
            for iso in (iso for group in words.focus_groups for iso in sets[group]["members"]):
                self.g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, INFERRED, note=words.focus_note)
            return
        for iso in c["countries"]:
            if code == "MRC":
                self.mrc_country(ident, str(iso), sources, conf)
                continue
            note = words.lead_note if words.lead_countries.get(code) == iso else why
            self.g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf, note=note)

    def component_partners(
        self, code: str, c: Mapping[str, Any], ident: str, sources: Sequence[str], conf: str, why: str | None
    ) -> None:
        """FUNDS and IMPLEMENTS of a component: donors by phase where the facts list them so, centre partners
        through the centres they concern (centre-partners.yaml), the others as the facts name them."""
        donors = c.get("donors")
        if isinstance(donors, Mapping):
            phases = self.t.wording.components.donor_phases
            for phase, tokens in donors.items():
                for token in as_list(tokens):
                    note = phases.get(str(phase), str(phase))
                    self.org_link(str(token), RelType.FUNDS, ident, sources, conf, note=note)
            donors = None
        for key, rel_type in (("donors", RelType.FUNDS), ("implementing_partners", RelType.IMPLEMENTS)):
            for token in as_list(donors if key == "donors" else c.get(key)):
                if (code, str(token)) in self.centre_partners:
                    self.centre_partner_link(code, str(token), rel_type, ident, sources)
                else:
                    self.org_link(str(token), rel_type, ident, sources, conf, note=why)

    def mrc_country(self, ident: str, iso: str, sources: Sequence[str], conf: str) -> None:
        """ACTIVE_IN of the MRC component: as the component's sources give it where a centre in the country is
        part of the component, deduced (citing the centres) where its centres there are placed under it only by
        deduction."""
        centres = [m for m in self.facts["mrcs"] if str(m["country"]) == iso]
        if not centres or any(self.centre_in_component(m) != INFERRED for m in centres):
            self.g.rel(ident, RelType.ACTIVE_IN, self.country(iso), sources, conf)
            return
        cities = ", ".join(f"{m['city']} ({str(m['opened'])[:4]})" for m in centres)
        which = "its only centre there" if len(centres) == 1 else "its centres there"
        self.g.rel(
            ident,
            RelType.ACTIVE_IN,
            self.country(iso),
            self.g.src(*(m["source"] for m in centres)),
            weaker(conf, INFERRED),
            note=self.t.wording.mrcs.country_note.format(which=which, cities=cities, imm_end=self.imm_end()),
        )

    def mrcs(self) -> None:
        """Each Migrant Resource Centre as an Activity of the MRC component."""
        g = self.g
        words = self.t.wording.mrcs
        component = next(c for c in self.facts["components"] if c["code"] == "MRC")
        imm_end = self.imm_end()
        srpp = next(p for p in self.facts["projects"] if p["code"] == words.first_centres_code)
        srpp_cities = {
            city.strip()
            for out in as_list(srpp.get("outputs"))
            if str(out).startswith("MRCs ")
            for city in re.split(r",| and ", str(out)[5:])
        }
        for m in self.facts["mrcs"]:
            raw_city = str(m["city"])
            match = re.fullmatch(r"(.+?)\s*\((\d+)(?:st|nd|rd|th)\)", raw_city)
            city, nth = (match.group(1), match.group(2)) if match else (raw_city, None)
            ident = f"activity-mrc-{slug(city)}" + (f"-{nth}" if nth else "")
            kind = str(m.get("type") or "Migrant Resource Centre")
            opened = str(m["opened"])
            sources = g.src(m["source"])
            conf = str(m["confidence"])
            desc = [f"{kind} in {city}, opened {opened}"]
            if m.get("inaugurated"):
                desc.append(f"formally inaugurated {m['inaugurated']}")
            desc.append("partners: " + ", ".join(str(x) for x in m["partners"]))
            g.node(
                Label.ACTIVITY,
                ident,
                f"{kind} {raw_city}",
                sources,
                conf,
                kind=kind,
                city=city,
                when=start_of(opened, self.date_table),
                description="; ".join(desc) + ".",
                note=str(m["notes"]) if m.get("notes") else None,
            )
            self.mrc_ids[raw_city] = ident
            g.rel(ident, RelType.IN_COUNTRY, self.country(str(m["country"])), sources, conf)
            if int(opened[:4]) <= imm_end:
                g.rel(ident, RelType.PART_OF, words.component, g.src("MRC", m["source"]), conf)
            else:
                late = words.late_note.format(imm_end=imm_end)
                g.rel(
                    ident,
                    RelType.PART_OF,
                    words.component,
                    g.src(m["source"], component["source"]),
                    INFERRED,
                    note=late,
                )
            if city in srpp_cities:
                g.rel(
                    ident,
                    RelType.PART_OF,
                    words.first_centres_project,
                    g.src(srpp["source"]),
                    str(srpp["confidence"]),
                    note=words.first_centres_note,
                )
            for token in as_list(m.get("partners")):
                self.org_link(str(token), None, ident, sources, conf, note=words.partner_note)
        self.table_links(self.t.links.mrcs)

    def activities_and_outputs(self) -> None:
        """Further activities and outputs named in the facts."""
        g = self.g
        facility = next(c for c in self.facts["components"] if c["code"] == "FACILITY")
        policies = [str(x) for x in facility["outputs"]]
        for spec in self.t.activities.activities:
            g.node(
                Label.ACTIVITY,
                spec.id,
                spec.name,
                g.src(*spec.sources),
                spec.confidence,
                kind=spec.kind,
                # A one-off activity gives its own closed `when`; otherwise it started then and no source gives an end.
                when=spec.when
                or (start_of(spec.start or str(spec.year or ""), self.date_table) if spec.start or spec.year else None),
                description=spec.description,
                note=spec.note,
            )
            g.rel(spec.id, RelType.PART_OF, spec.parent, g.src(*spec.sources), spec.confidence)
            if spec.country:
                g.rel(spec.id, RelType.IN_COUNTRY, self.country(spec.country), g.src(*spec.sources), spec.confidence)
        for out in self.t.activities.outputs:
            name = out.name or ""
            if out.facility_output is not None:
                if out.facility_output >= len(policies):
                    raise BuildError(f"{out.id}: the Facility has no output {out.facility_output} in the facts")
                name = policies[out.facility_output]
                base, qualifier = split_qualifier(name)
                if qualifier and "draft" in qualifier:
                    name = base
            g.node(
                Label.OUTPUT,
                out.id,
                name,
                g.src(*out.sources),
                out.confidence,
                kind=out.kind,
                when=str(out.year) if out.year else None,
                description=out.description,
                note=out.note,
            )
            g.rel(out.produced_by, RelType.PRODUCED, out.id, g.src(*out.sources), out.confidence)
        for link in self.t.activities.informs:
            g.rel(link.from_, RelType.INFORMS, link.to, g.src(*link.sources), link.confidence, note=link.note)

    def events(self) -> None:
        """Every dated event; PART_OF the process, IN_COUNTRY, ADOPTED, DISCUSSED."""
        g = self.g
        outcomes = {spec.record: spec.id for spec in self.t.documents.declarations}
        kinds = self.ids.event_kinds
        for e in self.facts["events"]:
            eid = str(e["id"])
            etype = str(e["type"])
            conf = str(e["confidence"])
            sources = g.src(e["source"])
            if etype == "ministerial_conference":
                n = int(e["number"])
                ident = f"event-mc-{n}"
                name = f"{ordinal(n)} Ministerial Conference ({e['place']}, {str(e['date'])[:4]})"
            elif eid in self.ids.events:
                ident, name = self.ids.events[eid].id, self.ids.events[eid].name
            elif etype == "senior_officials_meeting" and e.get("number"):
                n = int(e["number"])
                ident = f"event-som-{n}"
                name = f"{ordinal(n)} Senior Officials' Meeting ({e['place']}, {str(e['date'])[:4]})"
            else:
                ident, name = (
                    f"event-{slug(eid)}",
                    f"{kinds[etype].kind if etype in kinds else etype} ({e.get('place')})",
                )
            date = str(e["date"])
            desc = []
            for key, label in (("topic", "Topic"), ("participants", "Participants"), ("chair", "Chaired by")):
                if e.get(key):
                    desc.append(f"{label}: {e[key]}.")
            # Why the facts give the event as inferred (an uncertain date, an announced meeting), for its links.
            why = None
            if conf == INFERRED:
                reasons = [f"date given as '{date}'"] if re.search(r"inferred|ambiguous", date) else []
                reasons += [str(e["notes"])] if e.get("notes") else []
                why = "the facts give this event as inferred" + (": " + "; ".join(reasons) if reasons else "")
            g.node(
                Label.EVENT,
                ident,
                name,
                sources,
                conf,
                kind=kinds[etype].kind if etype in kinds else etype.replace("_", " "),
                date=date,
                when=when_of(date, self.date_table),
                place=str(e["place"]) if e.get("place") else None,
                description=" ".join(desc) or None,
                note=why or (str(e["notes"]) if e.get("notes") else None),
            )
            if etype in kinds and kinds[etype].project_event:
                note = "; ".join(filter(None, [self.t.wording.events.project_event_note, why]))
                g.rel(ident, RelType.PART_OF, self.t.documents.process.id, sources, INFERRED, note=note)
            else:
                g.rel(ident, RelType.PART_OF, self.t.documents.process.id, sources, conf, note=why)
            if e.get("country"):
                g.rel(ident, RelType.IN_COUNTRY, self.country(str(e["country"])), sources, conf, note=why)
            for outcome in as_list(e.get("outcome")):
                if str(outcome) in outcomes:
                    g.rel(ident, RelType.ADOPTED, outcomes[str(outcome)], sources, conf, note=why)
            listed = self.ids.events.get(eid)
            for goal in listed.discusses_goals_stated if listed else ():
                topic_note = f"topic: {e.get('topic')}"
                g.rel(
                    ident,
                    RelType.DISCUSSED,
                    f"pg-{goal}",
                    sources,
                    conf,
                    note="; ".join(filter(None, [topic_note, why])),
                )
            for goal in listed.discusses_goals_deduced if listed else ():
                g.rel(
                    ident,
                    RelType.DISCUSSED,
                    f"pg-{goal}",
                    sources,
                    INFERRED,
                    note=f"deduced from the topic: {e.get('topic')}",
                )
            self.event_ids[eid] = ident

    def priority_goal_links(self) -> None:
        """Priority-goal level links stated or deduced in the facts."""
        g = self.g
        words = self.t.wording.priority_goal_links
        links = self.facts["action_point_links"]
        general = links["general"]
        for link in links["priority_goal_links"]:
            origin = str(link["from"])
            sources = g.src(link["source"])
            conf = str(link["confidence"])
            relation = str(link["relation"])
            for goal in as_list(link["to"]):
                target = f"pg-{int(str(goal)[2:])}"
                if origin in self.event_ids:
                    topic = next(e.get("topic") for e in self.facts["events"] if e["id"] == origin)
                    g.rel(self.event_ids[origin], RelType.DISCUSSED, target, sources, conf, note=f"topic: {topic}")
                    continue
                if origin in self.ids.components:
                    responder = self.ids.components[origin].id
                elif origin in self.ids.projects:
                    responder = self.ids.projects[origin].id
                else:
                    raise BuildError(f"unknown priority-goal link origin {origin}")
                g.rel(
                    responder,
                    RelType.RESPONDS_TO,
                    target,
                    g.src(link["source"], general["source"]) if origin in self.ids.components else sources,
                    conf,
                    note=(words.stated_note.format(relation=relation) if conf == CONFIRMED else words.deduced_note)
                    + "; "
                    + words.level_note,
                    strength="partial",
                )

    def corrections(self) -> None:
        """The audit's corrections (corrections.yaml), applied to what the facts gave: each names a fact the build
        made (or, with ``add``, one the facts lack) and fails the build if that fact is not there."""
        nodes = {n["id"]: n for n in (*self.g.nodes, *self.g.countries)}
        for c in self.t.corrections:
            fact = self.corrected_node(c, nodes) if c.node is not None else self.corrected_rel(c)
            if fact is not None:
                self.correct_provenance(c, fact)

    def corrected_node(self, c: Correction, nodes: Mapping[str, dict[str, Any]]) -> dict[str, Any]:
        """The node a correction names, with the properties it sets (``None``: removed)."""
        assert c.node is not None  # a node correction
        if c.node not in nodes:
            raise BuildError(f"corrections.yaml: no node {c.node} to correct ({c.finding})")
        fact = nodes[c.node]
        for prop, value in c.set.items():
            if value is None:
                fact.pop(prop, None)
            else:
                fact[prop] = value
        return fact

    def corrected_rel(self, c: Correction) -> dict[str, Any] | None:
        """The relationship a correction names (added first with ``add``), with the properties it sets; ``None``
        when the correction removes it."""
        g = self.g
        assert c.from_ is not None and c.type is not None and c.to is not None  # the model checks it
        key: tuple[str, str, str] = (c.from_, c.type.value, c.to)
        if c.add:
            if key in g.rels:
                raise BuildError(f"corrections.yaml: {key} is already made from the facts; correct it instead")
            g.rel(c.from_, c.type, c.to, self.cite(*c.sources), c.confidence or INFERRED, note=c.note, **c.set)
            if c.from_.startswith("org-"):
                known = self.org_sources.get(c.from_, [])
                self.org_sources[c.from_] = _dedupe([*known, *g.rels[key]["sources"]])
        elif key not in g.rels:
            raise BuildError(f"corrections.yaml: no relationship {key} to correct ({c.finding})")
        if c.remove:
            del g.rels[key]
            return None
        fact = g.rels[key]
        if not c.add:
            fact.update(c.set)
        return fact

    def correct_provenance(self, c: Correction, fact: dict[str, Any]) -> None:
        """A correction's sources, confidence, note and locators on the fact it names; an inferred fact must still
        say why."""
        what = c.node or (c.from_, c.type.value if c.type else None, c.to)
        if c.sources:
            fact["sources"] = self.cite(*c.sources)
        if c.add_sources:
            fact["sources"] = _dedupe([*fact["sources"], *self.cite(*c.add_sources)])
        if c.confidence:
            fact["confidence"] = c.confidence
        if c.note is not None:
            if c.note:
                fact["note"] = c.note
            else:
                fact.pop("note", None)
        for ref, where in c.locators.items():
            (source,) = self.cite(ref)
            if source not in fact["sources"]:
                raise BuildError(f"corrections.yaml: a locator of {what} names {source}, not cited there")
            fact["locators"] = [*fact.get("locators", []), f"{source}: {where}"]
        if fact["confidence"] == INFERRED and not fact.get("note"):
            raise BuildError(f"corrections.yaml: {what} is inferred and says nowhere why")

    def organisations(self) -> None:
        """Organisation nodes for every organisation used; sources are those of their links."""
        g = self.g
        listed = {row.id: row for row in self.t.organisations}
        for org in sorted(self.org_sources):
            row = listed.get(org)
            sources = g.src(*row.sources) if row and row.sources else self.org_sources[org]
            if row:
                g.node(Label.ORGANISATION, org, row.name, sources, CONFIRMED, acronym=row.acronym, kind=row.kind)
                continue
            iso = org.removeprefix("org-gov-").upper()
            country = self.ids.country_names.get(iso, split_qualifier(str(self.countries[iso]["name"]))[0])
            words = self.t.wording.organisations
            article = "the " if country in words.with_article else ""
            g.node(
                Label.ORGANISATION,
                org,
                words.government_name.format(article=article, country=country),
                sources,
                CONFIRMED,
                kind=words.government_kind,
                description=words.government_description,
            )
