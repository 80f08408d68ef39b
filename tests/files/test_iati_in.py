"""IATI 2.03 activity files read as a dataset (``format: iati``): projects, activities, organisations, countries
and dates, each fact citing the activity's IATI identifier; hostile XML is refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from bpkg.app.formats import iati
from bpkg.app.services.formats import batch_parts
from bpkg.loaders import DatasetInvalid, GraphBatch, load_dataset
from bpkg.loaders.formats.vocab import base_of

COUNTRIES = (
    "id,label,name,iso3,sources,confidence\n"
    "source-iso,Source,ISO 3166-1,,source-iso,confirmed\n"
    "country-pak,Country,Pakistan,PAK,source-iso,confirmed\n"
    "country-afg,Country,Afghanistan,AFG,source-iso,confirmed\n"
)

ACTIVITIES = """<?xml version="1.0" encoding="UTF-8"?>
<iati-activities version="2.03">
 <iati-activity>
  <iati-identifier>XM-DAC-1-P1</iati-identifier>
  <reporting-org ref="XM-DAC-1" type="10"><narrative>Donor</narrative></reporting-org>
  <title><narrative xml:lang="fr">Projet</narrative><narrative xml:lang="en">Project one</narrative></title>
  <description><narrative>What it does</narrative></description>
  <participating-org role="1" ref="XM-DAC-1"><narrative>Donor</narrative></participating-org>
  <participating-org role="4"><narrative>Implementer</narrative></participating-org>
  <participating-org role="2"><narrative>Accountable body</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="1" iso-date="2020-01-01"/>
  <activity-date type="2" iso-date="2020-02-15"/>
  <activity-date type="3" iso-date="2024-12-31"/>
  <recipient-country code="PK"/>
 </iati-activity>
 <iati-activity>
  <iati-identifier>XM-DAC-1-P1-A</iati-identifier>
  <reporting-org ref="XM-DAC-1" type="10"><narrative>Donor</narrative></reporting-org>
  <title><narrative>Training</narrative></title>
  <description><narrative>A part of it</narrative></description>
  <participating-org role="4"><narrative>Implementer</narrative></participating-org>
  <activity-status code="2"/>
  <activity-date type="2" iso-date="2021-03-01"/>
  <recipient-country code="AF"/>
  <related-activity ref="XM-DAC-1-P1" type="1"/>
 </iati-activity>
</iati-activities>
"""


def _dataset(folder: Path, xml: str | bytes, countries: str = COUNTRIES) -> Path:
    folder.mkdir()
    (folder / "countries.csv").write_text(countries, encoding="utf-8")
    (folder / "activities.xml").write_bytes(xml.encode() if isinstance(xml, str) else xml)
    (folder / "manifest.yaml").write_text(
        "name: iati-in\nversion: '1'\nfiles:\n  - {path: countries.csv, format: nodes}\n"
        "  - {path: activities.xml, format: iati}\n",
        encoding="utf-8",
    )
    return folder


def test_activities_become_projects_activities_organisations_and_links(tmp_path: Path) -> None:
    batch = load_dataset(_dataset(tmp_path / "in", ACTIVITIES))
    nodes = {n.id: n for n in batch.nodes}
    rels = {r.key: r for r in batch.rels}

    project, activity = nodes["iati-xm-dac-1-p1"], nodes["iati-xm-dac-1-p1-a"]
    assert project.label == "Project" and activity.label == "Activity"
    assert project.props["name"] == "Project one"  # the English narrative
    assert project.props["when"] == "2020-02-15/2024-12-31"  # actual start over planned; planned end
    assert activity.props["when"] == "2021-03-01/.."
    assert nodes["source-iati-xm-dac-1-p1"].props["name"] == "IATI activity XM-DAC-1-P1"
    assert project.props["sources"] == ["source-iati-xm-dac-1-p1"] and project.props["confidence"] == "confirmed"
    assert ("iati-xm-dac-1-p1-a", "PART_OF", "iati-xm-dac-1-p1") in rels
    assert ("org-iati-xm-dac-1", "FUNDS", "iati-xm-dac-1-p1") in rels
    assert ("org-iati-implementer", "IMPLEMENTS", "iati-xm-dac-1-p1-a") in rels
    assert ("iati-xm-dac-1-p1", "ACTIVE_IN", "country-pak") in rels
    assert ("iati-xm-dac-1-p1-a", "IN_COUNTRY", "country-afg") in rels
    # Role 2 (accountable) has no relationship in the schema: no organisation is made up for it.
    assert not any(n.props["name"] == "Accountable body" for n in batch.nodes)


def test_own_iati_export_reads_back(bundled_batch: GraphBatch, tmp_path: Path) -> None:
    nodes, links = batch_parts(bundled_batch)
    xml = b"".join(iati.write(nodes, links, "XM-TEST", base_of("")))
    countries = "id,label,name,iso3,sources,confidence\nsource-iso,Source,ISO,,source-iso,confirmed\n" + "".join(
        f"{n.props['id']},Country,{n.props['name']},{n.props['iso3']},source-iso,confirmed\n"
        for n in nodes
        if n.label == "Country"
    )
    batch = load_dataset(_dataset(tmp_path / "own", xml, countries))
    ids = {n.id for n in batch.nodes}

    assert {"iati-xm-test-project-imm", "iati-xm-test-component-mrc"} <= ids
    rels = {r.key for r in batch.rels}
    # A component is a child activity of its project.
    assert ("iati-xm-test-component-mrc", "PART_OF", "iati-xm-test-project-imm") in rels


def test_an_unknown_country_code_is_reported_with_line(tmp_path: Path) -> None:
    xml = ACTIVITIES.replace('code="AF"', 'code="QQ"')
    line = next(i for i, text in enumerate(xml.splitlines(), start=1) if 'code="QQ"' in text)
    with pytest.raises(DatasetInvalid) as caught:
        load_dataset(_dataset(tmp_path / "bad", xml))
    assert f"activities.xml, line {line}, field 'recipient-country': 'QQ' is not an ISO 3166-1 alpha-2 code" in str(
        caught.value
    )


@pytest.mark.parametrize(
    ("xml", "reason"),
    [
        (
            '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>'
            '<iati-activities version="2.03"><iati-activity><iati-identifier>&e;</iati-identifier>'
            "</iati-activity></iati-activities>",
            "DOCTYPE is not allowed",
        ),
        ("<iati-activities version='2.03'><iati-activity>", "not well-formed XML"),
        ("<iati-organisations version='2.03'/>", "the root element must be iati-activities"),
        ("<iati-activities version='1.05'/>", "2.0x only"),
    ],
)
def test_hostile_or_wrong_files_are_refused(tmp_path: Path, xml: str, reason: str) -> None:
    with pytest.raises(DatasetInvalid, match=reason) as caught:
        load_dataset(_dataset(tmp_path / "x", xml))
    assert "/etc/passwd" not in str(caught.value) or "root:" not in str(caught.value)
