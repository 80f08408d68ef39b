"""Ranked text search over names, descriptions and ids."""

from __future__ import annotations

from fastapi import APIRouter

from bpkg.app.api.errors import INVALID, UNAVAILABLE
from bpkg.app.http.deps import StoreDep
from bpkg.app.http.params import Limit, SearchText
from bpkg.app.services.api_types import SearchOut
from bpkg.app.services.views import search

router = APIRouter(tags=["search"], responses={**INVALID, **UNAVAILABLE})


@router.get("/search", response_model=SearchOut, summary="Search nodes by text")
def get_search(
    store: StoreDep,
    q: SearchText,
    limit: Limit = 20,
) -> SearchOut:
    """Nodes whose name, description or id has words starting with the query's words, best first."""
    return search(store, q, limit)
