"""Counts of the graph."""

from __future__ import annotations

from fastapi import APIRouter

from bpkg.app.api.errors import UNAVAILABLE
from bpkg.app.http.deps import StoreDep
from bpkg.loaders.stats import GraphStats

router = APIRouter(tags=["graph"], responses={**UNAVAILABLE})


@router.get("/stats", response_model=GraphStats, summary="Counts per label, relationship type and confidence")
def get_stats(store: StoreDep) -> GraphStats:
    """Counts per label, relationship type and confidence level (facts = nodes + relationships)."""
    return store.stats()
