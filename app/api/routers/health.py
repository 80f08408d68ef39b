"""Liveness and readiness: the backend, whether it answers, and the dataset it holds."""

from __future__ import annotations

from fastapi import APIRouter, Request

from app.http.deps import StoreDep
from app.services.health import health
from app.services.models import HealthOut

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    summary="Backend, reachability and dataset",
    description="Always 200 while the API process runs, also when Neo4j is down: then `reachable` is false, "
    "`status` is `unavailable` and `message` says why, and data routes answer 503 until it is back. "
    "Never needs an API key.",
)
def get_health(store: StoreDep, request: Request) -> HealthOut:
    """Backend, reachability and dataset."""
    return health(store, request.app.state.started_at)
