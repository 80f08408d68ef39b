"""Bounded requests: a request body over its limit is refused with 413 before it is read, a client that goes
away mid-body ends its request quietly, and the server closes connections that are slow to send their headers.

What each bound covers (docs/scale-out.md, "Bounded requests"):

- ``BodyLimit`` (ASGI middleware): ``Content-Length`` over the limit gets 413 at once, unread, and the
  connection is closed; a body without one (chunked) is counted as it streams and refused the same way when it
  passes the limit. The key form takes ``KEY_FORM_BODY`` bytes, everything else ``MAX_BODY`` (the API reads
  no body; the limit is there for what a client may send anyway).
- ``BoundedH11`` (uvicorn's h11 protocol): a connection must finish a request's headers within
  ``HEADER_TIMEOUT`` seconds of opening, or of its previous response; uvicorn itself only times out a
  keep-alive connection that sends nothing at all, so one byte every few seconds held a connection forever.
- ``server_options``: the uvicorn settings ``bpkg serve`` runs with (the protocol above, the keep-alive
  timeout, h11's bound on buffered header bytes).
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Final

from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from uvicorn.protocols.http.h11_impl import H11Protocol

from bpkg.app.api.errors import error_response

KEY_FORM_PATH: Final = "/view/key"
KEY_FORM_BODY: Final = 4 * 1024
"""Bytes the key form's body may hold (a key and a page address)."""
MAX_BODY: Final = 64 * 1024
"""Bytes any other request body may hold."""
HEADER_TIMEOUT: Final = 10.0
"""Seconds a connection has to send a request's headers (from when it opens or its last response ended)."""
KEEP_ALIVE_TIMEOUT: Final = 5
"""Seconds an idle keep-alive connection stays open (uvicorn's ``timeout_keep_alive``)."""
MAX_HEADER_BYTES: Final = 16 * 1024
"""Bytes of an unfinished request line and headers h11 buffers before it refuses the request."""

_log = logging.getLogger(__name__)


class _TooLarge(Exception):
    """The body went past its limit while it was read."""


class BodyLimit:
    """ASGI middleware: 413 for a body over its limit, before it is read; a client gone mid-body is no error."""

    def __init__(self, app: ASGIApp, default: int = MAX_BODY, limits: dict[str, int] | None = None) -> None:
        self.app = app
        self.default = default
        self.limits = {KEY_FORM_PATH: KEY_FORM_BODY} if limits is None else limits

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limits.get(scope["path"], self.default)
        declared = [v for k, v in scope["headers"] if k.lower() == b"content-length"]
        if declared and (not declared[0].strip().isdigit() or int(declared[0]) > limit):
            await self._refuse(scope, receive, send, limit)
            return
        read = 0
        started = False

        async def bounded() -> Message:
            nonlocal read
            message = await receive()
            if message["type"] == "http.request":
                read += len(message.get("body", b""))
                if read > limit:
                    raise _TooLarge
            return message

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, bounded, tracked)
        except _TooLarge:
            if started:
                raise
            await self._refuse(scope, receive, send, limit)
        except ClientDisconnect:
            # The client went away before its body was read: nobody to answer, nothing wrong with the server.
            _log.info("client disconnected before its request body was read (%s %s)", scope["method"], scope["path"])

    @staticmethod
    async def _refuse(scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        message = f"the request body is larger than {limit} bytes, the limit for {scope['path']}"
        # The body stays unread, so the connection cannot carry another request: close it.
        response = error_response(413, message, headers={"Connection": "close"})
        await response(scope, receive, send)


class BoundedH11(H11Protocol):
    """uvicorn's h11 protocol, closing a connection that has not finished a request's headers within
    ``HEADER_TIMEOUT`` seconds of opening or of its last response (slow or stalled clients)."""

    header_timeout: float = HEADER_TIMEOUT

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._wait_for_headers()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._wait_for_headers()

    def _wait_for_headers(self) -> None:
        # A new request's headers make a new cycle: the same cycle when the timer fires means they never came.
        self.loop.call_later(self.header_timeout, self._headers_overdue, self.cycle)

    def _headers_overdue(self, waiting_for: Any) -> None:
        if self.cycle is waiting_for and not self.transport.is_closing():
            self.transport.close()


def server_options() -> dict[str, Any]:
    """The uvicorn settings that bound connections (for ``uvicorn.run`` and ``uvicorn.Config``)."""
    return {
        "http": BoundedH11,
        "timeout_keep_alive": KEEP_ALIVE_TIMEOUT,
        "h11_max_incomplete_event_size": MAX_HEADER_BYTES,
    }
