"""Build the bundled dataset ``budapest-process`` from the sourced fact files.

Run from the repository root::

    .venv/bin/python tools/build_dataset.py [--facts ../shared/domain/facts.yaml]

It reads ``facts.yaml`` (the sourced facts; ``facts.md`` is its narrative) and writes, deterministically
(re-running gives byte-identical files):

- ``loaders/datasets/budapest-process/``: ``manifest.yaml``, ``reference.yaml`` (format ``graph``),
  ``countries.csv`` (format ``nodes``), ``sample-plan.csv`` (format ``plan``) and ``sample-plan.xlsx``
  (a copy of the sample plan for spreadsheet users; not listed in the manifest);
- ``loaders/templates/implementation-plan.csv`` and ``.xlsx``: the empty plan template.

Rules kept here (design.md §3): every node and relationship carries ``sources`` (ids of ``Source`` nodes)
and the ``confidence`` the facts give; an ``inferred`` fact is never upgraded, and says why in its ``note``; a
``confirmed`` link cites a source whose facts record states it (a partner the facts give for the MRC component
by centre cites the centre's sources, see CENTRE_PARTNERS); facts marked ``missing`` are not facts (the 41
action points exist as nodes, without text). The sample plan is illustrative only; each action point's goal
assignment is a row of its own, so that its UNDER link has its own note.
Before writing, the output is checked against ``graph_schema`` (patterns and property models).
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import yaml
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.writer.excel import ExcelWriter

from graph_schema import NODE_MODELS, REL_MODELS, Label, RelType, is_allowed
from loaders.dataset import PLAN_COLUMNS

REPO: Final = Path(__file__).resolve().parent.parent
DEFAULT_FACTS: Final = REPO / ".." / "shared" / "domain" / "facts.yaml"
DATASET_DIR: Final = REPO / "loaders" / "datasets" / "budapest-process"
TEMPLATE_DIR: Final = REPO / "loaders" / "templates"

NAME: Final = "budapest-process"
VERSION: Final = "2026.11.0"

CONFIRMED: Final = "confirmed"
INFERRED: Final = "inferred"
ILLUSTRATIVE: Final = "illustrative"
_CERTAINTY: Final = {CONFIRMED: 2, INFERRED: 1, ILLUSTRATIVE: 0}

# The seed fact sheet is cited in facts.yaml by its file name, not by a URL.
SEED_FILE: Final = "000_9cfdaee38f310c43.txt"
SEED: Final = "source-seed-fact-sheet"
ISO: Final = "source-iso-3166"
SAMPLE: Final = "source-sample-plan"

# Fixed timestamp for the XLSX files, so that a rebuild is byte-identical.
_FIXED_TIME: Final = datetime(2026, 11, 1, 0, 0, 0)
_ZIP_TIME: Final = (2026, 11, 1, 0, 0, 0)


# --------------------------------------------------------------------------------------------------
# Source nodes: a short readable id and a human title for every URL the facts cite.
# A URL missing here still gets a Source node (id derived from the URL); see _fallback_source.
# --------------------------------------------------------------------------------------------------
SOURCE_CATALOGUE: Final[dict[str, tuple[str, str]]] = {
    "https://www.budapestprocess.org/about-us/mission-and-vision-statement/istanbul-commitments": (
        "source-bp-istanbul-commitments",
        "Budapest Process: The Istanbul Commitments (mission and vision statement)",
    ),
    "https://docslib.org/doc/9083214/en-download-en": (
        "source-bp-fact-sheet-2020",
        "Budapest Process fact sheet, March 2020 (copy on docslib.org)",
    ),
    "https://migrationnetwork.un.org/practice/budapest-process": (
        "source-unmn-budapest-process",
        "UN Network on Migration: Budapest Process (practice page)",
    ),
    "https://migrationnetwork.un.org/ru/node/1772": (
        "source-unmn-imm",
        "UN Network on Migration: Improving Migration Management in the Silk Routes Countries (practice page)",
    ),
    "https://www.budapestprocess.org/budapest-process/144-political-framework": (
        "source-bp-political-framework",
        "Budapest Process: political framework (2013 Istanbul Ministerial Declaration)",
    ),
    "https://www.budapestprocess.org/meetings/ministerial-conferences": (
        "source-bp-ministerial-conferences",
        "Budapest Process: Ministerial Conferences",
    ),
    "https://budapestprocess.org/budapest-process/governance": (
        "source-bp-governance",
        "Budapest Process: governance",
    ),
    "https://wikitia.com/wiki/Budapest_Process": (
        "source-wikitia-budapest-process",
        "Wikitia: Budapest Process (secondary source)",
    ),
    "https://www.budapestprocess.org/projects": ("source-bp-projects", "Budapest Process: projects"),
    "https://budapestprocess.org/?p=4592": (
        "source-bp-imm-project",
        "Budapest Process: Improving Migration Management in the Silk Routes Countries (project page)",
    ),
    "https://www.budapestprocess.org/silkroutesfacility": (
        "source-bp-silk-routes-facility",
        "Budapest Process: Silk Routes Facility",
    ),
    "https://budapestprocess.org/silk-routes-facility-2": (
        "source-bp-silk-routes-facility-2",
        "Budapest Process: Silk Routes Facility (second page)",
    ),
    "https://www.portal365.org/en/donors/silk-routes-facility": (
        "source-portal365-facility-call",
        "Portal365: Silk Routes Facility call for proposals",
    ),
    "https://www.budapestprocess.org/our-work/regional-law-enforcement/": (
        "source-bp-relec",
        "Budapest Process: Regional Law Enforcement Cooperation (RELEC)",
    ),
    "https://www.budapestprocess.org/migration-in-the-silk-routes/152-regional-law-enforcement": (
        "source-bp-relec-2",
        "Budapest Process: Regional Law Enforcement Cooperation (Migration in the Silk Routes)",
    ),
    "https://www.budapestprocess.org/our-work/migrant-resource-centres/": (
        "source-bp-mrc",
        "Budapest Process: Migrant Resource Centres",
    ),
    "https://budapestprocess.org/equipment-for-technical-training-centres-in-bangladesh": (
        "source-bp-migrap-ttc-equipment",
        "Budapest Process: equipment for Technical Training Centres in Bangladesh (MIGRAP)",
    ),
    "https://icmpd.org/about-us/icmpd-regions/silk-routes": (
        "source-icmpd-silk-routes-region",
        "ICMPD: Silk Routes region",
    ),
    "https://www.budapestprocess.org/budapest-process/what-we-do/": (
        "source-bp-what-we-do",
        "Budapest Process: what we do",
    ),
    "https://www.budapestprocess.org/about/news": ("source-bp-news-archive", "Budapest Process: news (archive)"),
    "https://www.budapestprocess.org/about/news?start=15": (
        "source-bp-news-archive-p2",
        "Budapest Process: news (archive, page 2)",
    ),
    "https://www.budapestprocess.org/news-events/news": ("source-bp-news", "Budapest Process: news"),
    "https://www.budapestprocess.org/news-events/news?start=15": (
        "source-bp-news-p2",
        "Budapest Process: news (page 2)",
    ),
    "https://www.budapestprocess.org/news-events/news?start=30": (
        "source-bp-news-p3",
        "Budapest Process: news (page 3)",
    ),
    "https://www.budapestprocess.org/": ("source-bp-home", "Budapest Process: home page"),
    "https://budapestprocess.org/budapest-process/mission-and-vision-statement": (
        "source-bp-mission-vision",
        "Budapest Process: mission and vision statement (2024 version)",
    ),
    "https://www.budapestprocess.org/64-visits-to-afghanistan-pakistan-and-iraq-to-initiate-the-implementation"
    "-of-the-silk-routes-partnership-for-migration-june-july-2013": (
        "source-bp-news-visits-2013",
        "Budapest Process news: visits to Afghanistan, Pakistan and Iraq (June-July 2013)",
    ),
    "https://www.budapestprocess.org/about/news/125-migration-resource-centres-open-in-pakistan": (
        "source-bp-news-mrcs-pakistan",
        "Budapest Process news: Migration Resource Centres open in Pakistan",
    ),
    "https://www.budapestprocess.org/about/news/158-migration-data-handling-and-early-warning": (
        "source-bp-news-relec-early-warning",
        "Budapest Process news: migration data handling and early warning (RELEC, 2019)",
    ),
    "https://www.budapestprocess.org/budapest-process-senior-officials-from-42-countries-aligning-views-on-a-new"
    "-ministerial-declaration-and-next-steps/": (
        "source-bp-news-som-2024",
        "Budapest Process news: senior officials from 42 countries align views on a new declaration (2024)",
    ),
    "https://www.budapestprocess.org/news-events/news/13-senior-officials-meet-in-ankara-for-2nd-preparatory"
    "-meeting-for-the-5th-budapest-process-ministerial-conference": (
        "source-bp-news-prep-ankara-2012",
        "Budapest Process news: 2nd preparatory meeting for the 5th Ministerial Conference (Ankara, 2012)",
    ),
    "https://www.budapestprocess.org/news-events/news/179-expert-thematic-meeting-on-return-and-reintegration": (
        "source-bp-news-return-meeting-2020",
        "Budapest Process news: Expert Thematic Meeting on Return and Reintegration (2020)",
    ),
    "https://www.budapestprocess.org/news-events/news/267-annual-budapest-process-senior-officials-meeting": (
        "source-bp-news-annual-som-2021",
        "Budapest Process news: annual Senior Officials' Meeting (online)",
    ),
    "https://www.budapestprocess.org/news-events/news/271-migrant-resource-centre-inaugurated-in-baghdad-by-the"
    "-iraqi-ministry-of-labour-and-social-affairs-and-icmpd": (
        "source-bp-news-mrc-baghdad",
        "Budapest Process news: Migrant Resource Centre inaugurated in Baghdad (2020)",
    ),
    "https://www.budapestprocess.org/news-events/news/274-development-of-5-year-mrc-strategy": (
        "source-bp-news-mrc-strategy",
        "Budapest Process news: development of a 5-year MRC strategy",
    ),
    "https://www.budapestprocess.org/news-events/news/428-joint-meeting-of-the-south-east-europe-and-silk-routes"
    "-region-working-groups": (
        "source-bp-news-joint-wg-2021",
        "Budapest Process news: joint meeting of the South East Europe and Silk Routes working groups (2021)",
    ),
    "https://www.budapestprocess.org/news-events/news/466-our-migrant-resource-centre-in-tajikistan": (
        "source-bp-news-mrc-tajikistan",
        "Budapest Process news: our Migrant Resource Centre in Tajikistan",
    ),
    "https://www.budapestprocess.org/news-events/news/6-first-preparatory-meeting-for-the-5th-budapest-process"
    "-ministerial-conference-a-silk-routes-partnership-for-migration-takes-place": (
        "source-bp-news-prep-izmir-2012",
        "Budapest Process news: 1st preparatory meeting for the 5th Ministerial Conference (Izmir, 2012)",
    ),
    "https://budapestprocess.org/event/8th-meeting-of-the-budapest-process-working-group-on-the-silk-routes-region": (
        "source-bp-event-srwg-8",
        "Budapest Process event: 8th meeting of the Working Group on the Silk Routes Region (2016)",
    ),
    "https://a1on.mk/macedonia/jankuloska-vo-istanbul-na-konferenci": (
        "source-a1on-mc5-2013",
        "A1on.mk: Macedonian interior minister at the Istanbul conference (2013)",
    ),
    "https://archiwum.mswia.gov.pl/pl/aktualnosci/10819,Wspolna-Deklaracja-Stambulska.html": (
        "source-mswia-istanbul-declaration",
        "Polish Ministry of Interior (archive): joint Istanbul Declaration (2013)",
    ),
    "https://covert.com.pk/2023/09/17/eu-30": (
        "source-covert-imm-mp-2023",
        "Covert (Pakistan): EU and ICMPD migration management project (September 2023)",
    ),
    "https://home-affairs.ec.europa.eu/news/commission-welcomes-budapest-process-ministerial-declaration-renew"
    "-cooperation-migration-2024-11-13_en": (
        "source-ec-budapest-declaration-2024",
        "European Commission: Commission welcomes Budapest Process ministerial declaration (13 Nov 2024)",
    ),
    "https://icmpd.org/news/eu-and-partner-countries-commit-to-tackling-irregular-migration-legal-pathways-human"
    "-trafficking-border-safety-and-international-protection": (
        "source-icmpd-news-mc7-2024",
        "ICMPD news: EU and partner countries commit to tackling irregular migration (7th Ministerial Conference)",
    ),
    "https://icmpd.org/news/icmpd-opens-migrant-resource-centre-in-sulaymaniyah-kurdistan-region-of-iraq": (
        "source-icmpd-news-mrc-sulaymaniyah",
        "ICMPD news: Migrant Resource Centre opens in Sulaymaniyah, Kurdistan Region of Iraq",
    ),
    "https://icmpdsilkroutesmodules.com/bn_IN/aboutus": (
        "source-icmpd-silk-routes-modules",
        "ICMPD Silk Routes online training modules: about us",
    ),
    "https://migrantaffairs.info/?p=32332": (
        "source-migrantaffairs-mrc-sulaymaniyah",
        "Migrant Affairs: Migrant Resource Centre in Sulaymaniyah (2025)",
    ),
    "https://rso-baliprocess.dev.juicebox.com.au/?p=4258": (
        "source-bali-process-lec-sofia",
        "Bali Process RSO: Budapest Process law enforcement cooperation meeting, Sofia",
    ),
    "https://www.hawlergov.org/app/en/node/8550": (
        "source-krg-mrc-erbil",
        "Erbil Governorate: Migrant Resource Centre opens in Erbil (2024)",
    ),
    "https://www.icmpd.org/news-centre/news-detail/project-news-enhancing-integrated-border-management-in-the"
    "-silk-routes-region/": (
        "source-icmpd-news-ibm-sr-launch",
        "ICMPD news: enhancing integrated border management in the Silk Routes region (IBM Silk Routes launch)",
    ),
    "https://www.icmpd.org/news/icmpd-and-tajikistan-formalise-and-deepen-their-relations": (
        "source-icmpd-news-tajikistan",
        "ICMPD news: ICMPD and Tajikistan formalise and deepen their relations",
    ),
    "https://www.icmpd.org/news/icmpd-opens-4th-migrant-resource-centre-in-iraq-expands-work-on-legal-pathways"
    "-tackling-irregular-migration-and-supporting-returnees": (
        "source-icmpd-news-mrc-baghdad-2",
        "ICMPD news: ICMPD opens 4th Migrant Resource Centre in Iraq (2025)",
    ),
    "https://www.icmpd.org/news/icmpd-opens-more-migrant-resource-centres-in-iraq-pakistan": (
        "source-icmpd-news-mrcs-2024",
        "ICMPD news: ICMPD opens more Migrant Resource Centres in Iraq and Pakistan (2024)",
    ),
    "https://www.icmpd.org/news/migrant-information-centre-launched-in-batticaloa-by-the-ministry-of-labour-and"
    "-foreign-employment": (
        "source-icmpd-news-mic-batticaloa",
        "ICMPD news: Migrant Information Centre launched in Batticaloa (2024)",
    ),
    "https://www.icmpd.org/news/press-releases/migrant-resource-centre-being-set-up-and-run-in-kabul-by-icmpd-and"
    "-the-afghan-ministry-of-refugees-and-repatriations": (
        "source-icmpd-press-mrc-kabul",
        "ICMPD press release: Migrant Resource Centre set up and run in Kabul (2018)",
    ),
    "https://www.icmpd.org/news/strengthening-human-rights-in-iraq-and-pakistan-s-border-management": (
        "source-icmpd-news-rbm-sr",
        "ICMPD news: strengthening human rights in Iraq's and Pakistan's border management",
    ),
    "https://www.icmpd.org/our-work/migration-dialogues/budapest-process/meetings/budapest-group-meetings/": (
        "source-icmpd-bp-meetings",
        "ICMPD: Budapest Process meetings (Budapest Group meetings)",
    ),
    "https://www.icmpd.org/our-work/projects/integrated-border-management-in-the-silk-routes-countries-ibm-silk"
    "-routes": (
        "source-icmpd-ibm-sr",
        "ICMPD project: Integrated Border Management in the Silk Routes Countries (IBM Silk Routes)",
    ),
    "https://www.icmpd.org/our-work/projects/silk-routes-partnership-project": (
        "source-icmpd-srpp",
        "ICMPD project: Silk Routes Partnership Project",
    ),
    "https://www.ilo.org/asia/media-centre/news/WCMS_419767/lang--en/index.htm": (
        "source-ilo-mrcs-pakistan",
        "ILO news: Migrant Resource Centres in Pakistan (2016)",
    ),
    "https://www.islamabadscene.com/icmpd-and-eu-join-forces-to-protect-migrants-across-6-countries": (
        "source-islamabadscene-imm-mp-2023",
        "Islamabad Scene: ICMPD and EU join forces to protect migrants across 6 countries (2023)",
    ),
    "https://www.mrc.org.pk/en/about": ("source-mrc-pakistan-about", "Migrant Resource Centre Pakistan: about"),
    "https://www.observerbd.com/news.php?id=333020": (
        "source-observerbd-mrc-dhaka",
        "Daily Observer (Bangladesh): Migrant Resource Centres in Dhaka and Cumilla inaugurated (2021)",
    ),
    "https://www.urdupoint.com/en/pakistan/mrc-with-support-of-european-union-opened-in-1833686.html": (
        "source-urdupoint-mrc-peshawar",
        "UrduPoint: MRC opened in Peshawar with EU support (2024)",
    ),
}

# URLs that facts.md cites for facts used here but facts.yaml does not carry (tag -> url, id, title).
EXTRA_SOURCES: Final[dict[str, tuple[str, str, str]]] = {
    "BRIDGING_PILOTS": (
        "https://www.budapestprocess.org/86-pilot-training-activities-implemented-for-afghan-iraqi-and-pakistani"
        "-senior-officials",
        "source-bp-news-bridging-pilot-trainings",
        "Budapest Process news: pilot training activities for Afghan, Iraqi and Pakistani senior officials",
    ),
    "ICMPD_SR": (
        "https://www.icmpd.org/our-work/capacity-building/regions/silk-routes/?L=0",
        "source-icmpd-silk-routes-capacity-building",
        "ICMPD: capacity building in the Silk Routes region",
    ),
}

# --------------------------------------------------------------------------------------------------
# Organisations named in the facts as funders, implementers or partners.
# --------------------------------------------------------------------------------------------------
ORGANISATIONS: Final[dict[str, tuple[str, str | None, str]]] = {
    # id: (name, acronym, kind)
    "org-icmpd": ("International Centre for Migration Policy Development", "ICMPD", "international organisation"),
    "org-eu": ("European Union", "EU", "supranational union"),
    "org-ilo": ("International Labour Organization", "ILO", "UN agency"),
    "org-errin": ("European Return and Reintegration Network", "ERRIN", "European network"),
    "org-brac": ("BRAC", "BRAC", "non-governmental organisation (Bangladesh)"),
    "org-bgd-bmet": ("Bureau of Manpower, Employment and Training (Bangladesh)", "BMET", "national authority"),
    "org-bgd-demo": ("District Employment and Manpower Office (Bangladesh)", "DEMO", "national authority"),
    "org-bgd-mewoe": (
        "Ministry of Expatriates' Welfare and Overseas Employment (Bangladesh)",
        "MEWOE",
        "national authority",
    ),
    "org-pak-mophrd": (
        "Ministry of Overseas Pakistanis and Human Resource Development (Pakistan)",
        "MOPHRD",
        "national authority",
    ),
    "org-pak-punjab-labour": ("Punjab Department of Labour and Human Resource (Pakistan)", None, "regional authority"),
    "org-pak-beoe": ("Bureau of Emigration and Overseas Employment (Pakistan)", None, "national authority"),
    "org-afg-morr": ("Ministry of Refugees and Repatriation (Afghanistan)", "MoRR", "national authority"),
    "org-irq-molsa": ("Ministry of Labour and Social Affairs (Iraq)", None, "national authority"),
    "org-irq-momd": ("Ministry of Migration and Displaced (Iraq)", None, "national authority"),
    "org-irq-krg-jcc": (
        "Joint Crisis Coordination Centre of the Kurdistan Regional Government (Iraq)",
        "JCC",
        "regional authority",
    ),
    "org-tjk-molmep": (
        "Ministry of Labour, Migration and Employment of Population (Tajikistan)",
        "MoLMEP",
        "national authority",
    ),
    "org-lka-molfe": ("Ministry of Labour and Foreign Employment (Sri Lanka)", None, "national authority"),
    "org-lka-slbfe": ("Sri Lanka Bureau of Foreign Employment", "SLBFE", "national authority"),
}

# Organisations linked to most of the graph: a few defining sources instead of every page that names them.
ORGANISATION_SOURCES: Final[dict[str, tuple[str, ...]]] = {
    "org-icmpd": ("GOV", "ICMPD_REGION", "SEED"),
    "org-eu": ("SEED", "IMM"),
    "org-ilo": ("https://www.ilo.org/asia/media-centre/news/WCMS_419767/lang--en/index.htm",),
}

# Names (as the facts write them) -> organisation id, relationship, and whether the role is only inferred.
_PARTNERS: Final[dict[str, tuple[str, RelType, bool]]] = {
    "EU": ("org-eu", RelType.FUNDS, False),
    "ICMPD": ("org-icmpd", RelType.IMPLEMENTS, False),
    "ILO": ("org-ilo", RelType.IMPLEMENTS, False),
    "ERRIN": ("org-errin", RelType.IMPLEMENTS, False),
    "BRAC": ("org-brac", RelType.IMPLEMENTS, False),
    "BMET": ("org-bgd-bmet", RelType.IMPLEMENTS, False),
    "DEMO": ("org-bgd-demo", RelType.IMPLEMENTS, False),
    "MEWOE": ("org-bgd-mewoe", RelType.IMPLEMENTS, False),
    "MOPHRD": ("org-pak-mophrd", RelType.IMPLEMENTS, False),
    "Punjab Dept of Labour & HR": ("org-pak-punjab-labour", RelType.IMPLEMENTS, False),
    "Bureau of Emigration and Overseas Employment": ("org-pak-beoe", RelType.IMPLEMENTS, False),
    "Ministry of Refugees and Repatriation": ("org-afg-morr", RelType.IMPLEMENTS, False),
    "Ministry of Labour and Social Affairs": ("org-irq-molsa", RelType.IMPLEMENTS, False),
    "Ministry of Migration and Displaced": ("org-irq-momd", RelType.IMPLEMENTS, False),
    "KRG Joint Crisis Coordination Centre": ("org-irq-krg-jcc", RelType.IMPLEMENTS, False),
    "KRG JCC": ("org-irq-krg-jcc", RelType.IMPLEMENTS, False),
    "Ministry of Labour, Migration and Employment of Population": ("org-tjk-molmep", RelType.IMPLEMENTS, False),
    "Ministry of Labour and Foreign Employment": ("org-lka-molfe", RelType.IMPLEMENTS, False),
    "SLBFE": ("org-lka-slbfe", RelType.IMPLEMENTS, False),
    # Donor states, as the facts name them; FUNDS starts at an Organisation, so a state funds through
    # an "org-gov-<iso3>" node. A named state agency stands for its government (the note keeps its name).
    "Switzerland": ("org-gov-che", RelType.FUNDS, False),
    "Norway": ("org-gov-nor", RelType.FUNDS, False),
    "Sweden": ("org-gov-swe", RelType.FUNDS, False),
    "Turkey": ("org-gov-tur", RelType.IMPLEMENTS, False),
    "Denmark/NORAQ": ("org-gov-dnk", RelType.FUNDS, False),
    "Swedish Ministry of Justice": ("org-gov-swe", RelType.FUNDS, False),
    "Swedish Migration Agency": ("org-gov-swe", RelType.FUNDS, False),
    # Named as a partner only; that it funds the centre is deduced.
    "Norwegian Directorate of Immigration": ("org-gov-nor", RelType.FUNDS, True),
}
# Generic phrases in the facts that name no organisation.
_NO_ORGANISATION: Final = frozenset({"national ministries"})

# Partners that the facts give for a component or project only through the Migrant Resource Centres they
# concern ("Switzerland (BGD)"). The component's or project's own sources do not name them; the centres'
# records do (checked at build time). Such a link cites the centres' sources and is only as sure as the
# centres' place under the component (deduced for centres opened after the IMM project closed); a reason
# given here makes it deduced in any case.
# (facts code of the component or project, facts token) -> (facts cities of the centres, reason or None)
CENTRE_PARTNERS: Final[dict[tuple[str, str], tuple[tuple[str, ...], str | None]]] = {
    ("MRC", "Switzerland (BGD)"): (("Dhaka", "Cumilla"), None),
    ("MRC", "Norway (IRQ Baghdad)"): (("Baghdad",), None),
    ("MRC", "Sweden (Sulaymaniyah)"): (("Sulaymaniyah",), None),
    ("MRC", "Denmark/NORAQ (Baghdad 2)"): (("Baghdad (2nd)",), None),
    ("MRC", "ILO (Pakistan start-up)"): (("Islamabad", "Lahore"), None),
    ("SRPP", "ILO (MRCs)"): (
        ("Islamabad", "Lahore"),
        "ILO (written 'ILO (SALM)' in facts.md) is a partner of the first centres in Pakistan, which this project set "
        "up; no source names ILO as implementing the project itself",
    ),
}

# --------------------------------------------------------------------------------------------------
# Stable ids and readable names for facts-file records.
# --------------------------------------------------------------------------------------------------
EVENT_IDS: Final[dict[str, tuple[str, str]]] = {
    "PREP5_1": ("event-prep-mc5-1", "1st preparatory meeting for the 5th Ministerial Conference (Izmir, 2012)"),
    "PREP5_2": ("event-prep-mc5-2", "2nd preparatory meeting for the 5th Ministerial Conference (Ankara, 2012)"),
    "PREP6_1": (
        "event-prep-mc6-1",
        "1st preparatory meeting for the Call for Action / 6th Ministerial Conference (Istanbul, 2017)",
    ),
    "SOM_ANTALYA": ("event-som-antalya", "Senior Officials' Meeting (Antalya, 15 December, 2016 or 2017)"),
    "SOM_2019_IP": (
        "event-som-2019-implementation-plan",
        "Senior Officials' Meeting endorsing the Implementation Plan of the Call for Action (December 2019)",
    ),
    "SOM_2021_ONLINE": ("event-som-2021-online", "Annual Senior Officials' Meeting (online, early 2021)"),
    "RG10": ("event-rg-10", "10th Reference Group Meeting (Stockholm, 2024)"),
    "SRWG8": ("event-srwg-8", "8th meeting of the Working Group on the Silk Routes Region (Tehran, 2016)"),
    "SR_DONORS_2017": ("event-sr-donors-2017", "Meeting of the Silk Routes countries and donors (Ankara, 2017)"),
    "JWG_SR_SEE_2018": (
        "event-jwg-sr-see-2018",
        "Joint meeting of the Silk Routes and South Eastern Europe Working Groups (Sarajevo, 2018)",
    ),
    "JWG3_2019": ("event-jwg-regional-2019", "Joint meeting of the three Regional Working Groups (Skopje, 2019)"),
    "EVT_RR_2020": (
        "event-expert-meeting-return-2020",
        "Expert Thematic Meeting on Return and Reintegration (Budapest, 2020)",
    ),
    "JWG_SEE_SR_2021": (
        "event-jwg-see-sr-2021",
        "Joint meeting of the South Eastern Europe and Silk Routes Working Groups (virtual, 2021)",
    ),
    "RELEC_LAUNCH": ("event-relec-launch-2015", "Launch of RELEC (October 2015)"),
    "RELEC_ANTALYA": ("event-relec-antalya", "RELEC regional meeting (Antalya, 12-13 December)"),
    "RELEC_NCP_2019": (
        "event-relec-ncp-2019",
        "RELEC National Contact Points meeting on migration data and early warning (Ankara, 2019)",
    ),
    "IBM_LAUNCH": ("event-ibm-sr-launch-2019", "Launch of the IBM Silk Routes project (Istanbul, 2019)"),
    "IMM_CLOSE": ("event-imm-closing-2022", "Closing conference of the IMM project (Istanbul, 2022)"),
    "LEC_SOFIA": ("event-lec-sofia", "Law Enforcement Cooperation Thematic Meeting (Sofia, October)"),
}
EVENT_KINDS: Final[dict[str, str]] = {
    "ministerial_conference": "Ministerial Conference",
    "preparatory_meeting": "Preparatory meeting",
    "senior_officials_meeting": "Senior Officials' Meeting",
    "reference_group_meeting": "Reference Group meeting",
    "silk_routes_working_group": "Silk Routes Region Working Group meeting",
    "silk_routes_meeting": "Silk Routes meeting",
    "joint_working_group": "Joint Working Group meeting",
    "thematic_meeting": "Thematic meeting",
    "relec": "RELEC meeting",
    "project_event": "Project event",
}
# Events of a project rather than of the dialogue itself: their PART_OF the process is only deduced.
_PROJECT_EVENT_TYPES: Final = frozenset({"project_event", "relec"})
# Topics -> goals the facts do not state outright (deduced from the meeting's topic).
EVENT_GOALS_INFERRED: Final[dict[str, tuple[int, ...]]] = {
    "JWG_SR_SEE_2018": (1,),
    "JWG_SEE_SR_2021": (1, 5),
    "RELEC_NCP_2019": (1,),
    "LEC_SOFIA": (1,),
}
# Topics that name the priority area themselves ("international protection (6th priority area)").
EVENT_GOALS_STATED: Final[dict[str, tuple[int, ...]]] = {"SRWG8": (6,)}

COMMITMENT_IDS: Final[dict[int, str]] = {
    1: "commitment-partnership",
    2: "commitment-governance",
    3: "commitment-human-rights",
    4: "commitment-solidarity",
    5: "commitment-knowledge",
}
COMPONENTS: Final[dict[str, tuple[str, str]]] = {
    # facts code: (id, display name)
    "DIALOGUE": ("component-dialogue", "Dialogue (support to the Budapest Process)"),
    "FACILITY": ("component-facility", "Silk Routes Facility"),
    "MRC": ("component-mrc", "Flagship Initiative on Migrant Resource Centres"),
    "MIGRAP": ("component-migrap", "MIGRA.P"),
    "RELEC": ("component-relec", "Regional Law Enforcement Cooperation (RELEC)"),
}
PROJECT_IDS: Final[dict[str, str]] = {
    "SR1": "project-sr1",
    "BRIDGING": "project-bridging",
    "SRPP": "project-srpp",
    "IMM": "project-imm",
    "IBM_SR": "project-ibm-sr",
    "RBM_SR": "project-rbm-sr",
    "CAIR": "project-cair",
    "IMM_MP": "project-imm-mp",
    "SI_COM": "project-si-com",
    "PARIM": "project-parim",
    "MARIP2": "project-marip2",
    "PPP_BGD": "project-ppp-bgd",
}
# Narrative from facts.md (paraphrased), put before what facts.yaml adds.
PROJECT_DESCRIPTIONS: Final[dict[str, str]] = {
    "IMM": "The EU-funded 'Silk Routes project', implemented by ICMPD since August 2017. It aims to maximise the "
    "development potential of migration and mobility within the region and towards major receiving countries, and "
    "to operationalise the Budapest Process dialogue. Components: Dialogue, Facility, Flagship Initiative on "
    "Migrant Resource Centres, MIGRA.P and RELEC.",
    "SR1": "The first Silk Routes project, which ran before 2013.",
    "BRIDGING": "UK-funded; pilot trainings for senior officials were held in Afghanistan (December 2013), Pakistan "
    "(January 2014) and Iraq (February 2014).",
    "SRPP": "Also called Silk Routes II. Funded by the EU with Hungary as lead partner; national level in "
    "Afghanistan, Iraq and Pakistan. It set up the first Migrant Resource Centres (Pakistan) and launched RELEC.",
}
REGIONS: Final[dict[str, tuple[str, str, str, str]]] = {
    # facts group set: (id, name, kind, description)
    "silk_routes_bp_five": (
        "region-silk-routes",
        "Silk Routes Countries (Budapest Process)",
        "Budapest Process country group",
        "The five Silk Routes Countries in Budapest Process usage: Afghanistan, Bangladesh, Iran, Iraq, Pakistan.",
    ),
    "silk_routes_icmpd_region": (
        "region-silk-routes-icmpd",
        "Silk Routes region (ICMPD definition)",
        "ICMPD region",
        "ICMPD's regional definition of the Silk Routes, which also includes India and Sri Lanka.",
    ),
    "silk_routes_2010_refocus": (
        "region-silk-routes-2010",
        "Silk Routes countries of the 2010 refocus",
        "Budapest Process country group",
        "Participating and observer states brought into the Budapest Process by the 2010 Silk Routes refocus "
        "(16th Senior Officials' Meeting, Istanbul, 3 November 2010).",
    ),
    "central_asia_facility": (
        "region-central-asia",
        "Central Asia",
        "region",
        "Central Asian countries covered by the Silk Routes Facility.",
    ),
}
# Turkey is written "Turkey (Türkiye)" in the facts; the graph uses the current short name.
COUNTRY_NAMES: Final[dict[str, str]] = {"TUR": "Türkiye"}


class BuildError(Exception):
    """The facts or the build rules are inconsistent; nothing is written."""


# --------------------------------------------------------------------------------------------------
# Small helpers
# --------------------------------------------------------------------------------------------------
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


def _urls(value: Any) -> Iterable[str]:
    """Every URL or seed-file citation anywhere in a facts value."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _urls(item)
    elif isinstance(value, list):
        for item in value:
            yield from _urls(item)
    elif isinstance(value, str) and (value.startswith(("http://", "https://")) or SEED_FILE in value):
        yield value


