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

from itsdangerous import BadData, BadSignature, Signer, URLSafeSerializer
from itsdangerous.encoding import base64_encode

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


class _Signer(Signer):
    """itsdangerous' Signer with its derived keys kept: the stock one hashes salt + key again
    for every signature, a third of a short token's cost."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._derived: dict[bytes | None, bytes] = {}

    def derive_key(self, secret_key: str | bytes | None = None) -> bytes:
        k = secret_key if secret_key is None else (
            secret_key.encode() if isinstance(secret_key, str) else secret_key)
        if k not in self._derived:
            self._derived[k] = super().derive_key(k)
        return self._derived[k]


# Below this many bytes of JSON, zlib cannot save the two bytes itsdangerous asks of it
# unless the payload repeats itself, yet trying cost about half of a link token's CPU (zlib
# allocates its whole window per call): the weekly digest signs two per mail.
COMPRESS_FROM = 128


class _Serializer(URLSafeSerializer):
    """URLSafeSerializer that tries zlib only on payloads long enough to gain from it and
    reuses one signer. Its tokens are the stock format: a short payload gets the uncompressed
    form URLSafeSerializer itself gives whenever zlib does not help (byte for byte), so every
    token mailed before, compressed or not, is read by the same `loads` as ever."""

    def __init__(self, *args: Any, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self._signer: Signer | None = None

    def dump_payload(self, obj: Any) -> bytes:
        json_bytes = self.serializer.dumps(obj, **self.serializer_kwargs).encode("utf-8")
        if len(json_bytes) >= COMPRESS_FROM:
            return super().dump_payload(obj)
        return base64_encode(json_bytes)

    def make_signer(self, salt: str | bytes | None = None) -> Signer:
        if salt is not None and salt != self.salt:
            return super().make_signer(salt)
        if self._signer is None:
            self._signer = super().make_signer(salt)
        return self._signer


@functools.lru_cache(maxsize=64)
def _serializer(purpose: str, keys: tuple[str, ...]) -> URLSafeSerializer:
    # itsdangerous signs with the last key and accepts any: oldest first, current last.
    # Cached: building one costs as much as signing (the weekly digest signs two per mail).
    return _Serializer(list(reversed(keys)), salt=purpose, signer=_Signer,
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
