"""Answers that depend on the dataset version alone, sent as JSON encoded and compressed once per version.

Today's coverage and gaps are kept per dataset version (``dataset_cache``), but each request still wrote them out
as JSON and compressed them: at 1M relationships the coverage by goal is 9.3 MB of JSON, and writing and
compressing it was nearly all of its 90-96 ms. Here the compressed JSON is kept beside the answer, once per
version: a client that accepts gzip (every browser, httpx, curl --compressed) gets those bytes, any other the JSON
they hold. The bytes are what the route's response model would have written (``model_dump_json``, by alias).
"""

from __future__ import annotations

import gzip
from collections.abc import Callable
from typing import Final

from fastapi import Request
from fastapi.responses import Response
from pydantic import BaseModel

from bpkg.app.services.dataset_cache import per_dataset
from bpkg.app.store.port import GraphStore

LEVEL: Final = 6
"""zlib's default, as the service's gzip middleware uses for other answers."""

GZIP_MINIMUM_SIZE: Final = 1000
"""Smallest body (bytes) the service's gzip middleware sends gzipped to clients that accept it (smaller ones gain
nothing); it adds ``Vary: Accept-Encoding`` to the bodies it considers, from this size on."""


def encoded_once(
    request: Request, store: GraphStore, key: tuple[str, ...], answer: Callable[[], BaseModel]
) -> Response:
    """The JSON of ``answer()``, encoded and compressed once per dataset version and ``key``."""
    packed: bytes = per_dataset(
        store,
        ("encoded", *key),
        lambda: gzip.compress(answer().model_dump_json(by_alias=True).encode(), LEVEL, mtime=0),
    )
    if "gzip" in request.headers.get("accept-encoding", ""):
        headers = {"Vary": "Accept-Encoding", "Content-Encoding": "gzip"}
        return Response(packed, media_type="application/json", headers=headers)
    body = gzip.decompress(packed)
    # The middleware says Vary itself on a body it could have compressed; a smaller one is told here.
    plain = {"Vary": "Accept-Encoding"} if len(body) < GZIP_MINIMUM_SIZE else {}
    return Response(body, media_type="application/json", headers=plain)
