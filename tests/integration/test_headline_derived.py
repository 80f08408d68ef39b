"""The headline read from what the load derived (issue 17) equals the answer computed as before, on a real Neo4j.

For every action point of the bundled dataset and of a ``bpkg synth`` graph, with filters and pages; after a
full load, after an incremental load that changes the links of one action point, and with two datasets in one
database. The derived nodes never show in stats, search, node pages, exports or ``read_back``; a load
interrupted before it publishes leaves the previous version's nodes and makes nobody read its own.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

import neo4j
import pytest

from bpkg.app.services import responses
from bpkg.app.settings import Settings
from bpkg.app.store.headline import LAYOUT, HeadlineQuery, HeadlineRead
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.neo4j import Neo4jStore
from bpkg.app.store.neo4j.derive import HeadlineDerivation
from bpkg.app.store.port import GraphStore
from bpkg.graph_schema import Confidence, Label, RelType, Strength
from bpkg.loaders import DatasetInfo, GraphBatch, Node, Rel, build_graph, load_dataset, synth
from bpkg.loaders.neo4j_sink import Publishing, read_back, write_batch
from tests.conftest import wipe

pytestmark = pytest.mark.neo4j


class Computed:
    """A store whose headline is never derived: the services compute it as before the derivation existed."""

    def __init__(self, store: GraphStore) -> None:
        self.origin = store
        self.backend = store.backend

    def headline_page(self, number: int, query: HeadlineQuery) -> HeadlineRead:
        return HeadlineRead(None)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.origin, name)


class Used:
    """A store that records whether its derived page was used."""

    def __init__(self, store: GraphStore) -> None:
        self.origin = store
        self.backend = store.backend
        self.derived = 0

    def headline_page(self, number: int, query: HeadlineQuery) -> HeadlineRead:
        read: HeadlineRead = self.origin.headline_page(number, query)
        self.derived += read.page is not None
        return read

    def __getattr__(self, name: str) -> Any:
        return getattr(self.origin, name)


@pytest.fixture
def db(neo4j_driver: neo4j.Driver, neo4j_settings: Settings) -> tuple[neo4j.Driver, str]:
    wipe(neo4j_driver, neo4j_settings.neo4j_database)
    return neo4j_driver, neo4j_settings.neo4j_database


def numbers(batch: GraphBatch) -> list[int]:
    return sorted(int(n.props["number"]) for n in batch.nodes if n.label == Label.ACTION_POINT)


def asks(batch: GraphBatch, number: int, memory: MemoryStore) -> list[dict[str, Any]]:
    """Requests for one action point: plain, both levels, the pages' order, pages, and each kind of filter with
    a value its answer holds (and one it does not)."""
    found = responses.find(memory, number)
    every = [*found.responses, *found.goal_responses]
    countries = sorted({c.id for r in every for c in r.countries})[:2]
    components = sorted({c.id for r in every for c in r.components})[:2]
    out: list[dict[str, Any]] = [
        {},
        {"include_goal_level": True},
        {"include_goal_level": True, "direct_first": True, "limit": 3, "offset": 1},
        {"limit": 2, "offset": 1},
        {"include_goal_level": True, "limit": 4, "offset": 2},
        {"include_goal_level": True, "limit": 50, "offset": 10_000},
        {"confidence": [Confidence.ILLUSTRATIVE]},
        {"confidence": [Confidence.CONFIRMED, Confidence.INFERRED], "include_goal_level": True},
        {"strength": [Strength.DIRECT], "include_goal_level": True, "limit": 2},
        {"strength": [Strength.PARTIAL, Strength.INDIRECT]},
    ]
    out += [{"country": c, "include_goal_level": True} for c in countries]
    out += [{"component": c, "include_goal_level": True, "direct_first": True, "limit": 5} for c in components]
    out += [{"component": components[0], "country": countries[0]}] if components and countries else []
    return out


def check_all(
    neo: Neo4jStore, memory: MemoryStore, batch: GraphBatch, only: list[int] | None = None, same_dataset: bool = True
) -> int:
    """Every action point's derived answers equal the computed ones (Neo4j and memory; the illustrative notice,
    the dataset's, only when memory holds the same dataset); the count compared."""
    used, checked = Used(neo), 0
    for number in only or numbers(batch):
        for ask in asks(batch, number, memory):
            derived = responses.response_page(used, number, **ask)
            computed = responses.response_page(Computed(neo), number, **ask)
            in_memory = responses.response_page(memory, number, **ask)
            assert derived[0].model_dump_json() == computed[0].model_dump_json(), (number, ask)
            other = {"illustrative"} if not same_dataset else set()
            assert derived[0].model_dump(exclude=other) == in_memory[0].model_dump(exclude=other), (number, ask)
            for answer in (computed, in_memory):
                assert [r.model_dump_json() for r in derived[1]] == [r.model_dump_json() for r in answer[1]]
            checked += 1
    assert used.derived == checked, "every answer was read from the derivation"
    return checked