# --------------------------------------------------------------------------------------------------
# The graph under construction
# --------------------------------------------------------------------------------------------------
@dataclass
class Graph:
    """Nodes and relationships as plain dicts in the dataset format, plus source-id resolution."""

    tags: dict[str, str]
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
                if text in self.tags:
                    text = self.tags[text]
                elif text in EXTRA_SOURCES:
                    text = EXTRA_SOURCES[text][0]
                if text.startswith("source-"):
                    out.append(text)
                elif SEED_FILE in text:
                    out.append(SEED)
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

    def __init__(self, facts: Mapping[str, Any]) -> None:
        self.facts = facts
        tags = {str(k): str(v) for k, v in facts["meta"]["source_tags"].items()}
        self.g = Graph(tags=tags)
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

    # -- helpers ------------------------------------------------------------------------------
    def country(self, iso: str) -> str:
        """Country node id for an ISO alpha-3 code (must be in the facts)."""
        if iso not in self.countries:
            raise BuildError(f"country {iso} is not in the facts")
        return f"country-{iso.lower()}"

    def organisation_for(self, token: str) -> tuple[str, RelType | None, bool, str | None] | None:
        """An organisation named in the facts -> (org id, default relationship, inferred?, qualifier)."""
        base, qualifier = split_qualifier(token)
        if token in _NO_ORGANISATION or base in _NO_ORGANISATION:
            return None
        if token in _PARTNERS:
            org, rel, inferred = _PARTNERS[token]
            return org, rel, inferred, None
        if base in _PARTNERS:
            org, rel, inferred = _PARTNERS[base]
            return org, rel, inferred, qualifier
        if re.fullmatch(r"[A-Z]{3}", base) and base in self.countries:
            return f"org-gov-{base.lower()}", None, False, qualifier
        if base in self.country_iso_by_name:
            return f"org-gov-{self.country_iso_by_name[base].lower()}", None, False, qualifier
        raise BuildError(f"no organisation for {token!r}; add it to _PARTNERS or _NO_ORGANISATION")

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
        imm = next(p for p in self.facts["projects"] if p["code"] == "IMM")
        return int(str(imm["years"]).split(" to ")[1][:4])

    def centre(self, city: str) -> Mapping[str, Any]:
        """The facts record of a Migrant Resource Centre, by its city as the facts write it."""
        for m in self.facts["mrcs"]:
            if str(m["city"]) == city:
                return m
        raise BuildError(f"no Migrant Resource Centre {city!r} in the facts")

    def centre_in_component(self, m: Mapping[str, Any]) -> str:
        """Confidence of a centre's place under the MRC component: deduced when it opened after IMM closed."""
        return str(m["confidence"]) if int(str(m["opened"])[:4]) <= self.imm_end() else INFERRED

    def centre_partner_link(
        self, code: str, token: str, rel_type: RelType, target: str, record_sources: Sequence[str]
    ) -> None:
        """A partner the facts give for a component or project through the centres it concerns (CENTRE_PARTNERS):
        cite the centres' records, which name it, and keep the weakest link of the chain."""
        cities, reason = CENTRE_PARTNERS[(code, token)]
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
        self.organisations()
        self.source_nodes()
        return self.g

    def register_sources(self) -> None:
        """Map every cited URL to a Source id (nodes are added last, see source_nodes)."""
        for url in _dedupe(_urls(self.facts)):
            if SEED_FILE in url:
                continue
            self.g.source_ids[url] = SOURCE_CATALOGUE[url][0] if url in SOURCE_CATALOGUE else self._fallback(url)
        for url, ident, _ in EXTRA_SOURCES.values():
            self.g.source_ids.setdefault(url, ident)
        ids = list(self.g.source_ids.values())
        if len(ids) != len(set(ids)):
            raise BuildError("two URLs map to the same source id")

    def _fallback(self, url: str) -> str:
        tail = slug(re.sub(r"^https?://(www\.)?", "", url))[:60].strip("-")
        return f"source-{tail}"

    def source_nodes(self) -> None:
        """One Source node per distinct URL, plus the seed file, ISO 3166 and the sample plan."""
        g = self.g
        extra_urls = {url for url, _, _ in EXTRA_SOURCES.values()}
        for url, ident in g.source_ids.items():
            if url in SOURCE_CATALOGUE:
                name = SOURCE_CATALOGUE[url][1]
            elif url in extra_urls:
                name = next(title for u, _, title in EXTRA_SOURCES.values() if u == url)
            else:
                name = re.sub(r"^https?://(www\.)?", "", url)[:120]
            note = None
            if url in extra_urls:
                note = "cited in facts.md (not in facts.yaml) for the facts that use it"
            if "wikitia.com" in url:
                note = "secondary source; no official participant list was retrievable"
            g.node(Label.SOURCE, ident, name, [ident], CONFIRMED, url=url, note=note)
        g.node(
            Label.SOURCE,
            SEED,
            "ICMPD fact sheet: Support to the Budapest Process",
            [SEED],
            CONFIRMED,
            citation='ICMPD fact sheet "Support to the Budapest Process" (Budapest Process: intergovernmental '
            "dialogue on migration; the Silk Routes project), project seed file 000_9cfdaee38f310c43.txt",
        )
        g.node(
            Label.SOURCE,
            ISO,
            "ISO 3166-1 alpha-3 country codes",
            [ISO],
            CONFIRMED,
            citation="ISO 3166-1 alpha-3 codes (international standard); the codes are not taken from the cited pages",
        )
        g.node(
            Label.SOURCE,
            SAMPLE,
            "Sample implementation plan (illustrative)",
            [SAMPLE],
            ILLUSTRATIVE,
            citation="Made up by this project to exercise the tool: the official text and goal assignment of the 41 "
            "action points of the 2019 Call for Action are not public, so the sample plan's action point -> goal "
            "assignments and its activity -> action point links are illustrative, not official.",
        )

    def process(self) -> None:
        """The Budapest Process and its secretariat."""
        g = self.g
        g.node(
            Label.PROCESS,
            "process-budapest",
            "Budapest Process",
            g.src("GOV", "PF2013", "SEED", "MC"),
            CONFIRMED,
            acronym="BP",
            description="One of the longest-standing intergovernmental dialogues on migration; its Secretariat is "
            "hosted by ICMPD. Türkiye chairs it, Hungary co-chairs it. The 2013 Istanbul Ministerial Declaration "
            "launched the Silk Routes Partnership for Migration; Silk Routes Countries have taken part since 2010.",
        )
        secretariat = next(b for b in self.facts["bodies"] if b["name"] == "Secretariat")
        g.rel(
            "org-icmpd",
            RelType.PARTICIPATES_IN,
            "process-budapest",
            g.src(secretariat["source"], "SEED"),
            str(secretariat["confidence"]),
            note=f"Secretariat: {secretariat['org']}",
            role="secretariat",
        )
        self.org_sources["org-icmpd"] = g.src(secretariat["source"], "SEED")

    def countries_and_regions(self) -> None:
        """Country nodes (countries.csv), their participation and regions."""
        g = self.g
        sets = self.facts["country_group_sets"]
        # Roles in the dialogue's bodies (already told in the countries' notes) add the bodies' sources.
        extra_sources: dict[str, list[str]] = {}
        for body in self.facts["bodies"]:
            for key in ("chair", "rapporteur"):
                if body.get(key):
                    extra_sources.setdefault(str(body[key]), []).extend(g.src(body["source"]))
        # States known to have attended the 2013 conference (the full list is missing).
        attended = sets["attended_mc5_2013"]
        extra_notes: dict[str, str] = {}
        # partial_confirmed and partial_sources are parallel lists (one source per state).
        for iso, url in zip(
            as_list(attended.get("partial_confirmed")), as_list(attended.get("partial_sources")), strict=True
        ):
            if iso == "POL":
                continue  # signed the declaration: an ADOPTED link below
            extra_sources.setdefault(str(iso), []).extend(g.src(url))
            extra_notes[str(iso)] = "attended the 5th Ministerial Conference (Istanbul, 2013)"
        for iso, record in self.countries.items():
            base, _ = split_qualifier(str(record["name"]))
            name = COUNTRY_NAMES.get(iso, base)
            notes = []
            if name != record["name"]:
                notes.append(f"named '{record['name']}' in the facts")
            for key in ("confidence_note", "notes"):
                if record.get(key):
                    notes.append(str(record[key]))
            if iso in extra_notes:
                notes.append(extra_notes[iso])
            groups = [str(x) for x in as_list(record.get("groups"))]
            g.node(
                Label.COUNTRY,
                self.country(iso),
                name,
                _dedupe([*g.src(record["source"]), *extra_sources.get(iso, []), ISO]),
                str(record["confidence"]),
                iso3=iso,
                groups=groups,
                note="; ".join(notes) or None,
            )
            if "participating_state" not in groups:
                continue  # China, India, Sri Lanka: participation not confirmed
            if "chair" in groups:
                role, sources, conf = "chair", g.src(record["source"]), str(record["confidence"])
                note = "Chair since January 2006, taking over from Hungary"
            elif "co_chair" in groups:
                # The co-chair role is stated by the governance page; only the EU-wide list is inferred.
                role, sources, conf = "co-chair", g.src("GOV"), CONFIRMED
                note = "Chair 1993-2006, Co-Chair since 2006 (governance page)"
            else:
                role, sources, conf = "member", g.src(record["source"]), str(record["confidence"])
                note = (
                    "participating state per a secondary source; EU Member States are not named individually"
                    if conf == INFERRED
                    else "participating state per a secondary source (no official list found)"
                )
            g.rel(self.country(iso), RelType.PARTICIPATES_IN, "process-budapest", sources, conf, note=note, role=role)

        for key, (ident, name, kind, description) in REGIONS.items():
            group = sets[key]
            if group.get("confidence") == "missing" or not group.get("members"):
                continue
            sources = g.src(group["source"])
            g.node(Label.REGION, ident, name, sources, str(group["confidence"]), kind=kind, description=description)
            for iso in group["members"]:
                g.rel(self.country(str(iso)), RelType.IN_REGION, ident, sources, str(group["confidence"]))
        eu_members = [iso for iso, r in self.countries.items() if "eu_member" in as_list(r.get("groups"))]
        shared = set.intersection(*(set(g.src(self.countries[iso]["source"])) for iso in eu_members))
        eu_sources = [s for s in g.src(self.countries[eu_members[0]]["source"]) if s in shared]
        g.node(
            Label.REGION,
            "region-eu",
            "European Union member states",
            eu_sources,
            CONFIRMED,
            kind="political union",
            description="All EU Member States take part in the Budapest Process.",
        )
        for iso in eu_members:
            record = self.countries[iso]
            g.rel(
                self.country(iso),
                RelType.IN_REGION,
                "region-eu",
                g.src(record["source"]),
                str(record["confidence"]),
                note="the facts list the current 27 EU Member States (inferred)",
            )
        # Signature of the 2013 declaration by individual states (partial list).
        signed = dict(
            zip(as_list(attended.get("partial_confirmed")), as_list(attended.get("partial_sources")), strict=True)
        )
        if "POL" in signed:
            polish = signed["POL"]
            g.rel(
                self.country("POL"),
                RelType.ADOPTED,
                "decl-istanbul-2013",
                g.src(polish),
                CONFIRMED,
                note="Poland's deputy minister signed the 2013 Istanbul Declaration; the signatory list is missing",
            )

    def documents(self) -> None:
        """Declarations, action plans, LAUNCHES and ADOPTED."""
        g = self.g
        docs = {str(d["id"]): d for d in self.facts["documents"]}

        imd = docs["IMD2013"]
        g.node(
            Label.DECLARATION,
            "decl-istanbul-2013",
            str(imd["name"]),
            g.src(imd["source"], "FS2020"),
            str(imd["confidence"]),
            code="IMD2013",
            adopted=str(imd["adopted"]),
            year=int(str(imd["adopted"])[:4]),
            description=f"Adopted at the 5th Ministerial Conference (Istanbul); {imd['countries_attending']} "
            "countries attended. It adopted the six priority goals (2013 order) of the Silk Routes Partnership.",
            note="signatory list missing",
        )
        ic = docs["IC2019"]
        g.node(
            Label.DECLARATION,
            "decl-istanbul-commitments-2019",
            str(ic["name"]),
            g.src(ic["source"], "SEED", "FS2020"),
            str(ic["confidence"]),
            code="IC2019",
            adopted=str(ic["adopted"]),
            year=int(str(ic["adopted"])[:4]),
            description="Political declaration of the 6th Ministerial Conference with five key commitments and its "
            f"Call for Action; adopted by {ic['adopting_states_count']} countries.",
            note=str(ic["notes"]),
        )
        cfa25 = docs["CFA2025"]
        g.node(
            Label.DECLARATION,
            "decl-budapest-2024",
            "Budapest Process Ministerial Declaration (2024)",
            g.src(cfa25["source"]),
            str(cfa25["confidence"]),
            code="CFA2025",
            adopted=str(cfa25["adopted"]),
            year=int(str(cfa25["adopted"])[:4]),
            description="Adopted at the 7th Ministerial Conference (Budapest, 12 November 2024) together with the "
            "Call for Action 2025-2030.",
            note=f"the facts record the declaration and its Call for Action as one document: {cfa25['name']}",
        )

        cfa = docs["CFA2019"]
        g.node(
            Label.ACTION_PLAN,
            "plan-call-for-action-2019",
            str(cfa["name"]),
            g.src(cfa["source"], "SEED"),
            str(cfa["confidence"]),
            code="CFA2019",
            year_start=2019,
            year_end=2024,
            description=f"Five-year plan with {cfa['action_points']} action points under {cfa['priority_goals']} "
            "priority goals, adopted with the Istanbul Commitments at the 6th Ministerial Conference "
            f"({cfa['adopted']}).",
        )
        ip = docs["CFA2019_IP"]
        g.node(
            Label.ACTION_PLAN,
            "plan-implementation-2019",
            str(ip["name"]),
            g.src(ip["source"]),
            str(ip["confidence"]),
            code="CFA2019_IP",
            year_start=2019,
            year_end=2024,
            description="Endorsed by Senior Officials (December 2019). Frames the priorities until 2024 and gives "
            "states a way to contribute to or fund particular priorities; a living document.",
            note=f"endorsed {ip['endorsed']}; {ip['notes']}",
        )
        g.node(
            Label.ACTION_PLAN,
            "plan-call-for-action-2025",
            "Call for Action 2025-2030",
            g.src(cfa25["source"], next(e for e in self.facts["events"] if e["id"] == "MC7")["source"]),
            str(cfa25["confidence"]),
            code="CFA2025",
            year_start=2025,
            year_end=2030,
            description="Successor plan adopted at the 7th Ministerial Conference (Budapest, 2024) with six "
            "priorities: irregular migration, smuggling and border management; legal pathways and labour mobility; "
            "return, readmission and reintegration; migration and development and root causes; international "
            "protection; integration. Context only: its priorities are not modelled as PriorityGoal nodes.",
        )
        g.rel(
            "decl-istanbul-commitments-2019",
            RelType.LAUNCHES,
            "plan-call-for-action-2019",
            g.src(ic["source"], cfa["source"]),
            CONFIRMED,
        )
        g.rel(
            "decl-istanbul-commitments-2019",
            RelType.LAUNCHES,
            "plan-implementation-2019",
            g.src(ip["source"]),
            INFERRED,
            note="Senior Officials endorsed the Implementation Plan in December 2019 to carry out the Call for "
            "Action; no source says the declaration itself launched it",
        )
        g.rel("decl-budapest-2024", RelType.LAUNCHES, "plan-call-for-action-2025", g.src(cfa25["source"]), CONFIRMED)

    def commitments(self) -> None:
        """The five commitments of the 2019 Istanbul Commitments."""
        g = self.g
        for c in self.facts["commitments"]:
            number = int(c["number"])
            sources = g.src(c["source"])
            ident = g.node(
                Label.COMMITMENT,
                COMMITMENT_IDS[number],
                str(c["name_fact_sheet"]),
                sources,
                str(c["confidence"]),
                number=number,
                name_fact_sheet=str(c["name_fact_sheet"]),
                name_bp_website=str(c["name_bp_website"]),
                description="One of the five key commitments 'to ensure safe, orderly and regular migration along "
                "the Silk Routes' (Istanbul Commitments, 2019).",
            )
            g.rel("decl-istanbul-commitments-2019", RelType.MAKES, ident, sources, str(c["confidence"]))

    def priority_goals(self) -> None:
        """The six priority goals (2019 order) set by the Call for Action."""
        g = self.g
        for pg in self.facts["priority_areas"]:
            number = int(pg["order_2019"])
            src = pg["source"]
            order_sources = g.src(src["order_2019"])
            gcm = [int(x) for x in as_list(pg.get("gcm_objectives"))]
            note = f"GCM objectives: {pg['gcm_note']}" if pg.get("gcm_note") else None
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
                description=f"Priority goal {number} of the Call for Action (2019 order); number {pg['order_2013']} "
                "in the 2013 Istanbul Ministerial Declaration.",
                note=note,
            )
            g.rel("plan-call-for-action-2019", RelType.SETS, ident, order_sources, str(pg["confidence"]))

    def action_points(self) -> None:
        """The 41 action points: nodes without text (the wording is not public)."""
        g = self.g
        meta = self.facts["action_points_meta"]
        sources = g.src(meta["source"])
        numbers = [int(ap["number"]) for ap in self.facts["action_points"]]
        if numbers != list(range(1, int(meta["count"]) + 1)):
            raise BuildError("action points are expected as 1..count")
        for number in numbers:
            ident = g.node(
                Label.ACTION_POINT,
                f"ap-{number}",
                f"Action point {number}",
                sources,
                INFERRED,
                number=number,
                text_status="Official wording not available in any source consulted",
                note="The Call for Action has 41 action points; numbering them 1..41 is inferred, and the goal "
                "each sits under is not public",
            )
            g.rel(
                "plan-call-for-action-2019",
                RelType.CONTAINS,
                ident,
                sources,
                INFERRED,
                note="the Call for Action contains 41 action points (confirmed); this numbering is inferred",
            )

    def projects(self) -> None:
        """Projects, where they are active, who funds and implements them."""
        g = self.g
        for p in self.facts["projects"]:
            code = str(p["code"])
            ident = PROJECT_IDS.get(code, f"project-{slug(code)}")
            sources = g.src(p["source"])
            conf = str(p["confidence"])
            years = str(p["years"]) if p.get("years") else None
            start, end = _project_dates(years)
            desc = [PROJECT_DESCRIPTIONS[code]] if code in PROJECT_DESCRIPTIONS else []
            if p.get("regional_countries"):
                desc.append("Regional-level countries: " + ", ".join(p["regional_countries"]) + ".")
            if p.get("budget_note"):
                desc.append(f"Budget: {p['budget_note']}.")
            if p.get("outputs"):
                desc.append("Results: " + "; ".join(p["outputs"]) + ".")
            if p.get("launch_event"):
                desc.append(f"Launched in {p['launch_event']}.")
            g.node(
                Label.PROJECT,
                ident,
                str(p["name"]),
                sources,
                conf,
                code=code,
                start=start,
                end=end,
                years=years,
                description=" ".join(desc) or None,
            )
            for iso in as_list(p.get("countries")):
                g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf)
            for iso in as_list(p.get("regional_countries")):
                g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf, note="regional level")
            for key, rel_type in (("donors", RelType.FUNDS), ("implementing_partners", RelType.IMPLEMENTS)):
                for token in as_list(p.get(key)):
                    if (code, str(token)) in CENTRE_PARTNERS:
                        self.centre_partner_link(code, str(token), rel_type, ident, sources)
                    else:
                        self.org_link(str(token), rel_type, ident, sources, conf)
            for token in as_list(p.get("partners")):
                self.org_link(str(token), RelType.IMPLEMENTS, ident, sources, conf, note="named as partner")

    def components(self) -> None:
        """The five components of the IMM ("Silk Routes") project."""
        g = self.g
        imm = next(p for p in self.facts["projects"] if p["code"] == "IMM")
        for c in self.facts["components"]:
            code = str(c["code"])
            ident, name = COMPONENTS[code]
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
                years=str(c["years"]),
                description=str(c["description"]),
                note="; ".join(notes) or None,
            )
            # Why the facts give the whole component as inferred, for each of its links.
            why = None
            if conf == INFERRED:
                why = f"the facts give {name} as inferred" + (
                    f" (missing in the sources: {', '.join(c['missing'])})" if c.get("missing") else ""
                )
            if code in imm["components"]:
                g.rel("project-imm", RelType.HAS_COMPONENT, ident, g.src(imm["source"][:2]), str(imm["confidence"]))
            if isinstance(c.get("countries"), list):
                for iso in c["countries"]:
                    note = "lead country" if code == "RELEC" and iso == "TUR" else why
                    if code == "MRC":
                        self.mrc_country(ident, str(iso), sources, conf)
                        continue
                    g.rel(ident, RelType.ACTIVE_IN, self.country(str(iso)), sources, conf, note=note)
            else:
                # "all BP participating states; focus SRCs and Central Asia": the focus countries, deduced.
                focus = [
                    *self.facts["country_group_sets"]["silk_routes_bp_five"]["members"],
                    *self.facts["country_group_sets"]["central_asia_facility"]["members"],
                ]
                for iso in focus:
                    g.rel(
                        ident,
                        RelType.ACTIVE_IN,
                        self.country(str(iso)),
                        sources,
                        INFERRED,
                        note="the source says the dialogue support covers all participating states with a focus on "
                        "the Silk Routes Countries and Central Asia",
                    )
            donors = c.get("donors")
            if isinstance(donors, Mapping):
                phases = {"pilot": "pilot phase (Oct 2015 - Jul 2017)", "phase2": "phase 2 (under IMM)"}
                for phase, tokens in donors.items():
                    for token in as_list(tokens):
                        self.org_link(
                            str(token), RelType.FUNDS, ident, sources, conf, note=phases.get(str(phase), str(phase))
                        )
                donors = None
            for key, rel_type in (("donors", RelType.FUNDS), ("implementing_partners", RelType.IMPLEMENTS)):
                for token in as_list(donors if key == "donors" else c.get(key)):
                    if (code, str(token)) in CENTRE_PARTNERS:
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
            note=f"the facts list this country for the MRC initiative, but {which}, {cities}, opened "
            f"after the IMM project closed ({self.imm_end()}) and is placed under the initiative only by deduction",
        )

    def mrcs(self) -> None:
        """Each Migrant Resource Centre as an Activity of the MRC component."""
        g = self.g
        component = next(c for c in self.facts["components"] if c["code"] == "MRC")
        imm = next(p for p in self.facts["projects"] if p["code"] == "IMM")
        imm_end = int(str(imm["years"]).split(" to ")[1][:4])
        srpp = next(p for p in self.facts["projects"] if p["code"] == "SRPP")
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
                start=opened,
                year=int(opened[:4]),
                description="; ".join(desc) + ".",
                note=str(m["notes"]) if m.get("notes") else None,
            )
            self.mrc_ids[raw_city] = ident
            g.rel(ident, RelType.IN_COUNTRY, self.country(str(m["country"])), sources, conf)
            if int(opened[:4]) <= imm_end:
                g.rel(ident, RelType.PART_OF, "component-mrc", g.src("MRC", m["source"]), conf)
            else:
                g.rel(
                    ident,
                    RelType.PART_OF,
                    "component-mrc",
                    g.src(m["source"], component["source"]),
                    INFERRED,
                    note=f"opened after the IMM project closed ({imm_end}) and funded through other projects or "
                    "donors; counted among ICMPD's Migrant Resource Centres, so placed under the MRC flagship "
                    "initiative (deduced)",
                )
            if city in srpp_cities:
                g.rel(
                    ident,
                    RelType.PART_OF,
                    "project-srpp",
                    g.src(srpp["source"]),
                    str(srpp["confidence"]),
                    note="the Silk Routes Partnership Project set up the first MRCs in Pakistan",
                )
            for token in as_list(m.get("partners")):
                self.org_link(str(token), None, ident, sources, conf, note="named among the centre's partners")
        # Centres the facts tie to a later project.
        sulay = self.mrc_ids.get("Sulaymaniyah")
        si_com = next((p for p in self.facts["projects"] if p["code"] == "SI_COM"), None)
        if sulay and si_com:
            g.rel(
                sulay,
                RelType.PART_OF,
                "project-si-com",
                g.src(si_com["source"]),
                str(si_com["confidence"]),
                note="funded by Sweden under SI-COM",
            )
        peshawar = self.mrc_ids.get("Peshawar")
        imm_mp = next((p for p in self.facts["projects"] if p["code"] == "IMM_MP"), None)
        if peshawar and imm_mp:
            g.rel(
                peshawar,
                RelType.PART_OF,
                "project-imm-mp",
                g.src(imm_mp["source"]),
                INFERRED,
                note="announced in September 2023 when the EU-funded project (with EUR 5M for continuing and "
                "expanding the MRCs) was launched; the link is deduced",
            )

    def activities_and_outputs(self) -> None:
        """Further activities and outputs named in the facts."""
        g = self.g
        facility = next(c for c in self.facts["components"] if c["code"] == "FACILITY")
        policies = [str(x) for x in facility["outputs"]]
        for spec in ACTIVITIES:
            g.node(
                Label.ACTIVITY,
                spec.id,
                spec.name,
                g.src(*spec.sources),
                spec.confidence,
                kind=spec.kind,
                start=spec.start,
                year=spec.year,
                description=spec.description,
                note=spec.note,
            )
            g.rel(spec.id, RelType.PART_OF, spec.parent, g.src(*spec.sources), spec.confidence)
            if spec.country:
                g.rel(spec.id, RelType.IN_COUNTRY, self.country(spec.country), g.src(*spec.sources), spec.confidence)
        for out in OUTPUTS:
            name = out.name
            if out.facts_index is not None:
                name = policies[out.facts_index]
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
                year=out.year,
                description=out.description,
                note=out.note,
            )
            g.rel(out.produced_by, RelType.PRODUCED, out.id, g.src(*out.sources), out.confidence)
        for link in INFORMS_LINKS:
            g.rel(link[0], RelType.INFORMS, link[1], g.src(*link[2]), link[3], note=link[4])

    def events(self) -> None:
        """Every dated event; PART_OF the process, IN_COUNTRY, ADOPTED, DISCUSSED."""
        g = self.g
        outcomes = {"IMD2013": "decl-istanbul-2013", "IC2019": "decl-istanbul-commitments-2019"}
        outcomes["CFA2025"] = "decl-budapest-2024"
        for e in self.facts["events"]:
            eid = str(e["id"])
            etype = str(e["type"])
            conf = str(e["confidence"])
            sources = g.src(e["source"])
            if etype == "ministerial_conference":
                n = int(e["number"])
                ident = f"event-mc-{n}"
                name = f"{ordinal(n)} Ministerial Conference ({e['place']}, {str(e['date'])[:4]})"
            elif eid in EVENT_IDS:
                ident, name = EVENT_IDS[eid]
            elif etype == "senior_officials_meeting" and e.get("number"):
                n = int(e["number"])
                ident = f"event-som-{n}"
                name = f"{ordinal(n)} Senior Officials' Meeting ({e['place']}, {str(e['date'])[:4]})"
            else:
                ident, name = f"event-{slug(eid)}", f"{EVENT_KINDS.get(etype, etype)} ({e.get('place')})"
            date = str(e["date"])
            year_match = re.match(r"(\d{4})\b", date)
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
                kind=EVENT_KINDS.get(etype, etype.replace("_", " ")),
                date=date,
                year=int(year_match.group(1)) if year_match else None,
                place=str(e["place"]) if e.get("place") else None,
                description=" ".join(desc) or None,
                note=why or (str(e["notes"]) if e.get("notes") else None),
            )
            if etype in _PROJECT_EVENT_TYPES:
                g.rel(
                    ident,
                    RelType.PART_OF,
                    "process-budapest",
                    sources,
                    INFERRED,
                    note="; ".join(
                        filter(
                            None,
                            [
                                "an event of a project or operational component under the Budapest Process (deduced)",
                                why,
                            ],
                        )
                    ),
                )
            else:
                g.rel(ident, RelType.PART_OF, "process-budapest", sources, conf, note=why)
            if e.get("country"):
                g.rel(ident, RelType.IN_COUNTRY, self.country(str(e["country"])), sources, conf, note=why)
            for outcome in as_list(e.get("outcome")):
                if str(outcome) in outcomes:
                    g.rel(ident, RelType.ADOPTED, outcomes[str(outcome)], sources, conf, note=why)
            for goal in EVENT_GOALS_STATED.get(eid, ()):
                topic_note = f"topic: {e.get('topic')}"
                g.rel(
                    ident,
                    RelType.DISCUSSED,
                    f"pg-{goal}",
                    sources,
                    conf,
                    note="; ".join(filter(None, [topic_note, why])),
                )
            for goal in EVENT_GOALS_INFERRED.get(eid, ()):
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
                if origin in COMPONENTS:
                    responder = COMPONENTS[origin][0]
                elif origin in PROJECT_IDS:
                    responder = PROJECT_IDS[origin]
                else:
                    raise BuildError(f"unknown priority-goal link origin {origin}")
                g.rel(
                    responder,
                    RelType.RESPONDS_TO,
                    target,
                    g.src(link["source"], general["source"]) if origin in COMPONENTS else sources,
                    conf,
                    note=(f"stated: {relation}" if conf == CONFIRMED else "deduced from what it does (facts.md §5)")
                    + "; priority-goal level, and partial: the seed fact sheet says the operational components "
                    "respond in part to the Call for Action",
                    strength="partial",
                )

    def organisations(self) -> None:
        """Organisation nodes for every organisation used; sources are those of their links."""
        g = self.g
        for org in sorted(self.org_sources):
            sources = g.src(*ORGANISATION_SOURCES[org]) if org in ORGANISATION_SOURCES else self.org_sources[org]
            if org in ORGANISATIONS:
                name, acronym, kind = ORGANISATIONS[org]
                g.node(Label.ORGANISATION, org, name, sources, CONFIRMED, acronym=acronym, kind=kind)
                continue
            iso = org.removeprefix("org-gov-").upper()
            country = COUNTRY_NAMES.get(iso, split_qualifier(str(self.countries[iso]["name"]))[0])
            article = "the " if country in ("United Kingdom", "Netherlands") else ""
            g.node(
                Label.ORGANISATION,
                org,
                f"Government of {article}{country}",
                sources,
                CONFIRMED,
                kind="national government",
                description="Stands for the state as funder or partner; the ministry or agency the source names "
                "is kept in each link's note.",
            )


