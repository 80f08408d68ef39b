"""Citations carry their facts: every cited source exists, a confirmed funding or implementing link cites a
source that names the organisation, an inferred fact says why, and the sample plan's illustrative goal
assignments carry a note of their own.

The table below is the audit of the bundled dataset against ``facts.yaml`` / ``facts.md``: for each confirmed
FUNDS / IMPLEMENTS link, the sources whose facts record names that organisation for that target. A new or
re-sourced confirmed link must be audited and added here.
"""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

import yaml

from bpkg.graph_schema import Label, RelType
from bpkg.loaders import GraphBatch, bundled_path

Link = tuple[str, str]  # (organisation, funded or implemented node)


def _stated(sources: str, orgs: str, *targets: str) -> dict[Link, frozenset[str]]:
    """Every (organisation, target) of one facts record -> the record's sources that name them."""
    return {(org, target): frozenset(sources.split()) for org in orgs.split() for target in targets}


_SRPP_DONORS = "org-eu org-gov-hun org-gov-bgr org-gov-nld org-gov-nor org-gov-swe org-gov-che org-gov-tur org-gov-gbr"
_RELEC_PILOT = "org-eu org-gov-bgr org-gov-hun org-gov-nld org-gov-nor org-gov-swe org-gov-che org-gov-tur org-gov-gbr"

STATED_BY: dict[Link, frozenset[str]] = {
    # projects (facts.yaml projects[]: donors, implementing partners, partners)
    **_stated("source-bp-projects", "org-gov-gbr org-icmpd", "project-bridging"),
    **_stated("source-icmpd-srpp source-bp-imm-project", f"{_SRPP_DONORS} org-icmpd", "project-srpp"),
    **_stated(
        "source-bp-imm-project source-seed-fact-sheet source-icmpd-silk-routes-modules",
        "org-eu org-icmpd",
        "project-imm",
    ),
    **_stated("source-icmpd-ibm-sr source-icmpd-news-ibm-sr-launch", "org-eu org-icmpd", "project-ibm-sr"),
    **_stated("source-icmpd-news-rbm-sr", "org-gov-dnk org-icmpd", "project-rbm-sr"),
    **_stated("source-bp-news-p2", "org-gov-dnk org-icmpd", "project-cair"),
    **_stated(
        "source-covert-imm-mp-2023 source-islamabadscene-imm-mp-2023 source-eeas-protect",
        "org-eu org-icmpd",
        "project-imm-mp",
    ),
    **_stated("source-eeas-protect", "org-unodc", "project-imm-mp"),  # issue 20: co-implementer (objective 3)
    **_stated("source-icmpd-news-mrc-sulaymaniyah", "org-gov-swe org-icmpd org-irq-krg-jcc", "project-si-com"),
    **_stated("source-bp-news-p3", "org-gov-deu", "project-marip2"),
    **_stated("source-bp-home", "org-errin org-bgd-bmet org-brac org-bgd-mewoe", "project-ppp-bgd"),
    # components (facts.yaml components[]; facts.md section 4 table)
    # The seed's "Funded by" is a logo without text: the EU's funding of the Dialogue component is deduced (AUDIT).
    **_stated("source-seed-fact-sheet", "org-icmpd", "component-dialogue"),
    **_stated("source-bp-migrap-ttc-equipment", "org-eu org-icmpd", "component-migrap"),  # issue 20
    **_stated(
        "source-bp-silk-routes-facility source-bp-silk-routes-facility-2 source-portal365-facility-call",
        "org-eu org-icmpd",
        "component-facility",
    ),
    **_stated("source-bp-mrc", "org-eu", "component-mrc"),
    **_stated("source-bp-mrc source-icmpd-news-mrcs-2024", "org-icmpd", "component-mrc"),
    **_stated(
        "source-bp-relec source-bp-relec-2 source-bp-imm-project",
        f"{_RELEC_PILOT} org-icmpd",
        "component-relec",
    ),
    **_stated("source-bp-relec source-bp-relec-2", "org-gov-tur", "component-relec"),  # lead country
    # MRC donors and partners the facts give by centre: named by the centres' sources, not the component's
    **_stated("source-observerbd-mrc-dhaka", "org-gov-che", "component-mrc"),
    **_stated("source-bp-news-mrc-baghdad", "org-gov-nor", "component-mrc"),
    **_stated(
        "source-bp-news-mrcs-pakistan source-ilo-mrcs-pakistan source-mrc-pakistan-about", "org-ilo", "component-mrc"
    ),
    # the centres (facts.yaml mrcs[]: partners; facts.md "MRC locations")
    **_stated(
        "source-bp-news-mrcs-pakistan source-ilo-mrcs-pakistan",
        "org-eu org-pak-mophrd org-ilo org-icmpd",
        "activity-mrc-islamabad",
    ),
    **_stated(
        "source-ilo-mrcs-pakistan source-mrc-pakistan-about",
        "org-eu org-pak-punjab-labour org-ilo org-icmpd",
        "activity-mrc-lahore",
    ),
    **_stated(
        "source-icmpd-press-mrc-kabul source-bp-news-mrc-strategy",
        "org-eu org-afg-morr org-icmpd",
        "activity-mrc-kabul",
    ),
    **_stated("source-bp-news-mrc-baghdad", "org-eu org-gov-nor org-irq-molsa org-icmpd", "activity-mrc-baghdad"),
    **_stated(
        "source-observerbd-mrc-dhaka",
        "org-eu org-gov-che org-bgd-bmet org-bgd-demo org-bgd-mewoe org-icmpd",
        "activity-mrc-dhaka",
    ),
    **_stated(
        "source-observerbd-mrc-dhaka", "org-eu org-gov-che org-bgd-bmet org-bgd-demo org-icmpd", "activity-mrc-cumilla"
    ),
    **_stated(
        "source-icmpd-news-tajikistan source-bp-news-mrc-tajikistan",
        "org-eu org-tjk-molmep org-icmpd",
        "activity-mrc-dushanbe",
    ),
    **_stated("source-icmpd-news-mic-batticaloa", "org-lka-molfe org-lka-slbfe org-icmpd", "activity-mrc-batticaloa"),
    **_stated("source-krg-mrc-erbil", "org-irq-krg-jcc org-icmpd", "activity-mrc-erbil"),
    **_stated("source-urdupoint-mrc-peshawar", "org-eu org-pak-beoe org-icmpd", "activity-mrc-peshawar"),
    **_stated(
        "source-migrantaffairs-mrc-sulaymaniyah source-icmpd-news-mrc-sulaymaniyah",
        "org-gov-swe org-irq-krg-jcc org-icmpd",
        "activity-mrc-sulaymaniyah",
    ),
    **_stated("source-icmpd-news-mrc-baghdad-2", "org-gov-dnk org-irq-momd org-icmpd", "activity-mrc-baghdad-2"),
}

