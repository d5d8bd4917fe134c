"""API tokens: stored hashed, shown once, revocable; the dashboard page that manages them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest

from board.accounts import tokens
from board.core.validation import ValidationErrors
from board.store.tables import ApiToken, Member
from tests.support.factories import make_institution
from tests.support.members import log_in_as, make_member, post_form


def test_bearer_header_parsing():
    assert tokens.bearer_token("Bearer imgb_abc") == "imgb_abc"
    assert tokens.bearer_token("bearer   imgb_abc ") == "imgb_abc"
    assert tokens.bearer_token("Basic dXNlcjpwdw==") is None
    assert tokens.bearer_token("Bearer ") is None
    assert tokens.bearer_token(None) is None


async def test_create_authenticate_revoke(store):
    inst = await make_institution()
    member = await make_member(inst)
    token_id, token = await tokens.create(inst, member["id"], "  HR   system ")
    row = await ApiToken.select().where(ApiToken.id == token_id).first().run()
    assert row["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in [str(v) for v in row.values()]  # only the hash and a prefix are kept
    assert row["prefix"] == token[:12] and row["name"] == "HR system"
    assert row["last_used_at"] is None

    who = await tokens.authenticate(token)
    assert who == tokens.TokenIdentity(token_id, inst, member["id"])
    used = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token_id).first().run()
    assert used["last_used_at"] is not None

    assert await tokens.authenticate(token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    assert await tokens.authenticate("") is None
    await tokens.revoke(token_id, inst)
    assert await tokens.authenticate(token) is None
    await tokens.revoke(token_id, inst)  # idempotent


async def test_another_institution_cannot_revoke(store):
    a, b = await make_institution(), await make_institution()
    token_id, token = await tokens.create(a, None, "sync")
    with pytest.raises(tokens.TokenNotFound):
        await tokens.revoke(token_id, b)
    assert await tokens.authenticate(token) is not None


async def test_a_deactivated_members_token_stops_working(store):
    inst = await make_institution()
    member = await make_member(inst)
    _, token = await tokens.create(inst, member["id"], "sync")
    await Member.update({Member.is_active: False}).where(Member.id == member["id"]).run()
    assert await tokens.authenticate(token) is None


async def test_last_used_is_recorded_at_most_once_a_minute(store):
    inst = await make_institution()
    token_id, token = await tokens.create(inst, None, "sync")
    t0 = dt.datetime(2030, 1, 1, 12, 0, tzinfo=dt.UTC)
    await tokens.authenticate(token, now=t0)
    await tokens.authenticate(token, now=t0 + dt.timedelta(seconds=30))
    row = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token_id).first().run()
    assert row["last_used_at"].replace(tzinfo=dt.UTC) == t0
    await tokens.authenticate(token, now=t0 + dt.timedelta(minutes=2))
    row = await ApiToken.select(ApiToken.last_used_at).where(ApiToken.id == token_id).first().run()
    assert row["last_used_at"].replace(tzinfo=dt.UTC) == t0 + dt.timedelta(minutes=2)


async def test_names_are_required(store):
    inst = await make_institution()
    with pytest.raises(ValidationErrors) as caught:
        await tokens.create(inst, None, "   ")
    assert "name" in caught.value.errors


async def test_dashboard_shows_the_token_once_and_revokes_it(client):
    inst = await make_institution("Token Hospital")
    await log_in_as(client, await make_member(inst))
    page = await client.get("/dashboard/tokens")
    assert page.status_code == 200 and "No tokens yet" in page.text

    created = await post_form(client, "/dashboard/tokens", {"name": "Careers site"})
    assert created.status_code == 200
    assert created.headers["cache-control"] == "no-store"
    token = re.search(r'<code id="new-token">(imgb_[A-Za-z0-9_-]+)</code>', created.text).group(1)
    assert await tokens.authenticate(token) is not None

    again = await client.get("/dashboard/tokens")
    assert token not in again.text and token[:12] in again.text and "Careers site" in again.text

    token_id = (await ApiToken.select(ApiToken.id).first().run())["id"]
    revoked = await post_form(client, f"/dashboard/tokens/{token_id}/revoke")
    assert revoked.status_code == 200 and "The token was revoked" in revoked.text
    assert await tokens.authenticate(token) is None


async def test_dashboard_token_errors_and_other_institutions(client):
    mine, theirs = await make_institution(), await make_institution()
    their_token, _ = await tokens.create(theirs, None, "theirs")
    await log_in_as(client, await make_member(mine))
    bad = await post_form(client, "/dashboard/tokens", {"name": ""})
    assert bad.status_code == 400 and "give the token a name" in bad.text
    assert 'aria-describedby="token-name-hint token-name-error"' in bad.text
    assert "theirs" not in (await client.get("/dashboard/tokens")).text
    resp = await post_form(client, f"/dashboard/tokens/{their_token}/revoke")
    assert resp.status_code == 404
    row = await ApiToken.select(ApiToken.revoked_at).where(ApiToken.id == their_token).first().run()
    assert row["revoked_at"] is None


async def test_token_pages_need_login_and_csrf(client):
    resp = await client.get("/dashboard/tokens", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")
    inst = await make_institution()
    await log_in_as(client, await make_member(inst))
    resp = await client.post("/dashboard/tokens", data={"name": "no csrf"})
    assert resp.status_code == 403
    assert await ApiToken.count().run() == 0
