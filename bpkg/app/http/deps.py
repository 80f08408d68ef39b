"""Request dependencies: the settings, the store the lifespan built, and the optional API key check."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import Depends, Request, Security
from fastapi.security import APIKeyHeader
from starlette.exceptions import HTTPException

from bpkg.app.errors import BackendUnavailable
from bpkg.app.http import sessions
from bpkg.app.services.dataset_cache import pin
from bpkg.app.settings import Settings
from bpkg.app.store.port import GraphStore


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_store(request: Request) -> GraphStore:
    """The store the lifespan opened, as this request sees it: the dataset read once (``dataset_cache.pin``)."""
    store: GraphStore | None = getattr(request.app.state, "store", None)
    if store is None:
        raise BackendUnavailable("the graph store is not open (the application has not started)")
    return pin(store)


SettingsDep = Annotated[Settings, Depends(get_settings)]
StoreDep = Annotated[GraphStore, Depends(get_store)]

api_key_header = APIKeyHeader(name="X-API-Key", auto_error=False, description="one of the configured API keys")


def api_keys(settings: Settings) -> list[str]:
    return [key.strip() for key in settings.api_keys.split(",") if key.strip()]


# Browsers cannot send a header when following a link, so pages also accept a session from this cookie,
# which the key form (bpkg/app/web/pages.py) sets: a signed token (bpkg/app/http/sessions.py), never the key itself.
# The JSON API takes the header only.
KEY_COOKIE = "bpkg_session"


def session_secret(request: Request) -> bytes:
    """The secret that signs session cookies: ``BPKG_SESSION_SECRET``, else one made for this process."""
    state = request.app.state
    kept: bytes | None = getattr(state, "session_secret", None)
    if kept is not None:
        return kept
    configured = state.settings.session_secret
    secret = configured.get_secret_value().encode() if configured is not None else sessions.new_secret()
    state.session_secret = secret
    return secret


def open_session(request: Request, settings: Settings, key: str) -> str:
    """A session token for ``key`` (a valid key), to keep in the cookie."""
    return sessions.issue(session_secret(request), key, settings.session_hours * 3600)


def cookie_is_secure(request: Request, settings: Settings) -> bool:
    """Whether the cookie must be ``Secure``: the request came over HTTPS, or the service is public over it."""
    return request.url.scheme == "https" or settings.public_url.startswith("https://")


class PageKeyRequired(Exception):
    """A page was asked for without a valid key; the pages answer with the key form."""


def key_is_valid(settings: Settings, given: str | None) -> bool:
    """Whether ``given`` is one of the configured keys, compared in constant time."""
    encoded = (given or "").encode()
    # Compare with every key, so timing reveals neither a key's prefix nor which key matched.
    return any([secrets.compare_digest(encoded, k.encode()) for k in api_keys(settings)])


def require_api_key(settings: SettingsDep, key: Annotated[str | None, Security(api_key_header)]) -> None:
    """401 unless ``X-API-Key`` is one of the configured keys (installed only when keys are configured)."""
    if not key_is_valid(settings, key):
        raise HTTPException(401, "missing or wrong X-API-Key", headers={"WWW-Authenticate": "X-API-Key"})


def require_page_key(
    request: Request, settings: SettingsDep, key: Annotated[str | None, Security(api_key_header)]
) -> None:
    """Pages: the key from the ``X-API-Key`` header or the key cookie; otherwise the key form."""
    if key_is_valid(settings, key):
        return
    if not sessions.valid(session_secret(request), request.cookies.get(KEY_COOKIE), api_keys(settings)):
        raise PageKeyRequired()
