"""Reconfirmation against real servers (SMTP, the store, Meilisearch): the reconfirm job
mails once per period, the link's GET changes nothing and its three buttons do what they
say, and a listing unconfirmed past the grace leaves search and comes back on confirming."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from board.browse.params import parse_search
from board.listings import reconfirm
from board.listings import services as listings
from board.listings.status import Status
from board.mail.transport import Mailer
from board.store.tables import OutboxEvent, ReconfirmMail
from jobs.slots import run_slot
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, make_member
from tests.support.outbox import drain_all, wait_for_search

DAY = dt.timedelta(days=1)


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    return smtp


def _path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+(/reconfirm/\S+)", text)
    assert match, text
    return match.group(1)


async def _events(opp: int) -> int:
    return await OutboxEvent.count().where(OutboxEvent.opportunity_id == opp).run()


async def test_the_job_mails_each_host_once_per_period(runtime, mailing):
    now = dt.datetime.now(dt.UTC)
    inst = await make_institution()
    host = await make_member(inst)
    stale = await make_listing(inst, now=now - 31 * DAY, title="Stale cardiology observership",
                               expires_at=(now + 200 * DAY).date().isoformat())
    await make_listing(inst, now=now - 5 * DAY, title="Fresh pathology research")

    first = await reconfirm.send_reconfirmations(runtime, now)
    assert first == {"due": 1, "sent": 1}
    [message] = mailing.messages
    assert str(message["To"]) == host["email"] and "Stale cardiology" in message["Subject"]
    assert "/reconfirm/" in _path(message)
    # Run again (same day, next day, through the scheduler): no second mail for the period.
    assert (await reconfirm.send_reconfirmations(runtime, now))["sent"] == 0
    assert (await reconfirm.send_reconfirmations(runtime, now + DAY))["sent"] == 0
    ran = await run_slot(runtime, "reconfirm", now=now + 2 * DAY)
    assert ran["status"] == "ok" and ran["counts"]["sent"] == 0
    assert len(mailing.messages) == 1
    assert await ReconfirmMail.count().where(ReconfirmMail.opportunity_id == stale).run() == 1

    # Confirming opens a new period: asked again only RECONFIRM_DAYS later, once.
    await reconfirm.confirm(stale, now=now)
    assert (await reconfirm.send_reconfirmations(runtime, now + 24 * DAY))["sent"] == 0
    later = now + 31 * DAY
    assert (await reconfirm.send_reconfirmations(runtime, later))["sent"] >= 1
    assert (await reconfirm.send_reconfirmations(runtime, later))["sent"] == 0
    assert sum("Stale cardiology" in m["Subject"] for m in mailing.messages) == 2


async def test_the_link_shows_three_buttons_and_a_get_changes_nothing(runtime, mailing, client):
    now = dt.datetime.now(dt.UTC)
    inst = await make_institution()
    await make_member(inst)
    opp = await make_listing(inst, now=now - 31 * DAY, title="Confirm me observership")
    await reconfirm.send_reconfirmations(runtime, now)
    path = _path(mailing.messages[0])
    before = await listings.get(opp)
    events = await _events(opp)
    for _ in range(2):  # a mail scanner, then the host
        page = await client.get(path)
        assert page.status_code == 200
        assert "Yes, still accepting applicants" in page.text and "Full until" in page.text
        assert "Closed" in page.text
    after = await listings.get(opp)
    assert after["confirmed_at"] == before["confirmed_at"] and after["status"] == "published"
    assert await _events(opp) == events

    token = await csrf_token(client, path)
    done = await client.post(path, data={"_csrf_token": token, "action": "confirm"})
    assert done.status_code == 200 and "confirmed open today" in done.text
    confirmed = await listings.get(opp)
    assert confirmed["confirmed_at"] > before["confirmed_at"]
    assert await _events(opp) == events + 1

    bad = await client.post(path, data={"_csrf_token": token, "action": "full",
                                        "full_until": "yesterday"})
    assert bad.status_code == 400 and "Full until: Give the date" in bad.text
    until = (now + 20 * DAY).date()
    full = await client.post(path, data={"_csrf_token": token, "action": "full",
                                         "full_until": until.isoformat()})
    assert full.status_code == 200 and f"full until {until.isoformat()}" in full.text
    row = await listings.get(opp)
    assert row["full_until"] == until and row["status"] == Status.PUBLISHED
    page = await client.get(f"/opportunities/{opp}")
    assert f"Full until {until.isoformat()}" in page.text and "Confirmed open today" in page.text

    closed = await client.post(path, data={"_csrf_token": token, "action": "close"})
    assert closed.status_code == 200 and "is closed" in closed.text
    assert (await listings.get(opp))["status"] == Status.CLOSED
    again = await client.get(path)
    assert again.status_code == 409 and "nothing to confirm" in again.text


async def test_a_bad_link_is_refused(runtime, client):
    inst = await make_institution()
    opp = await make_listing(inst)
    good = reconfirm.token(runtime.settings, opp)
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    assert (await client.get(f"/reconfirm/{tampered}")).status_code == 400
    token = await csrf_token(client, "/login")
    refused = await client.post(f"/reconfirm/{tampered}",
                                data={"_csrf_token": token, "action": "close"})
    assert refused.status_code == 400
    assert (await listings.get(opp))["status"] == Status.PUBLISHED


async def test_unconfirmed_past_the_grace_leaves_search_and_comes_back(runtime, client):
    now = dt.datetime.now(dt.UTC)
    days = runtime.settings.unlisted_after_days
    inst = await make_institution()
    # Published long ago, with an expiry still ahead: only the missing confirmation hides it.
    old = await make_listing(inst, now=now - (days + 1) * DAY, title="Forgotten neurology observership",
                             specialty="Neurology", expires_at=(now + 100 * DAY).date().isoformat())
    fresh = await make_listing(inst, now=now - DAY, title="Fresh neurology observership",
                               specialty="Neurology")
    await drain_all(runtime.gateway)
    await wait_for_search(client, lambda hits: {h["id"] for h in hits} == {fresh},
                          specialty="Neurology")
    page = await client.get(f"/opportunities/{old}")
    assert page.status_code == 200 and "Not reconfirmed" in page.text
    assert "Fresh neurology observership" in page.text  # a similar open listing is offered

    await reconfirm.confirm(old)
    await drain_all(runtime.gateway)
    hits = await wait_for_search(client, lambda hits: {h["id"] for h in hits} == {fresh, old},
                                 specialty="Neurology", sort="confirmed")
    assert hits[0]["id"] == old and hits[0]["confirmed_at"]  # freshest confirmation first
    assert "Not reconfirmed" not in (await client.get(f"/opportunities/{old}")).text
    recent = await client.get("/api/v1/opportunities",
                              params={"specialty": "Neurology", "confirmed_within_days": 2})
    assert {h["id"] for h in recent.json()["hits"]} == {fresh, old}
    assert (await client.get("/api/v1/opportunities",
                             params={"confirmed_within_days": 0})).status_code == 400


def test_the_confirmed_window_is_the_stricter_of_grace_and_parameter():
    now = dt.datetime(2031, 1, 1, tzinfo=dt.UTC)
    plain = parse_search({}, now=now, unlisted_after_days=44)
    assert plain.confirmed_after_ts == int((now - 44 * DAY).timestamp())
    narrow = parse_search({"confirmed_within_days": "7"}, now=now, unlisted_after_days=44)
    assert narrow.confirmed_after_ts == int((now - 7 * DAY).timestamp())
    wide = parse_search({"confirmed_within_days": "90"}, now=now, unlisted_after_days=44)
    assert wide.confirmed_after_ts == plain.confirmed_after_ts
