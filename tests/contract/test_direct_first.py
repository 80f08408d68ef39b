"""An action point's page lists its direct responses before those to its goal, across pages of responses, on
both backends (``responses.response_page(direct_first=True)``)."""

from __future__ import annotations

import pytest

from bpkg.app.services.responses import response_page
from bpkg.app.store.port import GraphStore


@pytest.mark.parametrize("number", [17, 9, 1])
def test_direct_responses_come_first_on_every_page(store: GraphStore, number: int) -> None:
    answer, _ = response_page(store, number, include_goal_level=True)
    paged: list[tuple[str, str]] = []
    for offset in range(0, answer.total, 4):
        _, page = response_page(store, number, include_goal_level=True, limit=4, offset=offset, direct_first=True)
        paged += [(r.level, r.responder.id) for r in page]
    levels = [level for level, _ in paged]
    assert levels == sorted(levels, key=lambda v: v != "action_point")
    # The same responses as the answer's own order, only placed differently; and that order is unchanged.
    _, whole = response_page(store, number, include_goal_level=True)
    assert sorted(paged) == sorted((r.level, r.responder.id) for r in whole) and len(paged) == answer.total
    _, again = response_page(store, number, include_goal_level=True, direct_first=False)
    assert [(r.level, r.responder.id) for r in again] == [(r.level, r.responder.id) for r in whole]
    if number == 17:
        assert "goal" in levels and "action_point" in levels  # both kinds, so the order is tested
