"""Each kind of bad input is rejected with file, row/line and field, and all problems come in one run."""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook

from bpkg.loaders import DatasetInvalid, GraphBatch, load_dataset
from bpkg.loaders.problems import Problems
from bpkg.loaders.reading.yaml_safe import LOADERS, read_yaml
from bpkg.loaders.validation.columns import PLAN_COLUMNS
from tests.factories import PLAN_ROWS, base_graph, write_csv, write_dataset
from tests.files.test_hostile_files import PLAN, copy_bundled, edit_reference, insert_nodes_text, node, plan_rows
from tests.files.test_hostile_files import problems_of as hostile_problems_of


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder)
    return [str(p) for p in info.value.problems]


def with_node(**changes: Any) -> dict[str, Any]:
    graph = base_graph()
    graph["nodes"].append({"sources": ["source-a"], "confidence": "confirmed", **changes})
    return graph


def test_valid_dataset_loads(tmp_path: Path) -> None:
    batch = load_dataset(write_dataset(tmp_path))
    assert batch.info.name == "tiny"
    keys = {r.key for r in batch.rels}
    assert ("activity-a", "RESPONDS_TO", "ap-1") in keys
    assert ("component-c", "RESPONDS_TO", "ap-2") in keys
    assert ("ap-3", "UNDER", "pg-2") in keys
    link = next(r for r in batch.rels if r.key == ("activity-a", "RESPONDS_TO", "ap-1"))
    assert link.props == {
        "sources": ["source-a"],
        "confidence": "illustrative",
        "note": "illustrative",
        "strength": "direct",
        "countries": ["country-pak"],
    }


def _mutate(graph_change: Callable[[dict[str, Any]], None]) -> dict[str, Any]:
    graph = copy.deepcopy(base_graph())
    graph_change(graph)
    return graph


CASES: list[tuple[str, dict[str, Any], str, str, str]] = [
    # (case, graph, expected location, field, words in the reason)
    (
        "dangling id",
        _mutate(
            lambda g: g["relationships"].append(
                {
                    "from": "activity-a",
                    "type": "PART_OF",
                    "to": "component-missing",
                    "sources": ["source-a"],
                    "confidence": "confirmed",
                }
            )
        ),
        "reference.yaml, line",
        "'to'",
        "no node with id 'component-missing'",
    ),
    (
        "duplicate id",
        with_node(id="pg-1", label="PriorityGoal", name="Again", number=1),
        "reference.yaml, line",
        "'id'",
        "duplicate id 'pg-1'",
    ),
    (
        "unknown label",
        with_node(id="x-1", label="Widget", name="W"),
        "reference.yaml, line",
        "'label'",
        "unknown label 'Widget'",
    ),
    (
        "pattern not allowed",
        _mutate(
            lambda g: g["relationships"].append(
                {
                    "from": "activity-a",
                    "type": "UNDER",
                    "to": "pg-1",
                    "sources": ["source-a"],
                    "confidence": "confirmed",
                }
            )
        ),
        "reference.yaml, line",
        "'type'",
        "Activity -[UNDER]-> PriorityGoal is not allowed",
    ),
    (
        "bad enum",
        with_node(id="pg-9", label="PriorityGoal", name="G", number=9, confidence="certain"),
        "reference.yaml, line",
        "'confidence'",
        "'confirmed', 'inferred' or 'illustrative'",
    ),
    (
        "a date besides when",
        with_node(id="event-z", label="Event", name="Z", kind="m", year="twenty"),
        "reference.yaml, line",
        "'year'",
        "one date per fact",
    ),
    (
        "unknown property",
        with_node(id="event-y", label="Event", name="Y", kind="m", colour="red"),
        "reference.yaml, line",
        "'colour'",
        "unknown property",
    ),
    (
        "missing source node",
        with_node(id="event-w", label="Event", name="W", kind="m", sources=["source-nope"]),
        "reference.yaml, line",
        "'sources'",
        "'source-nope' is not a Source node",
    ),
]


@pytest.mark.parametrize(("case", "graph", "where", "field", "reason"), CASES, ids=[c[0] for c in CASES])
def test_bad_graph_input_is_named(
    tmp_path: Path, case: str, graph: dict[str, Any], where: str, field: str, reason: str
) -> None:
    found = problems_of(write_dataset(tmp_path, graph=graph))
    assert len(found) == 1, found
    assert found[0].startswith(where) and f"field {field}" in found[0] and reason in found[0], found[0]


