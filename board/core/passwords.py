"""Password hashing: argon2id (argon2-cffi, RFC 9106's low-memory profile), run off the
event loop since it is slow by design and synchronous.

Hashes made before argon2 are PBKDF2-SHA256 (`pbkdf2_sha256$iterations$salt$digest`, as
Piccolo's BaseUser makes them): they still verify, and `needs_rehash` says so, so the login
stores an argon2id hash in their place on the next successful login (the only moment the
clear password is at hand). Argon2 hashes made with weaker parameters are upgraded the
same way."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 10
# argon2-cffi's defaults: argon2id, t=3, m=64 MiB, p=4 (RFC 9106, second recommended option).
HASHER = PasswordHasher()
_PBKDF2 = "pbkdf2_sha256$"


def hash_password_sync(password: str, hasher: PasswordHasher | None = None) -> str:
    """An argon2id hash; `hasher` lets tests make real but cheap ones."""
    return (hasher or HASHER).hash(password)


def _verify_pbkdf2(password: str, stored: str) -> bool:
    try:
        algo, iterations, salt, digest = stored.split("$")
        expected = hashlib.pbkdf2_hmac("sha256", password.encode(), base64.b64decode(salt),
                                       int(iterations))
        return algo == "pbkdf2_sha256" and hmac.compare_digest(
            base64.b64encode(expected).decode(), digest)
    except (ValueError, TypeError):
        return False


def verify_password_sync(password: str, stored: str) -> bool:
    if stored.startswith(_PBKDF2):
        return _verify_pbkdf2(password, stored)
    try:
        return HASHER.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    """True for a legacy PBKDF2 hash or an argon2 hash weaker than HASHER's parameters."""
    if stored.startswith(_PBKDF2):
        return True
    try:
        return HASHER.check_needs_rehash(stored)
    except InvalidHashError:
        return True


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password: str, stored: str) -> bool:
    return await asyncio.to_thread(verify_password_sync, password, stored)


def session_stamp(password_hash: str | None) -> str:
    """A short digest of the stored password hash, kept in the session at login and checked
    on every request: a password reset or change makes a new hash, so every session opened
    with the old password stops working (a stolen session dies with the old password)."""
    return hashlib.sha256(f"session:{password_hash or ''}".encode()).hexdigest()[:32]
