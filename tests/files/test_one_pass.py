"""A CSV table is read once and its rows checked as they are read (issue 17, validation at 1M): the problems stay
those of reading it twice, in the same order; the shortcuts (one search per row, properties checked once per
distinct set) never let through what the detailed checks refuse."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from bpkg.loaders import DatasetInvalid, load_dataset
from bpkg.loaders.checks import FREE_TEXT, plain_texts, text_problem, value_problems
from bpkg.loaders.dataset import check_dataset, validate_dataset
from bpkg.loaders.limits import Limits
from tests.factories import COUNTRY_COLUMNS, write_csv, write_dataset

LINK_COLUMNS = ["from", "type", "to", "sources", "confidence", "strength", "note"]


def _with_links(folder: Path, rows: list[list[str]], columns: list[str] = LINK_COLUMNS) -> Path:
    write_csv(folder / "links.csv", columns, rows)
    manifest = yaml.safe_load((folder / "manifest.yaml").read_text(encoding="utf-8"))
    manifest["files"].append({"path": "links.csv", "format": "relationships"})
    (folder / "manifest.yaml").write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    return folder


def _problems(folder: Path, limits: Limits | None = None) -> list[str]:
    with pytest.raises(DatasetInvalid) as caught:
        load_dataset(folder, limits=limits or Limits())
    return [str(p) for p in caught.value.problems]


def test_a_tables_reading_problems_come_before_its_header_and_value_problems(tmp_path: Path) -> None:
    """The order of reading the file twice (its reading problems, then its header's, then its rows'), though
    the rows' problems are now found in the same pass as the reading problems after them."""
    folder = write_dataset(tmp_path)
    (folder / "countries.csv").write_text(
        ",".join([*COUNTRY_COLUMNS, "colour"]) + "\n"
        "country-pak,Country,Pak\x01istan,PAK,,source-a,confirmed,red\n"
        "country-afg,Country,Afghanistan,AFG,,source-a,confirmed,red,extra\n"
        "country-irn,Country,\u202eIran,IRN,,source-a,confirmed,red\n"
        "country-tur,Country,Turkey,TUR\n"
        "country-irq,Country,Iraq,IRQ,,source-a,confirmed,red\n",
        encoding="utf-8",
    )
    assert _problems(folder) == [
        "countries.csv, row 3: malformed row: 9 fields but the header has 8 columns",
        "countries.csv, row 5: malformed row: 4 fields but the header has 8 columns",
        "countries.csv, row 1, field 'colour': unknown column: no label has this property",
        "countries.csv, row 2, field 'name': contains the control character U+0001 at character 4; control "
        "characters are not allowed",
        "countries.csv, row 4, field 'name': contains the invisible bidirectional control U+202E (Right-To-Left "
        "Override) at character 1; it can make text display differently from what it is, so it is not allowed in "
        "names and ids",
    ]