# Links whose cited sources name the organisation only for a part of the target, so that the link is deduced.
DEDUCED: dict[tuple[str, str, str], frozenset[str]] = {
    # Sweden and Denmark fund centres opened in 2025, placed under the MRC initiative only by deduction.
    ("org-gov-swe", "FUNDS", "component-mrc"): frozenset({"source-migrantaffairs-mrc-sulaymaniyah"}),
    ("org-gov-dnk", "FUNDS", "component-mrc"): frozenset({"source-icmpd-news-mrc-baghdad-2"}),
    # ILO is a partner of the first Pakistan centres, which the project set up; nothing names it for the project.
    ("org-ilo", "IMPLEMENTS", "project-srpp"): frozenset({"source-ilo-mrcs-pakistan"}),
}
# The audit of issue 20 (tools/dataset/corrections.yaml): each fact it checked against the cited page, at the
# confidence that page supports, with the sources it must cite (None: the fact must be gone).
Fact = tuple[str, str, str] | str  # a relationship's key, or a node id
AUDIT: dict[Fact, tuple[str, frozenset[str]] | None] = {
    # confidence too strong
    ("org-eu", "FUNDS", "component-dialogue"): ("inferred", frozenset({"source-bp-imm-project"})),
    ("country-tur", "PARTICIPATES_IN", "process-budapest"): ("confirmed", frozenset({"source-bp-governance"})),
    ("country-hun", "PARTICIPATES_IN", "process-budapest"): ("confirmed", frozenset({"source-bp-governance"})),
    **{
        ("component-facility", "RESPONDS_TO", f"pg-{n}"): ("inferred", frozenset({"source-portal365-facility-call"}))
        for n in range(1, 7)
    },
    ("org-bgd-bmet", "IMPLEMENTS", "component-migrap"): None,
    # confidence too weak
    "component-migrap": ("confirmed", frozenset({"source-seed-fact-sheet", "source-bp-migrap-ttc-equipment"})),
    ("org-eu", "FUNDS", "component-migrap"): ("confirmed", frozenset({"source-bp-migrap-ttc-equipment"})),
    ("org-icmpd", "IMPLEMENTS", "component-migrap"): ("confirmed", frozenset({"source-bp-migrap-ttc-equipment"})),
    # missing or partial facts
    "event-mc-6": ("confirmed", frozenset({"source-bp-mission-vision"})),
    "project-imm-mp": ("confirmed", frozenset({"source-eeas-protect"})),
    ("org-unodc", "IMPLEMENTS", "project-imm-mp"): ("confirmed", frozenset({"source-eeas-protect"})),
    ("project-imm-mp", "ACTIVE_IN", "country-irq"): ("confirmed", frozenset({"source-eeas-protect"})),
    ("activity-mrc-lahore", "PART_OF", "project-srpp"): ("confirmed", frozenset({"source-ilo-mrcs-pakistan"})),
    ("activity-mrc-lahore", "PART_OF", "component-mrc"): ("confirmed", frozenset({"source-bp-mrc"})),
    # the plan in force: adopted at the 7th Ministerial Conference for 2025-2030 (its action points are not public)
    # and its six priority goals, listed by the Budapest Process's page and numbered by the Commission's news item
    "plan-call-for-action-2025": (
        "confirmed",
        frozenset(
            {
                "source-bp-news-som-2024",
                "source-bp-mission-vision",
                "source-ec-budapest-declaration-2024",
                "source-icmpd-news-mc7-2024",
            }
        ),
    ),
    # the two-way loop: results of the work on the ground put before the dialogue, where a stored page says so
    ("activity-imm-results-som-2021", "INFORMS", "event-som-2021-online"): (
        "confirmed",
        frozenset({"source-bp-news-annual-som-2021"}),
    ),
    ("activity-ibm-sr-results-som-2021", "INFORMS", "event-som-2021-online"): (
        "confirmed",
        frozenset({"source-bp-news-annual-som-2021"}),
    ),
    ("activity-srpp-report-som-antalya", "INFORMS", "event-som-antalya"): (
        "confirmed",
        frozenset({"source-bp-news-archive"}),
    ),
    ("activity-sr1-priority-consultations", "INFORMS", "event-prep-mc5-2"): (
        "inferred",
        frozenset({"source-bp-news-prep-ankara-2012"}),
    ),
    # weak sources: no stored official list of participating states
    ("country-arm", "PARTICIPATES_IN", "process-budapest"): ("inferred", frozenset()),
    ("country-geo", "PARTICIPATES_IN", "process-budapest"): ("inferred", frozenset()),
    ("country-gbr", "PARTICIPATES_IN", "process-budapest"): (
        "confirmed",
        frozenset({"source-bp-news-prep-ankara-2012"}),
    ),
}
# Sources whose stored copy says nothing a confirmed fact could rest on alone (a logo; a page not stored).
NOT_ENOUGH_ALONE = frozenset({"source-seed-fact-sheet", "source-wikitia-budapest-process"})