def _project_dates(years: str | None) -> tuple[str | None, str | None]:
    """``"2014-02 to 2017-07 (...)"`` -> ("2014-02", "2017-07"); approximate years -> (None, None)."""
    if not years:
        return None, None
    match = re.match(r"(\d{4}(?:-\d{2})?) to (\d{4}(?:-\d{2})?)", years)
    if match:
        return match.group(1), match.group(2)
    match = re.fullmatch(r"(\d{4})-(\d{4})", years)
    if match:
        return match.group(1), match.group(2)
    match = re.fullmatch(r"launched (\d{4}-\d{2})", years)
    if match:
        return match.group(1), None
    return None, None


# --------------------------------------------------------------------------------------------------
# Activities and outputs named in the facts beyond the MRC table. Sources are facts tags (meta.source_tags),
# EXTRA_SOURCES tags, or URLs; "SEED" is the seed fact sheet.
# --------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ActivitySpec:
    id: str
    name: str
    kind: str
    parent: str
    sources: tuple[str, ...]
    confidence: str = CONFIRMED
    country: str | None = None
    start: str | None = None
    year: int | None = None
    description: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class OutputSpec:
    id: str
    name: str
    kind: str
    produced_by: str
    sources: tuple[str, ...]
    confidence: str = CONFIRMED
    year: int | None = None
    facts_index: int | None = None  # index into the Facility's outputs in facts.yaml (name taken from there)
    description: str | None = None
    note: str | None = None


