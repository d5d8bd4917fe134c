"""The daily purge with a frozen clock: exactly what the store no longer needs goes, and a
second run the same day deletes nothing."""

from __future__ import annotations

import datetime as dt

from board.store.tables import ApiToken, JobRun, KeyValue, OutboxEvent, Subscriber
from jobs import bodies
from tests.support.factories import make_institution

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
        "outbox_events": 1, "abandoned_institutions": 0, "report_hashes": 0}

    assert {r["id"] for r in await Subscriber.select(Subscriber.id).run()} == {recent, confirmed}
    assert {r["key"] for r in await KeyValue.select(KeyValue.key).run()} == {"session:live", "forever"}
    assert sorted(r["token_hash"][0] for r in await ApiToken.select(ApiToken.token_hash).run()) == ["b", "c"]
    assert [r["key"] for r in await JobRun.select(JobRun.key).run()] == ["expire:new"]
    left = await OutboxEvent.select(OutboxEvent.opportunity_id).run()
    assert sorted(r["opportunity_id"] for r in left) == [2, 3, 4]

    assert set((await bodies.purge(None, NOW)).values()) == {0}
