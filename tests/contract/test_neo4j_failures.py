"""When Neo4j cannot answer, the adapter says why with ``BackendUnavailable`` (HTTP 503), whatever the cause.

Every failure here is real: a port nobody listens on, a user the server does not know, a database
that does not exist, a closed driver, a query the server stops at its timeout.
"""

from __future__ import annotations

from collections.abc import Iterator

import neo4j
import pytest

from app.errors import BackendUnavailable
from app.settings import Settings
from app.store.neo4j import Neo4jStore
from app.store.neo4j.store import unavailable

pytestmark = pytest.mark.neo4j


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


def test_server_side_timeout_is_reported_as_unavailable(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    # No adapter query is slow enough on test data to hit a timeout, so provoke one with a long query
    # and check how the adapter maps the error the server really sends.
    slow = neo4j.Query("UNWIND range(1, 100000000) AS x WITH x WHERE x % 7 = 3 RETURN count(x)", timeout=0.05)
    with pytest.raises(neo4j.exceptions.ClientError) as raised:
        neo4j_driver.execute_query(slow, database_=neo4j_settings.neo4j_database, routing_=neo4j.RoutingControl.READ)
    assert "TransactionTimedOut" in (raised.value.code or "")
    mapped = unavailable(raised.value, neo4j_settings.neo4j_database, 0.05)
    assert isinstance(mapped, BackendUnavailable) and "0.05 s query timeout" in str(mapped)


def test_other_errors_are_not_hidden(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> None:
    # A bug (here a Cypher syntax error) must surface as itself, not as a 503.
    with pytest.raises(neo4j.exceptions.ClientError) as raised:
        neo4j_driver.execute_query("RETURN (", database_=neo4j_settings.neo4j_database)
    assert raised.value.code == "Neo.ClientError.Statement.SyntaxError"
    assert unavailable(raised.value, neo4j_settings.neo4j_database, 1.0) is raised.value
