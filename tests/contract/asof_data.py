"""A small dataset for answers as of a date: dated nodes and links of every precision, two plans, succession.

| node / link                  | when                 | what it exercises                                     |
|------------------------------|----------------------|-------------------------------------------------------|
| plan-old                     | 2019-02-20/2024      | a plan whose end (a year) leaves 2024 open            |
| plan-new (SUCCEEDS plan-old) | 2025/2030            | the plan in force from 2025                           |
| ap-3 (SUCCEEDS ap-1)         | (undated)            | a later action point that continues an earlier one    |
| project-1                    | 2019-01/2024-12      | month precision on both sides                         |
| component-1                  | 2020~                | an approximate single date: from about 2020 on        |
| activity-day                 | 2019-06-15/..        | a day, no end known                                   |
| activity-year                | 2022/2023            | a period of whole years (imprecise within them)       |
| activity-undated             | (undated)            | counted, as undated; its link is dated 2021-03/2021-09 |
| activity-list                | [2015,2016]/..       | one of two years (uncertain), no end                  |
| activity-new                 | 2025-05/..           | responds to the successor ap-3                        |
"""

from __future__ import annotations

from typing import Any, Final

from bpkg.graph_schema import NODE_MODELS, REL_MODELS, Label, RelType, to_properties
from bpkg.loaders import DatasetInfo, GraphBatch, Node, Rel

SOURCE: Final = "source-1"
_NODES: Final[list[tuple[Label, str, dict[str, Any]]]] = [
    (Label.SOURCE, SOURCE, {}),
    (Label.ACTION_PLAN, "plan-old", {"when": "2019-02-20/2024"}),
    (Label.ACTION_PLAN, "plan-new", {"when": "2025/2030"}),
    (Label.PRIORITY_GOAL, "pg-1", {"number": 1, "gcm_objectives": [21]}),
    (Label.ACTION_POINT, "ap-1", {"number": 1}),
    (Label.ACTION_POINT, "ap-2", {"number": 2}),
    (Label.ACTION_POINT, "ap-3", {"number": 3}),
    (Label.PROJECT, "project-1", {"when": "2019-01/2024-12"}),
    (Label.COMPONENT, "component-1", {"when": "2020~"}),
    (Label.ACTIVITY, "activity-day", {"when": "2019-06-15/.."}),
    (Label.ACTIVITY, "activity-year", {"when": "2022/2023"}),
    (Label.ACTIVITY, "activity-undated", {}),
    (Label.ACTIVITY, "activity-list", {"when": "[2015,2016]/.."}),
    (Label.ACTIVITY, "activity-new", {"when": "2025-05/.."}),
    (Label.COUNTRY, "country-aaa", {"iso3": "AAA"}),
]
_RELS: Final[list[tuple[str, RelType, str, dict[str, Any]]]] = [
    ("plan-old", RelType.CONTAINS, "ap-1", {}),
    ("plan-old", RelType.CONTAINS, "ap-2", {}),
    ("plan-new", RelType.CONTAINS, "ap-3", {}),
    ("plan-old", RelType.SETS, "pg-1", {}),
    ("plan-new", RelType.SUCCEEDS, "plan-old", {"kind": "continues"}),
    ("ap-3", RelType.SUCCEEDS, "ap-1", {"kind": "continues"}),
    ("ap-1", RelType.UNDER, "pg-1", {}),
    ("ap-2", RelType.UNDER, "pg-1", {}),
    ("ap-3", RelType.UNDER, "pg-1", {}),
    ("activity-day", RelType.RESPONDS_TO, "ap-1", {"strength": "direct"}),
    ("activity-year", RelType.RESPONDS_TO, "ap-1", {"strength": "partial"}),
    ("activity-undated", RelType.RESPONDS_TO, "ap-2", {"strength": "direct", "when": "2021-03/2021-09"}),
    ("component-1", RelType.RESPONDS_TO, "ap-2", {"strength": "indirect"}),
    ("project-1", RelType.RESPONDS_TO, "ap-2", {"strength": "partial"}),
    ("activity-list", RelType.RESPONDS_TO, "pg-1", {"strength": "indirect"}),
    ("activity-new", RelType.RESPONDS_TO, "ap-3", {"strength": "direct"}),
    ("activity-day", RelType.PART_OF, "component-1", {}),
    ("project-1", RelType.HAS_COMPONENT, "component-1", {}),
    ("activity-day", RelType.IN_COUNTRY, "country-aaa", {}),
    ("activity-year", RelType.IN_COUNTRY, "country-aaa", {}),
    ("activity-new", RelType.IN_COUNTRY, "country-aaa", {}),
]


def batch() -> GraphBatch:
    """The dataset above, each node and link built through its schema model."""
    provenance = {"sources": [SOURCE], "confidence": "confirmed"}
    nodes = [
        Node(
            label,
            node_id,
            to_properties(NODE_MODELS[label].model_validate({"id": node_id, "name": node_id, **provenance, **extra})),
        )
        for label, node_id, extra in _NODES
    ]
    rels = [
        Rel(rel_type, a, b, to_properties(REL_MODELS[rel_type].model_validate({**provenance, **extra})))
        for a, rel_type, b, extra in _RELS
    ]
    return GraphBatch(info=DatasetInfo(name="as-of", version="1", description="dated nodes"), nodes=nodes, rels=rels)
