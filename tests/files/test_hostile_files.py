"""Hostile and broken files: the loader stays bounded in time and memory, loses no data silently, and
ends in ``DatasetInvalid`` with short messages, never in a traceback.

Every bad file is made here from a copy of the bundled dataset; the helpers are shared with
test_validation.py and test_mutations.py.
"""

from __future__ import annotations

import csv
import dataclasses
import re
import time
import tracemalloc
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from openpyxl import Workbook

from bpkg.loaders import DatasetInvalid, GraphBatch, bundled_path, load_dataset
from bpkg.loaders.limits import Limits

PLAN = "sample-plan.csv"
SHEET = "xl/worksheets/sheet1.xml"


# -- helpers -------------------------------------------------------------------------------------


def copy_bundled(folder: Path) -> Path:
    """A copy of the bundled dataset to break."""
    folder.mkdir(parents=True, exist_ok=True)
    for item in bundled_path().iterdir():
        if item.is_file():
            (folder / item.name).write_bytes(item.read_bytes())
    return folder


def problems_of(folder: Path, limits: Limits | None = None) -> list[str]:
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(folder, limits=limits)
    return [str(p) for p in info.value.problems]


def use_plan(folder: Path, name: str) -> None:
    """Point the manifest at another plan file."""
    manifest = (folder / "manifest.yaml").read_text(encoding="utf-8")
    assert f"path: {PLAN}" in manifest
    (folder / "manifest.yaml").write_text(manifest.replace(f"path: {PLAN}", f"path: {name}"), encoding="utf-8")


def add_file(folder: Path, name: str, fmt: str) -> None:
    """List one more file in the manifest."""
    with (folder / "manifest.yaml").open("a", encoding="utf-8") as fh:
        fh.write(f"  - {{path: {name}, format: {fmt}}}\n")


def edit_reference(folder: Path, change: Callable[[dict[str, Any]], None]) -> None:
    """Change reference.yaml as data (robust to how the file is laid out), then write it back as YAML."""
    path = folder / "reference.yaml"
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(doc)
    path.write_text(yaml.safe_dump(doc, sort_keys=False, allow_unicode=True, width=10_000), encoding="utf-8")


def insert_nodes_text(folder: Path, text: str) -> None:
    """Put raw YAML at the start of reference.yaml's node list (after ``edit_reference``'s layout)."""
    edit_reference(folder, lambda doc: None)
    path = folder / "reference.yaml"
    content = path.read_text(encoding="utf-8")
    assert content.startswith("nodes:\n- ")
    path.write_text(content.replace("nodes:\n", "nodes:\n" + text, 1), encoding="utf-8")


def node(doc: dict[str, Any], ident: str) -> dict[str, Any]:
    found: dict[str, Any] = next(n for n in doc["nodes"] if n["id"] == ident)
    return found


def plan_rows(folder: Path) -> list[list[str]]:
    with (folder / PLAN).open(encoding="utf-8", newline="") as fh:
        return list(csv.reader(fh))


def write_plan_xlsx(folder: Path, name: str = "plan.xlsx") -> Path:
    """The bundled CSV plan written as a workbook, as a spreadsheet program would."""
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in plan_rows(folder):
        sheet.append([cell or None for cell in row])
    path = folder / name
    book.save(path)
    use_plan(folder, name)
    return path


def rewrite_part(path: Path, part: str, change: Callable[[bytes], bytes]) -> None:
    """Rewrite one part of a zip file (a workbook), keeping the others."""
    with zipfile.ZipFile(path) as source:
        parts = {info.filename: source.read(info) for info in source.infolist()}
    parts[part] = change(parts[part])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            target.writestr(name, data)


def add_sheet_rows(path: Path, rows_xml: bytes) -> None:
    """Append raw ``<row>`` elements to the first sheet of a workbook."""
    rewrite_part(path, SHEET, lambda xml: xml.replace(b"</sheetData>", rows_xml + b"</sheetData>"))


