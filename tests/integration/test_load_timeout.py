"""A load's transactions carry their own timeout (``neo4j_sink.LOAD_TIMEOUT``), not the server's default for
questions: at 1M relationships the reload's check of what a dataset owns ran past the 60 s the development
server gives a transaction, and the reload failed. These tests set the load's timeout to 1 s and run a statement
that takes far longer: Neo4j must stop it, which it does only if the load asked for that timeout itself."""

from __future__ import annotations

from typing import Any, Final

import neo4j
import pytest

from bpkg.app.settings import Settings
from bpkg.loaders import neo4j_sink

pytestmark = pytest.mark.neo4j

# Counting this many numbers takes Neo4j tens of seconds: far past a 1 s timeout, well short of 60 s.
SLOW: Final = "UNWIND range(1, 300000000) AS x RETURN count(x) AS count"
SLOW_WRITE: Final = "UNWIND range(1, 300000000) AS x WITH count(x) AS count MERGE (p:TimeoutProbe) SET p.count = count"


def test_a_loads_read_asks_for_the_loads_own_timeout(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neo4j_sink, "LOAD_TIMEOUT", 1.0)
    with pytest.raises(neo4j.exceptions.ClientError) as stopped:
        neo4j_sink._read(neo4j_driver, neo4j_settings.neo4j_database, SLOW)
    assert "TransactionTimedOut" in (stopped.value.code or "")


def test_a_loads_write_asks_for_the_loads_own_timeout(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(neo4j_sink, "LOAD_TIMEOUT", 1.0)

    def work(tx: neo4j.ManagedTransaction) -> Any:
        return tx.run(SLOW_WRITE).consume()

    with neo4j_driver.session(database=neo4j_settings.neo4j_database) as session:
        with pytest.raises(neo4j.exceptions.ClientError) as stopped:
            session.execute_write(neo4j_sink._timed(work))
        assert "TransactionTimedOut" in (stopped.value.code or "")
        # Stopped, so nothing was written.
        assert session.run("MATCH (p:TimeoutProbe) RETURN count(p) AS n").single(strict=True)["n"] == 0
