"""The `follow-ups` job against the real store and a real SMTP server: one mail per due
follow-up date across runs (the ledger), none to anonymous, unconfirmed or deleted
planners, none for programs that answered; a new date is a new reminder."""

from __future__ import annotations

import datetime as dt

import pytest

from board.indexing.gateway import utcnow
from board.mail.transport import Mailer
from board.planner import account, follow_ups
from board.planner.identity import create_planner
from board.planner.tracker_tables import FollowUpSent, TrackerEntry
from jobs.slots import run_slot
from tests.support.factories import make_institution, make_listing

DAY = dt.timedelta(days=1)


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    runtime.mailer.retry_delays = (0.05,)
    return smtp


async def _entry(planner_id: int, today: dt.date, **values) -> int:
    row = TrackerEntry(planner=planner_id, program_name=values.pop("program_name", "Program"),
                       status=values.pop("status", "contacted"),
                       last_contact_on=today - 14 * DAY, follow_up_on=today, **values)
    await row.save().run()
    return row.id


async def test_follow_ups_mail_once_per_due_date_and_only_confirmed_addresses(runtime, mailing):
    now = utcnow()
    today = now.date()
    confirmed = await create_planner(email="img.follow@example.org", confirmed_at=now)
    unconfirmed = await create_planner(email="img.unconfirmed@example.org")
    anonymous = await create_planner()
    leaving = await create_planner(email="img.leaving@example.org", confirmed_at=now)
    inst = await make_institution(name="Follow-up General")
    opp = await make_listing(inst, title="Follow-up surgery observership")

    off_board = await _entry(confirmed.id, today, program_name="Lakeside Rheumatology",
                             contact="dr.lee@lakeside.example")
    await _entry(confirmed.id, today, opportunity=opp, program_name="")
    await _entry(confirmed.id, today, status="declined", program_name="Declined one")
    await _entry(confirmed.id, today + DAY, program_name="Tomorrow's")
    await _entry(confirmed.id, today - 30 * DAY, program_name="Long ago")
    await _entry(unconfirmed.id, today, program_name="Unconfirmed's")
    await _entry(anonymous.id, today, program_name="Anonymous's")
    await _entry(leaving.id, today, program_name="Deleted account's")
    await account.delete(leaving.id)

    first = await follow_ups.send_follow_ups(runtime, now)
    assert first == {"due": 2, "sent": 2, "failed": 0}
    assert {str(m["To"]) for m in mailing.messages} == {"img.follow@example.org"}
    texts = [m.get_body(("plain",)).get_content() for m in mailing.messages]
    assert any("You wrote to Lakeside Rheumatology 14 days ago; time to follow up" in t
               for t in texts)
    assert any("Follow-up General (Follow-up surgery observership)" in t for t in texts)
    assert all("/tracker" in t for t in texts)

    # A second run, and the scheduler's run, send nothing more.
    assert (await follow_ups.send_follow_ups(runtime, now))["sent"] == 0
    # Later the same day: past midnight "Tomorrow's" entry would be due (and rightly sent).
    midnight = dt.datetime.combine(today + DAY, dt.time(), tzinfo=dt.UTC)
    ran = await run_slot(runtime, "follow-ups",
                         now=now + min(dt.timedelta(hours=1), (midnight - now) / 2))
    assert ran["status"] == "ok" and ran["counts"]["sent"] == 0
    assert len(mailing.messages) == 2
    assert await FollowUpSent.count().run() == 2

    # The IMG sets the next follow-up date: one more mail on that day, once.
    await TrackerEntry.update({TrackerEntry.follow_up_on: today + 7 * DAY}).where(
        TrackerEntry.id == off_board).run()
    later = now + 7 * DAY
    assert (await follow_ups.send_follow_ups(runtime, later))["sent"] == 2  # + "Tomorrow's"
    assert (await follow_ups.send_follow_ups(runtime, later))["sent"] == 0
    assert len(mailing.to("img.unconfirmed@example.org")) == 0
    assert len(mailing.messages) == 4
