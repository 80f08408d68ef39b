"""The manifest and what sits beside it: the dataset's name and version, the files it lists (each a regular
file inside the folder, within the size limits), and the results of the last source check."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path
from typing import Any

from bpkg.graph_schema import DateError, parse_date
from bpkg.loaders.batch import DatasetInfo
from bpkg.loaders.problems import Loc, excerpt, shorten
from bpkg.loaders.reading.tables import Row, read_table
from bpkg.loaders.reading.yaml_safe import LINE_KEY, read_yaml
from bpkg.loaders.validation.columns import (
    CHECK_COLUMNS,
    CHECK_STATUSES,
    FINGERPRINT,
    FORMATS,
    SOURCE_CHECKS,
    TABLE_SUFFIXES,
)
from bpkg.loaders.validation.files import FileReading
from bpkg.loaders.validation.state import ID_RE, FailedFile, plain


def _read_size(path: Path) -> int:
    """Bytes the readers go through: the file's size, or for a workbook the size of its parts unzipped."""
    size = path.stat().st_size
    if path.suffix.lower() == ".xlsx":
        try:
            with zipfile.ZipFile(path) as archive:
                return max(size, sum(info.file_size for info in archive.infolist()))
        except (zipfile.BadZipFile, EOFError, ValueError):
            pass  # reported when the file is read
    return size


