"""Reading the files a manifest lists, one row or item at a time: tables (nodes, relationships, plans), YAML
graph files, RDF and IATI files; their headers and keys are checked here, their rows by ``records``."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from bpkg.graph_schema import RETIRED_DATES
from bpkg.loaders.checks import FREE_TEXT
from bpkg.loaders.formats import iati, rdf
from bpkg.loaders.problems import Loc, Problems, excerpt
from bpkg.loaders.reading.cells import listed
from bpkg.loaders.reading.tables import Row, Table, read_table, scan_csv
from bpkg.loaders.reading.yaml_safe import LINE_KEY, read_graph_yaml
from bpkg.loaders.validation.columns import (
    LIST_FIELDS,
    NODE_COLUMNS,
    NODE_KNOWN,
    PLAN_COLUMNS,
    PLAN_REQUIRED,
    REL_COLUMNS,
    REL_KNOWN,
)
from bpkg.loaders.validation.records import RecordChecks
from bpkg.loaders.validation.state import ID_RE, FailedFile, plain


def _row_data(data: dict[str, Any]) -> dict[str, Any]:
    """A row's given values (``plain``) with its lists split, in place."""
    for key in LIST_FIELDS.intersection(data):
        data[key] = listed(data[key])
    return data


def _claimed_ids(table: Table, problems: Problems) -> frozenset[str] | None:
    """Ids a nodes table holds, read from its ``id`` column (or its first column when the header is wrong)."""
    if not table.complete:
        return None
    key = "id" if "id" in table.columns else table.columns[0]
    ids = {ident for row in table.rows(problems) if (ident := row.cells.get(key))}
    if key != "id" and ID_RE.fullmatch(key):
        ids.add(key)  # the header row itself may be the first data row
    return frozenset(ids)


