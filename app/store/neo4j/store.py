"""The Neo4j backend: the primitives of ``TraversalStore`` answered by Cypher reads.

Every read is a managed, READ-routed transaction on an explicit database with a server-side timeout.
Results are shaped and ordered exactly like ``MemoryStore``'s (same ``NodeData``/``EdgeData``, nodes in
``node_sort_key`` order, edges by (source, type, target)), so every domain question computed in
``app.store.base`` gives the same answer on both backends. One question is answered in the database
instead: ``stats`` counts with an aggregation rather than reading every node and relationship.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from typing import Any, Final, LiteralString

import neo4j

from app.errors import BackendUnavailable, NotFound
from app.store.base import TraversalStore, matches_tokens, node_sort_key
from app.store.models import DatasetOut, EdgeData, NodeData
from app.store.neo4j import queries as cypher
from graph_schema import Label, RelType
from loaders.stats import GraphStats, stats_from_counts

_LABELS: Final = frozenset(label.value for label in Label)
_TYPES: Final = frozenset(t.value for t in RelType)
# The full-text index splits words where base.words() does not (at characters such as '÷'); the part
# of a search token before such a character is what the index can look for.
_INDEX_WORD: Final = re.compile(r"[^\W_]+")
_MAX_INDEX_TERM: Final = 100


class Neo4jStore(TraversalStore):
    """Reads the graph that ``loaders.neo4j_sink.write_batch`` wrote; never writes."""

    backend = "neo4j"

    def __init__(self, driver: neo4j.Driver, database: str, timeout: float = 10.0, probe_interval: float = 0.5) -> None:
        self.driver = driver
        self.database = database
        self.timeout = timeout
        self.outage = Outage(self._probe, probe_interval)

    def close(self) -> None:
        """Stop the outage probe and close the driver (the application's shutdown)."""
        self.outage.close()
        self.driver.close()

    # -- plumbing ----------------------------------------------------------------------------------
    def _probe(self) -> None:
        # An auto-commit query: never retried, so a probe costs one connection attempt.
        with self.driver.session(database=self.database, default_access_mode=neo4j.READ_ACCESS) as session:
            session.run(neo4j.Query(cypher.PING, timeout=self.timeout)).consume()

    def _read(self, query: LiteralString, /, **params: Any) -> list[neo4j.Record]:
        self.outage.check()
        try:
            records, _, _ = self.driver.execute_query(
                neo4j.Query(query, timeout=self.timeout),
                params,
                database_=self.database,
                routing_=neo4j.RoutingControl.READ,
            )
        except (neo4j.exceptions.DriverError, neo4j.exceptions.Neo4jError, OSError) as exc:
            mapped = unavailable(exc, self.database, self.timeout)
            if mapped is exc:
                raise
            if is_outage(exc):
                self.outage.trip(str(mapped))
            raise mapped from exc
        return records

    def _nodes(self, query: LiteralString, /, **params: Any) -> list[NodeData]:
        return [NodeData(id=r["id"], label=r["label"], props=dict(r["props"])) for r in self._read(query, **params)]

    def _edges(self, query: LiteralString, /, **params: Any) -> list[EdgeData]:
        found = {
            (r["source"], r["type"], r["target"]): EdgeData(
                source=r["source"], target=r["target"], type=r["type"], props=dict(r["props"])
            )
            for r in self._read(query, **params)
        }
        return [found[k] for k in sorted(found)]

    # -- questions answered in the database -------------------------------------------------------
    def stats(self) -> GraphStats:
        # Same figures as TraversalStore.stats (the contract suite compares them), counted by Neo4j.
        labels: Counter[str] = Counter()
        types: Counter[str] = Counter()
        levels: Counter[str] = Counter()
        for r in self._read(cypher.NODE_COUNTS):
            labels[r["label"]] += r["count"]
            levels[str(r["confidence"])] += r["count"]
        for r in self._read(cypher.EDGE_COUNTS):
            types[r["type"]] += r["count"]
            levels[str(r["confidence"])] += r["count"]
        return stats_from_counts(labels, types, levels)

    def response_edges(self, action_point_id: str, include_goal_level: bool) -> tuple[NodeData, list[EdgeData]]:
        # One round trip instead of the four the primitives need (the headline question's hot path).
        records = self._read(cypher.RESPONSE_EDGES, id=action_point_id, goal_level=include_goal_level)
        if not records:
            raise NotFound(f"no node with id '{action_point_id}'")
        row = records[0]
        found = {
            (e["source"], e["type"], e["target"]): EdgeData(
                source=e["source"], target=e["target"], type=e["type"], props=dict(e["props"])
            )
            for e in row["edges"]
        }
        ap = NodeData(id=row["id"], label=row["label"], props=dict(row["props"]))
        return ap, [found[k] for k in sorted(found)]

    # -- primitives --------------------------------------------------------------------------------
    def ping(self) -> None:
        self._read(cypher.PING)

    def dataset_info(self) -> DatasetOut | None:
        records = self._read(cypher.DATASET)
        if not records:
            return None
        r = records[0]
        return DatasetOut(
            name=r["name"],
            version=r["version"] or "",
            description=r["description"] or "",
            illustrative=r["illustrative"] or "",
            loaded_at=r["loaded_at"],
            fingerprint=r["fingerprint"],
        )

    def nodes_by_id(self, ids: Collection[str]) -> dict[str, NodeData]:
        wanted = sorted(set(ids))
        if not wanted:
            return {}
        return {n.id: n for n in self._nodes(cypher.NODES_BY_ID, ids=wanted)}

    def incident(self, ids: Collection[str], types: Collection[str] | None = None) -> list[EdgeData]:
        wanted = sorted(set(ids))
        if not wanted:
            return []
        if types is None:
            return self._edges(cypher.INCIDENT, ids=wanted)
        known = _known(types, _TYPES)
        return self._edges(cypher.INCIDENT_OF_TYPES, ids=wanted, types=known) if known else []

    def nodes_by_label(self, labels: Collection[str] | None) -> list[NodeData]:
        if labels is None:
            return _sorted(self._nodes(cypher.ALL_NODES))
        known = _known(labels, _LABELS)
        return _sorted(self._nodes(cypher.NODES_BY_LABEL, labels=known)) if known else []

    def edges_by_type(self, types: Collection[str] | None) -> list[EdgeData]:
        if types is None:
            return self._edges(cypher.ALL_EDGES)
        known = _known(types, _TYPES)
        return self._edges(cypher.EDGES_OF_TYPES, types=known) if known else []

    def page_nodes(self, label: str | None, q: str | None, limit: int, offset: int) -> tuple[list[NodeData], int]:
        if label is not None and label not in _LABELS:
            return [], 0
        records = self._read(cypher.PAGE_NODES, label=label, q=q or None, limit=int(limit), offset=int(offset))
        record = records[0]
        page = [NodeData(id=row["id"], label=row["label"], props=dict(row["props"])) for row in record["page"]]
        return page, int(record["total"])

    def text_candidates(self, tokens: list[str], limit: int) -> list[NodeData]:
        # ``limit`` is ignored, as in memory: ranking happens in base.search over every candidate.
        if not tokens:
            return []
        terms = [_index_term(t) for t in tokens]
        if all(terms):
            # An infix wildcard, not a prefix one: the index keeps "d'ivoire", "1.5" or "straße" as one
            # word where base.words() sees "ivoire", "5" or "e", and those must still be found.
            pool = self._nodes(cypher.TEXT_CANDIDATES, query=" OR ".join(f"*{t}*" for t in terms))
        else:
            pool = self._nodes(cypher.ALL_NODES)  # a token the index cannot look for at all: scan
        return _sorted(n for n in pool if matches_tokens(n, tokens))


def unavailable(exc: BaseException, database: str, timeout: float) -> BaseException:
    """The ``BackendUnavailable`` a driver failure means; other errors (bugs) are returned unchanged."""
    code = getattr(exc, "code", None) or ""
    if isinstance(exc, neo4j.exceptions.AuthError) or code.startswith("Neo.ClientError.Security.Authentication"):
        return BackendUnavailable("Neo4j refused the credentials (check NEO4J_USER / NEO4J_PASSWORD)")
    if code.startswith("Neo.ClientError.Security."):
        return BackendUnavailable(f"Neo4j refused the read ({code.rsplit('.', 1)[-1]}): check the user's privileges")
    if "TransactionTimedOut" in code:
        return BackendUnavailable(f"Neo4j did not answer within the {timeout:g} s query timeout")
    if code == "Neo.ClientError.Database.DatabaseNotFound":
        return BackendUnavailable(f"Neo4j has no database '{database}' (check NEO4J_DATABASE)")
    if isinstance(exc, neo4j.exceptions.DriverError | neo4j.exceptions.TransientError | OSError):
        return BackendUnavailable(f"cannot reach Neo4j database '{database}' (is it running? {exc})")
    return exc


def is_outage(exc: BaseException) -> bool:
    """Whether a failure means Neo4j is gone (not that one query failed): then the breaker opens."""
    code = getattr(exc, "code", None) or ""
    return isinstance(
        exc, neo4j.exceptions.ServiceUnavailable | neo4j.exceptions.SessionExpired | OSError
    ) or code.startswith("Neo.TransientError.General.DatabaseUnavailable")


class Outage:
    """A circuit breaker: once Neo4j is known to be down, reads fail at once until a probe gets through.

    Without it every request during an outage paid for its own connection attempts and retries (2.6 s
    median, up to 9.7 s measured). A daemon thread probes every ``interval`` seconds while the breaker
    is open and closes it on the first answer, so requests never wait for a probe.
    """

    def __init__(self, probe: Callable[[], None], interval: float) -> None:
        self._probe = probe
        self.interval = interval
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None
        self.message: str | None = None
        self.since = 0.0

    def check(self) -> None:
        """Raise ``BackendUnavailable`` at once while the backend is known to be down."""
        message = self.message
        if message is not None:
            down = time.monotonic() - self.since
            raise BackendUnavailable(f"{message} (down for {down:.0f} s; checked every {self.interval:g} s)")

    def trip(self, message: str) -> None:
        with self._lock:
            if self.message is None:
                self.since = time.monotonic()
            self.message = message
            if not self._stopped.is_set() and (self._thread is None or not self._thread.is_alive()):
                self._thread = threading.Thread(target=self._watch, name="neo4j-outage-probe", daemon=True)
                self._thread.start()

    def _watch(self) -> None:
        while not self._stopped.wait(self.interval):
            try:
                self._probe()
            except Exception:  # noqa: S112 (any failure means: still down, probe again)
                continue
            with self._lock:
                self.message = None
                self._thread = None
            return

    def close(self) -> None:
        self._stopped.set()


def _known(names: Iterable[str], allowed: frozenset[str]) -> list[str]:
    # Only schema labels/types ever reach Cypher; unknown names match nothing, as in memory.
    return sorted(set(names) & allowed)


def _index_term(token: str) -> str:
    match = _INDEX_WORD.match(token)
    # Lucene cannot build the automaton of some long wildcard terms (TooComplexToDeterminize from 315
    # repeated letters); a prefix finds a superset, which matches_tokens then narrows.
    return match.group()[:_MAX_INDEX_TERM] if match else ""


def _sorted(nodes: Iterable[NodeData]) -> list[NodeData]:
    return sorted(nodes, key=node_sort_key)
