"""A far-past date is refused, and where a dataset's setting lets one in, a timeline stays bounded (issue 16,
item 5): ``when: 0001`` on an event in Pakistan once made ``/view/timeline/country-pak`` compute a coverage
for each of 2,000 years."""

from __future__ import annotations

import csv
import io
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from bpkg.app.api.main import create_app
from bpkg.app.services import timelines
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import DatasetInvalid, build_graph, load_dataset
from bpkg.loaders.limits import Limits
from tests.api.conftest import settings
from tests.files.test_hostile_files import copy_bundled, edit_reference

FAR: dict[str, Any] = {
    "id": "event-far-past",
    "label": "Event",
    "name": "An event dated in year 1",
    "kind": "Meeting",
    "when": "0001",
    "sources": ["source-bp-ministerial-conferences"],
    "confidence": "inferred",
}
IN_PAK: dict[str, Any] = {
    "from": "event-far-past",
    "type": "IN_COUNTRY",
    "to": "country-pak",
    "sources": ["source-bp-ministerial-conferences"],
    "confidence": "inferred",
}


def _hostile(folder: Path) -> Path:
    copy_bundled(folder)

    def add(doc: dict[str, Any]) -> None:
        doc["nodes"].append(FAR)
        doc["relationships"].append(IN_PAK)

    edit_reference(folder, add)
    return folder


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _hostile(tmp_path_factory.mktemp("hostile") / "dataset")


@pytest.fixture(scope="module")
def wide_store(hostile: Path) -> MemoryStore:
    return MemoryStore(build_graph(load_dataset(hostile, limits=Limits(min_year=1))))


def test_a_date_in_year_1_is_refused_with_its_file_line_and_field(hostile: Path) -> None:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(hostile)
    found = [str(p) for p in info.value.problems]
    assert len(found) == 1, found
    assert found[0].startswith("reference.yaml, line "), found
    assert "field 'when': '0001' names the year 1; dates must fall within 1900 to 2100" in found[0]
    assert "BPKG_MIN_YEAR" in found[0]


def test_a_date_past_the_last_year_is_refused_on_a_link(tmp_path: Path) -> None:
    folder = copy_bundled(tmp_path / "dataset")
    edit_reference(folder, lambda doc: doc["relationships"].append({**IN_PAK, "from": "event-mc-1", "when": "2101"}))
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    found = [str(p) for p in info.value.problems]
    assert any("field 'when': '2101' names the year 2101" in p for p in found), found


def test_the_range_is_a_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    limits, errors = Limits.from_env({"BPKG_MIN_YEAR": "1", "BPKG_MAX_YEAR": "2200"})
    assert (limits.min_year, limits.max_year, errors) == (1, 2200, [])
    limits, errors = Limits.from_env({"BPKG_MIN_YEAR": "2000", "BPKG_MAX_YEAR": "1999"})
    assert (limits.min_year, limits.max_year) == (1900, 2100) and len(errors) == 1, errors


def test_timeline_of_a_year_1_event_computes_a_bounded_number_of_years(wide_store: MemoryStore) -> None:
    found = timelines.timeline(wide_store, "country-pak")
    assert 0 < len(found.years) <= timelines.MAX_YEARS
    assert found.years[-1].year - found.years[0].year + 1 == len(found.years)
    apart = [i for i in found.unplaced if i.node.id == "event-far-past"]
    assert len(apart) == 1 and apart[0].unplaced.startswith("dated before the years shown"), found.unplaced
    assert any("over before" in sentence for sentence in found.accounts), found.accounts


def test_timeline_page_and_file_of_the_hostile_dataset_are_bounded(wide_store: MemoryStore) -> None:
    with TestClient(create_app(settings(), store=wide_store)) as client:
        page = client.get("/view/timeline/country-pak")
        assert page.status_code == 200
        assert "An event dated in year 1" in page.text
        table = client.get("/view/timeline/country-pak/table?fmt=csv")
        assert table.status_code == 200
    rows = [r for r in csv.reader(io.StringIO(table.text)) if r and r[0].isdigit()]
    assert 0 < len(rows) <= timelines.MAX_YEARS, len(rows)


def test_the_widest_default_range_is_bounded_to_max_years(tmp_path: Path) -> None:
    """Events in 1900 (allowed by default) and in the first year shown, and work running on to 2026: 127
    years, of which the timeline computes the last ``MAX_YEARS`` (one coverage each) and lists the 1900 event
    apart."""
    folder = copy_bundled(tmp_path / "dataset")

    def add(doc: dict[str, Any]) -> None:
        doc["nodes"].append(deepcopy({**FAR, "when": "1900"}))
        doc["relationships"].append(deepcopy(IN_PAK))
        # One in the first year shown: every one of the MAX_YEARS rows is computed.
        first = str(2026 - timelines.MAX_YEARS + 1)
        doc["nodes"].append(deepcopy({**FAR, "id": "event-first", "name": f"An event in {first}", "when": first}))
        doc["relationships"].append(deepcopy({**IN_PAK, "from": "event-first"}))

    edit_reference(folder, add)
    store = MemoryStore(build_graph(load_dataset(folder)))
    found = timelines.timeline(store, "country-pak", today=date(2026, 6, 1))
    assert len(found.years) == timelines.MAX_YEARS
    assert (found.years[0].year, found.years[-1].year) == (2026 - timelines.MAX_YEARS + 1, 2026)
    assert [i.node.id for i in found.unplaced if i.unplaced.startswith("dated before")] == ["event-far-past"]
