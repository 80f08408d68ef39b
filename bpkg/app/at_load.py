"""What a Neo4j load derives inside its lease (design.md sections 4-5): the composition of the store's derivations
with the services' rules, given to ``bpkg.loaders.neo4j_sink.write_batch(derive=...)`` by ``bpkg load``, the test
fixtures and the benchmarks (the loaders cannot import the application, nor the store the services).

1. the headline's rows per action point (``bpkg.app.store.neo4j.derive``);
2. coverage by each grouping and the gaps, kept as JSON (``bpkg.app.store.neo4j.keep``, computed by
   ``bpkg.app.services.derivation.kept_answers``).
"""

from __future__ import annotations

import threading

from bpkg.app.services.derivation import KEPT_KEYS, kept_answers
from bpkg.app.store.neo4j.derive import FactsOnce, HeadlineDerivation
from bpkg.app.store.neo4j.keep import KeptAnswers
from bpkg.loaders.batch import GraphBatch
from bpkg.loaders.neo4j_sink import Publishing


class AtLoad:
    """Every derivation a load writes, in order (a ``bpkg.loaders.neo4j_sink.Derivation``)."""

    def __init__(self) -> None:
        # Both need every action point's facts: read once (the longest part of either at 100k relationships).
        self._facts = FactsOnce()
        self.headline = HeadlineDerivation(facts=self._facts)
        self.kept = KeptAnswers(kept_answers, KEPT_KEYS, facts=self._facts)

    def prepare(self, batch: GraphBatch, dropped: threading.Event) -> None:
        """Made from the batch while the graph is compared and written: the facts, and the headline's rows from
        them (until ``dropped``)."""
        self.headline.prepare(batch, dropped)
        self.kept.prepare(batch, dropped)

    def derive(self, publishing: Publishing) -> None:
        try:
            # The answers kept are computed (reads and Python) on a thread while the headline's rows are written
            # (the facts both read are read first, in this thread, only when one of them is not derived yet).
            self.kept.derive_beside(publishing, lambda: self.headline.derive(publishing))
        finally:
            self._facts.forget()

    def published(self, publishing: Publishing) -> None:
        self.headline.published(publishing)
        self.kept.published(publishing)

    def lines(self) -> list[str]:
        """What each derivation did, for the load's notes."""
        return [self.headline.report.line(), self.kept.report.line()]
