"""Coverage by component, project and country on a generated graph: each row names the action points its node
(or work under it, or work in the country) responds to directly, counts every action point, and does not list
the others (they are every action point not named: listing them per row grew with rows times action points)."""

from __future__ import annotations

from collections import Counter, defaultdict

import pytest

from bpkg.app.services import sheets
from bpkg.app.services.coverage import CoverageBy, _contribution_row, coverage, gaps, read_facts
from bpkg.app.services.sheets import ALL_OTHERS
from bpkg.app.store import base
from bpkg.app.store.graph_types import GraphOut, NodeRef
from bpkg.app.store.memory import MemoryStore
from bpkg.loaders import build_graph, load_dataset, synth


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> MemoryStore:
    folder = tmp_path_factory.mktemp("synth")
    synth.write(folder, 4000, 3)
    return MemoryStore(build_graph(load_dataset(str(folder))))


@pytest.mark.parametrize("by", ["component", "project", "country"])
def test_rows_name_what_each_node_responds_to(store: MemoryStore, by: str) -> None:
    facts = read_facts(store)
    every = Counter(s.number for s in facts.statuses)
    involved = {"component": "components", "project": "projects", "country": "countries"}[by]
    expected: dict[str, set[int]] = {}
    links: Counter[str] = Counter()
    for f in facts.items:
        for r in f.responses:
            for node_id in {n.id for n in getattr(r, involved)}:
                expected.setdefault(node_id, set()).add(f.number)
                links[node_id] += 1
    out = coverage(store, by)  # type: ignore[arg-type]
    assert out.rows and any(r.covered for r in out.rows) and any(r.uncovered for r in out.rows)
    for row in out.rows:
        assert row.node is not None
        numbers = sorted(n for n in expected.get(row.node.id, set()) for _ in range(every[n]))
        assert row.covered_numbers == numbers
        assert (row.covered, row.action_points) == (len(numbers), len(facts.statuses))
        assert (row.uncovered, row.uncovered_numbers, row.responses) == (
            len(facts.statuses) - len(numbers),
            None,
            links[row.node.id],
        )
    table = sheets.coverage(out)
    assert {line[-1] for line in table.rows[:-1]} == {ALL_OTHERS}


def test_goal_rows_still_list_both(store: MemoryStore) -> None:
    out = coverage(store, "goal")
    statuses = {s.number: s.status for s in read_facts(store).statuses}
    for row in out.rows:
        assert row.uncovered_numbers is not None
        assert all(statuses[n] == "direct" for n in row.covered_numbers)
        assert all(statuses[n] != "direct" for n in row.uncovered_numbers)
        assert len(row.covered_numbers) + len(row.uncovered_numbers) == row.action_points


class _CountingStore(MemoryStore):
    """A memory store counting its reads of the whole roll-up (what the commitments' rows are read from)."""

    whole_reads = 0

    def whole_graph(self, labels: list[str] | None, max_nodes: int) -> GraphOut:
        self.whole_reads += 1
        return super().whole_graph(labels, max_nodes)


def test_the_commitments_are_made_once_for_every_answer_and_name_the_goals_their_plans_set(
    tmp_path_factory: pytest.TempPathFactory,
) -> None:
    folder = tmp_path_factory.mktemp("synth-commitments")
    synth.write(folder, 4000, 3)
    batch = load_dataset(str(folder))
    store = _CountingStore(build_graph(batch))
    groupings: list[CoverageBy] = ["goal", "gcm", "component", "project", "country"]
    answers = [coverage(store, by).commitments for by in groupings] + [gaps(store).commitments]
    assert store.whole_reads == 1
    assert answers[0] and all(found == answers[0] for found in answers)
    # Each commitment's goals: those set by the plans its declarations launch, read from the batch itself.
    ends: dict[tuple[str, str], set[str]] = defaultdict(set)
    for rel in batch.rels:
        ends[(rel.source, rel.type.value)].add(rel.target)
        ends[(rel.target, "~" + rel.type.value)].add(rel.source)
    assert any(row.goals for row in answers[0])
    for row in answers[0]:
        assert row.node is not None
        plans = {p for d in ends[(row.node.id, "~MAKES")] for p in ends[(d, "LAUNCHES")]}
        goals = [g.id for g in row.goals]
        assert sorted(goals) == sorted({g for p in plans for g in ends[(p, "SETS")]})
        assert goals == sorted(goals, key=lambda g: base.node_sort_key(store.node_data(g)))  # in node order


def test_a_number_two_action_points_carry_is_listed_for_each_covered() -> None:
    # Numbers are unique within a plan only: a later plan may number its action points from 1 again.
    node = NodeRef(id="component-x", label="Component", name="X")
    twice = _contribution_row(node, Counter({1: 2, 2: 1, 3: 1}), 4, {1, 3}, responses=4)
    assert twice.covered_numbers == [1, 1, 3]
    assert (twice.covered, twice.action_points, twice.uncovered) == (3, 4, 1)
    once = _contribution_row(node, Counter({1: 1, 2: 1, 3: 1}), 3, {3, 1}, responses=2)
    assert once.covered_numbers == [1, 3]
    assert (once.covered, once.action_points, once.uncovered) == (2, 3, 1)
