"""Files -> validated GraphBatch -> sinks (networkx in memory, Neo4j)."""

import bpkg.loaders.xlsx_env  # noqa: F401 (first: before anything imports openpyxl)
from bpkg.loaders.batch import Counts, DatasetInfo, GraphBatch, LoadSummary, Node, Rel
from bpkg.loaders.dataset import BUNDLED, bundled_path, load_dataset, resolve, template_path
from bpkg.loaders.memory import build_graph, memory_summary
from bpkg.loaders.problems import DatasetInvalid, Loc, Problem
from bpkg.loaders.validation.columns import PLAN_COLUMNS

__all__ = [
    "BUNDLED",
    "PLAN_COLUMNS",
    "Counts",
    "DatasetInfo",
    "DatasetInvalid",
    "GraphBatch",
    "LoadSummary",
    "Loc",
    "Node",
    "Problem",
    "Rel",
    "build_graph",
    "bundled_path",
    "load_dataset",
    "memory_summary",
    "resolve",
    "template_path",
]