def load(db: tuple[neo4j.Driver, str], batch: GraphBatch, **kw: Any) -> HeadlineDerivation:
    derivation = HeadlineDerivation()
    write_batch(db[0], batch, db[1], derive=derivation, **kw)
    return derivation


def count(db: tuple[neo4j.Driver, str], query: str, **params: Any) -> int:
    records, _, _ = db[0].execute_query(query, params, database_=db[1])
    return int(records[0][0])


def test_bundled_headline_equals_computed(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    derivation = load(db, bundled_batch)
    assert derivation.report.action_points == 41 and derivation.report.rewritten == 41
    assert check_all(Neo4jStore(*db), MemoryStore(build_graph(bundled_batch)), bundled_batch) > 41 * 10
    # Reloading the same dataset derives nothing again.
    again = load(db, bundled_batch)
    assert again.report.skipped


def loaded_synth(db: tuple[neo4j.Driver, str], folder: Path) -> tuple[GraphBatch, MemoryStore, int]:
    """A generated dataset loaded into Neo4j, the same in memory, and its busiest action point's number."""
    synth.write(folder, 3000, 7)
    batch = load_dataset(folder)
    load(db, batch)
    memory = MemoryStore(build_graph(batch))
    busiest = max(numbers(batch), key=lambda n: len(responses.find(memory, n).responses))
    assert len(responses.find(memory, busiest).responses) > 50
    return batch, memory, busiest


def test_synth_headline_equals_computed(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    batch, memory, _ = loaded_synth(db, tmp_path)
    check_all(Neo4jStore(*db), memory, batch)


def without_links_into(batch: GraphBatch, target: str, keep: int) -> GraphBatch:
    into = [r for r in batch.rels if r.type == RelType.RESPONDS_TO and r.target == target]
    dropped = {r.key for r in into[keep:]}
    return dataclasses.replace(batch, rels=[r for r in batch.rels if r.key not in dropped])


def test_incremental_load_rewrites_one_action_point(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    versions = count(db, "MATCH (s:Headline) RETURN count(DISTINCT s.version)")
    changed = without_links_into(bundled_batch, "ap-17", keep=1)
    rows = count(db, "MATCH (r:HeadlineRow) RETURN count(r)")
    derivation = load(db, changed, prune=True, yes=True)
    report = derivation.report
    # ap-17 has a new order; the response it keeps was held already: no row is written, the others go.
    assert (report.rewritten, report.rows_written) == (1, 0), report
    assert report.rows_dropped > 0 and count(db, "MATCH (r:HeadlineRow) RETURN count(r)") == rows - report.rows_dropped
    assert versions == 1 and count(db, "MATCH (s:Headline) RETURN count(DISTINCT s.version)") == 1
    # The replaced rows of ap-17 are gone: every row and order is named by a summary of the current version.
    assert unnamed(db) == (0, 0)
    memory = MemoryStore(build_graph(changed))
    check_all(Neo4jStore(*db), memory, changed)


def unnamed(db: tuple[neo4j.Driver, str]) -> tuple[int, int]:
    """Rows (both sides) no order of a summary names, and orders no summary names."""
    rows = """
    CALL () {
      MATCH (s:Headline) MATCH (o:HeadlineOrder {action_point: s.action_point, hash: s.hash}) UNWIND o.rows AS h
      RETURN collect(DISTINCT [s.action_point, h]) AS own
    }
    CALL () {
      MATCH (s:Headline) MATCH (o:HeadlineGoalOrder {goal: s.goal_group, hash: s.goal_hash}) UNWIND o.rows AS h
      RETURN collect(DISTINCT [s.goal_group, h]) AS goal
    }
    CALL (own) { MATCH (r:HeadlineRow) WHERE NOT [r.action_point, r.row] IN own RETURN count(r) AS a }
    CALL (goal) { MATCH (r:HeadlineGoalRow) WHERE NOT [r.goal, r.row] IN goal RETURN count(r) AS b }
    RETURN a + b
    """
    orders = """
    CALL () {
      MATCH (o:HeadlineOrder) WHERE NOT EXISTS { MATCH (s:Headline {action_point: o.action_point, hash: o.hash}) }
      RETURN count(o) AS a
    }
    CALL () {
      MATCH (o:HeadlineGoalOrder) WHERE NOT EXISTS { MATCH (s:Headline {goal_group: o.goal, goal_hash: o.hash}) }
      RETURN count(o) AS b
    }
    RETURN a + b
    """
    return count(db, rows), count(db, orders)


def test_a_changed_response_writes_one_row(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    """A version that changes one response of a busy action point writes that response's row and the action
    point's order, not the rows around it; the row it replaces goes once the version is published."""
    batch, _, busiest = loaded_synth(db, tmp_path)
    rows = count(db, "MATCH (r:HeadlineRow) RETURN count(r)")
    link = next(r for r in batch.rels if r.type == RelType.RESPONDS_TO and r.target == f"ap-{busiest}")
    changed = dataclasses.replace(
        batch,
        rels=[
            dataclasses.replace(r, props={**r.props, "note": "a note of the new version"}) if r.key == link.key else r
            for r in batch.rels
        ],
    )
    derivation = load(db, changed)
    report = derivation.report
    assert (report.rewritten, report.rows_written, report.rows_dropped) == (1, 1, 1), report
    assert (report.goals_rewritten, report.goal_rows_written) == (0, 0), report
    assert count(db, "MATCH (r:HeadlineRow) RETURN count(r)") == rows
    assert unnamed(db) == (0, 0)
    check_all(Neo4jStore(*db), MemoryStore(build_graph(changed)), changed, only=[busiest])


def second_dataset() -> GraphBatch:
    """Another dataset in the same database: a project of its own responding to two bundled action points."""
    src = {"confidence": "inferred", "sources": []}
    nodes = [
        Node(Label.PROJECT, "project-other", {"id": "project-other", "name": "Other project", **src}),
        Node(Label.ACTIVITY, "activity-other", {"id": "activity-other", "name": "Other activity", **src}),
    ]
    rels = [
        Rel(RelType.PART_OF, "activity-other", "project-other", dict(src)),
        Rel(RelType.RESPONDS_TO, "activity-other", "ap-17", {**src, "strength": "partial"}),
        Rel(RelType.RESPONDS_TO, "project-other", "ap-6", {**src, "strength": "direct"}),
    ]
    return GraphBatch(DatasetInfo(name="other", version="1"), nodes, rels)


def test_two_datasets_in_one_database(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    other = second_dataset()
    # Written without the bundled nodes it links to: the load's batch holds them too (shared nodes).
    ends = {r.target for r in other.rels} | {r.source for r in other.rels}
    shared = [n for n in bundled_batch.nodes if n.id in ends]
    other = dataclasses.replace(other, nodes=[*other.nodes, *shared])
    load(db, other)
    both = dataclasses.replace(
        bundled_batch,
        nodes=list({n.id: n for n in [*bundled_batch.nodes, *other.nodes]}.values()),
        rels=list({r.key: r for r in [*bundled_batch.rels, *other.rels]}.values()),
    )
    memory = MemoryStore(build_graph(both))
    assert any(r.responder.id == "activity-other" for r in responses.find(memory, 17).responses)
    check_all(Neo4jStore(*db), memory, both, only=[6, 17, 18, 1], same_dataset=False)


def test_derived_nodes_stay_internal(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    assert count(db, "MATCH (r:HeadlineRow) RETURN count(r)") > 0
    neo, memory = Neo4jStore(*db), MemoryStore(build_graph(bundled_batch))
    assert neo.stats() == memory.stats()
    nodes, rels = read_back(*db)
    assert len(nodes) == len(bundled_batch.nodes) and len(rels) == len(bundled_batch.rels)
    # Words every response row holds in its JSON (labels, property names) find no derived node.
    for word in ("HeadlineRow", "Headline", "responder", "slots", "action_point"):
        assert [h.node.id for h in neo.search(word, 20)] == [h.node.id for h in memory.search(word, 20)]
    assert {n.id for n in neo.whole_graph(None, 100_000).nodes} == {n.id for n in bundled_batch.nodes}
    assert neo.node("ap-17") == memory.node("ap-17")
    page = neo.nodes(None, None, 100_000, 0)
    assert page.total == len(bundled_batch.nodes)


class Interrupted(HeadlineDerivation):
    """A derivation that writes its rows and summaries, then the load stops before it publishes."""

    def derive(self, publishing: Publishing) -> None:
        super().derive(publishing)
        raise KeyboardInterrupt


def test_interrupted_load_leaves_the_previous_version(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    load(db, bundled_batch)
    neo = Neo4jStore(*db)
    before = neo.dataset_info()
    assert before is not None and before.fingerprint and before.serving is None
    asked: list[dict[str, Any]] = [{}, {"include_goal_level": True}, {"strength": [Strength.DIRECT]}]
    published = [(ask, responses.response_page(neo, 17, **ask)[0]) for ask in asked]
    assert published[0][1].total > 1
    changed = without_links_into(bundled_batch, "ap-17", keep=1)
    with pytest.raises(KeyboardInterrupt):
        write_batch(db[0], changed, db[1], derive=Interrupted(), prune=True, yes=True)
    # The previous version's summaries are all still there, and the new version is not published: readers keep
    # reading the version published last (the dataset names it), not the graph as it stands (the load's writes
    # committed so far: ap-17 has lost all its responses but one there).
    assert count(db, "MATCH (s:Headline {version: $v}) RETURN count(s)", v=before.fingerprint) == 41
    during = neo.dataset_info()
    assert during is not None and during.fingerprint is None and during.loading
    assert during.serving == before.fingerprint
    assert neo.headline_page(17, HeadlineQuery()).page is not None
    for ask, answer in published:
        assert responses.response_page(neo, 17, **ask)[0] == answer, ask
    assert responses.response_page(Computed(neo), 17)[0].total == 1
    # The next load publishes, and the previous version's nodes go.
    load(db, changed, prune=True, yes=True)
    assert count(db, "MATCH (s:Headline {version: $v}) RETURN count(s)", v=before.fingerprint) == 0
    after = neo.dataset_info()
    assert after is not None and after.fingerprint and after.serving is None
    check_all(neo, MemoryStore(build_graph(changed)), changed, only=[17, 6])


def test_an_unfinished_first_load_has_nothing_to_serve(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    """With no version published before it, an unfinished load has nothing to serve: the headline is computed from
    the graph as it stands, and says the load is unfinished."""
    with pytest.raises(KeyboardInterrupt):
        write_batch(db[0], bundled_batch, db[1], derive=Interrupted())
    neo = Neo4jStore(*db)
    during = neo.dataset_info()
    assert during is not None and during.loading and during.fingerprint is None and during.serving is None
    assert neo.headline_page(17, HeadlineQuery()).page is None
    assert responses.response_page(neo, 17)[0] == responses.response_page(Computed(neo), 17)[0]


def test_page_reads_only_the_page(db: tuple[neo4j.Driver, str], tmp_path: Path) -> None:
    """The plain headline's rows are read from the order nodes that hold the page and a seek per row of it (db hits
    bounded by the page, not the answer)."""
    _, memory, busiest = loaded_synth(db, tmp_path)
    total = len(responses.find(memory, busiest).responses)
    from bpkg.app.store.neo4j import queries

    def hits(limit: int) -> int:
        params = {"number": busiest, "id": f"ap-{busiest}", "goal_level": False, "offset": 0, "end": limit}
        params["layout"] = LAYOUT
        return db_hits(db, queries.HEADLINE_BY_RANK, params)

    small, whole = hits(5), hits(total)
    assert small * 4 < whole, (small, whole)

    def mixed_hits(limit: int) -> int:
        """Both levels mixed in page order: the first ``limit`` rows of each side, merged."""
        params = {"number": busiest, "id": f"ap-{busiest}", "offset": 0, "end": limit, "limit": limit, "layout": LAYOUT}
        return db_hits(db, queries.HEADLINE_BY_POS, params)

    everything = total + len(responses.find(memory, busiest, include_goal_level=True).goal_responses)
    small, whole = mixed_hits(5), mixed_hits(everything)
    assert small * 4 < whole, (small, whole)


def test_derived_nodes_stay_out_of_the_api(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    """Stats, search, a node page and the graph exports over HTTP name no derived node or property."""
    from fastapi.testclient import TestClient

    from bpkg.app.api.main import create_app
    from tests.api.conftest import settings

    load(db, bundled_batch)
    store = Neo4jStore(*db)
    urls = ["/stats", "/search?q=headline", "/search?q=responder", "/nodes/ap-17", "/export/graph.json"]
    with TestClient(create_app(settings(backend="neo4j"), store=store)) as client:
        for url in urls:
            answer = client.get(url)
            assert answer.status_code == 200, (url, answer.text[:200])
            for word in ("HeadlineRow", '"Headline"', "slot_projects"):
                assert word not in answer.text, (url, word)
        exported = client.get("/export/graph.json").json()
    store.outage.close()
    assert len(exported["nodes"]) == len(bundled_batch.nodes)


def test_rows_an_interrupted_derivation_left_are_written_again_once(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """Rows and orders written without their summaries (a derivation stopped before it named them) are found by
    the next load, in one read for every action point: the rows, known by their content, are kept, the orders
    written over; never a second copy of a row or of an order."""
    driver, database = db
    write_batch(driver, bundled_batch, database, derive=HeadlineDerivation())

    def rows() -> tuple[int, int]:
        found, _, _ = driver.execute_query(
            "MATCH (r:HeadlineRow) WITH r.action_point AS ap, r.row AS row, count(*) AS n "
            "RETURN sum(n) AS rows, max(n) AS copies",
            database_=database,
        )
        return int(found[0]["rows"]), int(found[0]["copies"])

    before = rows()
    driver.execute_query("MATCH (s:Headline) DELETE s", database_=database)  # the summaries never written
    again = HeadlineDerivation()
    write_batch(driver, bundled_batch, database, derive=again)
    assert again.report.rewritten == len(numbers(bundled_batch))
    assert (again.report.rows_written, again.report.rows_dropped) == (0, 0), again.report
    assert rows() == before and before[1] == 1
    assert unnamed(db) == (0, 0)
    orders = "MATCH (o:HeadlineOrder) WITH o.action_point AS ap, o.hash AS h, o.part AS p, count(*) AS n RETURN max(n)"
    assert count(db, orders) == 1
    memory = MemoryStore(build_graph(bundled_batch))
    store = Neo4jStore(driver, database)
    read = store.headline_page(17, HeadlineQuery(limit=50))
    assert read.page is not None
    assert read.page.page == memory.headline_page(17, HeadlineQuery(limit=50)).page.page  # type: ignore[union-attr]


def goal_rows(db: tuple[neo4j.Driver, str]) -> dict[str, int]:
    records, _, _ = db[0].execute_query(
        "MATCH (r:HeadlineGoalRow) RETURN r.goal AS goal, count(*) AS rows", database_=db[1]
    )
    return {r["goal"]: r["rows"] for r in records}


def test_goal_level_responses_are_written_once_per_goal(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """Every action point under a goal reads the goal's rows: one copy per goal, not one per action point."""
    derivation = load(db, bundled_batch)
    memory = MemoryStore(build_graph(bundled_batch))
    into_goal = {r.target for r in bundled_batch.rels if r.type == RelType.RESPONDS_TO and r.target.startswith("pg-")}
    kept = goal_rows(db)
    assert set(kept) == into_goal
    for goal, rows in kept.items():
        under = [r.source for r in bundled_batch.rels if r.type == RelType.UNDER and r.target == goal]
        assert len(under) > 1
        # Each action point under the goal answers with as many goal-level responses as the goal has rows.
        for ap in under:
            number = int(ap.removeprefix("ap-"))
            assert len(responses.find(memory, number, include_goal_level=True).goal_responses) == rows
        assert count(db, "MATCH (s:Headline {goal_group: $g}) RETURN count(s)", g=goal) == len(under)
    assert derivation.report.goals_rewritten == len(into_goal)
    assert derivation.report.goal_rows_written == sum(kept.values())
    assert derivation.report.rows_written == count(db, "MATCH (r:HeadlineRow) RETURN count(r)")


def test_a_changed_goal_link_rewrites_the_goal_once(db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch) -> None:
    """An incremental load that drops a link into a goal rewrites that goal's rows once, and no action point's
    own rows; every action point under the goal answers from them."""
    load(db, bundled_batch)
    before = goal_rows(db)
    dropped = next(r for r in bundled_batch.rels if r.type == RelType.RESPONDS_TO and r.target == "pg-1")
    changed = dataclasses.replace(bundled_batch, rels=[r for r in bundled_batch.rels if r.key != dropped.key])
    derivation = load(db, changed, prune=True, yes=True)
    report = derivation.report
    assert (report.rewritten, report.rows_written) == (0, 0), report
    # The goal's new order names rows held already: none is written, the dropped link's row goes.
    assert (report.goals_rewritten, report.goal_rows_written, report.rows_dropped) == (1, 0, 1), report
    assert goal_rows(db) == {**before, "pg-1": before["pg-1"] - 1}
    under = sorted(
        int(r.source.removeprefix("ap-")) for r in changed.rels if r.type == RelType.UNDER and r.target == "pg-1"
    )
    check_all(Neo4jStore(*db), MemoryStore(build_graph(changed)), changed, only=under)


def test_goal_rows_an_interrupted_derivation_left_are_written_again_once(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """Goal rows written without the summaries naming them are kept and named again: one copy per goal."""
    load(db, bundled_batch)
    before = goal_rows(db)
    db[0].execute_query("MATCH (s:Headline) DELETE s", database_=db[1])
    again = load(db, bundled_batch)
    assert (again.report.goals_rewritten, again.report.goal_rows_written) == (len(before), 0), again.report
    assert goal_rows(db) == before
    copies = "MATCH (r:HeadlineGoalRow) WITH r.goal AS g, r.row AS row, count(*) AS n RETURN max(n)"
    assert count(db, copies) == 1
    check_all(Neo4jStore(*db), MemoryStore(build_graph(bundled_batch)), bundled_batch, only=[1, 17])


def db_hits(db: tuple[neo4j.Driver, str], query: str, params: dict[str, Any]) -> int:
    """The database hits of every step of ``query``'s profile."""
    summary = db[0].execute_query("PROFILE " + query, params, database_=db[1])[1]
    assert summary.profile is not None
    stack, found = [summary.profile], 0
    while stack:
        step = stack.pop()
        found += step.get("dbHits", 0)
        stack += step.get("children", [])
    return found


def test_the_derivations_writes_find_their_nodes_by_index(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """Every write of the derivation that looks a node up (a summary, an order part, a row) seeks an index: none
    scans a label, whose cost grows with every version's nodes (a summary merged without an index took 205 s of a
    250 s derivation at 1M relationships)."""
    from bpkg.app.store.neo4j import derive

    load(db, bundled_batch)
    part = {"owner": "ap-1", "hash": "h", "part": 0, "fields": {}}
    row = {"owner": "ap-1", "row": "r"}
    summary = {"version": "v", "action_point": "ap-1", "number": 1}
    writes: dict[str, tuple[str, dict[str, Any]]] = {
        "WRITE_SUMMARIES": (derive.WRITE_SUMMARIES, {"rows": [summary]}),
        "WRITE_ORDERS": (derive.WRITE_ORDERS, {"parts": [part]}),
        "WRITE_GOAL_ORDERS": (derive.WRITE_GOAL_ORDERS, {"parts": [part]}),
        "DROP_ORDERS": (derive.DROP_ORDERS, {"parts": [part]}),
        "DROP_GOAL_ORDERS": (derive.DROP_GOAL_ORDERS, {"parts": [part]}),
        "DROP_ROWS": (derive.DROP_ROWS, {"rows": [row]}),
        "DROP_GOAL_ROWS": (derive.DROP_GOAL_ROWS, {"rows": [row]}),
    }
    for name, (query, params) in writes.items():
        plan = db[0].execute_query("EXPLAIN " + query, params, database_=db[1])[1].plan
        assert plan is not None
        stack, operators = [plan], []
        while stack:
            step = stack.pop()
            operators.append(step["operatorType"].split("@")[0])
            stack += step.get("children", [])
        assert not {"NodeByLabelScan", "AllNodesScan"} & set(operators), (name, operators)
        assert any("Index" in op for op in operators), (name, operators)


def test_rows_of_the_layout_before_go_once_a_version_is_published(
    db: tuple[neo4j.Driver, str], bundled_batch: GraphBatch
) -> None:
    """A database derived by the layout before (rows by (action point, hash of all its rows, rank), no ``row``):
    the next derivation writes its own, and the old rows go once its version is published."""
    load(db, bundled_batch)
    rows = count(db, "MATCH (r:HeadlineRow) RETURN count(r)")
    db[0].execute_query(
        "UNWIND range(0, 2) AS rank CREATE (:HeadlineRow {action_point: 'ap-17', hash: 'old', rank: rank})",
        database_=db[1],
    )
    db[0].execute_query("MATCH (s:Headline) SET s.layout = 3", database_=db[1])  # derived by the layout before
    derivation = load(db, bundled_batch)
    assert derivation.report.rows_dropped == 3 and derivation.report.rows_written == 0, derivation.report
    assert count(db, "MATCH (r:HeadlineRow) WHERE r.row IS NULL RETURN count(r)") == 0
    assert count(db, "MATCH (r:HeadlineRow) RETURN count(r)") == rows
    assert unnamed(db) == (0, 0)
    check_all(Neo4jStore(*db), MemoryStore(build_graph(bundled_batch)), bundled_batch, only=[17, 1])
