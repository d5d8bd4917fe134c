"""Password hashing: argon2id for new hashes, legacy PBKDF2 hashes still verified and
flagged for rehashing."""

from __future__ import annotations

import base64
import hashlib

from argon2 import PasswordHasher

from board.core.passwords import hash_password_sync, needs_rehash, verify_password_sync

CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


def _pbkdf2(password: str, iterations: int = 1000) -> str:
    salt = b"saltsaltsaltsalt"
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}$" \
           f"{base64.b64encode(digest).decode()}"


def test_new_hashes_are_argon2id_and_verify():
    stored = hash_password_sync("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert verify_password_sync("correct horse battery", stored)
    assert not verify_password_sync("correct horse batterY", stored)
    assert not needs_rehash(stored)


def test_legacy_pbkdf2_verifies_and_needs_rehash():
    stored = _pbkdf2("correct horse battery")
    assert verify_password_sync("correct horse battery", stored)
    assert not verify_password_sync("wrong password!", stored)
    assert needs_rehash(stored)


def test_weaker_argon2_parameters_need_rehash():
    stored = hash_password_sync("correct horse battery", CHEAP)
    assert verify_password_sync("correct horse battery", stored)
    assert needs_rehash(stored)


def test_garbage_never_verifies():
    for stored in ("", "pbkdf2_sha256$x$y$z", "pbkdf2_sha256$1000$!!$", "$argon2id$nonsense", "plain"):
        assert not verify_password_sync("correct horse battery", stored)
