"""The graph model: labels, relationship types, allowed patterns, property models, constraints.

Pure data and pydantic models; no I/O.
"""

from graph_schema.constraints import (
    DATASET_LABEL,
    ENTITY_LABEL,
    FULLTEXT_INDEX,
    constraint_ddl,
    expected_constraint_names,
    index_ddl,
)
from graph_schema.enums import Confidence, Label, RelType, Role, Strength, most_certain, weakest
from graph_schema.models import (
    NODE_MODELS,
    REL_MODELS,
    NodeProps,
    Provenance,
    RelProps,
    RespondsToProps,
    to_properties,
)
from graph_schema.patterns import PATTERNS, allowed_targets, is_allowed

__all__ = [
    "DATASET_LABEL",
    "ENTITY_LABEL",
    "FULLTEXT_INDEX",
    "NODE_MODELS",
    "PATTERNS",
    "REL_MODELS",
    "Confidence",
    "Label",
    "NodeProps",
    "Provenance",
    "RelProps",
    "RelType",
    "RespondsToProps",
    "Role",
    "Strength",
    "allowed_targets",
    "constraint_ddl",
    "expected_constraint_names",
    "index_ddl",
    "is_allowed",
    "most_certain",
    "to_properties",
    "weakest",
]
