"""Neo4j's full-text side of the one word definition (``bpkg.app.search_words``), against a real Neo4j.

The adapter looks for ``*index_term(word)*`` in the full-text index and narrows the candidates with the
memory store's own rule, so it answers as memory does exactly when the index holds every index term inside
one of its terms. Checked here for every code point whose word the adapter looks up whole, between letters
as in running text; and both backends answer searches of letters the index cuts apart or drops (ideographs,
superscripts, Roman numerals) alike. This module leaves its dataset in Neo4j; ``neo4j_bundled`` reloads the
bundled one when a later test needs it.
"""

from __future__ import annotations

import sys
from pathlib import Path

import neo4j
import pytest

from bpkg.app.search_words import index_term, words
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.loaders import build_graph, load_dataset
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import wipe
from tests.factories import SRC, base_graph, write_dataset

pytestmark = pytest.mark.neo4j

# Texts whose words the index and the tokeniser split differently.
TEXTS = (
    "Côte d'Ivoire",
    "Straße 1.5 ½",
    "İstanbul ΟΔΟΣ Ǆemal",
    "東京都 とうきょう トウキョウ",
    "x² m² ①②",
    "Ⅻ legion ⅻ",
    "١٢٣ ٤٥ digits",
    "ﬁnance ﬀ",
    "Kabul2019 ՀԱՅԱՍՏԱՆ ქართული",
    "सत्यमेव जयते",
    "𝐁old 𐐀𐐨",
)
# Not the start of any word of the texts: found by neither backend (search matches word prefixes).
MISSES = ("京都", "²", "٢", "fi", "stanbul")
QUERIES = (
    *(w for text in TEXTS for w in words(text)),
    *MISSES,
    "東",
    "とう",
    "m²",
    "ⅻ",
    "ﬁ",
    "İST",
    "ΟΔΟΣ",
    "i",
    "ivoire",
    "kabul",
    "ᲥᲐᲠ",
    "𝐁",
    "𐐨",
)


def _probes() -> list[tuple[str, str]]:
    """(text as written, index term the adapter sends) for every code point whose word it looks up whole."""
    out = []
    for code in range(sys.maxunicode + 1):
        found = words(f"x{chr(code)}x")
        if len(found) == 1 and index_term(found[0]) == found[0]:
            out.append((f"x{chr(code)}x", found[0]))
    return out


PROBES = _probes()


@pytest.fixture(scope="module")
def stores(
    neo4j_driver: neo4j.Driver, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Neo4jStore, MemoryStore]:
    graph = base_graph()
    texts = [*TEXTS, *(" ".join(text for text, _ in PROBES[i : i + 100]) for i in range(0, len(PROBES), 100))]
    for number, text in enumerate(texts):
        graph["nodes"].append({"id": f"output-w{number}", "label": "Output", "name": text, "kind": "probe", **SRC})
        graph["relationships"].append({"from": "activity-a", "type": "PRODUCED", "to": f"output-w{number}", **SRC})
    batch = load_dataset(write_dataset(Path(tmp_path_factory.mktemp("words")), graph=graph))
    database = neo4j_settings.neo4j_database
    wipe(neo4j_driver, database)
    write_batch(neo4j_driver, batch, database)
    return Neo4jStore(neo4j_driver, database), MemoryStore(build_graph(batch))


def test_the_probes_cover_the_scripts_the_index_keeps_whole() -> None:
    terms = {term for _, term in PROBES}
    assert {"xax", "x9x", "xßx", "xσx", "xաx", "x٣x"} <= terms and len(PROBES) > 2000


def test_the_index_holds_every_index_term_whole(stores: tuple[Neo4jStore, MemoryStore]) -> None:
    neo, _ = stores
    found: set[str] = set()
    terms = [term for _, term in PROBES]
    for start in range(0, len(terms), 2000):
        records, _, _ = neo.driver.execute_query(
            "UNWIND $terms AS t CALL db.index.fulltext.queryNodes('entity_words', '*' + t + '*') YIELD node "
            "RETURN DISTINCT t",
            terms=terms[start : start + 2000],
            database_=neo.database,
            routing_=neo4j.RoutingControl.READ,
        )
        found |= {r["t"] for r in records}
    missed = [f"{text} (U+{ord(text[1]):04X})" for text, term in PROBES if term not in found]
    assert missed == []


@pytest.mark.parametrize("q", QUERIES)
def test_both_backends_find_the_same_nodes(stores: tuple[Neo4jStore, MemoryStore], q: str) -> None:
    neo, memory = stores
    expected = [(h.node.id, h.score) for h in memory.search(q, 50)]
    assert [(h.node.id, h.score) for h in neo.search(q, 50)] == expected
    assert bool(expected) == (q not in MISSES)
