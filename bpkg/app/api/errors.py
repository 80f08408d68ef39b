"""Errors as JSON ``{"error": {"status", "message"}}``; which status each domain error gets is decided in
bpkg/app/http/errors.py, the mapping the HTML pages use too."""

from __future__ import annotations

import logging
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from starlette.exceptions import HTTPException

from bpkg.app.errors import BpkgError
from bpkg.app.http.errors import headers_for, status_of, validation_message

log = logging.getLogger(__name__)


class ErrorBody(BaseModel):
    status: int
    message: str


class ErrorOut(BaseModel):
    """Every error the API returns has this shape; never a stack trace."""

    error: ErrorBody


Responses = dict[int | str, dict[str, Any]]


def _doc(description: str) -> dict[str, Any]:
    return {"model": ErrorOut, "description": description}


NOT_FOUND: Final[Responses] = {404: _doc("Unknown id, number or code")}
INVALID: Final[Responses] = {422: _doc("A parameter is missing, malformed or out of range")}
UNAVAILABLE: Final[Responses] = {
    503: {
        **_doc("The graph backend (Neo4j) cannot be reached; retry after `Retry-After` seconds"),
        "headers": {"Retry-After": {"description": "seconds to wait", "schema": {"type": "integer"}}},
    }
}
TIMED_OUT: Final[Responses] = {
    504: _doc("The question took longer than the query timeout and was stopped; the backend is up (not an outage)")
}
UNAUTHORISED: Final[Responses] = {401: _doc("API keys are enabled and X-API-Key is missing or wrong")}
ERRORS: Final[Responses] = {**NOT_FOUND, **INVALID, **UNAVAILABLE, **TIMED_OUT}
"""The errors every data route can answer (a route without ids still lists 404 for unknown filter values)."""


def error_response(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    body = ErrorOut(error=ErrorBody(status=status, message=message))
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_of(exc)
    if status == 500:
        log.error("unexpected %s on %s: %s", type(exc).__name__, request.url.path, exc)
    return error_response(status, str(exc), headers=headers_for(status) or None)


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return error_response(422, validation_message(exc.errors()))


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, HTTPException)
    return error_response(exc.status_code, str(exc.detail), headers=dict(exc.headers) if exc.headers else None)


def install(app: FastAPI) -> None:
    """Register the handlers: domain errors, FastAPI's own 422s and Starlette's HTTP errors share one shape."""
    app.add_exception_handler(BpkgError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