class FileReading(RecordChecks):
    """Reads the content of each kind of file into nodes and relationships."""

    def _read_table(self, path: Path, rel: str, fmt: str, sheet: str | None = None) -> None:
        required = {"nodes": NODE_COLUMNS, "relationships": REL_COLUMNS, "plan": PLAN_REQUIRED}[fmt]
        if path.suffix.lower() == ".csv":
            self._scan_table(path, rel, fmt, required)
            return
        table = read_table(path, self.problems, rel, self.limits, sheet=sheet, columns=frozenset(required))
        checked = None if table is None else self._header_checks(table, rel, fmt, required, self.problems)
        unknown = self._usable(table, rel, fmt, checked)
        if table is None or unknown is None:
            return
        for row in table.rows(self.problems):
            self._take_row(row, fmt, unknown)
        if fmt == "plan":
            self.plans.append((rel, table, unknown))  # its rows are read again in the plan step

    def _usable(self, table: Table | None, rel: str, fmt: str, unknown: frozenset[str] | None) -> frozenset[str] | None:
        """A table read (``None``: unreadable) with its header checked (``unknown``: the columns it does not know,
        ``None`` when the header is refused): ``unknown`` when its rows are to be taken, else ``None``. A nodes file
        that is unreadable, refused or cut short is noted as failed (its ids claimed where the header allows), so
        that links to its nodes are not reported as dangling."""
        if table is None:
            if fmt == "nodes":
                self.failed.append(FailedFile(rel, None))
            return None
        if unknown is None:
            if fmt == "nodes":
                self.failed.append(FailedFile(rel, _claimed_ids(table, self.problems)))
            return None
        if not table.complete and fmt == "nodes":
            self.failed.append(FailedFile(rel, None))
        return unknown

    def _scan_table(self, path: Path, rel: str, fmt: str, required: tuple[str, ...]) -> None:
        """``_read_table`` of a CSV file, read once: each row is taken as it is read. The problems of its header and
        rows are kept apart until the file is read, so that they follow all its reading problems, as they do when
        a table is read twice (a workbook's)."""
        later = Problems(self.limits.max_problems)
        header: list[frozenset[str] | None] = []

        def start(table: Table) -> Callable[[Row], None] | None:
            header.append(unknown := self._header_checks(table, rel, fmt, required, later))
            if unknown is None:
                return None
            return lambda row: self._take_row(row, fmt, unknown, later)

        table = scan_csv(path, self.problems, rel, self.limits, start)
        if table is not None:
            self.problems.extend(later)
        unknown = self._usable(table, rel, fmt, header[0] if table is not None else None)
        if table is None or unknown is None:
            return
        if fmt == "plan":
            self.plans.append((rel, table, unknown))  # its rows are read again in the plan step

    def _header_checks(
        self, table: Table, rel: str, fmt: str, required: tuple[str, ...], problems: Problems
    ) -> frozenset[str] | None:
        """The unknown columns of a table (each a problem), or ``None`` when its rows cannot be read: a required
        column is missing or the header is not sound."""
        header = Loc(rel, "row 1")
        missing = [c for c in required if c not in table.columns]
        for col in missing:
            problems.add(header, col, "required column is missing")
        unknown = self._unknown_columns(header, table, fmt, problems)
        return None if missing or not table.ok else unknown

    def _unknown_columns(self, header: Loc, table: Table, fmt: str, problems: Problems) -> frozenset[str]:
        """The columns of a table that no property of its kind has, each reported with what to do."""
        known = {"nodes": NODE_KNOWN, "relationships": REL_KNOWN, "plan": frozenset(PLAN_COLUMNS)}[fmt]
        unknown = frozenset(c for c in table.columns if c and c not in known)
        for col in table.columns:
            if col in unknown:
                if fmt != "plan" and col in RETIRED_DATES:
                    reason = RETIRED_DATES[col]
                elif fmt == "plan":
                    reason = f"unknown column; plan columns are {', '.join(PLAN_COLUMNS)}"
                else:
                    what = "label" if fmt == "nodes" else "relationship type"
                    reason = f"unknown column: no {what} has this property"
                problems.add(header, col, reason)
        return unknown

    def _take_row(self, row: Row, fmt: str, unknown: frozenset[str], problems: Problems | None = None) -> None:
        """One row of a nodes or relationships table (a plan's rows are read in the plan step); its value problems
        go to ``problems`` (by default the dataset's)."""
        cells = {key: value for key, value in row.cells.items() if key not in unknown} if unknown else row.cells
        data = plain(cells)
        if row.bad or self._bad_values(row.loc, data, problems):
            ident = cells.get("id")
            if fmt == "nodes" and ident:
                self.invalid_ids.add(ident)
            return
        if fmt == "nodes":
            self._take_node(row.loc, _row_data(data))
        elif fmt == "relationships":
            source, target = data.pop("from", None), data.pop("to", None)
            # each value is a cell's text: the same text is the same properties (free text is seldom said twice)
            key = None if FREE_TEXT.intersection(data) else (None, *data.items())
            self._link(row.loc, source, target, _row_data(data), cells=key)

    def _plan_rows(self, table: Table, unknown: frozenset[str]) -> Iterator[Row]:
        """The rows of a plan that passed the reading checks (whose problems were reported then)."""
        quiet = Problems(0)
        for row in table.rows(self.problems):
            cells = {key: value for key, value in row.cells.items() if key not in unknown}
            if not row.bad and not self._bad_values(row.loc, plain(cells), quiet):
                yield row

    def _read_items(self, path: Path, name: str, fmt: str) -> None:
        """An RDF file of the product's vocabulary, or an IATI activity file: read as node and link items."""
        if fmt == "rdf":
            graph = rdf.parse(path, self.problems, name, self.limits)
            found = None if graph is None else rdf.items(graph, name, LIST_FIELDS, self.problems)
        else:
            found = iati.items(path, self.problems, name, self.limits)
        if found is None:
            self.failed.append(FailedFile(name, None))
            return
        for item in found:
            if self._bad_values(item.loc, plain(item.data)):
                if isinstance(item.data.get("id"), str) and item.kind == "nodes":
                    self.invalid_ids.add(item.data["id"])
                continue
            if item.kind == "nodes":
                self._take_node(item.loc, item.data)
            else:
                self._take_link(item.loc, item.data)

    def _read_graph(self, path: Path, name: str) -> None:
        doc = read_graph_yaml(path, self.problems, name, self.limits)
        if doc is None:
            self.failed.append(FailedFile(name, None))
            return
        if not doc.mapping:
            self.problems.add(Loc(name), "", "a graph file must be a mapping with 'nodes' and 'relationships'")
            self.failed.append(FailedFile(name, None))
            return
        top = Loc(name, f"line {doc.line}")
        for key in doc.keys:
            if key not in ("nodes", "relationships"):
                self.problems.add(top, str(key), "unknown top-level key")
        items_read = 0
        for key in ("nodes", "relationships"):
            kind = doc.lists.get(key)
            if kind == "other":
                self.problems.add(top, key, "must be a list")
                if key == "nodes":
                    self.failed.append(FailedFile(name, None))
                continue
            if kind != "list":
                continue
            for item in doc.items(key, self.problems):
                items_read += self._take_item(name, key, item)
        if not items_read and "nodes" not in doc.keys and "relationships" not in doc.keys:
            self.problems.add(top, "", "the file has neither 'nodes' nor 'relationships'")

    def _take_item(self, name: str, key: str, item: Any) -> int:
        """One item of a graph file's ``nodes`` or ``relationships`` list; 1 when it is a mapping (an item read),
        else 0 (with a problem)."""
        if not isinstance(item, dict):
            self.problems.add(Loc(name), key, f"item {excerpt(item)} must be a mapping")
            return 0
        loc = Loc(name, f"line {item.pop(LINE_KEY)}")
        ident = item.get("id") if key == "nodes" else None
        if any(isinstance(v, dict) for v in item.values()):
            self.problems.add(loc, "", "nested mappings are not allowed as property values")
            bad = True
        else:
            bad = self._bad_values(loc, item)
        if bad:
            if isinstance(ident, str):
                self.invalid_ids.add(ident)
        elif key == "nodes":
            self._take_node(loc, item)
        else:
            self._take_link(loc, item)
        return 1