def test_malformed_csv_row(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    with (folder / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write("country-irn,Country,Iran,IRN\n")
    assert problems_of(folder) == ["countries.csv, row 4: malformed row: 4 fields but the header has 7 columns"]


def test_unclosed_quote_is_malformed(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    with (folder / "countries.csv").open("a", encoding="utf-8") as fh:
        fh.write('country-irn,Country,"Iran,IRN,,source-a,confirmed\n')
    found = problems_of(folder)
    assert len(found) == 1 and found[0].startswith("countries.csv, row 4") and "malformed" in found[0]


def test_empty_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    (folder / "plan.csv").write_text("", encoding="utf-8")
    assert problems_of(folder) == ["plan.csv: the file is empty"]


def test_missing_required_column(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    columns = [c for c in PLAN_COLUMNS if c != "confidence"]
    write_csv(folder / "plan.csv", columns, [["1", "1", "", "", "", "", "", "source-a", "", ""]])
    assert problems_of(folder) == ["plan.csv, row 1, field 'confidence': required column is missing"]


def test_non_utf8_file(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    text = (
        (folder / "plan.csv").read_text(encoding="utf-8").replace(",illustrative,\n", ",illustratif \u00e9t\u00e9,\n")
    )
    (folder / "plan.csv").write_bytes(text.encode("latin-1"))
    found = problems_of(folder)
    assert len(found) == 1 and found[0].startswith("plan.csv, line 2") and "not UTF-8" in found[0], found


def test_all_problems_of_a_dataset_come_in_one_run(tmp_path: Path) -> None:
    graph = with_node(id="pg-1", label="PriorityGoal", name="Again", number=1)
    graph["nodes"].append(
        {
            "id": "event-z",
            "label": "Event",
            "name": "Z",
            "kind": "m",
            "year": "twenty",
            "sources": ["source-a"],
            "confidence": "confirmed",
        }
    )
    plan = [
        *PLAN_ROWS,
        {"action_point": "99", "confidence": "illustrative", "source": "source-a"},
        {"action_point": "1", "goal": "2", "confidence": "illustrative", "source": "source-a"},
        {
            "action_point": "2",
            "activity": "activity-a",
            "strength": "strongest",
            "confidence": "illustrative",
            "source": "source-a",
        },
    ]
    folder = write_dataset(tmp_path, graph=graph, plan=plan)
    (folder / "countries.csv").write_text(
        "id,label,name,iso3,sources,confidence\ncountry-pak,Country,Pakistan,pak,"
        "source-a,confirmed\ncountry-afg,Country,Afghanistan,AFG,source-a,confirmed\n",
        encoding="utf-8",
    )
    found = problems_of(folder)
    expected_fragments = [
        ("reference.yaml", "duplicate id 'pg-1'"),
        ("reference.yaml", "field 'year'"),
        ("countries.csv, row 2", "field 'iso3'"),
        ("plan.csv, row 5", "no node with id 'ap-99'"),
        ("plan.csv, row 5", "the row gives only an action point"),
        ("plan.csv, row 6", "ap-1 is already under pg-1"),
        ("plan.csv, row 7", "field 'strength'"),
    ]
    for where, what in expected_fragments:
        assert any(p.startswith(where) and what in p for p in found), (where, what, found)
    assert len(found) == len(expected_fragments), found


def test_plan_consistency_with_reference(tmp_path: Path) -> None:
    plan = [
        {
            "action_point": "1",
            "activity": "activity-a",
            "component": "component-c",
            "project": "project-p",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
        {
            "action_point": "2",
            "activity": "component-c",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
        {
            "action_point": "3",
            "activity": "activity-a",
            "project": "project-q",
            "strength": "direct",
            "confidence": "illustrative",
            "source": "source-a",
        },
    ]
    found = problems_of(write_dataset(tmp_path, plan=plan))
    assert found == [
        "plan.csv, row 3, field 'activity': 'component-c' is a Component, not an Activity",
        "plan.csv, row 4, field 'project': no node with id 'project-q' in the dataset",
    ]


def test_plan_from_xlsx_equals_csv(tmp_path: Path) -> None:
    csv_batch = load_dataset(write_dataset(tmp_path / "csv"))
    folder = write_dataset(tmp_path / "xlsx")
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(list(PLAN_COLUMNS))
    for row in PLAN_ROWS:
        # Spreadsheets hold numbers as numbers: the reader must treat 17 and "17" alike.
        sheet.append(
            [int(row[c]) if c in ("action_point", "goal") and row.get(c) else row.get(c) or None for c in PLAN_COLUMNS]
        )
    book.save(folder / "plan.xlsx")
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8").replace("plan.csv", "plan.xlsx")
    (folder / "manifest.yaml").write_text(manifest, encoding="utf-8")
    (folder / "plan.csv").unlink()
    xlsx_batch = load_dataset(folder)
    # The same rows (the manifest names another file, and its notice says so: the fingerprints differ).
    assert xlsx_batch.row_hashes() == csv_batch.row_hashes()


def test_manifest_problems(tmp_path: Path) -> None:
    folder = write_dataset(tmp_path)
    (folder / "manifest.yaml").write_text(
        "name: Bad Name\nfiles:\n  - {path: nope.csv, format: plan}\n  - {path: plan.csv, format: sheet}\n",
        encoding="utf-8",
    )
    found = problems_of(folder)
    assert any("field 'version': required manifest entry is missing" in p for p in found)
    assert any("field 'name'" in p for p in found)
    assert any("file 'nope.csv' not found" in p for p in found)
    assert any("'sheet' is not one of" in p for p in found)


def test_missing_dataset_folder() -> None:
    with pytest.raises(FileNotFoundError, match="neither a folder nor a bundled dataset"):
        load_dataset("/nonexistent/folder")


# -- Text, numbers, plan rows and YAML structure, on a copy of the bundled dataset -------------------


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    return copy_bundled(tmp_path / "dataset")


@pytest.mark.parametrize(
    ("field", "value", "reason"),
    [
        ("name", "Bell\a", "contains the control character U+0007 at character 5; control characters are not allowed"),
        ("description", "a\0b", "contains a NUL byte (U+0000) at character 2; control characters are not allowed"),
        ("name", "Action\tpoint", "contains a tab at character 7; only citation, description, illustrative, note"),
        (
            "name",
            "Action point 1\u202e1",
            "contains the invisible bidirectional control U+202E (Right-To-Left Override)",
        ),
        ("name", "\u2066Action point 1", "contains the invisible bidirectional control U+2066 (Left-To-Right Isolate)"),
        ("number", True, "true is a yes/no value, not a number or text"),
    ],
)
def test_bad_characters_and_booleans_are_refused(bundled_copy: Path, field: str, value: object, reason: str) -> None:
    edit_reference(bundled_copy, lambda doc: node(doc, "ap-1").update({field: value}))
    found = hostile_problems_of(bundled_copy)
    assert len(found) == 1, found
    assert re.match(rf"reference\.yaml, line \d+, field '{field}': ", found[0]) and reason in found[0], found


def test_tabs_and_line_breaks_may_stay_in_free_text(bundled_copy: Path, bundled_batch: GraphBatch) -> None:
    edit_reference(bundled_copy, lambda doc: node(doc, "ap-1").update(note="one\ttwo\nthree\r\nfour \u202bنص\u202c"))
    batch = load_dataset(bundled_copy)
    assert next(n for n in batch.nodes if n.id == "ap-1").props["note"].startswith("one\ttwo\nthree")


def test_raw_nul_and_bidi_in_csv(bundled_copy: Path) -> None:
    path = bundled_copy / "countries.csv"
    text = path.read_text(encoding="utf-8")
    assert ",Afghanistan," in text
    path.write_text(text.replace(",Afghanistan,", ",Afghan\0istan,"), encoding="utf-8")
    rows = plan_rows(bundled_copy)
    column = rows[0].index("activity")
    line = next(n for n, row in enumerate(rows) if n and row[column])
    rows[line][column] = rows[line][column][:8] + "\u202e" + rows[line][column][8:]
    write_csv(bundled_copy / PLAN, rows[0], rows[1:])
    found = hostile_problems_of(bundled_copy)
    assert len(found) == 2, found
    assert found[0].startswith("countries.csv, row 2, field 'name': contains a NUL byte (U+0000) at character 7")
    assert found[1].startswith(
        f"{PLAN}, row {line + 1}, field 'activity': contains the invisible bidirectional control U+202E"
    )


def test_action_point_numbers_are_unique_within_their_plan(bundled_copy: Path) -> None:
    def renumber(doc: dict[str, Any]) -> None:
        node(doc, "ap-2")["number"] = 1
        node(doc, "ap-3")["number"] = 1

    edit_reference(bundled_copy, renumber)
    found = hostile_problems_of(bundled_copy)
    assert len(found) == 2, found
    for ident, problem in zip(("ap-2", "ap-3"), found, strict=True):
        assert re.fullmatch(
            rf"reference\.yaml, line \d+, field 'number': ActionPoint number 1 is used twice in action plan "
            rf"plan-call-for-action-2019: by ap-1 \(reference\.yaml, line \d+\) and by {ident}; numbers are unique "
            r"within a action plan",
            problem,
        ), problem


def test_every_plan_row_is_validated(bundled_copy: Path) -> None:
    rows = len(plan_rows(bundled_copy))
    with (bundled_copy / PLAN).open("a", encoding="utf-8") as fh:
        fh.write("5,,,,,,,,,\n")
        fh.write("6,,,,,,,bogus-confidence,no-such-source,\n")
    found = hostile_problems_of(bundled_copy)
    first, second = f"{PLAN}, row {rows + 1}", f"{PLAN}, row {rows + 2}"
    assert found == [
        f"{first}, field 'source': required property is missing",
        f"{first}, field 'confidence': required property is missing",
        f"{first}: the row gives only an action point: add its goal, or the activity, component or project that "
        "responds to it",
        f"{second}, field 'confidence': Input should be 'confirmed', 'inferred' or 'illustrative' "
        "(got 'bogus-confidence')",
        f"{second}, field 'source': 'no-such-source' is not a Source node in the dataset",
        f"{second}: the row gives only an action point: add its goal, or the activity, component or project that "
        "responds to it",
    ]


def test_duplicate_yaml_keys_are_errors(bundled_copy: Path) -> None:
    insert_nodes_text(
        bundled_copy,
        "- id: event-x\n  label: Event\n  name: First\n  kind: meeting\n  name: Second\n"
        "  sources: [source-bp-fact-sheet-2020]\n  confidence: confirmed\n  kind: call\n",
    )
    assert hostile_problems_of(bundled_copy) == [
        "reference.yaml, line 6, field 'name': duplicate key (first given at line 4); a key may appear once in a "
        "mapping",
        "reference.yaml, line 9, field 'kind': duplicate key (first given at line 5); a key may appear once in a "
        "mapping",
    ]


def test_one_broken_countries_header_is_reported_once(bundled_copy: Path) -> None:
    path = bundled_copy / "countries.csv"
    header, rest = path.read_text(encoding="utf-8").split("\n", 1)
    assert header.startswith("id,label,")
    path.write_text(header.replace("id,label,", "id,lable,", 1) + "\n" + rest, encoding="utf-8")
    found = hostile_problems_of(bundled_copy)
    assert found[:2] == [
        "countries.csv, row 1, field 'label': required column is missing",
        "countries.csv, row 1, field 'lable': unknown column: no label has this property",
    ]
    assert len(found) == 3 and re.fullmatch(
        r"countries\.csv: \d{3,} link\(s\) to nodes of countries\.csv were not checked, because that file is invalid",
        found[2],
    ), found


@pytest.mark.parametrize("loader", LOADERS, ids=lambda c: c.__name__)
@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("a: &x 1\nb: *x\n", "f.yaml, line 1: anchors (&x) are not allowed in dataset files; remove it"),
        ("a: [1, *x]\n", "f.yaml, line 1: aliases (*x) are not allowed in dataset files; write the value out"),
        ("a: !!binary AAE=\n", "f.yaml, line 1: YAML tags (tag:yaml.org,2002:binary) are not allowed in dataset files"),
        (
            "a: 1\nb: 2\na: 3\n",
            "f.yaml, line 3, field 'a': duplicate key (first given at line 1); a key may appear once",
        ),
        ("a: 1\n<<: {b: 2}\n", "f.yaml, line 2, field '<<': merge keys (<<) are not allowed in dataset files"),
        ("a: 1\n1: 2\n", "f.yaml, line 2: a key must be text (got 1); quote it"),
        ("a:\n  b: [" + "[" * 30 + "]" * 30 + "]\n", "f.yaml, line 2: lists and mappings are nested more than 20 deep"),
        ("a: 1\nb: \x07\n", "f.yaml, line 2: not valid YAML: the control character U+0007 is not allowed"),
        ("é: 1\nb: \x07\n", "f.yaml, line 2: not valid YAML: the control character U+0007 is not allowed"),
        ("# only a comment\n", "f.yaml: the file has no content (only comments or blank lines)"),
        ("a: " + "9" * 5000 + "\n", "f.yaml, line 1: the number has too many digits"),
    ],
)
def test_yaml_loaders_refuse_what_datasets_may_not_hold(tmp_path: Path, loader: Any, text: str, problem: str) -> None:
    path = tmp_path / "f.yaml"
    path.write_text(text, encoding="utf-8")
    problems = Problems()
    read_yaml(path, problems, "f.yaml", loader=loader)
    assert len(problems.items) == 1 and str(problems.items[0]).startswith(problem), problems.items


def test_a_locator_must_name_a_source_the_fact_cites(tmp_path: Path) -> None:
    good = with_node(id="event-l", label="Event", name="L", kind="m", locators=["source-a: second paragraph"])
    assert any(n.props.get("locators") for n in load_dataset(write_dataset(tmp_path / "good", graph=good)).nodes)
    bad = with_node(id="event-l", label="Event", name="L", kind="m", locators=["source-zzz: second paragraph"])
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(write_dataset(tmp_path / "bad", graph=bad))
    (problem,) = info.value.problems
    assert "field 'locators'" in str(problem) or "which the fact does not cite" in str(problem), problem
    assert "source-zzz" in str(problem)
