"""Answers kept in Neo4j with the dataset version they answer for (design.md sections 4-5; docs/architecture.md).

Coverage (by each grouping) and the gaps depend on nothing but the dataset version. ``KeptAnswers`` is a
``bpkg.loaders.neo4j_sink.Derivation``: inside the load's lease, after the writes are verified and before the
version is published, it computes them from what the database holds (every dataset in it) and writes each as
JSON on a ``KeptAnswer`` node stamped with the version readers will see (``derive.published_as``); after the
version is published it removes the nodes of other versions. A service reads one with ``Neo4jStore.kept_answer``
(one indexed look-up by version and key), so the first coverage after a load, or after a restart of the
service, is a read of what the load derived rather than a computation over every link.

How the answers are computed is the services' business (``bpkg.app.services.derivation.kept_answers``): the
application's composition root (``bpkg.app.at_load``) passes it in, so the store never imports the services.
Like the headline's nodes, these carry no ``Entity`` label: no read of the graph meets them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any, Final, LiteralString, cast

from bpkg.app.collector import cycles_left_alone
from bpkg.app.store.graph_types import DatasetOut
from bpkg.app.store.neo4j import parts
from bpkg.app.store.neo4j.derive import READ_TIMEOUT, FactsReader, ensure_index, published_as, read
from bpkg.app.store.neo4j.store import Neo4jStore
from bpkg.app.store.port import GraphStore
from bpkg.app.store.question_types import ActionPointFacts
from bpkg.graph_schema.asof import AsOf
from bpkg.loaders.batch import GraphBatch
from bpkg.loaders.neo4j_sink import Publishing, on_a_thread

Answers = Callable[[GraphStore, DatasetOut], Mapping[str, str]]
"""Computes the answers to keep, by key, as JSON, for the store as the given dataset version shows it."""

KEPT_INDEX: Final[LiteralString] = (
    "CREATE RANGE INDEX kept_answer IF NOT EXISTS FOR (k:KeptAnswer) ON (k.version, k.key)"
)
# The keys whose parts are all there (a derivation interrupted between parts left some of them).
KEPT_KEYS: Final[LiteralString] = """
MATCH (k:KeptAnswer) WHERE k.version = $version AND k.key IS NOT NULL
WITH k.key AS key, count(k) AS parts, max(k.parts) AS expected
WHERE parts = expected
RETURN key
"""
WRITE_PART: Final[LiteralString] = """
MERGE (k:KeptAnswer {version: $version, key: $key, part: $part})
SET k.parts = $parts, k.data = $data
"""
DROP_OTHER_VERSIONS: Final[LiteralString] = """
MATCH (k:KeptAnswer) WHERE k.version <> $version
DELETE k
"""


@dataclass(slots=True)
class KeepReport:
    """What the last derivation of the kept answers did, for the load's notes and the benchmarks."""

    version: str = ""
    kept: int = 0
    chars: int = 0
    stored: int = 0
    seconds: float = 0.0
    skipped: bool = False

    def line(self) -> str:
        if self.skipped:
            return f"coverage and gaps were already kept for version {self.version}"
        return (
            f"kept {self.kept} answers (coverage, gaps; {self.chars:,} characters of JSON, {self.stored:,} bytes "
            f"compressed) in {self.seconds:.1f} s"
        )


class KeptAnswers:
    """Coverage and gaps computed at load and kept in Neo4j per dataset version."""

    def __init__(self, answers: Answers, keys: Collection[str], facts: FactsReader | None = None) -> None:
        self.answers = answers
        self.facts = facts
        """Today's facts when another derivation of the load read them already (``derive.FactsOnce``)."""
        self.keys = frozenset(keys)
        """The keys ``answers`` gives: a version that holds them all is not computed again."""
        self.report = KeepReport()

    def derive(self, publishing: Publishing) -> None:
        self.derive_beside(publishing, lambda: None)

    def derive_beside(self, publishing: Publishing, other: Callable[[], None]) -> None:
        """``derive``, with ``other`` (another derivation's work, which must not write these answers) run in this
        thread while the answers are computed on a thread of their own: the computation reads the database and
        works in Python, the other mostly waits on its writes. The answers are written once both are done; what
        either raised is raised (the computation's after ``other`` ended)."""
        with cycles_left_alone():
            started = time.perf_counter()
            ensure_index(publishing, KEPT_INDEX)
            version = published_as(publishing)
            self.report = KeepReport(version=version)
            if self.keys <= {r["key"] for r in read(publishing, KEPT_KEYS, version=version)}:
                self.report.skipped = True
                other()
                return
            facts = self.facts(publishing) if self.facts is not None else None
            answers = on_a_thread(lambda: self._answers(publishing, version, facts), "bpkg-keep")
            other()
            self._write(publishing, version, answers())
            self.report.seconds = time.perf_counter() - started

    def _answers(self, publishing: Publishing, version: str, facts: list[ActionPointFacts] | None) -> Mapping[str, str]:
        store = Neo4jStore(publishing.driver, publishing.database, timeout=READ_TIMEOUT)
        # What ``dataset_info`` will read once the version is published (the sink writes it then).
        dataset = publishing.info
        info = DatasetOut(
            name=dataset.name,
            version=dataset.version,
            description=dataset.description,
            illustrative=dataset.illustrative,
            fingerprint=version,
        )
        try:
            given = store if facts is None else cast(GraphStore, _WithFacts(store, facts))
            return self.answers(given, info)
        finally:
            store.outage.close()

    def _write(self, publishing: Publishing, version: str, answers: Mapping[str, str]) -> None:
        # Compressed, in parts, one transaction a part (``parts``: more than a transaction may hold at 1M).
        for key, text in sorted(answers.items()):
            chunks = parts.split(text)
            for part, chunk in enumerate(chunks):
                _write(publishing, version=version, key=key, part=part, parts=len(chunks), data=chunk)
            self.report.kept += 1
            self.report.chars += len(text)
            self.report.stored += sum(map(len, chunks))

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        """Nothing made ahead: the answers read the database (the facts they share are made ahead by the load's
        ``FactsOnce``, when it is given one)."""

    def published(self, publishing: Publishing) -> None:
        version = self.report.version or published_as(publishing)
        publishing.write(lambda tx: tx.run(DROP_OTHER_VERSIONS, version=version).consume())


class _WithFacts:
    """The store, answering today's facts with those already read (every other question goes through)."""

    def __init__(self, store: Neo4jStore, facts: list[ActionPointFacts]) -> None:
        self._store = store
        self._facts = facts
        self.backend = store.backend

    def action_point_facts(self, as_of: AsOf | None = None) -> list[ActionPointFacts]:
        return self._facts if as_of is None else self._store.action_point_facts(as_of)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._store, name)


def _write(publishing: Publishing, **params: Any) -> None:
    publishing.write(lambda tx: tx.run(WRITE_PART, params).consume())
