"""The digest job's hourly tick with a frozen clock: catch-up is driven by the delivery
ledger, not by the trigger time. A scheduler that was down across a Monday sends the week's
digest on its next tick, once; later ticks that week send nothing."""

from __future__ import annotations

import datetime as dt

from board.digests import subscriptions
from board.digests.emails import period_of
from board.store.tables import DigestDelivery, JobRun
from jobs.slots import run_slot
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

HOUR = dt.timedelta(hours=1)


def at(day: int, hour: int, minute: int = 5) -> dt.datetime:
    return dt.datetime(2031, 1, day, hour, minute, tzinfo=dt.UTC)  # 2031-01-06 is a Monday


async def test_scheduler_down_across_a_monday_sends_the_weeks_digest_once_on_the_next_tick(rt, smtp):
    out = await subscriptions.subscribe("img@example.com", {"state": ["NY"]}, "secret", now=at(1, 9))
    await subscriptions.confirm({"id": out.subscriber_id}, now=at(1, 9, 30))
    inst = await make_institution()
    await make_listing(inst, now=at(2, 12), title="Week two cardiology observership", state="NY",
                       city="New York")
    await drain_all(rt.gateway)

    # Monday of week 2: the tick sends that week's digest; the next hour's tick does not.
    monday = await run_slot(rt, "digest", now=at(6, 0))
    assert monday["status"] == "ok" and monday["counts"]["sent"] == 1
    assert (await run_slot(rt, "digest", now=at(6, 1)))["counts"]["sent"] == 0

    await make_listing(inst, now=at(10, 12), title="Week three research position", state="NY",
                       city="Albany", kind="research")
    await drain_all(rt.gateway)
    # Down from Sunday the 12th to Wednesday the 15th: Monday the 13th never ticked.
    wednesday = await run_slot(rt, "digest", now=at(15, 10))
    assert wednesday["status"] == "ok" and wednesday["counts"]["sent"] == 1
    for later in (at(15, 11), at(15, 12), at(16, 0), at(19, 23)):
        result = await run_slot(rt, "digest", now=later)
        assert result["counts"]["sent"] == 0 and result["counts"]["skipped"] == 1

    mails = smtp.to("img@example.com")
    assert len(mails) == 2
    latest = mails[1].get_body(("plain",)).get_content()
    assert "Week three research position" in latest and "Week two cardiology" not in latest
    periods = sorted(r["period"] for r in await DigestDelivery.select(DigestDelivery.period).run())
    assert periods == [period_of(at(6, 0)), period_of(at(15, 10))] == ["2031-W02", "2031-W03"]
    # Every hourly tick left a run row (its own slot), so the history shows the catch-up.
    assert await JobRun.count().where(JobRun.job == "digest").run() == 7


async def test_a_second_scheduler_firing_the_same_hourly_slot_sends_nothing_more(rt, smtp):
    out = await subscriptions.subscribe("twice@example.com", {}, "secret", now=at(1, 9))
    await subscriptions.confirm({"id": out.subscriber_id}, now=at(1, 9, 30))
    await make_listing(await make_institution(), now=at(14, 12), title="Internal medicine observership")
    await drain_all(rt.gateway)
    first = await run_slot(rt, "digest", now=at(15, 10, 5))
    second = await run_slot(rt, "digest", now=at(15, 10, 40))  # same 10:05 slot, another machine
    assert first["counts"]["sent"] == 1 and second is None
    assert len(smtp.to("twice@example.com")) == 1


async def test_the_digest_job_sends_listings_whose_index_event_was_still_queued(rt, smtp):
    out = await subscriptions.subscribe("fresh@example.com", {}, "secret", now=at(1, 9))
    await subscriptions.confirm({"id": out.subscriber_id}, now=at(1, 9, 30))
    await make_listing(await make_institution(), now=at(14, 12), title="Just published externship")
    # No drain here: the outbox event is still pending when the tick fires.
    result = await run_slot(rt, "digest", now=at(15, 10, 5))
    assert result["counts"]["sent"] == 1
    body = smtp.to("fresh@example.com")[0].get_body(("plain",)).get_content()
    assert "Just published externship" in body