def timed(call: Callable[[], object], *, trace: bool = True) -> tuple[float, int, object]:
    """Seconds, peak traced bytes (0 untraced: tracing slows Python down) and the result (or the
    ``DatasetInvalid``) of a call."""
    if trace:
        tracemalloc.start()
    start = time.perf_counter()
    try:
        result: object = call()
    except DatasetInvalid as exc:
        result = exc
    finally:
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1] if trace else 0
        tracemalloc.stop()
    return elapsed, peak, result


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    return copy_bundled(tmp_path / "dataset")


# -- 1. XLSX: the real extent, never the declared one ---------------------------------------------


def test_stale_xlsx_dimension_loses_no_rows(dataset: Path, bundled_batch: GraphBatch) -> None:
    path = write_plan_xlsx(dataset)
    rewrite_part(path, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:J10"/>', xml))
    with zipfile.ZipFile(path) as book:
        assert b'<dimension ref="A1:J10"/>' in book.read(SHEET)
    batch = load_dataset(dataset)
    assert len(batch.rels) == len(bundled_batch.rels)
    assert batch.fingerprint() == bundled_batch.fingerprint()


def test_oversized_xlsx_dimension_does_not_pad(dataset: Path, bundled_batch: GraphBatch) -> None:
    path = write_plan_xlsx(dataset)
    rewrite_part(
        path, SHEET, lambda xml: re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:XFD1048576"/>', xml)
    )
    elapsed, _, result = timed(lambda: load_dataset(dataset))
    assert isinstance(result, GraphBatch) and result.fingerprint() == bundled_batch.fingerprint()
    assert elapsed < 10


def test_xlsx_row_given_twice_is_reported(dataset: Path) -> None:
    path = write_plan_xlsx(dataset)
    rewrite_part(path, SHEET, lambda xml: xml.replace(b'<row r="3"', b'<row r="2"', 1))
    found = problems_of(dataset)
    assert len(found) == 1 and found[0].startswith("plan.xlsx, row 2: row 2 comes again after row 2"), found


def test_trailing_empty_rows_are_ignored(dataset: Path, bundled_batch: GraphBatch) -> None:
    path = write_plan_xlsx(dataset)
    last = len(plan_rows(dataset))
    blank = b"".join(
        b'<row r="%d"><c r="A%d" t="inlineStr"><is><t> </t></is></c></row>' % (n, n)
        for n in range(last + 1, last + 2001)
    )
    add_sheet_rows(path, blank)
    assert load_dataset(dataset).fingerprint() == bundled_batch.fingerprint()


def test_formula_without_a_saved_result_is_not_read_as_empty(dataset: Path) -> None:
    path = write_plan_xlsx(dataset)
    rewrite_part(path, SHEET, lambda xml: re.sub(rb'<c r="A5"[^>]*>.*?</c>', b'<c r="A5"><f>1+3</f></c>', xml, count=1))
    found = problems_of(dataset)
    assert len(found) == 1 and found[0].startswith("plan.xlsx, row 5, field 'action_point': the cell holds a formula")


# -- 2. YAML aliases, and the size of messages ----------------------------------------------------

BILLION_LAUGHS = """\
nodes:
- &a [lol,lol,lol,lol,lol,lol,lol,lol,lol]
- &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
- &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
- &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
- &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
- &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
- &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
- &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
- &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""


def test_yaml_alias_bomb_is_refused_at_once(dataset: Path) -> None:
    assert len(BILLION_LAUGHS) < 400
    (dataset / "bomb.yaml").write_text(BILLION_LAUGHS, encoding="utf-8")
    add_file(dataset, "bomb.yaml", "graph")
    elapsed, peak, result = timed(lambda: load_dataset(dataset))
    assert isinstance(result, DatasetInvalid)
    assert [str(p) for p in result.problems] == [
        "bomb.yaml, line 2: anchors (&a) are not allowed in dataset files; remove it"
    ]
    assert elapsed < 10 and peak < 100_000_000


def test_yaml_alias_is_refused_with_its_line(dataset: Path) -> None:
    (dataset / "more.yaml").write_text(
        "relationships:\n- from: ap-1\n  type: UNDER\n  to: pg-1\n  sources: *src\n", encoding="utf-8"
    )
    add_file(dataset, "more.yaml", "graph")
    assert problems_of(dataset) == [
        "more.yaml, line 5: aliases (*src) are not allowed in dataset files; write the value out"
    ]


@pytest.mark.parametrize(
    ("limit", "reason"),
    [
        (None, "the text is 100000 characters long; the limit is 10000 (BPKG_MAX_STRING_CHARS)"),
        (200_000, "String should have at most 4000 characters (got 'xxxxxxxx"),
    ],
)
def test_a_100_kb_name_gives_a_short_message(dataset: Path, limit: int | None, reason: str) -> None:
    edit_reference(dataset, lambda doc: node(doc, "ap-1").update(name="x" * 100_000))
    limits = Limits() if limit is None else Limits(max_string_chars=limit)
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(dataset, limits=limits)
    assert len(info.value.problems) == 1 and reason in str(info.value.problems[0]), str(info.value)
    assert len(str(info.value)) < 300, str(info.value)


# -- 3. Limits -----------------------------------------------------------------------------------


def test_xlsx_of_many_empty_rows_is_refused_quickly(dataset: Path) -> None:
    """300 000 rows of one blank cell each (a 1.5 MB file): the row limit stops the reader at row 50 000."""
    path = write_plan_xlsx(dataset)
    first = len(plan_rows(dataset)) + 1
    blank = b'<row r="%d"><c r="A%d" t="inlineStr"><is><t> </t></is></c></row>'
    add_sheet_rows(path, b"".join(blank % (n, n) for n in range(first, 300_000)))
    assert path.stat().st_size < 2_000_000
    elapsed, _, result = timed(lambda: load_dataset(dataset), trace=False)
    assert isinstance(result, DatasetInvalid) and elapsed < 20, elapsed
    assert [str(p) for p in result.problems] == [
        "plan.xlsx, row 50001: the sheet goes on past row 50000; the limit is 50000 (BPKG_MAX_ROWS) "
        "(delete the rows after your data if they are empty)"
    ]
    # What has been read is not kept: memory does not grow with the rows (traced at a lower limit, for speed).
    _, peak, result = timed(lambda: load_dataset(dataset, limits=Limits(max_rows=5_000)))
    assert isinstance(result, DatasetInvalid) and peak < 30_000_000, peak


def test_xlsx_that_unzips_to_too_much_is_refused_unread(dataset: Path) -> None:
    path = write_plan_xlsx(dataset)
    add_sheet_rows(path, b"<row/>" * 6_000_000)
    assert path.stat().st_size < 1_000_000
    elapsed, _, result = timed(lambda: load_dataset(dataset))
    assert isinstance(result, DatasetInvalid) and elapsed < 5
    assert len(result.problems) == 1
    assert re.fullmatch(
        r"plan\.xlsx: the workbook unzips to \d+ bytes; the limit is 32000000 \(BPKG_MAX_UNPACKED_BYTES\)",
        str(result.problems[0]),
    )


def test_csv_rows_are_bounded(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    rows = len(plan_rows(dataset))
    monkeypatch.setenv("BPKG_MAX_ROWS", str(rows - 1))
    found = problems_of(dataset)
    expected = f"{PLAN}, row {rows}: the table has more than {rows - 1} rows; the limit is {rows - 1} (BPKG_MAX_ROWS)"
    assert expected in found, found
    monkeypatch.setenv("BPKG_MAX_ROWS", str(rows))
    load_dataset(dataset)


def test_a_csv_row_of_a_million_cells(dataset: Path) -> None:
    with (dataset / PLAN).open("a", encoding="utf-8") as fh:
        fh.write("," * 600_000 + "\n")
    elapsed, _, result = timed(lambda: load_dataset(dataset))
    assert isinstance(result, DatasetInvalid) and elapsed < 10
    found = [str(p) for p in result.problems]
    assert len(found) == 1 and "the table has more than 500000 cells" in found[0], found


def test_file_size_is_bounded(dataset: Path) -> None:
    size = (dataset / "reference.yaml").stat().st_size
    found = problems_of(dataset, Limits(max_file_bytes=size - 1))
    assert found[0] == f"reference.yaml: the file is {size} bytes; the limit is {size - 1} (BPKG_MAX_FILE_BYTES)"
    # What the unread file would have defined is not reported link by link.
    assert len(found) == 2 and "could not be read whole" in found[1], found


def test_dataset_size_and_file_count_are_bounded(dataset: Path) -> None:
    found = problems_of(dataset, Limits(max_dataset_bytes=100_000))
    assert any("the dataset's files add up to" in p and "BPKG_MAX_DATASET_BYTES" in p for p in found), found
    found = problems_of(dataset, Limits(max_files=2))
    assert found == [
        "manifest.yaml, line 2, field 'files': the manifest lists 3 files; the limit is 2 (BPKG_MAX_FILES)"
    ]


def test_the_same_file_listed_twice(dataset: Path) -> None:
    add_file(dataset, "./reference.yaml", "graph")
    found = problems_of(dataset)
    assert len(found) == 1 and "'./reference.yaml' is listed twice (first at manifest.yaml, line" in found[0]


def test_problems_listed_are_bounded(dataset: Path) -> None:
    with (dataset / PLAN).open("a", encoding="utf-8") as fh:
        fh.writelines(f"{n},9,,,,,,illustrative,source-sample-plan,\n" for n in range(1000, 1500))
    with pytest.raises(DatasetInvalid) as info:
        load_dataset(dataset, limits=Limits(max_problems=20))
    assert len(info.value.problems) == 20 and info.value.omitted > 480
    assert "more, not listed" in str(info.value).splitlines()[-1]


def test_bad_limit_in_the_environment(dataset: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BPKG_MAX_ROWS", "lots")
    assert problems_of(dataset) == ["environment: BPKG_MAX_ROWS must be a whole number of at least 1 (got 'lots')"]


def test_limits_are_documented() -> None:
    docs = (Path(__file__).parents[2] / "docs" / "dataset-format.md").read_text(encoding="utf-8")
    for field in dataclasses.fields(Limits):
        row = f"| `{Limits.env_name(field.name)}` | {getattr(Limits(), field.name)} |"
        assert row in docs, row


# -- 9. Nesting, symlinks, empty files -----------------------------------------------------------


def test_deeply_nested_yaml_is_a_clean_error(dataset: Path) -> None:
    insert_nodes_text(dataset, "- {id: x-1, label: Event, name: " + "[" * 5000 + "]" * 5000 + "}\n")
    elapsed, _, result = timed(lambda: load_dataset(dataset))
    assert isinstance(result, DatasetInvalid) and elapsed < 10
    found = [str(p) for p in result.problems]
    assert found[0] == (
        "reference.yaml, line 2: lists and mappings are nested more than 20 deep; the limit is 20 (BPKG_MAX_DEPTH)"
    )


def test_comment_only_graph_file(dataset: Path) -> None:
    (dataset / "extra.yaml").write_text("# nothing here yet\n\n", encoding="utf-8")
    add_file(dataset, "extra.yaml", "graph")
    assert problems_of(dataset) == ["extra.yaml: the file has no content (only comments or blank lines)"]


def test_graph_file_with_neither_nodes_nor_relationships(dataset: Path) -> None:
    (dataset / "extra.yaml").write_text("{}\n", encoding="utf-8")
    add_file(dataset, "extra.yaml", "graph")
    assert problems_of(dataset) == ["extra.yaml, line 1: the file has neither 'nodes' nor 'relationships'"]


def test_symlink_out_of_the_dataset_is_refused(dataset: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.csv"
    outside.write_bytes((dataset / "countries.csv").read_bytes())
    (dataset / "countries.csv").unlink()
    (dataset / "countries.csv").symlink_to(outside)
    found = problems_of(dataset)
    assert found[0].endswith(
        "field 'path': 'countries.csv' is a link that leads outside the dataset folder; such links are refused"
    ), found
    assert len(found) == 2 and "could not be read whole" in found[1], found


def test_path_outside_the_dataset_is_refused(dataset: Path) -> None:
    add_file(dataset, "../../etc/passwd", "nodes")
    found = problems_of(dataset)
    assert len(found) == 1 and "'../../etc/passwd' is outside the dataset folder" in found[0], found
