"""Legacy PBKDF2 password hashes (made before argon2id) still log in, and the login stores
an argon2id hash in their place; the session opened by that login stays valid."""

from __future__ import annotations

import base64
import hashlib

from board.core.passwords import verify_password_sync
from board.store.tables import Member
from tests.support.factories import make_institution
from tests.support.members import PASSWORD, log_in_as, login, make_member


def pbkdf2_hash(password: str, salt: bytes = b"0123456789abcdef", iterations: int = 1000) -> str:
    """The format the board stored before argon2 (Piccolo's BaseUser format)."""
    digest = hashlib.pbkdf2_hmac("sha256", password.encode(), salt, iterations)
    return f"pbkdf2_sha256${iterations}${base64.b64encode(salt).decode()}$" \
           f"{base64.b64encode(digest).decode()}"


async def _stored(member_id: int) -> str:
    row = await Member.select(Member.password_hash).where(Member.id == member_id).first().run()
    return row["password_hash"]


async def test_a_pbkdf2_hash_logs_in_and_is_stored_as_argon2id_after(client):
    inst = await make_institution()
    member = await make_member(inst)
    legacy = pbkdf2_hash(PASSWORD)
    await Member.update({Member.password_hash: legacy}).where(Member.id == member["id"]).run()

    await log_in_as(client, member)

    stored = await _stored(member["id"])
    assert stored.startswith("$argon2id$") and stored != legacy
    assert verify_password_sync(PASSWORD, stored)
    # The session opened by this login carries the new hash's stamp: still logged in.
    assert (await client.get("/dashboard", follow_redirects=False)).status_code == 200


async def test_a_wrong_password_leaves_the_legacy_hash_alone(client):
    inst = await make_institution()
    member = await make_member(inst)
    legacy = pbkdf2_hash(PASSWORD)
    await Member.update({Member.password_hash: legacy}).where(Member.id == member["id"]).run()

    refused = await login(client, member["email"], "not the password at all")

    assert refused.status_code in {400, 401, 403} and await _stored(member["id"]) == legacy


async def test_a_weak_argon2_hash_is_upgraded_to_production_parameters(client):
    inst = await make_institution()
    member = await make_member(inst)  # tests' cheap argon2id parameters (t=1, 1 MiB)
    weak = await _stored(member["id"])

    await log_in_as(client, member)

    stored = await _stored(member["id"])
    assert stored != weak and stored.startswith("$argon2id$v=19$m=65536,t=3,p=4$")
