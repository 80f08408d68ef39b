"""Comparing two backends' answers to the same question, failures included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NoReturn

from pydantic import BaseModel

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.services import responses
from bpkg.app.services.api_types import ActionPointOut
from bpkg.app.services.lookup import notice
from bpkg.app.services.status import ILLUSTRATIVE, status_fields
from bpkg.app.store.port import GraphStore


def dump(value: object) -> Any:
    """Plain data of an answer (pydantic models dumped, containers walked)."""
    if isinstance(value, BaseModel):
        return value.model_dump()
    if isinstance(value, list | tuple):
        return [dump(v) for v in value]
    if isinstance(value, dict):
        return {k: dump(v) for k, v in value.items()}
    return value


def outcome(store: GraphStore, ask: Callable[[GraphStore], object]) -> Any:
    """The answer of ``store``, or the domain error it raised (type and message)."""
    try:
        return dump(ask(store))
    except (NotFound, InvalidQuery) as exc:
        return {"raised": type(exc).__name__, "message": str(exc)}


def same(store: GraphStore, reference: GraphStore, ask: Callable[[GraphStore], object]) -> Any:
    """Assert ``store`` answers ``ask`` exactly as ``reference`` does; return the answer."""
    want = outcome(reference, ask)
    got = outcome(store, ask)
    assert got == want
    return want


def action_point_read_whole(store: GraphStore, number: int) -> str:
    """What ``/action-points/{number}`` must say, as JSON: the action point read whole with every response
    (``find``), counted and summed up here on its own, as the route did before it read today's derived facts."""
    detail = responses.find(store, number)
    fields = status_fields(detail.responses, detail.goal_responses)
    illustrative = detail.goal_confidence == ILLUSTRATIVE or any(r.confidence == ILLUSTRATIVE for r in detail.responses)
    text, text_status = detail.properties.get("text"), detail.properties.get("text_status")
    return ActionPointOut(
        action_point=detail.action_point,
        number=number,
        goal=detail.goal,
        responses=len(detail.responses),
        goal_responses=len(detail.goal_responses),
        **fields,
        text=None if text is None else str(text),
        text_status=None if text_status is None else str(text_status),
        properties=detail.properties,
        illustrative=notice(store, illustrative or fields["status_confidence"] == ILLUSTRATIVE),
    ).model_dump_json()


def refused(*args: object, **kwargs: object) -> NoReturn:
    """What stands in for a read a test says is not made (an action point read whole, once today's facts are
    derived)."""
    raise AssertionError("read whole, though today's facts are derived")
