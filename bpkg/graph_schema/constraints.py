"""Uniqueness constraints and indexes, generated from the schema (DDL cannot take parameters)."""

from __future__ import annotations

from typing import Final, LiteralString, cast

from bpkg.graph_schema.enums import Label, RelType

# Every domain node also carries this label, so an id is unique across labels and a node can be
# found by id alone through one index.
ENTITY_LABEL: Final = "Entity"
# One node of this label records which dataset was loaded, when (not part of the domain graph).
DATASET_LABEL: Final = "Dataset"
# One node of this label is the store's write lease (one loader at a time) and counts the loads that wrote.
LEASE_LABEL: Final = "LoadLease"
# The headline answer derived at load (bpkg.app.store.neo4j.derive): one node of HEADLINE_LABEL per action point and
# dataset version, one of HEADLINE_ROW_LABEL per distinct response to an action point, one of HEADLINE_GOAL_ROW_LABEL
# per distinct response to a goal (kept once for every action point under it), and their orders in parts
# (HEADLINE_ORDER_LABEL, HEADLINE_GOAL_ORDER_LABEL); internal (no Entity label), like the two above.
HEADLINE_LABEL: Final = "Headline"
HEADLINE_ROW_LABEL: Final = "HeadlineRow"
HEADLINE_GOAL_ROW_LABEL: Final = "HeadlineGoalRow"
HEADLINE_ORDER_LABEL: Final = "HeadlineOrder"
HEADLINE_GOAL_ORDER_LABEL: Final = "HeadlineGoalOrder"
# Coverage and gaps kept as JSON when a version is loaded (bpkg.app.store.neo4j.keep): internal, like the above.
KEPT_ANSWER_LABEL: Final = "KeptAnswer"
# The constraint that makes the write lease one node: two loaders merging it meet on the same node.
LEASE_DDL: Final[LiteralString] = (
    "CREATE CONSTRAINT load_lease_name_unique IF NOT EXISTS FOR (n:LoadLease) REQUIRE n.name IS UNIQUE"
)
# Renamed from "entity_text" when other names (aliases) joined it: ``IF NOT EXISTS`` would keep an older index
# of the old name as it was, without them.
FULLTEXT_INDEX: Final = "entity_words"

_UNIQUE = "CREATE CONSTRAINT {name} IF NOT EXISTS FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
# The property every relationship carries with its key (start id and end id; the type is the constraint's):
# a per-type uniqueness constraint on it makes a second copy of a key fail when it is written.
REL_KEY: Final = "_key"
_REL_UNIQUE = "CREATE CONSTRAINT {name} IF NOT EXISTS FOR ()-[r:{type}]-() REQUIRE r.{prop} IS UNIQUE"


def constraint_name(label: str) -> str:
    """Stable constraint name for the id of ``label``."""
    snake = "".join("_" + c.lower() if c.isupper() else c for c in label).lstrip("_")
    return f"{snake}_id_unique"


def rel_key_constraint_name(rel_type: str) -> str:
    """Stable constraint name for the key of relationships of ``rel_type``."""
    return f"{rel_type.lower()}_key_unique"


def _statement(text: str) -> LiteralString:
    # DDL takes no parameters, so it is built here, and only here, from the schema's own names (never from
    # input); the cast tells pyright, which enforces LiteralString at the driver, that this is deliberate.
    return cast(LiteralString, text)  # type: ignore[redundant-cast]  # mypy reads LiteralString as str


def constraint_ddl() -> list[LiteralString]:
    """``CREATE CONSTRAINT ... IF NOT EXISTS`` statements: one per label plus the cross-label ones, and one per
    relationship type on its key (Neo4j 5.x Community has relationship property uniqueness constraints)."""
    labels = [ENTITY_LABEL, *(label.value for label in Label)]
    ddl: list[LiteralString] = [
        _statement(_UNIQUE.format(name=constraint_name(lb), label=lb, prop="id")) for lb in labels
    ]
    ddl.append(_statement(_UNIQUE.format(name="dataset_name_unique", label=DATASET_LABEL, prop="name")))
    ddl.append(LEASE_DDL)
    ddl.extend(
        _statement(_REL_UNIQUE.format(name=rel_key_constraint_name(t.value), type=t.value, prop=REL_KEY))
        for t in RelType
    )
    return ddl


def index_ddl() -> list[LiteralString]:
    """Full-text index over names, other names (a list of texts), descriptions and ids of every domain node."""
    return [
        _statement(
            "CREATE FULLTEXT INDEX "
            + FULLTEXT_INDEX
            + " IF NOT EXISTS FOR (n:"
            + ENTITY_LABEL
            + ") ON EACH [n.name, n.aliases, n.description, n.id]"
        )
    ]


def expected_constraint_names() -> set[str]:
    """Names of all uniqueness constraints the schema requires."""
    return {constraint_name(lb) for lb in [ENTITY_LABEL, *(label.value for label in Label)]} | {
        "dataset_name_unique",
        "load_lease_name_unique",
    }


def rel_key_constraint_names() -> set[str]:
    """Names of the relationship key constraints (``SHOW CONSTRAINTS`` types them ``RELATIONSHIP_UNIQUENESS``)."""
    return {rel_key_constraint_name(t.value) for t in RelType}