_BRIDGING = ("PROJ", "BRIDGING_PILOTS")
_RELEC = ("RELEC", "RELEC2")
_TA_NOTE = "Policy result of the Silk Routes Facility's short-term technical assistance."
ACTIVITIES: Final[tuple[ActivitySpec, ...]] = (
    # Dialogue component (seed fact sheet)
    ActivitySpec(
        "activity-dialogue-mc6-support",
        "Support to the 6th Ministerial Conference (Istanbul, 2019)",
        "conference support",
        "component-dialogue",
        ("SEED",),
        year=2019,
        description="The Silk Routes project supported the 2019 Ministerial Conference that adopted the Istanbul "
        "Commitments and the Call for Action.",
    ),
    ActivitySpec(
        "activity-dialogue-implementation-plan",
        "Development of the Implementation Plan of the Call for Action",
        "policy support",
        "component-dialogue",
        ("SEED",),
        year=2019,
        description="Through project support the Budapest Process developed an implementation plan of the adopted "
        "Call for Action, endorsed by Senior Officials.",
    ),
    ActivitySpec(
        "activity-dialogue-som-support",
        "Support to the annual Senior Officials' Meetings",
        "meeting support",
        "component-dialogue",
        ("SEED",),
    ),
    ActivitySpec(
        "activity-dialogue-srwg-support",
        "Support to meetings of the Silk Routes Regional Working Group",
        "meeting support",
        "component-dialogue",
        ("SEED",),
    ),
    ActivitySpec(
        "activity-dialogue-research-networking",
        "Research outputs and networking with and within the Silk Routes Countries",
        "research and networking",
        "component-dialogue",
        ("SEED",),
    ),
    # Silk Routes Facility
    ActivitySpec(
        "activity-facility-ta-afg-migration-policy",
        "Technical assistance for Afghanistan's Comprehensive Migration Policy",
        "short-term technical assistance",
        "component-facility",
        ("UNMN_IMM", "FAC", "ICMPD_SR"),
        country="AFG",
        description="Short-term technical assistance of the Silk Routes Facility for migration policy development.",
    ),
    ActivitySpec(
        "activity-facility-ta-pak-emigration-policy",
        "Technical assistance for Pakistan's emigration policy",
        "short-term technical assistance",
        "component-facility",
        ("UNMN_IMM", "ICMPD_SR"),
        country="PAK",
        description="Short-term technical assistance of the Silk Routes Facility for migration policy development.",
    ),
    ActivitySpec(
        "activity-facility-ta-irq-diaspora-policy",
        "Technical assistance for Iraq's diaspora engagement policy",
        "short-term technical assistance",
        "component-facility",
        ("UNMN_IMM", "ICMPD_SR"),
        country="IRQ",
        description="Short-term technical assistance of the Silk Routes Facility for migration policy development.",
    ),
    ActivitySpec(
        "activity-facility-call-for-proposals",
        "Silk Routes Facility Call for Proposals (grants)",
        "grant scheme",
        "component-facility",
        ("FAC2", "FACCFP", "FAC"),
        start="2018-04",
        year=2018,
        description="Large-scale grants of EUR 150,000-250,000 for 6-18 months (EUR 1.5M in total); launched April "
        "2018 and open until June 2020 or until funds ran out; more than 30 concept notes, 13 full applications, "
        "6 projects funded. Every funded action had to address one of the six 2013 Istanbul priorities; the call "
        "also invited work on climate-change-induced migration and female migration.",
    ),
    # MIGRA.P
    ActivitySpec(
        "activity-migrap-ttc-equipment-bgd",
        "Equipment for 10 Technical Training Centres in Bangladesh",
        "equipment support",
        "component-migrap",
        ("MIGRAP",),
        country="BGD",
        start="c. late 2020 (inferred)",
        description="Laptops, fingerprint scanners and cameras handed to 10 Technical Training Centres under BMET "
        "for the pre-departure registration of migrants.",
        note="the date (about late 2020) is inferred",
    ),
    # RELEC
    ActivitySpec(
        "activity-relec-ncp-network",
        "RELEC network of National Contact Points",
        "law-enforcement network",
        "component-relec",
        _RELEC,
        description="National Contact Points of Afghanistan, Bangladesh, Iran, Iraq, Pakistan and Türkiye (lead "
        "country) cooperating on irregular migration, migrant smuggling and trafficking, under an MoU.",
    ),
    ActivitySpec(
        "activity-relec-data-exchange",
        "RELEC quarterly statistical data exchange",
        "data exchange",
        "component-relec",
        _RELEC,
    ),
    ActivitySpec(
        "activity-relec-early-warning",
        "RELEC early-warning information system",
        "information system",
        "component-relec",
        _RELEC,
    ),
    ActivitySpec(
        "activity-relec-annual-analysis",
        "RELEC annual analysis",
        "analysis",
        "component-relec",
        _RELEC,
    ),
    # IMM project (not tied to one component)
    ActivitySpec(
        "activity-imm-online-training-platform",
        "Online training platform for potential, current and returning migrants",
        "online training",
        "project-imm",
        ("https://icmpdsilkroutesmodules.com/bn_IN/aboutus",),
    ),
    # Bridging Measures pilot trainings (facts.md)
    ActivitySpec(
        "activity-bridging-pilot-training-afg",
        "Bridging Measures pilot training for senior officials, Afghanistan (December 2013)",
        "pilot training",
        "project-bridging",
        _BRIDGING,
        country="AFG",
        start="2013-12",
        year=2013,
    ),
    ActivitySpec(
        "activity-bridging-pilot-training-pak",
        "Bridging Measures pilot training for senior officials, Pakistan (January 2014)",
        "pilot training",
        "project-bridging",
        _BRIDGING,
        country="PAK",
        start="2014-01",
        year=2014,
    ),
    ActivitySpec(
        "activity-bridging-pilot-training-irq",
        "Bridging Measures pilot training for senior officials, Iraq (February 2014)",
        "pilot training",
        "project-bridging",
        _BRIDGING,
        country="IRQ",
        start="2014-02",
        year=2014,
    ),
)
OUTPUTS: Final[tuple[OutputSpec, ...]] = (
    OutputSpec(
        "output-afg-comprehensive-migration-policy",
        "",
        "policy",
        "activity-facility-ta-afg-migration-policy",
        ("UNMN_IMM", "FAC", "ICMPD_SR"),
        year=2019,
        facts_index=0,
        description=_TA_NOTE,
        note="final draft June 2019",
    ),
    OutputSpec(
        "output-pak-emigration-welfare-policy",
        "",
        "policy",
        "activity-facility-ta-pak-emigration-policy",
        ("UNMN_IMM", "ICMPD_SR"),
        facts_index=1,
        description=_TA_NOTE,
    ),
    OutputSpec(
        "output-irq-diaspora-engagement-policy",
        "",
        "policy",
        "activity-facility-ta-irq-diaspora-policy",
        ("UNMN_IMM", "ICMPD_SR"),
        facts_index=2,
        description=_TA_NOTE,
    ),
    OutputSpec(
        "output-facility-grants",
        "Six actions funded by Silk Routes Facility grants",
        "grants",
        "activity-facility-call-for-proposals",
        ("FAC2", "FAC"),
    ),
    OutputSpec(
        "output-migrap-ttc-equipment",
        "Pre-departure registration equipment in 10 Technical Training Centres (Bangladesh)",
        "equipment",
        "activity-migrap-ttc-equipment-bgd",
        ("MIGRAP",),
    ),
    OutputSpec(
        "output-relec-quarterly-reports",
        "RELEC quarterly statistical reports",
        "report",
        "activity-relec-data-exchange",
        _RELEC,
    ),
    OutputSpec(
        "output-relec-annual-analysis",
        "RELEC annual analysis report",
        "report",
        "activity-relec-annual-analysis",
        _RELEC,
    ),
    OutputSpec(
        "output-imm-online-training-platform",
        "Silk Routes online training modules (icmpdsilkroutesmodules.com)",
        "online platform",
        "activity-imm-online-training-platform",
        ("https://icmpdsilkroutesmodules.com/bn_IN/aboutus",),
    ),
)
# (from, to, sources, confidence, note): the dialogue learns from the ground (seed fact sheet).
INFORMS_LINKS: Final[tuple[tuple[str, str, tuple[str, ...], str, str], ...]] = (
    (
        "activity-dialogue-mc6-support",
        "event-mc-6",
        ("SEED",),
        INFERRED,
        "the seed fact sheet says the project supported the 2019 Ministerial Conference; INFORMS is the closest "
        "relationship the schema offers",
    ),
    (
        "activity-dialogue-implementation-plan",
        "event-som-2019-implementation-plan",
        (
            "SEED",
            "https://www.budapestprocess.org/news-events/news/179-expert-thematic-meeting-on-return-and-reintegration",
        ),
        INFERRED,
        "the plan developed with project support was endorsed by Senior Officials in December 2019 (deduced)",
    ),
    (
        "activity-relec-early-warning",
        "event-relec-ncp-2019",
        ("RELEC", "https://www.budapestprocess.org/about/news/158-migration-data-handling-and-early-warning"),
        INFERRED,
        "the 2019 National Contact Points meeting dealt with irregular-migration data and early warning (deduced)",
    ),
    (
        "output-relec-quarterly-reports",
        "pg-1",
        _RELEC,
        INFERRED,
        "statistics on irregular migration and migrant smuggling feed the dialogue on priority goal 1 (deduced)",
    ),
    (
        "output-relec-annual-analysis",
        "pg-5",
        _RELEC,
        INFERRED,
        "the annual analysis covers human trafficking, priority goal 5 (deduced)",
    ),
)