# Sources that, per the facts, name none of the donors the MRC component's facts qualify by centre.
_MRC_COMPONENT_PAGES = frozenset({"source-bp-mrc", "source-unmn-imm", "source-icmpd-news-mrcs-2024"})


def _raw_dataset(folder: Path) -> tuple[set[str], list[tuple[str, list[str]]]]:
    """Source ids defined in the dataset files, and (what, cited sources) of every node, relationship and plan row,
    read straight from the files (not through the loader, which would reject a dangling source itself)."""
    reference: dict[str, Any] = yaml.safe_load((folder / "reference.yaml").read_text(encoding="utf-8"))
    defined = {n["id"] for n in reference["nodes"] if n["label"] == Label.SOURCE.value}
    cited: list[tuple[str, list[str]]] = [(f"node {n['id']}", list(n["sources"])) for n in reference["nodes"]]
    cited += [(f"rel {r['from']} {r['type']} {r['to']}", list(r["sources"])) for r in reference["relationships"]]
    with (folder / "countries.csv").open(encoding="utf-8") as fh:
        cited += [(f"node {row['id']}", row["sources"].split(";")) for row in csv.DictReader(fh)]
    with (folder / "sample-plan.csv").open(encoding="utf-8") as fh:
        cited += [(f"plan row {i}", row["source"].split(";")) for i, row in enumerate(csv.DictReader(fh), start=2)]
    return defined, cited


def test_every_cited_source_is_a_source_node_of_the_dataset() -> None:
    defined, cited = _raw_dataset(bundled_path())
    assert len(cited) > 800  # nodes, relationships and plan rows were all read
    dangling = [(what, src) for what, sources in cited for src in sources if src not in defined]
    assert not dangling
    assert all(sources for _, sources in cited)


