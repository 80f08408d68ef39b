"""The one mapping from domain errors to HTTP, used by the JSON API and the HTML pages alike."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Final

from bpkg.app.errors import BackendUnavailable, InvalidQuery, NotFound, QueryTimedOut

STATUS: Final[dict[type[Exception], int]] = {
    NotFound: 404,
    InvalidQuery: 422,
    BackendUnavailable: 503,
    QueryTimedOut: 504,
}
RETRY_AFTER: Final = "1"
"""Seconds a client should wait after a 503 (the backend is probed twice a second meanwhile)."""


def status_of(exc: Exception) -> int:
    """The HTTP status of a domain error (500 for anything else: a bug, never hidden)."""
    return next((code for kind, code in STATUS.items() if isinstance(exc, kind)), 500)


def headers_for(status: int) -> dict[str, str]:
    """Headers every answer of that status carries: a 503 says when to retry."""
    return {"Retry-After": RETRY_AFTER} if status == 503 else {}


def validation_message(errors: Iterable[Mapping[str, Any]]) -> str:
    """FastAPI's validation errors as one sentence naming each parameter: ``depth: Input should be ...``."""
    problems = []
    for err in errors:
        loc = [str(part) for part in err.get("loc", ()) if part not in ("body", "query", "path", "header", "cookie")]
        where = ".".join(loc)
        message = str(err.get("msg", "invalid"))
        problems.append(f"{where}: {message}" if where else message)
    return "; ".join(problems) or "invalid request"
