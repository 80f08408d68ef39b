"""Signed session tokens for the key form: the cookie a browser keeps holds one of these, never the API key.

A token is ``expiry.nonce.key-tag.mac`` (URL-safe base64 parts): ``mac`` is an HMAC-SHA256 of the rest with
the server's session secret, and ``key-tag`` an HMAC of the key that was given, so that removing a key from
the configuration ends the sessions opened with it. The secret is ``BPKG_SESSION_SECRET`` when set (needed
when several workers or restarts must honour the same cookies), else random per process (a restart signs
everyone out). Pure but for the clock and the random nonce.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _mac(secret: bytes, *parts: str) -> str:
    return _b64(hmac.new(secret, ".".join(parts).encode(), hashlib.sha256).digest())


def _key_tag(secret: bytes, key: str) -> str:
    return _mac(secret, "key", key)[:22]


def new_secret() -> bytes:
    """A random secret for this process."""
    return secrets.token_bytes(32)


def issue(secret: bytes, key: str, lifetime: float, now: float | None = None) -> str:
    """A token for a session opened with ``key``, valid ``lifetime`` seconds."""
    expiry = str(int((time.time() if now is None else now) + lifetime))
    nonce = _b64(secrets.token_bytes(12))
    tag = _key_tag(secret, key)
    return ".".join((expiry, nonce, tag, _mac(secret, expiry, nonce, tag)))


def valid(secret: bytes, token: str | None, keys: Iterable[str], now: float | None = None) -> bool:
    """Whether ``token`` was issued with this secret, has not expired, and names a key still configured."""
    parts = (token or "").split(".")
    if len(parts) != 4 or len(token or "") > 200:
        return False
    expiry, nonce, tag, mac = parts
    if not secrets.compare_digest(mac.encode(), _mac(secret, expiry, nonce, tag).encode()):
        return False
    if not expiry.isdigit() or int(expiry) <= (time.time() if now is None else now):
        return False
    # Every key is compared, so that timing does not tell which one the session was opened with.
    return any([secrets.compare_digest(tag.encode(), _key_tag(secret, k).encode()) for k in keys])