def test_a_table_stopped_by_the_row_limit_keeps_the_rows_before_the_stop(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    rows = [[f"country-x{n:02d}", "Country", f"X {n}", "", "", "source-a", "confirmed"] for n in range(10)]
    rows[1][2] = "Bad\x07"
    write_csv(folder / "countries.csv", COUNTRY_COLUMNS, rows)
    rows[7][2] = "Bad\x07"
    found = _problems(folder, Limits(max_rows=6))
    assert found[0] == "countries.csv, row 7: the table has more than 6 rows; the limit is 6 (BPKG_MAX_ROWS)"
    assert found[1].startswith("countries.csv, row 3, field 'name': contains the control character U+0007")
    assert not any(p.startswith("countries.csv, row 9") for p in found), found


def test_the_same_properties_on_many_rows_are_each_checked(tmp_path: Path) -> None:
    """Rows that repeat a valid set of properties share its check; a row that repeats an invalid one is
    reported on its own row, and a row whose ends are missing still is."""
    folder = write_dataset(tmp_path)
    same = ["source-a", "confirmed", "", ""]
    rows = [
        ["activity-a", "RESPONDS_TO", "ap-2", "source-a", "confirmed", "direct", ""],
        ["activity-a", "RESPONDS_TO", "ap-3", "source-a", "confirmed", "direct", ""],
        ["project-p", "RESPONDS_TO", "ap-1", "source-a", "sure", "direct", ""],
        ["project-p", "RESPONDS_TO", "ap-3", "source-a", "sure", "direct", ""],
        ["activity-a", "INFORMS", "ap-1", *same],
        ["activity-nowhere", "INFORMS", "ap-2", *same],
        ["activity-a", "INFORMS", "ap-3", "source-a;source-nowhere", "confirmed", "", ""],
        ["project-p", "RESPONDS_TO", "ap-3", "source-a", "confirmed", "direct", ""],
        ["activity-a", "RESPONDS_TO", "ap-2", "source-a", "confirmed", "direct", ""],
    ]
    found = [p for p in _problems(_with_links(folder, rows)) if p.startswith("links.csv")]
    sure = "Input should be 'confirmed', 'inferred' or 'illustrative' (got 'sure')"
    assert found == [
        f"links.csv, row 4, field 'confidence': {sure}",
        f"links.csv, row 5, field 'confidence': {sure}",
        "links.csv, row 7, field 'from': no node with id 'activity-nowhere' in the dataset",
        "links.csv, row 10, field 'to': duplicate relationship activity-a -[RESPONDS_TO]-> ap-2 (first given at "
        "links.csv, row 2)",
        "links.csv, row 8, field 'sources': 'source-nowhere' is not a Source node in the dataset",
    ]


def test_links_with_the_same_properties_do_not_share_them(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    rows = [["project-p", "RESPONDS_TO", f"ap-{n}", "source-a", "confirmed", "partial", ""] for n in (1, 3)]
    rows += [["activity-a", "RESPONDS_TO", "ap-3", "source-a", "confirmed", "partial", ""]]
    batch = load_dataset(_with_links(folder, rows))
    responses = [rel for rel in batch.rels if rel.props.get("strength") == "partial" and rel.source != "component-c"]
    expected = {"sources": ["source-a"], "confidence": "confirmed", "strength": "partial"}
    assert [(rel.source, rel.target) for rel in responses] == [
        ("project-p", "ap-1"),
        ("project-p", "ap-3"),
        ("activity-a", "ap-3"),
    ]
    assert [rel.props for rel in responses] == [expected] * 3
    responses[0].props["sources"].append("source-b")
    responses[1].props["confidence"] = "inferred"
    assert responses[2].props == expected
    assert responses[1].props["sources"] == ["source-a"]


def test_links_with_a_note_are_each_validated(tmp_path: Path) -> None:
    """Free text is seldom said twice: such links are not kept for the rows after them, and load the same."""
    folder = write_dataset(tmp_path)
    rows = [["project-p", "RESPONDS_TO", f"ap-{n}", "source-a", "confirmed", "direct", "said twice"] for n in (1, 3)]
    batch = load_dataset(_with_links(folder, rows))
    noted = [rel.props for rel in batch.rels if rel.props.get("note") == "said twice"]
    assert (
        noted == [{"sources": ["source-a"], "confidence": "confirmed", "note": "said twice", "strength": "direct"}] * 2
    )
    assert noted[0] is not noted[1] and noted[0]["sources"] is not noted[1]["sources"]


def test_validate_and_load_agree_on_links_checked_once(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    rows = [["project-p", "RESPONDS_TO", f"ap-{n}", "source-a", "confirmed", "direct", ""] for n in (1, 3)]
    _with_links(folder, rows)
    checked, validated = check_dataset(folder), validate_dataset(folder)
    assert validated.stats.relationships == len(checked.batch.rels)
    assert [str(w) for w in validated.warnings] == [str(w) for w in checked.warnings]


_PLAIN = " \u00a0\u200bab-\u00e9"
"""Characters no check refuses (a no-break space and a zero-width space are allowed everywhere)."""
_ALPHABET = "\x00\x01\x07\t\n\r\x0b\x1f\x7f\x85\x9f\u2028\u2029\u202a\u202e\u2066\u2069" + _PLAIN


@settings(max_examples=400, deadline=None)
@given(st.lists(st.text(alphabet=_ALPHABET, max_size=12), max_size=5), st.integers(min_value=1, max_value=30))
def test_one_search_clears_only_text_every_check_accepts(values: list[str], longest: int) -> None:
    limits = Limits(max_string_chars=longest)
    fields = ["id", "name", *sorted(FREE_TEXT)]
    accepted = all(text_problem(field, value, limits) is None for value in values for field in fields)
    if plain_texts(values, limits):
        assert accepted
    elif accepted:
        assert any(set(value) - set(_PLAIN) for value in values)  # the shortcut is missed only for odd characters


@pytest.mark.parametrize("value", [True, False, 1, 2.5, ["a", "b"], ("a",), None])
def test_values_that_are_not_text_get_the_detailed_check(value: object) -> None:
    assert not plain_texts([value], Limits())
    assert not plain_texts(["fine", value], Limits())
    if isinstance(value, bool):
        assert list(value_problems("name", value, Limits()))
