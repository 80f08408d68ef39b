"""What a dataset's files may hold: the formats a manifest names, the columns of each kind of table, the
fields that hold lists, and the file of source-check results kept beside the manifest."""

from __future__ import annotations

import re
import typing
from typing import Final

from bpkg.graph_schema import NODE_MODELS, REL_MODELS
from bpkg.graph_schema.properties import CheckStatus

FORMATS: Final = ("graph", "nodes", "relationships", "plan", "rdf", "iati")
TABLE_SUFFIXES: Final = (".csv", ".xlsx")
NODE_COLUMNS: Final = ("id", "label", "name", "sources", "confidence")
REL_COLUMNS: Final = ("from", "type", "to", "sources", "confidence")
PLAN_COLUMNS: Final = (
    "action_point",
    "goal",
    "activity",
    "component",
    "project",
    "countries",
    "strength",
    "confidence",
    "source",
    "note",
    "reviewed",
)
PLAN_REQUIRED: Final = ("action_point", "confidence", "source")


def _list_fields() -> frozenset[str]:
    names: set[str] = set()
    for model in [*NODE_MODELS.values(), *REL_MODELS.values()]:
        for fname, info in model.model_fields.items():
            ann = info.annotation
            if typing.get_origin(ann) is tuple or any(typing.get_origin(a) is tuple for a in typing.get_args(ann)):
                names.add(fname)
    return frozenset(names)


LIST_FIELDS: Final = _list_fields()

SOURCE_CHECKS: Final = "source-checks.csv"
"""The results of ``bpkg sources check --write``, kept next to the manifest (``ManifestReading.read_source_checks``)."""
CHECK_COLUMNS: Final = ("source", "checked_on", "status", "reason", "moved_to", "fingerprint")
"""The columns of ``source-checks.csv``, in the order ``bpkg sources check --write`` writes them."""
FINGERPRINT: Final = re.compile(r"sha256:[0-9a-f]{64}")
"""How a stored page fingerprint is written."""
CHECK_STATUSES: Final = typing.get_args(CheckStatus)
# Columns a nodes / relationships table may have: a property of some label / type (or an end of a link).
NODE_KNOWN: Final = frozenset({"label", *(f for m in NODE_MODELS.values() for f in m.model_fields)})
REL_KNOWN: Final = frozenset({"from", "type", "to", *(f for m in REL_MODELS.values() for f in m.model_fields)})
