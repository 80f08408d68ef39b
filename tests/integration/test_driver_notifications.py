"""The driver the application opens does not log, at every request, that a property no row holds does not exist;
what else Neo4j notices about a query is still told. Against a real Neo4j."""

from __future__ import annotations

import logging

import pytest

from bpkg.app.neo4j_driver import open_driver
from bpkg.app.settings import Settings

pytestmark = pytest.mark.neo4j


def _told(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name.startswith("neo4j.notifications")]


def test_a_property_no_row_holds_is_not_logged_and_other_notices_are(
    neo4j_settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    driver = open_driver(neo4j_settings.model_copy(update={"backend": "neo4j"}))
    database = neo4j_settings.neo4j_database
    try:
        with caplog.at_level(logging.DEBUG, logger="neo4j.notifications"):
            # A dataset may hold no `reviewed` (or `when`, ...) anywhere, and the answers read them.
            found = driver.execute_query(
                "MATCH (n:Entity) WHERE n.a_key_no_dataset_holds IS NOT NULL RETURN count(n) AS n", database_=database
            )
            assert found.records[0]["n"] == 0
            assert _told(caplog) == []
            # A notice of another kind (a cartesian product: a performance notice) still reaches the log.
            driver.execute_query("MATCH (a:Dataset), (b:Dataset) RETURN count(*) AS n", database_=database)
            assert any("cartesian" in text.casefold() for text in _told(caplog))
    finally:
        driver.close()
