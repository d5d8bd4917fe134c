"""Signed, expiring tokens for links in emails (verify, reset, invite, unsubscribe, manage...),
made by itsdangerous.

The purpose string is the serializer's salt, so a token minted for one purpose (say "invite")
is never accepted for another ("reset"). The expiry travels inside the signed payload (each
link has its own lifetime, fixed when it is mailed). Uses SECRET_KEY from the settings unless
a key is given explicitly.

Key rotation: `key` may be a sequence (Settings.signing_keys: SECRET_KEY first, then the
old keys of SECRET_KEY_FALLBACKS). New tokens are signed with the first; a token signed
with any of them is accepted, so year-long unsubscribe and manage links survive a change of
key for as long as the old key stays in the fallback list.

Legacy tokens: links mailed before itsdangerous carry our own format,
`base64url(json {"p", "e"}) . base64url(hmac-sha256(key, purpose NUL body))`. They stay
valid (same keys, same expiry rule) until they expire: a mailed unsubscribe link lives a year.

    token = sign("verify-email", {"member": 12}, ttl=3 * 24 * 3600)
    payload = unsign("verify-email", token)      # {"member": 12}, or BadToken
"""

from __future__ import annotations

import base64
import functools
import hashlib
import hmac
import json
import time
from collections.abc import Sequence
from typing import Any

from itsdangerous import BadData, BadSignature, URLSafeSerializer

# One key, or the current key followed by older ones still accepted.
Keys = str | Sequence[str]


class BadToken(Exception):
    """The token is malformed, tampered with, for another purpose, or expired."""


class ExpiredToken(BadToken):
    pass


def _keys(key: Keys | None) -> list[str]:
    if key is None:
        from board.settings import load_settings

        key = load_settings().signing_keys
    keys = [key] if isinstance(key, str) else list(key)
    if not keys:
        raise ValueError("no signing key")
    return keys


@functools.lru_cache(maxsize=64)
def _serializer(purpose: str, keys: tuple[str, ...]) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any: oldest first, current last.
    # Cached: building one costs as much as signing (the weekly digest signs two per mail).
    return URLSafeSerializer(list(reversed(keys)), salt=purpose,
                             signer_kwargs={"digest_method": hashlib.sha256})


def sign(purpose: str, payload: Any, ttl: int, *, key: Keys | None = None,
         now: float | None = None) -> str:
    """A URL-safe token carrying `payload` (JSON-serialisable), valid for `ttl` seconds."""
    issued = int(now if now is not None else time.time())
    return _serializer(purpose, tuple(_keys(key))).dumps({"p": payload, "e": issued + int(ttl)})


def unsign(purpose: str, token: str, *, key: Keys | None = None, now: float | None = None) -> Any:
    """The payload of a token made by `sign` (or by the legacy format) for the same purpose;
    BadToken (ExpiredToken when only the time ran out) otherwise."""
    if not isinstance(token, str) or not token or len(token) > 4096:
        raise BadToken("malformed token")
    keys = _keys(key)
    try:
        data = _serializer(purpose, tuple(keys)).loads(token)
    except BadSignature:
        data = _legacy_unsign(purpose, token, keys)
    except BadData:
        raise BadToken("malformed token") from None
    try:
        expires = int(data["e"])
        payload = data["p"]
    except (KeyError, TypeError, ValueError):
        raise BadToken("malformed token") from None
    if (now if now is not None else time.time()) >= expires:
        raise ExpiredToken("token expired")
    return payload


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _legacy_unsign(purpose: str, token: str, keys: list[str]) -> Any:
    """The data of a token in the pre-itsdangerous format, or BadToken."""
    if token.count(".") != 1:
        raise BadToken("malformed token")
    body, mac = token.split(".")
    message = purpose.encode() + b"\x00" + body.encode("ascii", "replace")
    if not any(hmac.compare_digest(mac, _b64(hmac.new(k.encode(), message, hashlib.sha256).digest()))
               for k in keys):
        raise BadToken("invalid signature")
    try:
        return json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
    except ValueError:
        raise BadToken("malformed token") from None
