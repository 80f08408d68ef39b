"""CSV records, bounded by ``max_rows``; a malformed row or file is a problem with its row number."""

from __future__ import annotations

import csv
from typing import TextIO

from bpkg.loaders.limits import Limits
from bpkg.loaders.problems import Loc, Problems, shorten
from bpkg.loaders.reading.bounded import Stop
from bpkg.loaders.reading.cells import Records


def csv_records(text: TextIO, name: str, problems: Problems, limits: Limits) -> Records:
    reader = csv.reader(text, strict=True)
    header_len: int | None = None
    count = 0
    max_rows = limits.max_rows
    try:
        for fields in reader:
            line = reader.line_num
            count += 1
            if count > max_rows:
                reason = f"the table has more than {limits.max_rows} rows; {limits.hint('max_rows')}"
                problems.add(Loc(name, f"row {line}"), "", reason)
                raise Stop
            if header_len is None:
                header_len = len(fields)
            elif fields and len(fields) < header_len:
                problems.add(
                    Loc(name, f"row {line}"),
                    "",
                    f"malformed row: {len(fields)} fields but the header has {header_len} columns",
                )
                continue
            yield line, fields  # a new list for each row
    except csv.Error as exc:
        problems.add(Loc(name, f"row {reader.line_num}"), "", f"malformed CSV: {shorten(str(exc), 200)}")
        raise Stop from None