# --------------------------------------------------------------------------------------------------
# The illustrative sample implementation plan
# --------------------------------------------------------------------------------------------------
# Action points -> goal: a made-up, contiguous assignment (8, 9, 5, 7, 6, 6 action points per goal).
GOAL_OF_AP: Final[dict[int, int]] = {
    ap: goal
    for goal, numbers in {
        1: range(1, 9),
        2: range(9, 18),
        3: range(18, 23),
        4: range(23, 30),
        5: range(30, 36),
        6: range(36, 42),
    }.items()
    for ap in numbers
}


@dataclass(frozen=True)
class PlanLink:
    ap: int
    activity: str = ""
    component: str = ""
    project: str = ""
    countries: str = ""
    strength: str = ""
    why: str = ""


_IMM = "project-imm"
_MRC = "component-mrc"
_REL = "component-relec"
_FAC = "component-facility"
_DIA = "component-dialogue"
_MIG = "component-migrap"
_RELEC_COUNTRIES = "AFG;BGD;IRN;IRQ;PAK;TUR"
_SRC5 = "AFG;BGD;IRN;IRQ;PAK"
PLAN_LINKS: Final[tuple[PlanLink, ...]] = (
    # Goal 1: irregular migration, return and readmission, smuggling
    PlanLink(1, "activity-relec-ncp-network", _REL, _IMM, _RELEC_COUNTRIES, "direct", "law-enforcement cooperation"),
    PlanLink(1, project="project-ibm-sr", countries=_SRC5, strength="partial", why="border management"),
    PlanLink(2, "activity-relec-data-exchange", _REL, _IMM, _RELEC_COUNTRIES, "direct", "data on irregular migration"),
    PlanLink(2, "activity-relec-annual-analysis", _REL, _IMM, _RELEC_COUNTRIES, "partial", "analysis of trends"),
    PlanLink(3, "activity-relec-early-warning", _REL, _IMM, _RELEC_COUNTRIES, "direct", "early warning"),
    PlanLink(4, "activity-mrc-kabul", _MRC, _IMM, "AFG", "partial", "referral to reintegration support"),
    PlanLink(4, project="project-cair", countries="AFG;IRQ", strength="direct", why="reintegration of returnees"),
    PlanLink(5, "activity-mrc-islamabad", _MRC, _IMM, "PAK", "partial", "awareness of irregular-migration risks"),
    PlanLink(5, project="project-parim", countries="PAK", strength="direct", why="awareness campaigns"),
    PlanLink(5, project="project-marip2", countries="PAK", strength="partial", why="awareness raising"),
    PlanLink(7, project="project-ibm-sr", countries=_SRC5, strength="direct", why="integrated border management"),
    PlanLink(7, project="project-rbm-sr", countries="PAK;IRQ", strength="partial", why="rights-based borders"),
    PlanLink(8, "activity-dialogue-srwg-support", _DIA, _IMM, "", "partial", "return and reintegration meetings"),
    PlanLink(8, project="project-ppp-bgd", countries="BGD", strength="direct", why="reintegration partnership"),
    # Goal 2: legal migration and mobility
    PlanLink(9, "activity-mrc-lahore", _MRC, _IMM, "PAK", "direct", "information on regular migration"),
    PlanLink(9, "activity-mrc-dhaka", _MRC, _IMM, "BGD", "direct", "information on regular migration"),
    PlanLink(10, "activity-migrap-ttc-equipment-bgd", _MIG, _IMM, "BGD", "direct", "pre-departure registration"),
    PlanLink(11, "activity-facility-ta-pak-emigration-policy", _FAC, _IMM, "PAK", "direct", "emigration policy"),
    PlanLink(12, "activity-imm-online-training-platform", project=_IMM, strength="partial", why="online training"),
    PlanLink(13, "activity-mrc-dushanbe", _MRC, _IMM, "TJK", "direct", "labour-migration counselling"),
    PlanLink(
        13,
        component=_FAC,
        project=_IMM,
        countries="KAZ;KGZ;TJK;TKM;UZB",
        strength="partial",
        why="capacity building in Central Asia",
    ),
    PlanLink(14, "activity-mrc-peshawar", _MRC, "", "PAK", "direct", "pre-departure orientation"),
    PlanLink(
        14,
        project="project-imm-mp",
        countries="PAK;KAZ;KGZ;UZB;TJK;AFG",
        strength="partial",
        why="continuation of the MRCs",
    ),
    PlanLink(15, "activity-facility-call-for-proposals", _FAC, _IMM, "", "partial", "grants"),
    PlanLink(15, "activity-dialogue-research-networking", _DIA, _IMM, "", "indirect", "research"),
    PlanLink(16, "activity-mrc-cumilla", _MRC, _IMM, "BGD", "direct", "pre-departure orientation"),
    PlanLink(16, "activity-mrc-batticaloa", _MRC, "", "LKA", "partial", "information on foreign employment"),
    PlanLink(17, "activity-mrc-islamabad", _MRC, _IMM, "PAK", "direct", "pre-departure orientation"),
    PlanLink(17, "activity-mrc-dhaka", _MRC, _IMM, "BGD", "direct", "pre-departure orientation"),
    PlanLink(17, "activity-migrap-ttc-equipment-bgd", _MIG, _IMM, "BGD", "partial", "registration of migrants"),
    PlanLink(17, "activity-facility-ta-pak-emigration-policy", _FAC, _IMM, "PAK", "partial", "emigration policy"),
    PlanLink(17, "activity-imm-online-training-platform", project=_IMM, strength="indirect", why="training"),
    PlanLink(17, project="project-imm-mp", countries="PAK;TJK", strength="partial", why="MRC expansion"),
    # Goal 3: integration; countering discrimination, racism and xenophobia
    PlanLink(18, "activity-imm-online-training-platform", project=_IMM, strength="partial", why="current migrants"),
    PlanLink(18, "activity-dialogue-research-networking", _DIA, _IMM, "", "indirect", "research"),
    PlanLink(20, "activity-facility-call-for-proposals", _FAC, _IMM, "", "partial", "grants on any of the six goals"),
    # Goal 4: migration and development
    PlanLink(23, "activity-facility-ta-irq-diaspora-policy", _FAC, _IMM, "IRQ", "direct", "diaspora engagement"),
    PlanLink(24, "activity-facility-ta-afg-migration-policy", _FAC, _IMM, "AFG", "direct", "migration policy"),
    PlanLink(25, "activity-dialogue-research-networking", _DIA, _IMM, "", "partial", "diaspora mapping"),
    PlanLink(26, "activity-facility-ta-pak-emigration-policy", _FAC, _IMM, "PAK", "partial", "overseas welfare"),
    PlanLink(27, component=_FAC, project=_IMM, countries=_SRC5, strength="partial", why="policy development"),
    PlanLink(28, "activity-mrc-erbil", _MRC, "", "IRQ", "partial", "legal pathways information"),
    PlanLink(29, "activity-dialogue-som-support", _DIA, _IMM, "", "indirect", "exchange among states"),
    # Goal 5: trafficking in persons
    PlanLink(30, "activity-relec-ncp-network", _REL, _IMM, _RELEC_COUNTRIES, "direct", "trafficking cases"),
    PlanLink(31, "activity-relec-data-exchange", _REL, _IMM, _RELEC_COUNTRIES, "partial", "trafficking data"),
    PlanLink(32, "activity-relec-annual-analysis", _REL, _IMM, _RELEC_COUNTRIES, "direct", "trafficking analysis"),
    PlanLink(33, "activity-mrc-baghdad-2", _MRC, "", "IRQ", "partial", "awareness of trafficking risks"),
    PlanLink(
        35,
        "activity-bridging-pilot-training-afg",
        project="project-bridging",
        countries="AFG",
        strength="indirect",
        why="training of officials",
    ),
    # Goal 6: international protection
    PlanLink(36, "activity-dialogue-srwg-support", _DIA, _IMM, "", "direct", "working group on protection"),
    PlanLink(37, project="project-rbm-sr", countries="PAK;IRQ", strength="partial", why="rights-based borders"),
    PlanLink(
        38,
        "activity-bridging-pilot-training-irq",
        project="project-bridging",
        countries="IRQ",
        strength="partial",
        why="training of officials",
    ),
    PlanLink(
        38,
        "activity-bridging-pilot-training-pak",
        project="project-bridging",
        countries="PAK",
        strength="partial",
        why="training of officials",
    ),
    PlanLink(40, component=_DIA, project=_IMM, strength="partial", why="dialogue on protection"),
)

