"""Password hashing (PBKDF2-SHA256, as Piccolo's BaseUser does) run off the event loop:
it is slow by design and synchronous."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import secrets

ITERATIONS = 600_000
MIN_LENGTH = 10


def _hash(password: str, salt: bytes, iterations: int) -> str:
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}$" \
           f"{base64.b64encode(digest).decode()}"


def hash_password_sync(password: str, iterations: int = ITERATIONS) -> str:
    return _hash(password, secrets.token_bytes(16), iterations)


def verify_password_sync(password: str, stored: str) -> bool:
    try:
        algo, iterations, salt, _ = stored.split("$")
        if algo != "pbkdf2_sha256":
            return False
        expected = _hash(password, base64.b64decode(salt), int(iterations))
    except (ValueError, TypeError):
        return False
    return hmac.compare_digest(expected, stored)


async def hash_password(password: str) -> str:
    return await asyncio.to_thread(hash_password_sync, password)


async def verify_password(password: str, stored: str) -> bool:
    return await asyncio.to_thread(verify_password_sync, password, stored)


def session_stamp(password_hash: str | None) -> str:
    """A short digest of the stored password hash, kept in the session at login and checked
    on every request: a password reset or change makes a new hash, so every session opened
    with the old password stops working (a stolen session dies with the old password)."""
    return hashlib.sha256(f"session:{password_hash or ''}".encode()).hexdigest()[:32]
