"""Liveness and readiness: whether the backend answers, and (for key holders) the datasets it holds."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Request, Security

from bpkg.app.http.deps import SettingsDep, StoreDep, api_key_header, api_keys, key_is_valid
from bpkg.app.services.api_types import HealthOut
from bpkg.app.services.health import health

router = APIRouter(tags=["health"])


@router.get(
    "/health",
    response_model=HealthOut,
    response_model_exclude_none=True,
    summary="Whether the service is up; for key holders, the backend and the datasets loaded",
    description="Always 200 while the API process runs, also when Neo4j is down: then `reachable` is false, "
    "`status` is `unavailable`, and data routes answer 503 until it is back. Never needs an API key, but "
    "with API keys configured a request without a valid `X-API-Key` gets only `status` and `reachable`; "
    "with a key (or with keys off) it also gets the backend, `message`, the dataset loaded last and "
    "`datasets`: every dataset loaded, with its version and when it was loaded.",
)
def get_health(
    store: StoreDep,
    settings: SettingsDep,
    request: Request,
    key: Annotated[str | None, Security(api_key_header)],
) -> HealthOut:
    """Whether the service is up; for key holders, the backend and the datasets loaded."""
    detail = not api_keys(settings) or key_is_valid(settings, key)
    return health(store, request.app.state.started_at, detail=detail)
