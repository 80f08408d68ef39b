"""The facts every answer reads, as the memory backend keeps them: the responses to a goal once per goal, each read
with the action point's own placement under the goal, equal to (and dumped as) the list of the same responses."""

from __future__ import annotations

from typing import Any

from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.question_types import ActionPointFacts, GoalResponses, Response, unplaced
from bpkg.graph_schema import Label, RelType, weakest
from bpkg.loaders import build_graph
from bpkg.loaders.batch import DatasetInfo, GraphBatch, Node, Rel


def _props(confidence: str = "confirmed", **extra: Any) -> dict[str, Any]:
    return {"sources": ["source-a"], "confidence": confidence, **extra}


def _store() -> MemoryStore:
    nodes = [
        Node(Label.SOURCE, "source-a", _props(name="Source A")),
        Node(Label.PRIORITY_GOAL, "pg-1", _props(name="Goal 1", number=1)),
        Node(Label.PRIORITY_GOAL, "pg-2", _props(name="Goal 2", number=2)),
        *(Node(Label.ACTION_POINT, f"ap-{n}", _props(name=f"AP {n}", number=n)) for n in (1, 2, 3, 4)),
        Node(Label.PROJECT, "project-p", _props(name="Project")),
        Node(Label.COMPONENT, "component-c", _props(name="Component")),
        Node(Label.ACTIVITY, "activity-a", _props(name="Activity A")),
        Node(Label.ACTIVITY, "activity-b", _props(name="Activity B")),
    ]
    rels = [
        Rel(RelType.UNDER, "ap-1", "pg-1", _props()),
        Rel(RelType.UNDER, "ap-2", "pg-1", _props("illustrative")),
        # A dataset error the facts still answer: an action point under two goals.
        Rel(RelType.UNDER, "ap-3", "pg-1", _props("inferred")),
        Rel(RelType.UNDER, "ap-3", "pg-2", _props()),
        Rel(RelType.HAS_COMPONENT, "project-p", "component-c", _props()),
        Rel(RelType.PART_OF, "activity-a", "component-c", _props("inferred")),
        Rel(RelType.RESPONDS_TO, "component-c", "pg-1", _props(strength="partial")),
        Rel(RelType.RESPONDS_TO, "activity-a", "pg-1", _props(strength="direct")),
        Rel(RelType.RESPONDS_TO, "activity-b", "pg-2", _props(strength="indirect")),
        Rel(RelType.RESPONDS_TO, "activity-b", "ap-1", _props(strength="direct")),
    ]
    return MemoryStore(build_graph(GraphBatch(DatasetInfo("facts", "1"), nodes, rels)))


def _facts(store: MemoryStore) -> dict[str, ActionPointFacts]:
    return {f.action_point.id: f for f in store.action_point_facts()}


def test_a_goal_s_responses_are_kept_once_and_read_with_each_action_point_s_placement() -> None:
    facts = _facts(_store())
    one, two = facts["ap-1"].goal_responses, facts["ap-2"].goal_responses
    assert isinstance(one, GoalResponses) and isinstance(two, GoalResponses)
    assert one.shared is two.shared, "the responses to pg-1 are kept once for both action points under it"
    assert [r.responder.id for r in two] == ["component-c", "activity-a"]
    for ap, responses in (("ap-1", one), ("ap-2", two)):
        for r in responses:
            last = r.path[-1]
            assert (last.type, last.source.id, last.target.id) == ("UNDER", ap, "pg-1")
            assert r.level == "goal" and r.target.id == "pg-1"
            assert r.confidence == weakest(step.confidence for step in r.path)
            assert Response.model_validate(r.model_dump()) == r
    # The placement's confidence counts: ap-2 sits under pg-1 as an illustrative assignment.
    assert [r.confidence for r in one] == ["confirmed", "inferred"]
    assert [r.confidence for r in two] == ["illustrative", "illustrative"]
    # The kept responses are not changed by reading them for one action point or the other.
    assert [len(r.path) for r in one.shared] == [2, 3]
    assert one[1] == list(one)[1] and one[-1:] == [one[1]] and len(one) == 2
    # What a status and the readers of the other fields read without making the responses.
    assert list(two.confidences()) == [r.confidence for r in two]
    for kept, made in zip(unplaced(two), two, strict=True):
        assert kept.model_dump(exclude={"confidence", "path"}) == made.model_dump(exclude={"confidence", "path"})
    direct = facts["ap-1"].responses
    assert unplaced(direct) is direct


def test_goal_level_responses_dump_compare_and_validate_as_the_list_of_the_same_responses() -> None:
    for f in _facts(_store()).values():
        listed = list(f.goal_responses)
        assert f.goal_responses == listed
        assert f.model_dump()["goal_responses"] == [r.model_dump() for r in listed]
        again = ActionPointFacts.model_validate_json(f.model_dump_json())
        assert again == f and again.model_dump_json() == f.model_dump_json()
    one, two = _facts(_store())["ap-1"], _facts(_store())["ap-2"]
    assert one.goal_responses != two.goal_responses, "same goal, another placement"


def test_an_action_point_under_two_goals_reads_each_goal_s_responses_in_one_order() -> None:
    found = _facts(_store())["ap-3"].goal_responses
    assert [(r.responder.id, r.target.id, r.path[-1].target.id) for r in found] == [
        ("component-c", "pg-1", "pg-1"),
        ("activity-a", "pg-1", "pg-1"),
        ("activity-b", "pg-2", "pg-2"),
    ]
    assert [r.confidence for r in found] == ["inferred", "inferred", "confirmed"]


def test_the_facts_give_the_responses_an_action_point_s_detail_gives() -> None:
    store = _store()
    for ap, f in _facts(store).items():
        detail = store.action_point(ap, True)
        assert detail.responses == f.responses
        assert detail.goal_responses == list(f.goal_responses)
    assert _facts(store)["ap-4"].goal_responses == [], "an action point under no goal has none"
