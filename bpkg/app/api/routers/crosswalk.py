"""Crosswalks: how the goals and commitments match the GCM's objectives and the SDG targets."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from bpkg.app.api.errors import ERRORS
from bpkg.app.http.deps import StoreDep
from bpkg.app.services.crosswalk import CrosswalkOut, SchemeName, crosswalk

router = APIRouter(prefix="/crosswalk", tags=["crosswalk"], responses={**ERRORS})


@router.get("", response_model=CrosswalkOut, summary="A crosswalk to the GCM objectives or the SDG targets")
def get_crosswalk(
    store: StoreDep,
    scheme: Annotated[SchemeName, Query(description="gcm: the GCM's 23 objectives; sdg: SDG targets")] = "gcm",
) -> CrosswalkOut:
    """Each concept of the scheme with the goals and commitments that closely match it (sources, confidence)."""
    return crosswalk(store, scheme)
