"""What a table's cell holds once read: text, or a ``BadCell`` saying why it cannot be read."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any, TypeAlias

Records: TypeAlias = Iterator[tuple[int, list[Any]]]
"""A table's records as read: (row number, raw cell values), the header first."""


def listed(value: str) -> list[str]:
    """A cell listing values separated by ``;`` (empty parts dropped)."""
    if ";" not in value:  # one value, the common case
        one = value.strip()
        return [one] if one else []
    return [part.strip() for part in value.split(";") if part.strip()]


class BadCell:
    """A cell that cannot be read as a value (a spreadsheet error, a formula with no saved result)."""

    __slots__ = ("reason",)

    def __init__(self, reason: str) -> None:
        self.reason = reason


def cell_text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    text = str(value).strip()
    return text or None