def test_confirmed_funding_and_implementing_links_cite_a_source_that_names_the_organisation(
    bundled_batch: GraphBatch,
) -> None:
    confirmed = {
        (rel.source, rel.target): rel
        for rel in bundled_batch.rels
        if rel.type in (RelType.FUNDS, RelType.IMPLEMENTS) and rel.props["confidence"] == "confirmed"
    }
    unaudited = sorted(set(confirmed) - set(STATED_BY))
    assert not unaudited, f"confirmed links that no audited source states: {unaudited}"
    gone = sorted(set(STATED_BY) - set(confirmed))
    assert not gone, f"audited links that are no longer confirmed: {gone}"
    wrong = {
        link: rel.props["sources"] for link, rel in confirmed.items() if not set(rel.props["sources"]) & STATED_BY[link]
    }
    assert not wrong, f"confirmed links citing no source that names the organisation: {wrong}"


def test_links_the_sources_do_not_state_are_inferred_and_cite_what_they_rest_on(bundled_batch: GraphBatch) -> None:
    rels = {rel.key: rel for rel in bundled_batch.rels}
    for key, needed in DEDUCED.items():
        rel = rels[key]
        assert rel.props["confidence"] == "inferred", key
        assert needed <= set(rel.props["sources"]), key
        assert "deduc" in rel.props["note"] or "no source names" in rel.props["note"], key
    # The component's own pages name none of the donors the facts give by centre.
    for org in ("org-gov-che", "org-gov-nor", "org-gov-swe", "org-gov-dnk"):
        rel = rels[(org, RelType.FUNDS.value, "component-mrc")]
        assert not set(rel.props["sources"]) & _MRC_COMPONENT_PAGES, org
    # Sri Lanka's only centre opened after the IMM project: the MRC component's presence there is deduced.
    lka = rels[("component-mrc", RelType.ACTIVE_IN.value, "country-lka")]
    assert lka.props["confidence"] == "inferred"
    assert lka.props["sources"] == ["source-icmpd-news-mic-batticaloa"]


def test_every_inferred_fact_says_why(bundled_batch: GraphBatch) -> None:
    silent = [
        rel.key for rel in bundled_batch.rels if rel.props["confidence"] == "inferred" and not rel.props.get("note")
    ]
    assert not silent, f"inferred relationships without a note: {silent}"
    nodes = [n.id for n in bundled_batch.nodes if n.props["confidence"] == "inferred" and not n.props.get("note")]
    assert not nodes, f"inferred nodes without a note: {nodes}"


def test_goal_assignments_of_the_sample_plan_have_their_own_illustrative_note(bundled_batch: GraphBatch) -> None:
    under = [rel for rel in bundled_batch.rels if rel.type is RelType.UNDER]
    responses = [rel for rel in bundled_batch.rels if rel.type is RelType.RESPONDS_TO and rel.target.startswith("ap-")]
    assert len(under) == 41 and responses
    response_notes = {rel.props.get("note") for rel in responses}
    for rel in under:
        note = rel.props.get("note") or ""
        assert rel.props["confidence"] == "illustrative", rel
        assert note not in response_notes, rel
        assert "Illustrative goal assignment" in note and "not public" in note, rel
    for rel in responses:
        assert rel.props["confidence"] == "illustrative", rel
        assert "Illustrative" in (rel.props.get("note") or ""), rel


