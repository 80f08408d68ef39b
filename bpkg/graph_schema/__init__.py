"""The graph model: labels, relationship types, allowed patterns, property models, constraints.

Pure data and pydantic models; no I/O.
"""

from bpkg.graph_schema.constraints import (
    DATASET_LABEL,
    ENTITY_LABEL,
    FULLTEXT_INDEX,
    HEADLINE_LABEL,
    HEADLINE_ROW_LABEL,
    LEASE_DDL,
    LEASE_LABEL,
    constraint_ddl,
    expected_constraint_names,
    index_ddl,
)
from bpkg.graph_schema.dates import (
    DateError,
    DateSpan,
    Precision,
    When,
    changed_ends,
    may_be_after,
    parse_date,
    parse_when,
)
from bpkg.graph_schema.enums import Confidence, Label, RelType, Role, Strength, SuccessionKind, most_certain, weakest
from bpkg.graph_schema.patterns import PATTERNS, allowed_targets, is_allowed
from bpkg.graph_schema.properties import (
    NODE_MODELS,
    REL_MODELS,
    RETIRED_DATES,
    NodeProps,
    Provenance,
    RelProps,
    RespondsToProps,
    SucceedsProps,
    date_conflicts,
    to_properties,
)

__all__ = [
    "DATASET_LABEL",
    "ENTITY_LABEL",
    "FULLTEXT_INDEX",
    "HEADLINE_LABEL",
    "HEADLINE_ROW_LABEL",
    "LEASE_DDL",
    "LEASE_LABEL",
    "NODE_MODELS",
    "PATTERNS",
    "REL_MODELS",
    "RETIRED_DATES",
    "Confidence",
    "DateError",
    "DateSpan",
    "Label",
    "NodeProps",
    "Precision",
    "Provenance",
    "RelProps",
    "RelType",
    "RespondsToProps",
    "Role",
    "Strength",
    "SucceedsProps",
    "SuccessionKind",
    "When",
    "allowed_targets",
    "changed_ends",
    "constraint_ddl",
    "date_conflicts",
    "expected_constraint_names",
    "index_ddl",
    "is_allowed",
    "may_be_after",
    "most_certain",
    "parse_date",
    "parse_when",
    "to_properties",
    "weakest",
]
