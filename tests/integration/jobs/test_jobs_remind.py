"""The remind job against a real SMTP server: one reminder per listing per expiry period,
never more (reruns, concurrent runs), none for a listing already renewed, a retry when the
mail could not go out, and the signed one-click renew link behind it."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import re

import pytest

from board.listings import reminders
from board.listings import services as listings
from board.mail.transport import Mailer
from board.store.tables import Member, Opportunity, OutboxEvent
from jobs.slots import run_slot
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, make_member

NOW = dt.datetime(2031, 1, 15, 14, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    return smtp


async def _institution_with_members() -> tuple[int, list[str]]:
    inst = await make_institution()
    emails = [(await make_member(inst))["email"] for _ in range(2)]
    gone = await make_member(inst)
    await Member.update({Member.is_active: False}).where(Member.id == gone["id"]).run()
    await make_member(await make_institution())  # another institution's member: never mailed
    return inst, emails


def _renew_path(message) -> str:
    text = message.get_body(("plain",)).get_content()
    match = re.search(r"https?://\S+(/renew/\S+)", text)
    assert match, text
    return match.group(1)


async def test_one_reminder_per_listing_per_period_and_none_after_a_renewal(runtime, mailing):
    inst, emails = await _institution_with_members()
    due = await make_listing(inst, now=NOW - 55 * DAY, title="Cardiology observership")
    later = await make_listing(inst, now=NOW - 50 * DAY, title="Pathology research")
    renewed = await make_listing(inst, now=NOW - 55 * DAY, title="Already renewed clerkship")
    await listings.renew(renewed, now=NOW - DAY)
    await make_listing(inst, now=NOW - 61 * DAY, title="Past its expiry already")

    counts = await reminders.send_reminders(runtime, NOW)
    assert counts == {"listings": 1, "sent": 2, "failed": 0, "no_recipients": 0}
    assert sorted(str(m["To"]) for m in mailing.messages) == sorted(emails)
    msg = mailing.messages[0]
    assert "Cardiology observership" in msg["Subject"] and "in 5 days" in msg["Subject"]
    assert msg.get_body(("html",)) is not None and "/renew/" in _renew_path(msg)

    # The next days' runs: nothing new for `due`; `later` (10 days left) becomes due once,
    # when 7 days are left.
    for day in range(1, 3):
        assert (await reminders.send_reminders(runtime, NOW + day * DAY))["sent"] == 0
    assert (await reminders.send_reminders(runtime, NOW + 3 * DAY))["listings"] == 1
    later_row = await listings.get(later)
    assert later_row["reminded_for"] == later_row["expires_at"]
    assert (await reminders.send_reminders(runtime, NOW + 4 * DAY))["listings"] == 0
    subjects = [m["Subject"] for m in mailing.messages]
    assert sum("Cardiology" in s for s in subjects) == 2  # two members, once each
    assert sum("Pathology" in s for s in subjects) == 2
    assert not any("Already renewed" in s for s in subjects)

    # Renewing opens a new period: one reminder before the new expiry, once.
    new_expiry = await listings.renew(due, now=NOW + 2 * DAY)
    assert (await listings.get(due))["reminded_for"] != new_expiry
    before_new_expiry = new_expiry - 3 * DAY
    # `due` and `renewed` (renewed to the same new expiry) are both in their new period.
    assert (await reminders.send_reminders(runtime, before_new_expiry))["listings"] == 2
    assert (await reminders.send_reminders(runtime, before_new_expiry + DAY))["listings"] == 0
    assert sum("Cardiology" in m["Subject"] for m in mailing.messages) == 4


async def test_concurrent_runs_and_a_second_slot_send_nothing_twice(runtime, mailing):
    inst, emails = await _institution_with_members()
    await make_listing(inst, now=NOW - 55 * DAY)
    first, second = await asyncio.gather(reminders.send_reminders(runtime, NOW),
                                         reminders.send_reminders(runtime, NOW))
    assert first["listings"] + second["listings"] == 1
    assert len(mailing.messages) == 2
    ran = await run_slot(runtime, "remind", now=NOW + DAY)
    assert ran["status"] == "ok" and ran["counts"]["sent"] == 0
    assert await run_slot(runtime, "remind", now=NOW + DAY) is None  # slot already claimed
    assert len(mailing.messages) == 2


async def test_a_reminder_that_could_not_be_sent_is_retried_next_run(runtime, mailing):
    inst, emails = await _institution_with_members()
    opp = await make_listing(inst, now=NOW - 55 * DAY)
    for email in emails:
        mailing.faults[email] = "451 4.3.0 try again later"  # once each (fault_once)
    counts = await reminders.send_reminders(runtime, NOW)
    assert counts["failed"] == 2 and counts["sent"] == 0
    assert (await listings.get(opp))["reminded_for"] is None
    assert (await reminders.send_reminders(runtime, NOW + DAY))["sent"] == 2
    assert (await reminders.send_reminders(runtime, NOW + 2 * DAY))["sent"] == 0
    assert len(mailing.messages) == 2


async def test_the_renew_link_confirms_then_renews_once(runtime, mailing, client):
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    inst, _ = await _institution_with_members()
    opp = await make_listing(inst, now=now - 55 * DAY, title="Renew me observership")
    await reminders.send_reminders(runtime, now)
    path = _renew_path(mailing.messages[0])
    before = (await listings.get(opp))["expires_at"]

    page = await client.get(path)
    assert page.status_code == 200 and "Renew until" in page.text
    assert (await listings.get(opp))["expires_at"] == before  # a GET changes nothing

    token = await csrf_token(client, path)
    done = await client.post(path, data={"_csrf_token": token})
    assert done.status_code == 200 and "Listing renewed" in done.text
    after = (await listings.get(opp))["expires_at"]
    assert after == before + dt.timedelta(days=runtime.settings.listing_days)
    assert await OutboxEvent.count().where(
        (OutboxEvent.opportunity_id == opp) & (OutboxEvent.reason == "renew")).run() == 1

    again = await client.post(path, data={"_csrf_token": token})
    assert again.status_code == 200 and "Already renewed" in again.text
    assert (await listings.get(opp))["expires_at"] == after
    assert "Already renewed" in (await client.get(path)).text


async def test_a_bad_or_expired_renew_link_is_refused_and_changes_nothing(runtime, client):
    inst = await make_institution()
    opp = await make_listing(inst)
    row = await listings.get(opp)
    good = reminders.renew_token(runtime.settings, opp, row["expires_at"], dt.datetime.now(dt.UTC))
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    bad = await client.get(f"/renew/{tampered}")
    assert bad.status_code == 400 and "not valid" in bad.text
    other_key = dataclasses.replace(runtime.settings, secret_key="another-secret-key-entirely")
    forged = reminders.renew_token(other_key, opp, row["expires_at"], dt.datetime.now(dt.UTC))
    assert (await client.get(f"/renew/{forged}")).status_code == 400
    old = reminders.renew_token(runtime.settings, opp, row["expires_at"] - 400 * DAY,
                                dt.datetime.now(dt.UTC) - 500 * DAY)
    expired = await client.get(f"/renew/{old}")
    assert expired.status_code == 410 and "expired" in expired.text
    token = await csrf_token(client, "/login")
    refused = await client.post(f"/renew/{tampered}", data={"_csrf_token": token})
    assert refused.status_code == 400
    assert (await Opportunity.select(Opportunity.expires_at).where(
        Opportunity.id == opp).first().run())["expires_at"] == row["expires_at"]
