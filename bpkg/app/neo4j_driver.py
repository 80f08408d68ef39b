"""Opening the one Neo4j driver of a process, with errors a person can act on."""

from __future__ import annotations

import re
from typing import Final

import neo4j
from neo4j.exceptions import AuthError, ConfigurationError, ServiceUnavailable

from bpkg.app.errors import BackendUnavailable
from bpkg.app.settings import Settings

READ_RETRY_SECONDS: Final = 0.2
"""Managed transactions retry for this long (initial delay 0.1 s): about three attempts, then the error."""


def open_driver(settings: Settings, *, verify: bool = True) -> neo4j.Driver:
    """A driver for the configured Neo4j; ``BackendUnavailable`` with a one-line reason if it cannot connect."""
    password = settings.neo4j_password.get_secret_value() if settings.neo4j_password else ""
    try:
        driver = neo4j.GraphDatabase.driver(
            settings.neo4j_uri,
            auth=(settings.neo4j_user, password),
            connection_timeout=settings.connect_timeout,
            connection_acquisition_timeout=max(settings.acquire_timeout, settings.connect_timeout),
            # Reads fail fast: one or two quick retries (a pooled connection that died with a restarted
            # server is replaced), then 503; the driver's defaults (1 s, doubling, for 30 s) held requests
            # for seconds. The loader asks for longer retries on its own write sessions.
            max_transaction_retry_time=READ_RETRY_SECONDS,
            initial_retry_delay=0.1,
            max_connection_lifetime=300,
            liveness_check_timeout=30,
            # The answers read properties a dataset may hold on no node or relationship (``reviewed``, ``when``,
            # ...): Neo4j then says the property key does not exist, and the driver logged that as a warning, the
            # whole query in it, at every request that ran such a query. Deprecations, performance hints and
            # the rest are still told.
            notifications_disabled_classifications=[neo4j.NotificationDisabledClassification.UNRECOGNIZED],
        )
    except (ValueError, ConfigurationError) as exc:
        raise BackendUnavailable(f"invalid Neo4j URI '{settings.neo4j_uri}': {exc}") from exc
    if verify:
        try:
            driver.verify_connectivity()
        except BaseException as exc:
            driver.close()
            raise describe(exc, settings) from exc
    return driver


def describe(exc: BaseException, settings: Settings) -> BaseException:
    """A ``BackendUnavailable`` saying in one line why Neo4j could not be used (other errors unchanged)."""
    if isinstance(exc, AuthError):
        return BackendUnavailable(
            f"Neo4j at {settings.neo4j_uri} refused the credentials for user '{settings.neo4j_user}' "
            "(check NEO4J_USER / NEO4J_PASSWORD)"
        )
    if isinstance(exc, ServiceUnavailable | OSError):
        detail = " ".join(str(exc).split())
        found = re.search(r"\(reason ([^)]+)\)", detail)
        reason = found.group(1) if found else detail[:200]
        return BackendUnavailable(f"cannot reach Neo4j at {settings.neo4j_uri} ({reason}); is it running?")
    return exc
