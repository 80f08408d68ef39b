"""Small random graphs that obey the schema, for differential tests of the backends.

``batches()`` draws a valid ``GraphBatch``: a few nodes of every label (each built through its
``graph_schema`` property model), relationships only along ``bpkg.graph_schema.PATTERNS``, with the
provenance and qualifier properties the schema allows. Names mix plain words with the awkward ones
that make tokenisers disagree (apostrophes, decimals, accents, dotted capitals).
"""

from __future__ import annotations

from enum import Enum
from typing import Any, Final

from hypothesis import strategies as st

from bpkg.graph_schema import (
    NODE_MODELS,
    PATTERNS,
    REL_MODELS,
    Confidence,
    Label,
    RelType,
    Role,
    Strength,
    to_properties,
)
from bpkg.loaders import DatasetInfo, GraphBatch, Node, Rel

# (id prefix, fewest, most) per label; the labels traceability is about always have some nodes.
SHAPE: Final[dict[Label, tuple[str, int, int]]] = {
    Label.SOURCE: ("source", 1, 2),
    Label.PROCESS: ("process", 0, 1),
    Label.ORGANISATION: ("org", 0, 2),
    Label.DECLARATION: ("decl", 0, 2),
    Label.ACTION_PLAN: ("plan", 0, 1),
    Label.COMMITMENT: ("commitment", 0, 2),
    Label.PRIORITY_GOAL: ("pg", 1, 3),
    Label.ACTION_POINT: ("ap", 1, 4),
    Label.PROJECT: ("project", 0, 2),
    Label.COMPONENT: ("component", 1, 3),
    Label.ACTIVITY: ("activity", 1, 4),
    Label.OUTPUT: ("output", 0, 2),
    Label.COUNTRY: ("country", 1, 3),
    Label.REGION: ("region", 0, 1),
    Label.EVENT: ("event", 0, 2),
}
WORDS: Final = (
    "Migrant",
    "Resource",
    "Centre",
    "RELEC",
    "Lahore",
    "goal",
    "Knowledge",
    "AP-17",
    "Côte",
    "d'Ivoire",
    "Iraq's",
    "Straße",
    "1.5",
    "Ștefan",
    "İstanbul",
    "Türkiye",
    "x÷y",
)
SEARCHES: Final = (
    "migrant resource",
    "relec",
    "ap 17",
    "ivoire",
    "s",
    "e",
    "5",
    "tefan",
    "stanbul",
    "türk",
    "x÷y",
    "÷",
    "goal 2",
    "centre lahore",
)
_PATTERNS: Final = sorted(PATTERNS)
_CORE: Final = frozenset(
    {RelType.RESPONDS_TO, RelType.UNDER, RelType.PART_OF, RelType.HAS_COMPONENT, RelType.IN_COUNTRY, RelType.ACTIVE_IN}
)
_EXTRA: Final[dict[Label, dict[str, Any]]] = {
    Label.EVENT: {"kind": "meeting"},
}

words_text = st.lists(
    st.one_of(st.sampled_from(WORDS), st.text(alphabet="abcdeklmnorsxyzAEKZ0129éüşß-'", min_size=1, max_size=8)),
    min_size=1,
    max_size=3,
).map(" ".join)
names = words_text.filter(lambda s: bool(s.strip()))


@st.composite
def batches(draw: st.DrawFn) -> GraphBatch:
    """A valid batch of a few dozen nodes and relationships at most."""
    ids: dict[Label, list[str]] = {}
    for label, (prefix, low, high) in SHAPE.items():
        ids[label] = [f"{prefix}-{i}" for i in range(1, draw(st.integers(low, high)) + 1)]
    sources = ids[Label.SOURCE]
    provenance = st.fixed_dictionaries(
        {
            "sources": st.lists(st.sampled_from(sources), min_size=1, max_size=2, unique=True),
            "confidence": st.sampled_from(list(Confidence)),
        },
        optional={"note": names},
    )
    nodes: list[Node] = []
    for label, node_ids in ids.items():
        for node_id in node_ids:
            fields: dict[str, Any] = {"id": node_id, "name": draw(names), **draw(provenance), **_EXTRA.get(label, {})}
            if draw(st.booleans()):
                fields["description"] = draw(names)
            if label in (Label.COMMITMENT, Label.PRIORITY_GOAL, Label.ACTION_POINT):
                fields["number"] = draw(st.integers(1, 5))
            if label is Label.PRIORITY_GOAL:
                fields["gcm_objectives"] = draw(st.lists(st.integers(1, 23), max_size=2))
            if label is Label.COUNTRY:
                fields["iso3"] = "XX" + "ABC"[int(node_id.rsplit("-", 1)[1]) - 1]
                fields["groups"] = draw(
                    st.lists(st.sampled_from(["silk_routes", "eu_member"]), max_size=2, unique=True)
                )
            nodes.append(Node(label, node_id, to_properties(NODE_MODELS[label].model_validate(fields))))
    rels: dict[tuple[str, str, str], Rel] = {}
    available = [p for p in _PATTERNS if ids[p[0]] and ids[p[2]]]
    # Half the draws come from the links traceability is built on, so responses and traces have content.
    core = [p for p in available if p[1] in _CORE]
    pattern = st.one_of(st.sampled_from(core), st.sampled_from(available))
    for (source_label, rel_type, target_label), a, b in draw(
        st.lists(st.tuples(pattern, st.integers(0, 9), st.integers(0, 9)), min_size=3, max_size=40)
    ):
        source = ids[source_label][a % len(ids[source_label])]
        target = ids[target_label][b % len(ids[target_label])]
        props: dict[str, Any] = draw(provenance)
        if rel_type is RelType.RESPONDS_TO:
            props["strength"] = draw(st.sampled_from(list(Strength)))
            props["countries"] = draw(st.lists(st.sampled_from(ids[Label.COUNTRY]), max_size=2, unique=True))
        if rel_type is RelType.PARTICIPATES_IN:
            props["role"] = draw(st.sampled_from(list(Role)))
        for name, spec in REL_MODELS[rel_type].model_fields.items():
            # Any other required qualifier with a closed vocabulary (a SUCCEEDS link's kind, for one).
            kind = spec.annotation
            if spec.is_required() and name not in props and isinstance(kind, type) and issubclass(kind, Enum):
                props[name] = draw(st.sampled_from(list(kind)))
        rel = Rel(rel_type, source, target, to_properties(REL_MODELS[rel_type].model_validate(props)))
        rels[rel.key] = rel
    return GraphBatch(
        info=DatasetInfo(name="generated", version="1", description=draw(names), illustrative="all of it"),
        nodes=nodes,
        rels=list(rels.values()),
    )
