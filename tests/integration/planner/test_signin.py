"""IMG sign-in by magic link through the real app and store: the link's GET (what a mail
scanner does) signs no one in, its POST signs in once, it expires after 15 minutes, and a
known and an unknown address get the same answer."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from board.planner import signin
from board.planner.tables import Planner
from board.store.tables import Member
from tests.support.mail import link_in, mails
from tests.support.members import post_form


async def _signed_in_email(client) -> str | None:
    page = await client.get("/me", follow_redirects=False)
    if page.status_code != 200:
        assert page.status_code == 303 and page.headers["location"] == "/signin"
        return None
    return page.text.split('id="me-email">', 1)[1].split("<", 1)[0]


async def test_link_get_changes_nothing_post_signs_in_once(client, settings, runtime):
    asked = await post_form(client, "/signin", {"email": "  Ada@Example.ORG "})
    assert asked.status_code == 200 and "ada@example.org" in asked.text
    sent = mails(settings)
    assert len(sent) == 1 and sent[0]["To"] == "ada@example.org"
    assert "sign-in link" in sent[0]["Subject"].lower()
    link = link_in(sent[0], "/signin/")

    # The scanner's GET: a page with a button, no account, nobody signed in.
    scanned = await client.get(link)
    assert scanned.status_code == 200 and f'action="{link}"' in scanned.text
    assert await Planner.count().run() == 0
    assert await _signed_in_email(client) is None

    used = await post_form(client, link)
    assert used.status_code == 200 and used.url.path == "/me"
    assert await _signed_in_email(client) == "ada@example.org"
    account = await Planner.select().where(Planner.email == "ada@example.org").first().run()
    assert account["confirmed_at"] is not None and account["calendar_token"]
    assert f"/calendar.ics?token={account['calendar_token']}" in used.text
    assert await Member.count().run() == 0  # an IMG is never an institution member

    # The same link again (a second click, or someone who copied it): refused, no session.
    await post_form(client, "/signout")
    assert await _signed_in_email(client) is None
    again = await post_form(client, link)
    assert again.status_code == 400 and "already used" in again.text
    assert await _signed_in_email(client) is None

    # A forged token is refused the same way, GET and POST.
    assert (await client.get(link + "x")).status_code == 400
    assert (await post_form(client, link[:-3] + "abc")).status_code == 400


async def test_link_expires_after_15_minutes(client, settings):
    keys = settings.signing_keys
    issued = time.time()
    token = signin.make_token("late@example.org", keys, now=issued)
    assert signin.read_token(token, keys, now=issued + 15 * 60 - 1)["e"] == "late@example.org"
    with pytest.raises(signin.SignInError, match="expired"):
        signin.read_token(token, keys, now=issued + 15 * 60)
    with pytest.raises(signin.SignInError, match="expired"):
        await signin.use_token(token, keys, now=dt.datetime.fromtimestamp(
            issued + 16 * 60, dt.UTC))
    old = signin.make_token("late@example.org", keys, now=issued - 16 * 60)
    assert (await client.get(f"/signin/{old}")).status_code == 400
    page = await post_form(client, f"/signin/{old}")
    assert page.status_code == 400 and "expired" in page.text
    assert await Planner.count().run() == 0
    # Within the 15 minutes the service signs in (the clock is a parameter, no sleeping).
    fresh = signin.make_token("late@example.org", keys, now=issued)
    planner = await signin.use_token(fresh, keys, now=dt.datetime.fromtimestamp(
        issued + 14 * 60, dt.UTC))
    assert planner.email == "late@example.org"


async def test_known_and_unknown_addresses_get_the_same_answer(client, settings):
    await signin.account_for("known@example.org", now=dt.datetime.now(dt.UTC))
    known = await post_form(client, "/signin", {"email": "known@example.org"})
    unknown = await post_form(client, "/signin", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("known@", "X@") == unknown.text.replace("nobody@", "X@")
    assert sorted(m["To"] for m in mails(settings)) == ["known@example.org", "nobody@example.org"]
    assert await Planner.count().where(Planner.email == "nobody@example.org").run() == 0

    bad = await post_form(client, "/signin", {"email": "not an address"})
    assert bad.status_code == 400 and "Email is not a valid email address" in bad.text
