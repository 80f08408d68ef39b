"""Request dependencies: the settings, the store the lifespan built, and the optional API key check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException

from app.errors import BackendUnavailable
from app.settings import Settings
from app.store.port import GraphStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> GraphStore:
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is None:
        raise BackendUnavailable("the graph store is not open (the application has not started)")
    return store


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="one of the configured API keys")


def api_keys(settings: Settings) -> list[str]:
    return [key.strip() for key in settings.api_keys.split(",") if key.strip()]


def require_api_key(settings: SettingsDep, key: Annotated[str | None, Security(api_key_header)]) -> None:
    """401 unless ``X-API-Key`` is one of the configured keys (installed only when keys are configured)."""
    given = (key or "").encode()
    # Compare with every key, in constant time, so timing does not reveal a key's prefix.
    if not any([secrets.compare_digest(given, k.encode()) for k in api_keys(settings)]):
        raise HTTPException(401, "missing or wrong X-API-Key", headers={"WWW-Authenticate": "X-API-Key"})