_ROW_NOTE: Final = "Illustrative link for demonstration; not from the official Implementation Plan"
_GOAL_NOTE: Final = (
    "Illustrative goal assignment: the official assignment of the 41 action points to the six priority goals is not "
    "public, so this placement under a goal is made up for demonstration"
)
_GAP_NOTE: Final = "no responder in this sample (a gap)"


def plan_rows() -> list[list[str]]:
    """The sample plan's rows (without header), ordered by action point.

    Each action point first gets a row of its own that only places it under its goal (no responder), so that the
    UNDER link carries the goal assignment's note (a row's note goes on every link the row makes); the rows of its
    responders follow, with the goal left empty, each with the note of its RESPONDS_TO link.
    """
    rows: list[list[str]] = []
    responders = [link for link in PLAN_LINKS if link.activity or link.component or link.project]
    if len(responders) != len(PLAN_LINKS):
        raise BuildError("every PlanLink needs a responder; goal rows are made for every action point")
    for ap in sorted(GOAL_OF_AP):
        links = [link for link in responders if link.ap == ap]  # the listed order per action point
        goal_note = _GOAL_NOTE if links else f"{_GOAL_NOTE}; {_GAP_NOTE}"
        rows.append([str(ap), str(GOAL_OF_AP[ap]), "", "", "", "", "", ILLUSTRATIVE, SAMPLE, goal_note])
        for link in links:
            note = f"{_ROW_NOTE} ({link.why})" if link.why else _ROW_NOTE
            rows.append(
                [
                    str(link.ap),
                    "",
                    link.activity,
                    link.component,
                    link.project,
                    link.countries,
                    link.strength,
                    ILLUSTRATIVE,
                    SAMPLE,
                    note,
                ]
            )
    return rows


