"""HMAC-signed, expiring tokens for links in emails (verify, reset, invite, confirm...).

A token is `base64url(json payload) . base64url(hmac-sha256)`; the MAC covers a purpose
string too, so a token minted for one purpose (say "invite") is never accepted for another
("reset"). Uses SECRET_KEY from the settings unless a key is given explicitly.

Key rotation: `key` may be a sequence (Settings.signing_keys: SECRET_KEY first, then the
old keys of SECRET_KEY_FALLBACKS). New tokens are signed with the first; a token signed
with any of them is accepted, so year-long unsubscribe and manage links survive a change of
key for as long as the old key stays in the fallback list.

    token = sign("verify-email", {"member": 12}, ttl=3 * 24 * 3600)
    payload = unsign("verify-email", token)      # {"member": 12}, or BadToken
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from typing import Any

# One key, or the current key followed by older ones still accepted.
Keys = str | Sequence[str]


class BadToken(Exception):
    """The token is malformed, tampered with, for another purpose, or expired."""


class ExpiredToken(BadToken):
    pass


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def _secrets(key: Keys | None) -> list[bytes]:
    if key is None:
        from board.settings import load_settings

        key = load_settings().signing_keys
    keys = [key] if isinstance(key, str) else list(key)
    if not keys:
        raise ValueError("no signing key")
    return [k.encode() for k in keys]


def _mac(secret: bytes, purpose: str, body: str) -> str:
    message = purpose.encode() + b"\x00" + body.encode("ascii")
    return _b64(hmac.new(secret, message, hashlib.sha256).digest())


def sign(purpose: str, payload: Any, ttl: int, *, key: Keys | None = None,
         now: float | None = None) -> str:
    """A URL-safe token carrying `payload` (JSON-serialisable), valid for `ttl` seconds."""
    issued = int(now if now is not None else time.time())
    body = _b64(json.dumps({"p": payload, "e": issued + int(ttl)},
                           separators=(",", ":"), sort_keys=True).encode())
    return f"{body}.{_mac(_secrets(key)[0], purpose, body)}"


def unsign(purpose: str, token: str, *, key: Keys | None = None, now: float | None = None) -> Any:
    """The payload of a token made by `sign` for the same purpose; BadToken (ExpiredToken
    when only the time ran out) otherwise."""
    if not isinstance(token, str) or token.count(".") != 1:
        raise BadToken("malformed token")
    body, mac = token.split(".")
    if not any(hmac.compare_digest(mac, _mac(secret, purpose, body)) for secret in _secrets(key)):
        raise BadToken("invalid signature")
    try:
        data = json.loads(_unb64(body))
        expires = int(data["e"])
    except (ValueError, KeyError, TypeError):
        raise BadToken("malformed token") from None
    if (now if now is not None else time.time()) >= expires:
        raise ExpiredToken("token expired")
    return data["p"]