def test_sample_plan_places_each_action_point_in_a_row_of_its_own() -> None:
    # A row's note goes on every link the row makes: the goal row (no responder) gives UNDER its own note.
    with (bundled_path() / "sample-plan.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    goal_rows = [row for row in rows if row["goal"]]
    assert sorted(int(row["action_point"]) for row in goal_rows) == list(range(1, 42))
    assert not any(row["activity"] or row["component"] or row["project"] for row in goal_rows)
    assert all(row["activity"] or row["component"] or row["project"] for row in rows if not row["goal"])


def test_the_audited_facts_stand_at_the_confidence_their_sources_support(bundled_batch: GraphBatch) -> None:
    nodes = {n.id: n for n in bundled_batch.nodes}
    rels = {rel.key: rel for rel in bundled_batch.rels}
    for fact, expected in AUDIT.items():
        found = nodes.get(fact) if isinstance(fact, str) else rels.get(fact)
        if expected is None:
            assert found is None, f"{fact}: no source states it, yet it is still in the dataset"
            continue
        assert found is not None, fact
        confidence, needed = expected
        assert found.props["confidence"] == confidence, fact
        assert needed <= set(found.props["sources"]), (fact, found.props["sources"])
        if confidence == "inferred":
            assert found.props.get("note"), fact


def test_the_audited_wording_is_in_the_facts(bundled_batch: GraphBatch) -> None:
    nodes = {n.id: n for n in bundled_batch.nodes}
    mc6 = nodes["event-mc-6"].props["description"]
    assert "20 ministers" in mc6 and "European Commissioner" in mc6 and "15 deputy ministers" in mc6
    protect = nodes["project-imm-mp"].props
    assert protect["name"].startswith("PROTECT") and protect["when"] == "2023/2026"
    assert "EUR 9M" in protect["description"] and "EUR 5M" in protect["description"]
    lahore = nodes["activity-mrc-lahore"].props["note"]
    assert "SALM" in lahore and "Silk Routes Partnership" in lahore


def test_the_plan_in_force_gives_its_six_goals_without_inventing_action_points(bundled_batch: GraphBatch) -> None:
    nodes = {n.id: n for n in bundled_batch.nodes}
    plan = nodes["plan-call-for-action-2025"].props
    assert plan["when"] == "2025/2030" and "12 November 2024" in plan["description"]
    assert all(f"{n} " in plan["description"] for n in range(1, 7))  # the six goals, numbered as the sources do
    assert "not their wording" in plan["description"]
    contained = [
        r for r in bundled_batch.rels if r.type is RelType.CONTAINS and r.source == "plan-call-for-action-2025"
    ]
    assert not contained  # its action points are public in no source


def test_the_two_way_loop_rests_on_events_where_a_page_says_work_was_put_before_the_dialogue(
    bundled_batch: GraphBatch,
) -> None:
    nodes = {n.id: n for n in bundled_batch.nodes}
    loop = [
        r
        for r in bundled_batch.rels
        if r.type is RelType.INFORMS
        and nodes[r.target].label is Label.EVENT
        and r.props["confidence"] == "confirmed"
        and all(nodes[s].props.get("kind") != "document" for s in r.props["sources"])
    ]
    assert len(loop) >= 3, [r.key for r in loop]
    for rel in loop:  # each says where on the page, which was read on a known day
        assert rel.props.get("locators"), rel.key
        assert all(nodes[s].props.get("read_on") for s in rel.props["sources"]), rel.key


def test_no_confirmed_fact_rests_only_on_a_logo_or_an_unstored_page(bundled_batch: GraphBatch) -> None:
    weak = [
        rel.key
        for rel in bundled_batch.rels
        if rel.type in (RelType.FUNDS, RelType.PARTICIPATES_IN)
        and rel.props["confidence"] == "confirmed"
        and set(rel.props["sources"]) <= NOT_ENOUGH_ALONE
        and rel.source != "org-icmpd"  # the seed states in text that ICMPD hosts the Secretariat
    ]
    assert not weak, f"confirmed links whose only sources state nothing in text: {weak}"


def test_the_audited_confirmed_facts_say_where_on_the_page_and_their_pages_when_read(
    bundled_batch: GraphBatch,
) -> None:
    nodes = {n.id: n for n in bundled_batch.nodes}
    rels = {rel.key: rel for rel in bundled_batch.rels}
    located = 0
    for fact, expected in AUDIT.items():
        if expected is None or expected[0] != "confirmed":
            continue
        found = nodes[fact] if isinstance(fact, str) else rels[fact]
        locators = list(found.props.get("locators", ()))
        for source in expected[1] - {"source-seed-fact-sheet", "source-bp-mrc"}:
            where = [loc.split(": ", 1)[1] for loc in locators if loc.startswith(f"{source}: ")]
            assert where and all(len(w) > 10 for w in where), (fact, source, locators)
            assert nodes[source].props.get("read_on"), source  # the stored copy was read to check it
            located += 1
    assert located >= 10  # the loop saw the audited facts


def test_every_cited_page_says_what_kind_of_source_it_is(bundled_batch: GraphBatch) -> None:
    sources = [n for n in bundled_batch.nodes if n.label is Label.SOURCE]
    kinds = {n.id: n.props.get("kind") for n in sources}
    assert kinds["source-wikitia-budapest-process"] == "third party"
    assert kinds["source-bp-governance"] == "official page"
    assert kinds["source-covert-imm-mp-2023"] == "news"
    assert kinds["source-seed-fact-sheet"] == "document"
    assert all(kinds.values()), [ident for ident, kind in kinds.items() if not kind]
