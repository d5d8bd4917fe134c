"""The daily purge with a frozen clock: exactly what the store no longer needs goes, and a
second run the same day deletes nothing."""

from __future__ import annotations

import datetime as dt
import json

from board.indexing.gateway import utcnow
from board.planner.identity import create_planner
from board.planner.purge import purge_idle_anonymous
from board.planner.tables import Planner, ShortlistItem
from board.planner.tracker_tables import TrackerEntry
from board.store.tables import ApiToken, JobRun, KeyValue, OutboxEvent, Subscriber
from jobs import bodies
from tests.support.factories import make_institution, make_listing
from tests.support.members import post_form

NOW = dt.datetime(2031, 1, 15, 4, 45, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


async def _subscriber(email: str, created: dt.datetime, confirmed: dt.datetime | None) -> int:
    row = Subscriber(email=email, token=email, created_at=created, confirmed_at=confirmed)
    await row.save().run()
    return row.id


async def test_purge_deletes_exactly_what_is_stale(store):
    await _subscriber("old-unconfirmed@example.com", NOW - 8 * DAY, None)
    recent = await _subscriber("new-unconfirmed@example.com", NOW - 6 * DAY, None)
    confirmed = await _subscriber("old-confirmed@example.com", NOW - 90 * DAY, NOW - 89 * DAY)
    await KeyValue.insert(
        KeyValue(key="session:gone", value=b"x", expires_at=NOW - DAY),
        KeyValue(key="rate:gone", value=b"1", expires_at=NOW - dt.timedelta(seconds=1)),
        KeyValue(key="session:live", value=b"x", expires_at=NOW + DAY),
        KeyValue(key="forever", value=b"x", expires_at=None),
    ).run()
    inst = await make_institution()
    await ApiToken.insert(
        ApiToken(institution=inst, token_hash="a" * 64, revoked_at=NOW - 31 * DAY),
        ApiToken(institution=inst, token_hash="b" * 64, revoked_at=NOW - 2 * DAY),
        ApiToken(institution=inst, token_hash="c" * 64, revoked_at=None),
    ).run()
    await JobRun.insert(
        JobRun(key="expire:old", job="expire", slot=NOW - 40 * DAY, started_at=NOW - 31 * DAY),
        JobRun(key="expire:new", job="expire", slot=NOW - DAY, started_at=NOW - 29 * DAY),
    ).run()
    await OutboxEvent.insert(
        OutboxEvent(opportunity_id=1, reason="publish", status="done", done_at=NOW - 8 * DAY),
        OutboxEvent(opportunity_id=2, reason="publish", status="done", done_at=NOW - 6 * DAY),
        OutboxEvent(opportunity_id=3, reason="publish", status="pending", created_at=NOW - 30 * DAY),
        OutboxEvent(opportunity_id=4, reason="publish", status="poison", created_at=NOW - 30 * DAY),
    ).run()

    assert await bodies.purge(None, NOW) == {
        "unconfirmed_subscribers": 1, "expired_keys": 2, "revoked_tokens": 1, "job_runs": 1,
        "outbox_events": 1, "abandoned_institutions": 0, "report_hashes": 0,
        "anonymous_planners": 0}

    assert {r["id"] for r in await Subscriber.select(Subscriber.id).run()} == {recent, confirmed}
    assert {r["key"] for r in await KeyValue.select(KeyValue.key).run()} == {"session:live", "forever"}
    assert sorted(r["token_hash"][0] for r in await ApiToken.select(ApiToken.token_hash).run()) == ["b", "c"]
    assert [r["key"] for r in await JobRun.select(JobRun.key).run()] == ["expire:new"]
    left = await OutboxEvent.select(OutboxEvent.opportunity_id).run()
    assert sorted(r["opportunity_id"] for r in left) == [2, 3, 4]

    assert set((await bodies.purge(None, NOW)).values()) == {0}


async def test_purge_forgets_anonymous_planners_idle_for_90_days(store):
    opp = await make_listing(await make_institution())

    async def planner(created: dt.datetime, email: str | None = None) -> int:
        return (await create_planner(created_at=created, email=email)).id

    idle = await planner(NOW - 100 * DAY)
    await ShortlistItem(key=f"{idle}:{opp}", planner=idle, opportunity=opp,
                        added_at=NOW - 100 * DAY).save().run()
    await TrackerEntry(planner=idle, program_name="Old plan", created_at=NOW - 99 * DAY,
                       updated_at=NOW - 91 * DAY).save().run()
    tracking = await planner(NOW - 100 * DAY)  # an old planner whose tracker moved lately
    await TrackerEntry(planner=tracking, program_name="Busy", created_at=NOW - 100 * DAY,
                       updated_at=NOW - 10 * DAY).save().run()
    saving = await planner(NOW - 100 * DAY)  # saved a listing last week
    await ShortlistItem(key=f"{saving}:{opp}", planner=saving, opportunity=opp,
                        added_at=NOW - 7 * DAY).save().run()
    young = await planner(NOW - 10 * DAY)
    account = await planner(NOW - 400 * DAY, email="img@example.org")
    in_session = await planner(NOW - 100 * DAY)  # a browser still holds it
    await KeyValue(key="sessions:abc", value=json.dumps({"planner_id": in_session}).encode(),
                   expires_at=NOW + DAY).save().run()

    counts = await bodies.purge(None, NOW)
    assert counts["anonymous_planners"] == 1
    left = {r["id"] for r in await Planner.select(Planner.id).run()}
    assert left == {tracking, saving, young, account, in_session}
    assert [r["planner"] for r in await ShortlistItem.select(ShortlistItem.planner).run()] == [saving]
    assert {r["program_name"] for r in await TrackerEntry.select(TrackerEntry.program_name).run()
            } == {"Busy"}
    assert (await bodies.purge(None, NOW))["anonymous_planners"] == 0


async def test_a_real_browser_session_keeps_its_anonymous_planner(client):
    opp = await make_listing(await make_institution())
    saved = await post_form(client, f"/shortlist/{opp}", {"next": "/shortlist"})
    assert saved.status_code == 200
    later = utcnow() + dt.timedelta(minutes=1)
    # Idle by its rows (days=0), but the browser's session, as the app stored it, holds it.
    assert await purge_idle_anonymous(later, days=0) == 0
    await KeyValue.delete().where(KeyValue.key.like("sessions:%")).run()  # the session ended
    assert await purge_idle_anonymous(later, days=0) == 1
    assert await Planner.count().run() == 0 and await ShortlistItem.count().run() == 0