# --------------------------------------------------------------------------------------------------
# Checks (before anything is written)
# --------------------------------------------------------------------------------------------------
def check(g: Graph, rows: list[list[str]]) -> list[str]:
    """Everything the loader will check, plus the sample plan's coverage rules; returns problems."""
    problems: list[str] = []
    all_nodes = [*g.nodes, *g.countries]
    for data in all_nodes:
        label = Label(data["label"])
        props = {k: v for k, v in data.items() if k != "label"}
        try:
            NODE_MODELS[label].model_validate(props)
        except ValueError as exc:
            problems.append(f"node {data['id']}: {exc}")
        for src in data["sources"]:
            if g.labels.get(src) is not Label.SOURCE:
                problems.append(f"node {data['id']}: unknown source {src}")
        if data["confidence"] == INFERRED and not data.get("note"):
            problems.append(f"node {data['id']}: inferred without a note saying why")
    for (source, rel_type, target), data in g.rels.items():
        rtype = RelType(rel_type)
        if source not in g.labels or target not in g.labels:
            problems.append(f"rel {source} {rel_type} {target}: unknown endpoint")
            continue
        if not is_allowed(g.labels[source], rtype, g.labels[target]):
            problems.append(f"rel {source} {rel_type} {target}: pattern not allowed")
        props = {k: v for k, v in data.items() if k not in ("from", "type", "to")}
        try:
            REL_MODELS[rtype].model_validate(props)
        except ValueError as exc:
            problems.append(f"rel {source} {rel_type} {target}: {exc}")
        for src in data["sources"]:
            if g.labels.get(src) is not Label.SOURCE:
                problems.append(f"rel {source} {rel_type} {target}: unknown source {src}")
        if data["confidence"] == INFERRED and not data.get("note"):
            problems.append(f"rel {source} {rel_type} {target}: inferred without a note saying why")
    under = [r for r in g.rels.values() if r["type"] == RelType.UNDER.value and r["to"].startswith("pg-")]
    if any(r["from"].startswith("ap-") for r in under):
        problems.append("reference data must not place action points under goals")

    pairs: set[tuple[str, str]] = set()
    responded: set[int] = set()
    for row in rows:
        cells = dict(zip(PLAN_COLUMNS, row, strict=True))
        ap, activity, component, project = (cells[c] for c in ("action_point", "activity", "component", "project"))
        for value, label in ((activity, Label.ACTIVITY), (component, Label.COMPONENT), (project, Label.PROJECT)):
            if value and g.labels.get(value) is not label:
                problems.append(f"plan ap {ap}: {value} is not a {label}")
        if activity and component and not g.has(activity, RelType.PART_OF, component):
            problems.append(f"plan ap {ap}: {activity} is not PART_OF {component}")
        if component and project and not g.has(project, RelType.HAS_COMPONENT, component):
            problems.append(f"plan ap {ap}: {project} has no component {component}")
        if activity and project and not component and not g.has(activity, RelType.PART_OF, project):
            problems.append(f"plan ap {ap}: {activity} is not PART_OF {project}")
        for iso in filter(None, cells["countries"].split(";")):
            if g.labels.get(f"country-{iso.lower()}") is not Label.COUNTRY:
                problems.append(f"plan ap {ap}: unknown country {iso}")
        responder = activity or component or project
        if cells["goal"] and responder:
            problems.append(f"plan ap {ap}: the goal goes in a row of its own, so that UNDER gets its own note")
        if not cells["goal"] and not responder:
            problems.append(f"plan ap {ap}: a row with neither a goal nor a responder")
        if cells["confidence"] != ILLUSTRATIVE or cells["source"] != SAMPLE or not cells["note"]:
            problems.append(f"plan ap {ap}: every sample-plan row is illustrative, cites {SAMPLE} and has a note")
        if responder:
            if (responder, ap) in pairs:
                problems.append(f"plan ap {ap}: duplicate responder {responder}")
            pairs.add((responder, ap))
            responded.add(int(ap))
    if sorted(int(r[0]) for r in rows if r[1]) != list(range(1, 42)):
        problems.append("the sample plan must place each of the 41 action points under a goal, once")
    goal_notes = {r[-1] for r in rows if r[1]}
    if goal_notes & {r[-1] for r in rows if not r[1]}:
        problems.append("the goal rows must not share a note with the response rows")
    ap17 = {r[2] or r[3] or r[4] for r in rows if r[0] == "17"} - {""}
    if len(ap17) < 3:
        problems.append("action point 17 needs several responders")
    if not 30 <= len(responded) <= 36:
        problems.append(f"{len(responded)} action points have responders; expected about 34")
    return problems


