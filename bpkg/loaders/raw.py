"""Records as read from files, before validation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bpkg.loaders.problems import Loc


@dataclass(slots=True)
class RawRel:
    loc: Loc
    data: dict[str, Any]
    # The fields that name each end, for messages (a plan row names them by its own columns).
    from_field: str = "from"
    to_field: str = "to"
