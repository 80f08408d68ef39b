"""Property: whatever is done to the bundled dataset's files, loading into Neo4j either succeeds with exactly
the mutated dataset's content or, when validation refuses it, leaves Neo4j exactly as it was.

The mutations are those of tests/files/test_mutations.py (bytes, lines, cells, YAML structure, workbook XML).
"""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

import neo4j
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bpkg.app.settings import Settings
from bpkg.loaders import DatasetInvalid, GraphBatch, load_dataset
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import ensure_loaded
from tests.files.test_hostile_files import PLAN
from tests.files.test_mutations import byte_op, mutate, originals
from tests.integration.test_neo4j_load import as_sets, snapshot

pytestmark = pytest.mark.neo4j


def _write(files: dict[str, bytes], folder: Path, plan: str) -> None:
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if plan != PLAN:
        manifest = files["manifest.yaml"].replace(f"path: {PLAN}".encode(), f"path: {plan}".encode())
        (folder / "manifest.yaml").write_bytes(manifest)


@settings(
    max_examples=12,
    deadline=timedelta(seconds=60),
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ops=st.lists(byte_op, min_size=1, max_size=2), plan=st.sampled_from([PLAN, "plan.xlsx"]))
# A plan row dropped: still valid, with links fewer; the load must write exactly that.
@example(ops=[("drop_line", PLAN, 0.7)], plan=PLAN)
def test_a_mutated_dataset_loads_exactly_or_changes_nothing(
    neo4j_driver: neo4j.Driver,
    neo4j_settings: Settings,
    bundled_batch: GraphBatch,
    ops: list[tuple[Any, ...]],
    plan: str,
) -> None:
    database = neo4j_settings.neo4j_database
    ensure_loaded(neo4j_driver, database, bundled_batch)
    before = snapshot(neo4j_driver, database)
    files = dict(originals())
    for op in ops:
        mutate(files, op, plan)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        _write(files, folder, plan)
        try:
            batch = load_dataset(folder)
        except DatasetInvalid:
            batch = None
        if batch is None:
            # The CLI's path: validation first, nothing written on any problem.
            from bpkg.app.cli import main

            assert main(["load", str(folder), "--backend", "neo4j", "--prune"]) == 1
            assert snapshot(neo4j_driver, database) == before
        else:
            write_batch(neo4j_driver, batch, database, prune=True)
            assert snapshot(neo4j_driver, database) == as_sets(batch)
            if ops == [("drop_line", PLAN, 0.7)]:
                assert len(batch.rels) < len(bundled_batch.rels)  # the example does exercise a change
