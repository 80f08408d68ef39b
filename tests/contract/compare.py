"""Comparing two backends' answers to the same question, failures included."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import BaseModel

from bpkg.app.errors import InvalidQuery, NotFound
from bpkg.app.services import responses
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


def action_point_read_whole(store: GraphStore, number: int) -> Any:
    """What ``/action-points/{number}`` must say: the action point read whole, with every response (``find``)."""
    detail = responses.find(store, number)
    return responses.detail_out(store, number, detail, detail.properties).model_dump(mode="json")
