"""What Neo4j keeps of the headline (``headline.stored``): goal-level responses kept once per goal give back, with
each action point's UNDER step, exactly the responses computed for it; the merge key orders like ``page_key``."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from bpkg.app.store import headline
from bpkg.app.store.memory import MemoryStore
from bpkg.app.store.response_builder import page_key
from bpkg.loaders import GraphBatch, build_graph, load_dataset

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=6)
parts = st.tuples(st.booleans(), texts)


@given(st.tuples(parts, parts, parts), st.tuples(parts, parts, parts))
def test_the_merge_key_orders_like_the_page_key(
    a: tuple[tuple[bool, str], ...], b: tuple[tuple[bool, str], ...]
) -> None:
    def text(key: tuple[tuple[bool, str], ...]) -> str:
        return "".join(("1" if flag else "0") + headline._text(value) for flag, value in key)

    assert (text(a) < text(b)) == (a < b)
    assert (text(a) == text(b)) == (a == b)
    assert text(a).isascii()


def stored_of(batch: GraphBatch) -> tuple[list[headline.Stored], MemoryStore]:
    memory = MemoryStore(build_graph(batch))
    groups: dict[str, headline.GoalRows] = {}
    return [headline.stored(f, groups) for f in memory.action_point_facts()], memory


def check(batch: GraphBatch) -> list[headline.Stored]:
    kept, memory = stored_of(batch)
    facts = memory.action_point_facts()
    for found, one in zip(facts, kept, strict=True):
        derived = headline.derive(found)
        assert one.summary.model_dump_json() == derived.summary.model_dump_json()
        # The action point's own rows and its goal's, read back as the store reads them, are the derived rows.
        entries = [{"zjson": row["zjson"], "goal": False} for row in one.rows]
        entries += [{"zjson": row["zjson"], "goal": True} for row in (one.goal.rows if one.goal else [])]
        under = one.under.model_dump_json() if one.under is not None else None
        again = headline.read_rows(entries, under)
        assert [r.model_dump_json() for r in again] == [row.response.model_dump_json() for row in derived.rows]
        # Their keys order them as the mixed pages do (``pos``): by key, the action point's first, then by rank.
        order = sorted(range(len(entries)), key=lambda i: (headline.merge_key(again[i]), entries[i]["goal"], i))
        assert order == sorted(range(len(entries)), key=lambda i: derived.rows[i].pos)
        assert [page_key(r) for r in again] == [page_key(row.response) for row in derived.rows]
    return kept


def test_bundled_goal_rows_are_kept_once_per_goal() -> None:
    kept = check(load_dataset())
    with_goal_rows = [k for k in kept if k.goal is not None]
    assert with_goal_rows and all(k.under is not None for k in with_goal_rows)
    groups = {k.goal.group for k in with_goal_rows if k.goal is not None}
    # Several action points under one goal read the same rows: one group per goal, none of an action point's own.
    assert len(groups) < len(with_goal_rows)
    assert all(
        k.summary.goal is not None and k.goal is not None and k.goal.group == k.summary.goal.id for k in with_goal_rows
    )
