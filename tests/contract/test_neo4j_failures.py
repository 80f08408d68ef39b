"""When Neo4j cannot answer, the adapter says why with ``BackendUnavailable`` (HTTP 503), whatever the cause;
a question the server stops at its timeout is ``QueryTimedOut`` (HTTP 504), and Neo4j is not reported down.

Every failure here is real: a port nobody listens on, a user the server does not know, a database
that does not exist, a closed driver, a query the server stops at its timeout.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

import neo4j
import pytest

from bpkg.app.errors import BackendUnavailable, QueryTimedOut
from bpkg.app.http.errors import status_of
from bpkg.app.services.health import health
from bpkg.app.settings import Settings
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.app.store.neo4j.store import unavailable

pytestmark = pytest.mark.neo4j

SLOW: Final = "UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)"


def _driver(uri: str, user: str, password: str) -> neo4j.Driver:
    # No retries: a failure must surface at once, not after the driver's 30 s of back-off.
    return neo4j.GraphDatabase.driver(uri, auth=(user, password), connection_timeout=2, max_transaction_retry_time=0)


@pytest.fixture
def unreachable() -> Iterator[Neo4jStore]:
    # Port 1 on the loopback: nothing listens there, the connection is refused at once.
    with _driver("bolt://127.0.0.1:1", "neo4j", "whatever-password") as driver:
        yield Neo4jStore(driver, "neo4j")


def test_unreachable_server(unreachable: Neo4jStore) -> None:
    with pytest.raises(BackendUnavailable, match="cannot reach Neo4j"):
        unreachable.ping()
    with pytest.raises(BackendUnavailable):
        unreachable.node("ap-17")


def test_refused_credentials(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    # An unknown user rather than a wrong password: the server rate-limits failed logins per user, and
    # locking out the real user would break whoever else uses this server.
    with (
        _driver(neo4j_settings.neo4j_uri, "bpkg-no-such-user", "not-the-password") as driver,
        pytest.raises(BackendUnavailable, match="refused the credentials"),
    ):
        Neo4jStore(driver, neo4j_settings.neo4j_database).ping()


def test_missing_database(neo4j_driver: neo4j.Driver) -> None:
    with pytest.raises(BackendUnavailable, match="no database 'no-such-db'"):
        Neo4jStore(neo4j_driver, "no-such-db").stats()


def test_closed_driver(neo4j_settings: Settings) -> None:
    password = neo4j_settings.neo4j_password.get_secret_value() if neo4j_settings.neo4j_password else ""
    driver = _driver(neo4j_settings.neo4j_uri, neo4j_settings.neo4j_user, password)
    store = Neo4jStore(driver, neo4j_settings.neo4j_database)
    store.ping()
    driver.close()
    with pytest.raises(BackendUnavailable):
        store.ping()


def test_server_side_timeout_is_a_slow_question_not_an_outage(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings
) -> None:
    # No adapter query is slow enough on test data to hit a timeout, so provoke one with a long query
    # through the adapter's own read path, and check what a client and the breaker make of it.
    # The slow query alone gets the short timeout: the questions after it keep the usual one (with 0.05 s for
    # them too, a busy machine made the ping itself time out).
    store = Neo4jStore(neo4j_driver, neo4j_settings.neo4j_database)
    try:
        with pytest.raises(QueryTimedOut, match=r"this question took longer than 0\.05 s") as raised:
            store._read(SLOW, timeout_=0.05)
        assert "TransactionTimedOut" in (getattr(raised.value.__cause__, "code", None) or "")
        assert status_of(raised.value) == 504
        # Not down: the breaker stays closed, the next question goes to Neo4j and is answered.
        assert store.outage.message is None
        store.ping()
        assert health(store, started_at="now").status == "ok"
    finally:
        store.outage.close()


def test_other_errors_are_not_hidden(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    # A bug (here a Cypher syntax error) must surface as itself, not as a 503.
    with pytest.raises(neo4j.exceptions.ClientError) as raised:
        neo4j_driver.execute_query("RETURN (", database_=neo4j_settings.neo4j_database)
    assert raised.value.code == "Neo.ClientError.Statement.SyntaxError"
    assert unavailable(raised.value, neo4j_settings.neo4j_database, 1.0) is raised.value
