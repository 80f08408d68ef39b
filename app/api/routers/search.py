"""Ranked text search over names, descriptions and ids."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from app.api.deps import StoreDep
from app.api.errors import INVALID, UNAVAILABLE
from app.api.params import Limit
from app.services.models import SearchOut
from app.services.views import search

router = APIRouter(tags=["search"], responses={**INVALID, **UNAVAILABLE})


@router.get("/search", response_model=SearchOut, summary="Search nodes by text")
def get_search(
    store: StoreDep,
    q: Annotated[
        str,
        Query(
            min_length=1,
            max_length=200,
            description="words to look for (prefixes match)",
            examples=["migrant resource centre"],
        ),
    ],
    limit: Limit = 20,
) -> SearchOut:
    """Nodes whose name, description or id has words starting with the query's words, best first."""
    return search(store, q, limit)