# --------------------------------------------------------------------------------------------------
# Writers (deterministic)
# --------------------------------------------------------------------------------------------------
class _FlowMap(dict[str, Any]):
    """A mapping written on one line (relationships)."""


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _flow_map(dumper: yaml.SafeDumper, data: _FlowMap) -> yaml.Node:
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=True)


_Dumper.add_representer(_FlowMap, _flow_map)

_LABEL_ORDER: Final = (
    Label.SOURCE,
    Label.PROCESS,
    Label.ORGANISATION,
    Label.DECLARATION,
    Label.ACTION_PLAN,
    Label.COMMITMENT,
    Label.PRIORITY_GOAL,
    Label.ACTION_POINT,
    Label.REGION,
    Label.PROJECT,
    Label.COMPONENT,
    Label.ACTIVITY,
    Label.OUTPUT,
    Label.EVENT,
)
_REL_ORDER: Final = tuple(RelType)


def _dump(value: Any) -> str:
    return yaml.dump(value, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096, default_flow_style=None)


def reference_yaml(g: Graph, facts_name: str) -> str:
    """reference.yaml: nodes grouped by label, relationships grouped by type, one relationship per line."""
    parts = [
        f"# Generated by tools/build_dataset.py from {facts_name}; edit the facts or the script, not this file.\n"
        "# Country nodes are in countries.csv; the illustrative action point links are in sample-plan.csv.\n",
        "nodes:\n",
    ]
    for label in _LABEL_ORDER:
        group = [n for n in g.nodes if n["label"] == label.value]
        if group:
            parts.append(f"# --- {label.value} ({len(group)})\n")
            parts.append(_dump(group))
    parts.append("relationships:\n")
    for rel_type in _REL_ORDER:
        group = [_FlowMap(r) for r in g.rels.values() if r["type"] == rel_type.value]
        if group:
            parts.append(f"# --- {rel_type.value} ({len(group)})\n")
            parts.append(_dump(group))
    return "".join(parts)


def _csv(rows: Sequence[Sequence[str]]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerows(rows)
    return buf.getvalue()


COUNTRY_COLUMNS: Final = ("id", "label", "name", "iso3", "groups", "sources", "confidence", "note")


def countries_csv(g: Graph) -> str:
    """countries.csv (format ``nodes``), lists joined with ';'."""
    rows: list[list[str]] = [list(COUNTRY_COLUMNS)]
    for c in sorted(g.countries, key=lambda n: n["id"]):
        rows.append([";".join(c[k]) if isinstance(c.get(k), list) else str(c.get(k) or "") for k in COUNTRY_COLUMNS])
    return _csv(rows)


README_ROWS: Final = (
    ("column", "required", "meaning", "example"),
    ("action_point", "yes", "action point number or id", "17"),
    ("goal", "no", "priority goal number or id the action point sits under (one goal per action point)", "2"),
    ("activity", "no", "id of the responding activity", "activity-mrc-lahore"),
    ("component", "no", "id of the component; the responder when activity is empty", "component-mrc"),
    ("project", "no", "id of the project; the responder when activity and component are empty", "project-imm"),
    ("countries", "no", "ISO 3166 alpha-3 codes or country ids, separated by ';'", "PAK;AFG"),
    ("strength", "with a responder", "direct, partial or indirect", "direct"),
    ("confidence", "yes", "confirmed, inferred or illustrative", "confirmed"),
    ("source", "yes", "id(s) of Source nodes, separated by ';'", "source-bp-mrc"),
    ("note", "no", "free text", ""),
    ("", "", "", ""),
    (
        "rules",
        "",
        "A row with no activity, component or project only places the action point under its goal. "
        "When several of activity, component and project are given, the most specific is the responder and the others "
        "must agree with the reference data (the activity is part of the component, the component a component of the "
        "project). The loader reads only the first sheet.",
        "",
    ),
)


def _workbook(rows: Sequence[Sequence[str]]) -> bytes:
    """An XLSX with the plan on the first sheet and a README sheet; byte-identical for the same rows."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None  # a new workbook always has one sheet
    sheet.title = "plan"
    sheet.append(list(PLAN_COLUMNS))
    for row in rows:
        sheet.append([int(v) if i in (0, 1) and v.isdigit() else (v or None) for i, v in enumerate(row)])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    widths = (13, 6, 42, 20, 16, 26, 9, 12, 20, 90)
    for letter, width in zip("ABCDEFGHIJ", widths, strict=True):
        sheet.column_dimensions[letter].width = width
    readme = book.create_sheet("README")
    for line in README_ROWS:
        readme.append(list(line))
    for cell in readme[1]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", (14, 16, 90, 24), strict=True):
        readme.column_dimensions[letter].width = width
    for row_cells in readme.iter_rows(min_row=2):
        row_cells[2].alignment = Alignment(wrap_text=True, vertical="top")
    book.properties.creator = "bpkg tools/build_dataset.py"
    book.properties.created = _FIXED_TIME
    book.properties.modified = _FIXED_TIME
    raw = io.BytesIO()
    # ExcelWriter directly: openpyxl's save() would stamp the current time into docProps/core.xml.
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(book, archive).write_data()
    return _normalise_zip(raw.getvalue())


def _normalise_zip(data: bytes) -> bytes:
    """The same archive with fixed entry timestamps (zip entries otherwise record the write time)."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(data)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            fixed = zipfile.ZipInfo(info.filename, date_time=_ZIP_TIME)
            fixed.compress_type = zipfile.ZIP_DEFLATED
            fixed.external_attr = 0o600 << 16
            dst.writestr(fixed, src.read(info.filename))
    return out.getvalue()


def manifest_yaml(facts_name: str) -> str:
    """manifest.yaml of the bundled dataset."""
    return (
        f"# Generated by tools/build_dataset.py from {facts_name}; edit the script, not this file.\n"
        f"name: {NAME}\n"
        f'version: "{VERSION}"\n'
        "description: >-\n"
        "  The Budapest Process (Silk Routes Partnership for Migration) and the Silk Routes projects that respond\n"
        "  to it: declarations, the five commitments, the six priority goals, the 41 action points of the 2019 Call\n"
        "  for Action (without their official wording, which is not public), events, participating countries and\n"
        "  regions, organisations, and the projects, components (Dialogue, Facility, Migrant Resource Centres,\n"
        "  MIGRA.P, RELEC), activities and outputs. Every node and relationship names its sources and a confidence\n"
        "  level (confirmed, inferred or illustrative).\n"
        "illustrative: >-\n"
        "  sample-plan.csv (also shipped as sample-plan.xlsx) is an illustrative sample implementation plan: its\n"
        "  assignments of action points to priority goals and its links from activities, components and projects\n"
        "  to action points are illustrative, made up to exercise the tool, because the official text and goal\n"
        "  assignment of the 41 action points of the 2019 Call for Action are not public. Every such link has\n"
        "  confidence 'illustrative' and source 'source-sample-plan'. reference.yaml and countries.csv hold sourced\n"
        "  facts only (confirmed or inferred).\n"
        "files:\n"
        "  - {path: reference.yaml, format: graph}\n"
        "  - {path: countries.csv, format: nodes}\n"
        "  - {path: sample-plan.csv, format: plan}\n"
    )


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_bytes(data.encode("utf-8"))
    else:
        path.write_bytes(data)


def build(facts_path: Path) -> tuple[Graph, list[list[str]]]:
    """Read the facts, build the reference graph and the sample plan, and check both."""
    facts = yaml.safe_load(facts_path.read_text(encoding="utf-8"))
    graph = ReferenceBuilder(facts).build()
    rows = plan_rows()
    problems = check(graph, rows)
    if problems:
        raise BuildError("\n".join(problems))
    return graph, rows


def main(argv: Sequence[str] | None = None) -> int:
    """Build and write the dataset and templates; print a summary."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--facts", type=Path, default=None, help="facts.yaml (default ../shared/domain/facts.yaml)")
    args = parser.parse_args(argv)
    facts_path: Path = args.facts if args.facts is not None else DEFAULT_FACTS
    if not facts_path.is_absolute() and args.facts is not None:
        facts_path = Path.cwd() / facts_path
    try:
        graph, rows = build(facts_path)
    except (BuildError, KeyError, OSError) as exc:
        print(f"build_dataset: error: {exc}", file=sys.stderr)
        return 1
    facts_name = "facts.yaml"
    plan_table = [list(PLAN_COLUMNS), *rows]
    _write(DATASET_DIR / "manifest.yaml", manifest_yaml(facts_name))
    _write(DATASET_DIR / "reference.yaml", reference_yaml(graph, facts_name))
    _write(DATASET_DIR / "countries.csv", countries_csv(graph))
    _write(DATASET_DIR / "sample-plan.csv", _csv(plan_table))
    _write(DATASET_DIR / "sample-plan.xlsx", _workbook(rows))
    _write(TEMPLATE_DIR / "implementation-plan.csv", _csv([list(PLAN_COLUMNS)]))
    _write(TEMPLATE_DIR / "implementation-plan.xlsx", _workbook([]))
    labels: dict[str, int] = {}
    for data in [*graph.nodes, *graph.countries]:
        labels[data["label"]] = labels.get(data["label"], 0) + 1
    types: dict[str, int] = {}
    for data in graph.rels.values():
        types[data["type"]] = types.get(data["type"], 0) + 1
    print(f"nodes: {sum(labels.values())} " + ", ".join(f"{k}={v}" for k, v in sorted(labels.items())))
    print(f"relationships: {sum(types.values())} " + ", ".join(f"{k}={v}" for k, v in sorted(types.items())))
    responded = {r[0] for r in rows if r[2] or r[3] or r[4]}
    print(f"sample plan: {len(rows)} rows, {len(responded)} of 41 action points with a responder")
    return 0


if __name__ == "__main__":
    sys.exit(main())