class ManifestReading(FileReading):
    """Reads the manifest, the source checks and every file the manifest lists."""

    def read_manifest(self) -> DatasetInfo | None:
        name = "manifest.yaml"
        path = self.folder / name
        if not path.is_file():
            self.problems.add(Loc(name), "", f"no manifest.yaml in {shorten(str(self.folder), 200)}")
            return None
        doc = read_yaml(path, self.problems, name, self.limits)
        if doc is None:
            return None
        if not isinstance(doc, dict):
            self.problems.add(Loc(name), "", "the manifest must be a mapping")
            return None
        loc = Loc(name, f"line {doc.get(LINE_KEY, 1)}")
        texts = {key: doc.get(key) for key in ("name", "version", "description", "illustrative")}
        for key, value in texts.items():
            if isinstance(value, dict | list):
                self.problems.add(loc, key, "must be text")
                texts[key] = None
        self._bad_values(loc, plain(texts))
        for key in ("name", "version", "files"):
            if not doc.get(key):
                self.problems.add(loc, key, "required manifest entry is missing")
        dname = str(texts["name"] or "")
        if dname and not ID_RE.fullmatch(dname):
            self.problems.add(loc, "name", "use lower-case letters, digits and hyphens")
        files = doc.get("files") or []
        if not isinstance(files, list):
            self.problems.add(loc, "files", "must be a list of {path, format}")
            files = []
        if len(files) > self.limits.max_files:
            self.problems.add(loc, "files", f"the manifest lists {len(files)} files; {self.limits.hint('max_files')}")
            files = []
        self.read_source_checks()
        for entry in files:
            self._read_file_entry(entry, name)
        return DatasetInfo(
            name=dname,
            version=str(texts["version"] or ""),
            description=str(texts["description"] or "").strip(),
            illustrative=str(texts["illustrative"] or "").strip(),
        )

    def read_source_checks(self) -> None:
        """``source-checks.csv``, written by ``bpkg sources check --write`` (not listed in the manifest): per
        cited source, when it was last checked and what was found. The results become the Source's
        ``checked_on``, ``check_status`` and ``moved_to``; a page found changed or gone puts the facts resting on
        it up for review (``warnings``)."""
        path = self.folder / SOURCE_CHECKS
        if not path.is_file():
            return
        table = read_table(path, self.problems, SOURCE_CHECKS, self.limits)
        if table is None:
            return
        for col in ("source", "checked_on", "status"):
            if col not in table.columns:
                self.problems.add(Loc(SOURCE_CHECKS, "row 1"), col, "required column is missing")
        for col in table.columns:
            if col not in CHECK_COLUMNS:
                self.problems.add(Loc(SOURCE_CHECKS, "row 1"), col, f"unknown column; use {', '.join(CHECK_COLUMNS)}")
        if not table.ok or not {"source", "checked_on", "status"} <= set(table.columns):
            return
        for row in table.rows(self.problems):
            if not row.bad and not self._bad_values(row.loc, plain(dict(row.cells))):
                self._take_source_check(row)

    def _take_source_check(self, row: Row) -> None:
        """One row of ``source-checks.csv``: kept when its source is new to the file, its date and status sound and
        its new address (if any) a web address; each problem reported."""
        cells = {key: (value or "").strip() for key, value in row.cells.items()}
        source, on, status, moved = cells["source"], cells["checked_on"], cells["status"], cells.get("moved_to", "")
        bad = False
        if not source:
            self.problems.add(row.loc, "source", "required value is missing")
            bad = True
        elif source in self.source_checks:
            first = self.at(self.source_checks[source][0])
            self.problems.add(row.loc, "source", f"{excerpt(source)} was checked in an earlier row ({first})")
            bad = True
        try:
            parse_date(on)
        except DateError as exc:
            self.problems.add(row.loc, "checked_on", str(exc) if on else "required value is missing")
            bad = True
        if status not in CHECK_STATUSES:
            known = ", ".join(CHECK_STATUSES)
            self.problems.add(row.loc, "status", f"unknown status {excerpt(status)}; use {known}")
            bad = True
        if moved and not re.fullmatch(r"https?://\S+", moved):
            self.problems.add(row.loc, "moved_to", "must be a web address (http:// or https://)")
            bad = True
        kept = cells.get("fingerprint", "")
        if kept and not FINGERPRINT.fullmatch(kept):
            self.problems.add(row.loc, "fingerprint", "must be sha256: and 64 hexadecimal digits (lower case)")
            bad = True
        if not bad:
            found = {"checked_on": on, "check_status": status} | ({"moved_to": moved} if moved else {})
            found |= {"fingerprint": kept} if kept else {}
            self.source_checks[self._one(source)] = (self.code(row.loc), found)

    def _dataset_file(self, loc: Loc, rel: str) -> Path | None:
        """The file a manifest entry names, if it is a regular file inside the dataset folder."""
        shown = shorten(rel)
        try:
            root = self.folder.resolve()
            candidate = self.folder / rel
            target = candidate.resolve()
            through_link = False
            step = self.folder
            for part in Path(rel).parts:
                step = step / part
                through_link = through_link or step.is_symlink()
            if not target.is_relative_to(root):
                if through_link:
                    reason = f"'{shown}' is a link that leads outside the dataset folder; such links are refused"
                else:
                    reason = f"'{shown}' is outside the dataset folder; give a path inside it"
                self.problems.add(loc, "path", reason)
                return None
            if not target.exists():
                self.problems.add(loc, "path", f"file '{shown}' not found in the dataset folder")
                return None
            if target.is_dir():
                self.problems.add(loc, "path", f"'{shown}' is a folder, not a file")
                return None
            if not target.is_file():
                self.problems.add(loc, "path", f"'{shown}' is not a regular file")
                return None
            size = _read_size(target)
        except (OSError, ValueError, RuntimeError) as exc:  # RuntimeError: a loop of links
            self.problems.add(loc, "path", f"'{shown}' cannot be used as a path ({exc.__class__.__name__})")
            return None
        if target in self.seen_files:
            self.problems.add(loc, "path", f"'{shown}' is listed twice (first at {self.seen_files[target]})")
            return None
        self.seen_files[target] = str(loc)
        self.total_bytes += size
        if self.total_bytes > self.limits.max_dataset_bytes:
            self.problems.add(
                loc,
                "path",
                f"with '{shown}' the dataset's files add up to {self.total_bytes} bytes (workbooks unzipped); "
                f"{self.limits.hint('max_dataset_bytes')}",
            )
            return None
        return target

    def _read_file_entry(self, entry: Any, manifest: str) -> None:
        if not isinstance(entry, dict):
            self.problems.add(Loc(manifest), "files", f"entry {excerpt(entry)} must be a mapping {{path, format}}")
            return
        loc = Loc(manifest, f"line {entry.get(LINE_KEY, 1)}")
        for key in ("path", "format", "sheet"):
            if isinstance(entry.get(key), dict | list):
                self.problems.add(loc, key, "must be text")
                return
        named = {"path": entry.get("path"), "format": entry.get("format"), "sheet": entry.get("sheet")}
        if self._bad_values(loc, plain(named)):
            return
        sheet = None if entry.get("sheet") is None else str(entry.get("sheet"))
        rel = str(entry.get("path") or "")
        fmt = str(entry.get("format") or "")
        if fmt not in FORMATS:
            self.problems.add(loc, "format", f"{excerpt(fmt)} is not one of {', '.join(FORMATS)}")
            return
        if not rel:
            self.problems.add(loc, "path", "required manifest entry is missing")
            return
        path = self._dataset_file(loc, rel)
        if path is None:
            if fmt in ("graph", "nodes"):
                self.failed.append(FailedFile(shorten(rel), None))
            return
        if fmt in ("rdf", "iati"):
            self._read_items(path, shorten(rel), fmt)
            return
        if fmt == "graph":
            if path.suffix.lower() not in (".yaml", ".yml"):
                self.problems.add(loc, "path", "a 'graph' file must be YAML (.yaml)")
                return
            self._read_graph(path, shorten(rel))
            return
        if path.suffix.lower() not in TABLE_SUFFIXES:
            self.problems.add(loc, "path", f"a '{fmt}' file must be .csv or .xlsx")
            return
        if sheet is not None and path.suffix.lower() != ".xlsx":
            self.problems.add(loc, "sheet", "only a workbook (.xlsx) has sheets; remove 'sheet' or list the workbook")
            return
        self._read_table(path, shorten(rel), fmt, sheet)
