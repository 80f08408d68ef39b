"""Property: whatever is done to the bundled dataset's files, validation ends in a ``GraphBatch`` or in
``DatasetInvalid`` (never another exception), and in bounded time.

The mutations: flip, insert and delete bytes (also inside a workbook's XML), drop and duplicate lines,
blank CSV cells, and change YAML structure (drop keys, put other kinds of values in).
"""

from __future__ import annotations

import csv
import io
import signal
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpkg.loaders import DatasetInvalid, GraphBatch, bundled_path, load_dataset
from tests.files.test_hostile_files import PLAN, SHEET, plan_rows, write_plan_xlsx

TEXT_FILES = ("manifest.yaml", "reference.yaml", "countries.csv", PLAN)
SECONDS = 30  # a hard stop: a hang fails the test instead of the run

TOKENS = [
    b"\x00",
    b"\x07",
    b"\xff",
    b"\xe2\x80\xae",  # U+202E
    b"&a ",
    b"*a",
    b"[",
    b"]",
    b"{",
    b"\n",
    b"\r",
    b",",
    b";",
    b'"',
    b"'",
    b"- ",
    b": ",
    b"<<: ",
    b"!!binary ",
    b"true",
    b"~",
    b"#",
    b"\t",
    b"  ",
    b"9" * 30,
]

position = st.floats(min_value=0, max_value=1, exclude_max=True)
yaml_value = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=10), max_size=3),
    st.dictionaries(st.text(max_size=5), st.text(max_size=5), max_size=2),
    st.sampled_from(["confirmed", "Source", "ActionPoint", "RESPONDS_TO", "ap-1", "pg-1", "source-sample-plan"]),
)
byte_op = st.one_of(
    st.tuples(st.just("flip"), st.sampled_from(TEXT_FILES), position, st.integers(1, 255)),
    st.tuples(
        st.just("insert"),
        st.sampled_from(TEXT_FILES),
        position,
        st.one_of(st.sampled_from(TOKENS), st.binary(min_size=1, max_size=8)),
    ),
    st.tuples(st.just("delete"), st.sampled_from(TEXT_FILES), position, st.integers(1, 200)),
    st.tuples(st.just("drop_line"), st.sampled_from(TEXT_FILES), position),
    st.tuples(st.just("dup_line"), st.sampled_from(TEXT_FILES), position),
    st.tuples(st.just("blank_cell"), st.sampled_from(("countries.csv", PLAN)), position, st.integers(0, 9)),
    st.tuples(st.just("yaml_drop_key"), position, position),
    st.tuples(st.just("yaml_value"), position, position, yaml_value),
    st.tuples(st.just("xml_flip"), position, st.integers(1, 255)),
    st.tuples(st.just("xml_insert"), position, st.sampled_from([b"<row/>", b'<row r="3">', b"<c>", b"&", b"<"])),
)


@cache
def originals() -> dict[str, bytes]:
    """The bundled files, and the CSV plan as a workbook."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for item in bundled_path().iterdir():
            if item.is_file():
                (folder / item.name).write_bytes(item.read_bytes())
        assert plan_rows(folder)
        files = {name: (folder / name).read_bytes() for name in TEXT_FILES}
        files["plan.xlsx"] = write_plan_xlsx(folder).read_bytes()
    return files


def _at(data: bytes, where: float) -> int:
    return int(where * len(data))


def _lines(data: bytes, where: float) -> tuple[list[bytes], int]:
    lines = data.splitlines(keepends=True) or [b""]
    return lines, int(where * len(lines))


def _yaml_edit(data: bytes, op: tuple[Any, ...]) -> bytes:
    try:
        doc = yaml.safe_load(data)
    except yaml.YAMLError:
        return data
    lists = [(doc or {}).get(key) or [] for key in ("nodes", "relationships")] if isinstance(doc, dict) else []
    items = [item for items in lists if isinstance(items, list) for item in items if isinstance(item, dict)]
    if not items:
        return data
    item = items[int(op[1] * len(items))]
    keys = list(item) or ["id"]
    key = keys[int(op[2] * len(keys))]
    if op[0] == "yaml_drop_key":
        item.pop(key, None)
    else:
        item[key] = op[3]
    return yaml.safe_dump(doc, sort_keys=False, allow_unicode=True).encode()


def _xml_edit(data: bytes, op: tuple[Any, ...]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            parts = {info.filename: book.read(info) for info in book.infolist()}
    except Exception:  # an earlier byte edit broke the zip: leave it broken
        return data
    if SHEET not in parts:
        return data
    xml = bytearray(parts[SHEET])
    at = _at(bytes(xml), op[1])
    if op[0] == "xml_flip":
        xml[at] ^= op[2]
    else:
        xml[at:at] = op[2]
    parts[SHEET] = bytes(xml)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as book:
        for name, content in parts.items():
            book.writestr(name, content)
    return out.getvalue()


def mutate(files: dict[str, bytes], op: tuple[Any, ...], plan: str) -> None:
    kind = op[0]
    if kind.startswith("yaml_"):
        files["reference.yaml"] = _yaml_edit(files["reference.yaml"], op)
        return
    if kind.startswith("xml_"):
        files["plan.xlsx"] = _xml_edit(files["plan.xlsx"], op)
        return
    name = op[1]
    if name == PLAN and plan == "plan.xlsx":
        name = "plan.xlsx"  # byte edits reach the workbook too
    data = files[name]
    if kind == "flip" and data:
        at = min(_at(data, op[2]), len(data) - 1)
        files[name] = data[:at] + bytes([data[at] ^ op[3]]) + data[at + 1 :]
    elif kind == "insert":
        at = _at(data, op[2])
        files[name] = data[:at] + op[3] + data[at:]
    elif kind == "delete":
        at = _at(data, op[2])
        files[name] = data[:at] + data[at + op[3] :]
    elif kind in ("drop_line", "dup_line"):
        lines, at = _lines(data, op[2])
        if kind == "drop_line":
            del lines[at]
        else:
            lines.insert(at, lines[at])
        files[name] = b"".join(lines)
    elif kind == "blank_cell":
        try:
            rows = list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))
        except (UnicodeDecodeError, csv.Error):
            return
        if len(rows) > 1:
            row = rows[1 + int(op[2] * (len(rows) - 1))]
            if op[3] < len(row):
                row[op[3]] = ""
            out = io.StringIO()
            csv.writer(out, lineterminator="\n").writerows(rows)
            files[name] = out.getvalue().encode()


@contextmanager
def hard_timeout(seconds: int) -> Iterator[None]:
    def stop(signum: int, frame: object) -> None:
        raise TimeoutError(f"validation ran for more than {seconds} s")

    previous = signal.signal(signal.SIGALRM, stop)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=60,
    deadline=timedelta(seconds=SECONDS),
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(ops=st.lists(byte_op, min_size=1, max_size=3), plan=st.sampled_from([PLAN, "plan.xlsx"]))
def test_mutated_dataset_is_valid_or_invalid_never_broken(ops: list[tuple[Any, ...]], plan: str) -> None:
    files = dict(originals())
    for op in ops:
        mutate(files, op, plan)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        if plan != PLAN:
            manifest = files["manifest.yaml"].replace(f"path: {PLAN}".encode(), f"path: {plan}".encode())
            (folder / "manifest.yaml").write_bytes(manifest)
        with hard_timeout(SECONDS):
            try:
                result: object = load_dataset(folder)
            except DatasetInvalid as exc:
                result = exc
                assert exc.problems and all(len(str(p)) < 1200 for p in exc.problems)
    assert isinstance(result, GraphBatch | DatasetInvalid)
