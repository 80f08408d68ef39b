"""Differential tests: on generated graphs, Neo4j answers every question exactly as memory does.

Small random graphs (hypothesis) and the synthetic generator's skewed datasets (``bpkg.loaders.synth``).
Each example is written to Neo4j with the real sink (after a wipe) and built in memory from the same
batch; then questions with drawn parameters go to both. This module leaves a generated graph in
Neo4j; the ``neo4j_bundled`` fixture reloads the bundled dataset when a later test needs it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, get_args

import neo4j
import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bpkg.app.services import coverage, matrix, responses
from bpkg.app.settings import Settings
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.app.store.port import TraceDirection
from bpkg.graph_schema import Label, RelType
from bpkg.graph_schema.asof import parse_as_of
from bpkg.loaders import DatasetInfo, GraphBatch, Node, build_graph, load_dataset, synth
from bpkg.loaders.neo4j_sink import write_batch
from tests.conftest import ensure_loaded, wipe
from tests.contract.compare import action_point_read_whole, dump, refused, same
from tests.contract.generated import SEARCHES, WORDS, batches

pytestmark = pytest.mark.neo4j

LABELS = [label.value for label in Label]
TYPES = [t.value for t in RelType]


@pytest.fixture(scope="module")
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    return neo4j_driver, neo4j_settings.neo4j_database


def load(db: tuple[neo4j.Driver, str], batch: GraphBatch) -> tuple[Neo4jStore, MemoryStore]:
    driver, database = db
    wipe(driver, database)
    write_batch(driver, batch, database)
    return Neo4jStore(driver, database), MemoryStore(build_graph(batch))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(batch=batches(), data=st.data())
def test_generated_graphs_answer_alike(db: tuple[neo4j.Driver, str], batch: GraphBatch, data: st.DataObject) -> None:
    neo, memory = load(db, batch)
    ids = [n.id for n in batch.nodes]
    some_ids = st.sampled_from([*ids, "nope"])
    labels = st.one_of(st.none(), st.lists(st.sampled_from([*LABELS, "Nope"]), min_size=1, max_size=4, unique=True))
    types = st.one_of(st.none(), st.lists(st.sampled_from([*TYPES, "NOPE"]), min_size=1, max_size=5, unique=True))
    text = st.one_of(st.sampled_from(SEARCHES), st.sampled_from(WORDS), st.sampled_from(ids))

    def check(ask: Any) -> Any:
        return same(neo, memory, ask)

    stats = check(lambda s: s.stats())
    assert stats["nodes"] == len(batch.nodes) and stats["relationships"] == len(batch.rels)
    assert dump(neo.dataset_info()) | {"loaded_at": None} == dump(memory.dataset_info()) | {"loaded_at": None}
    check(lambda s: s.action_point_facts())
    ap = data.draw(st.sampled_from([n.id for n in batch.nodes if n.label is Label.ACTION_POINT]), label="ap")
    check(lambda s: s.action_point(ap, False))
    # The headline's responses, whole (paths, places): the same, in the same order, today and on a day.
    check(lambda s: s.action_point(ap, True))
    check(lambda s: s.action_point(ap, True, parse_as_of("2020-06-30")))
    # ``/action-points/{number}`` from today's derived facts: the action point read whole says the same.
    number = next(int(n.props["number"]) for n in batch.nodes if n.id == ap)
    for store in (neo, memory):
        want = action_point_read_whole(store, number)
        coverage.read_facts(store)
        assert responses.todays_facts(store, ap) is not None
        # Not read whole once the facts are there (the stores are this example's own: nothing kept before).
        with pytest.MonkeyPatch.context() as patched:
            patched.setattr(store, "action_point", refused)
            patched.setattr(responses, "find", refused)
            got = responses.action_point_detail(store, number)
        assert got.model_dump_json() == want, store.backend
    for node_id in data.draw(st.lists(some_ids, min_size=1, max_size=2, unique=True), label="nodes"):
        check(lambda s, node_id=node_id: s.node(node_id))
        check(lambda s, node_id=node_id: s.links(node_id))
        check(lambda s, node_id=node_id: s.link_groups(node_id, 2, 1))
        check(lambda s, node_id=node_id: s.action_point(node_id, True))

    label = data.draw(st.one_of(st.none(), st.sampled_from(LABELS)), label="page label")
    q = data.draw(st.one_of(st.none(), st.just(""), text), label="page q")
    limit, offset = data.draw(st.integers(0, 10), label="limit"), data.draw(st.integers(0, 25), label="offset")
    check(lambda s: s.nodes(label, q, limit, offset))

    start = data.draw(some_ids, label="trace start")
    direction: TraceDirection = data.draw(st.sampled_from(get_args(TraceDirection)), label="direction")
    depth = data.draw(st.integers(1, 4), label="depth")
    trace_types = data.draw(types, label="trace types")
    check(lambda s: s.trace(start, direction, depth, trace_types))

    source, target = data.draw(some_ids, label="path source"), data.draw(some_ids, label="path target")
    hops, count = data.draw(st.integers(1, 6), label="max hops"), data.draw(st.integers(1, 5), label="paths")
    check(lambda s: s.paths(source, target, hops, count))

    focus = data.draw(some_ids, label="focus")
    around, keep = data.draw(st.integers(1, 3), label="depth"), data.draw(labels, label="labels")
    cap = data.draw(st.integers(1, 30), label="max nodes")
    check(lambda s: s.neighbourhood(focus, around, keep, cap))
    whole_labels, whole_cap = data.draw(labels, label="whole labels"), data.draw(st.integers(1, 40), label="cap")
    check(lambda s: s.whole_graph(whole_labels, whole_cap))

    search, hits = data.draw(text, label="search"), data.draw(st.integers(1, 20), label="search limit")
    check(lambda s: s.search(search, hits))
    some = data.draw(st.lists(some_ids, max_size=4, unique=True), label="ids")
    check(lambda s: s.nodes_by_id(some))


def _tricky_batch() -> GraphBatch:
    provenance = {"sources": ["source-1"], "confidence": "confirmed"}
    nodes = [Node(Label.SOURCE, "source-1", {"id": "source-1", "name": "A source", **provenance})]
    for i, word in enumerate(WORDS, start=1):
        props = {"id": f"activity-{i}", "name": f"Activity {word}", "description": f"about {word}.", **provenance}
        nodes.append(Node(Label.ACTIVITY, f"activity-{i}", props))
    return GraphBatch(info=DatasetInfo(name="tricky", version="1"), nodes=nodes)


@pytest.fixture
def tricky(db: tuple[neo4j.Driver, str]) -> tuple[Neo4jStore, MemoryStore]:
    """Nodes named with the words tokenisers disagree on (loaded once for all the cases below)."""
    provenance = {"sources": ["source-1"], "confidence": "confirmed"}
    nodes = [Node(Label.SOURCE, "source-1", {"id": "source-1", "name": "A source", **provenance})]
    for i, word in enumerate(WORDS, start=1):
        props = {"id": f"activity-{i}", "name": f"Activity {word}", "description": f"about {word}.", **provenance}
        nodes.append(Node(Label.ACTIVITY, f"activity-{i}", props))
    batch = GraphBatch(info=DatasetInfo(name="tricky", version="1"), nodes=nodes)
    ensure_loaded(*db, batch)
    return Neo4jStore(*db), MemoryStore(build_graph(batch))


FOUND_INSIDE_INDEX_TERMS = ("ivoire", "s", "5", "x÷y")
WHOLE_WORDS = ("straße", "ștefan", "İstanbul", "istanbul", "ΣTRA")


@pytest.mark.parametrize("q", [*SEARCHES, *WHOLE_WORDS, "iraq", "d", "stra", "i", "x", "y", "÷y", "17", "ap-17"])
def test_search_finds_what_memory_finds_where_tokenisers_disagree(
    tricky: tuple[Neo4jStore, MemoryStore], q: str
) -> None:
    # The full-text index keeps "d'Ivoire", "Iraq's" and "1.5" whole where search words (bpkg.app.search_words)
    # split them; Neo4j must still find every node memory finds, and no other.
    neo, memory = tricky
    hits = same(neo, memory, lambda s: s.search(q, 50))
    if q in FOUND_INSIDE_INDEX_TERMS:
        assert hits, "the case must exercise a word the index does not start a token with"
    if q in WHOLE_WORDS[:4]:
        assert hits, "letters outside ASCII are part of words (Unicode letters), found whole"


def test_empty_database_answers_like_an_empty_graph(db: tuple[neo4j.Driver, str]) -> None:
    driver, database = db
    wipe(driver, database)
    neo, memory = Neo4jStore(driver, database), MemoryStore(nx.MultiDiGraph())
    assert neo.dataset_info() is None is memory.dataset_info()
    assert same(neo, memory, lambda s: s.stats())["nodes"] == 0
    assert same(neo, memory, lambda s: s.nodes(None, None, 10, 0))["total"] == 0
    assert same(neo, memory, lambda s: s.search("migrant", 10)) == []
    assert same(neo, memory, lambda s: s.node("ap-1"))["raised"] == "NotFound"
    assert same(neo, memory, lambda s: s.action_point_facts()) == []


@pytest.mark.parametrize(("relationships", "seed"), [(400, 1), (1500, 2)])
def test_synthetic_datasets_answer_alike(
    db: tuple[neo4j.Driver, str], tmp_path: Path, relationships: int, seed: int
) -> None:
    # The generator's graphs have the skewed shape of real ones (hubs, hundreds of responders on one
    # action point): every question, from many starts, must agree.
    synth.write(tmp_path, relationships, seed)
    batch = load_dataset(tmp_path)
    neo, memory = load(db, batch)
    rng = random.Random(seed)
    ids = sorted(n.id for n in batch.nodes)
    aps = sorted(n.id for n in batch.nodes if n.label is Label.ACTION_POINT)

    def check(ask: Any) -> Any:
        return same(neo, memory, ask)

    check(lambda s: s.stats())
    facts = check(lambda s: s.action_point_facts())
    assert max(len(f["responses"]) for f in facts) >= 10, "one action point draws many responders"
    assert dump(neo.action_point_facts()) == facts, "a second read (from the per-dataset cache) is the same"
    for ap in ["ap-10", *rng.sample(aps, 3)]:
        check(lambda s, ap=ap: s.action_point(ap, True))
        check(lambda s, ap=ap: s.action_point(ap, False))
        check(lambda s, ap=ap: s.action_point(ap, True, parse_as_of("2021-01-01")))
    # The headline's responses of the most responded-to action point, direct and at goal level.
    headline = check(lambda s: s.action_point("ap-10", True))
    assert len(headline["responses"]) >= 10 and headline["goal_responses"], "ap-10 draws many responders"
    assert any(r["components"] for r in headline["responses"]), "responders placed in components"
    for start in ["pg-1", "activity-synth-1", *rng.sample(ids, 6)]:
        for direction in get_args(TraceDirection):
            depth = rng.randint(1, 4)
            check(lambda s, start=start, direction=direction, depth=depth: s.trace(start, direction, depth, None))
        check(lambda s, start=start: s.node(start))
        check(lambda s, start=start: s.links(start))
        check(lambda s, start=start: s.neighbourhood(start, 2, None, 150))
        check(lambda s, start=start: s.neighbourhood(start, 3, ["Activity", "ActionPoint", "Component"], 60))
    for source, target in [
        ("activity-synth-1", "commitment-1"),
        *zip(rng.sample(ids, 6), rng.sample(ids, 6), strict=True),
    ]:
        check(lambda s, source=source, target=target: s.paths(source, target, 6, 5))
        check(lambda s, source=source, target=target: s.paths(source, target, 3, 2))
    for q in ("border management", "synthetic", "ap 10", "xab", "report"):
        check(lambda s, q=q: s.search(q, 20))
    check(lambda s: s.whole_graph(["PriorityGoal", "ActionPoint", "Commitment"], 500))
    check(lambda s: s.nodes("Activity", "1", 10, 5))


def test_answers_kept_per_dataset_follow_a_reload(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    # Coverage, gaps, matrix and facts are kept per dataset fingerprint: the same store, after another
    # dataset is loaded under it, answers for the new one.
    driver, database = db
    neo = Neo4jStore(driver, database)
    answers = []
    for seed in (1, 2):
        synth.write(tmp_path / str(seed), 300, seed)
        batch = load_dataset(tmp_path / str(seed))
        wipe(driver, database)
        write_batch(driver, batch, database)
        memory = MemoryStore(build_graph(batch))
        for ask in (
            lambda s: coverage.coverage(s, "country"),
            coverage.gaps,
            lambda s: matrix.matrix(s, "component"),
            lambda s: s.action_point_facts(),
        ):
            assert dump(ask(neo)) == dump(ask(memory))
            assert dump(ask(neo)) == dump(ask(memory)), "the kept answer is the same"
        answers.append(dump(coverage.gaps(neo)))
    assert answers[0] != answers[1]
