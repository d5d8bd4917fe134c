"""Running jobs: claims (never twice), the advisory lock, failures recorded, the quiet drain
history. A frozen clock throughout. (Slots, lock ids and the scheduler's configuration, which
need no server, are in tests/unit/jobs/test_job_schedule.py.)"""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest
from apscheduler.triggers.cron import CronTrigger

from board.store.tables import JobRun, OutboxEvent
from jobs.slots import run_now, run_slot
from jobs.table import JOBS, JobSpec
from tests.support.factories import make_institution, make_listing

NOW = dt.datetime(2031, 1, 15, 10, 7, 30, tzinfo=dt.UTC)  # a Wednesday


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


@pytest.fixture
def probe(monkeypatch):
    """A job of our own in the table: counts its calls, waits at a gate when told to, and
    raises when told to."""
    calls: list[dt.datetime] = []
    fail: list[str] = []
    gate = asyncio.Event()
    gate.set()

    async def body(rt, now):
        calls.append(now)
        await gate.wait()
        if fail:
            raise RuntimeError(fail.pop())
        return {"done": 1}

    monkeypatch.setitem(JOBS, "probe", JobSpec("probe", body, CronTrigger(minute=0, timezone=dt.UTC),
                                               "test probe", period=dt.timedelta(hours=1)))
    return calls, fail, gate


async def test_two_runners_firing_the_same_slot_run_the_body_once(store, probe):
    calls, _, _ = probe
    results = await asyncio.gather(run_slot(None, "probe", now=NOW), run_slot(None, "probe", now=NOW))
    assert sorted(r is None for r in results) == [False, True]
    assert len(calls) == 1
    rows = await JobRun.select().where(JobRun.job == "probe").output(load_json=True).run()
    assert len(rows) == 1
    assert rows[0]["key"] == "probe:2031-01-15T10:00:00+00:00"
    assert rows[0]["status"] == "ok" and rows[0]["counts"] == {"done": 1}
    assert rows[0]["finished_at"] >= rows[0]["started_at"]
    # A third firing of that slot, later, is still a no-op.
    assert await run_slot(None, "probe", now=NOW + dt.timedelta(minutes=20)) is None
    assert len(calls) == 1


async def test_two_runners_expire_the_same_slot_once(runtime):
    inst = await make_institution()
    stale = [await make_listing(inst, now=NOW - dt.timedelta(days=61)) for _ in range(3)]
    results = await asyncio.gather(run_slot(runtime, "expire", now=NOW),
                                   run_slot(runtime, "expire", now=NOW))
    ran = [r for r in results if r is not None]
    assert len(ran) == 1 and ran[0]["counts"] == {"expired": 3}
    events = await OutboxEvent.count().where(
        OutboxEvent.opportunity_id.is_in(stale) & (OutboxEvent.reason == "expire")).run()
    assert events == 3
    assert await JobRun.count().where(JobRun.job == "expire").run() == 1


async def test_a_run_still_going_makes_the_next_slot_skip(store, probe):
    """A slow run still holds the job's advisory lock when the next slot fires (on another
    machine, so max_instances cannot help): that run is recorded as skipped."""
    calls, _, gate = probe
    gate.clear()
    slow = asyncio.create_task(run_slot(None, "probe", now=NOW))
    while not calls:  # the body has started: the lock is held
        await asyncio.sleep(0.01)
    later = await run_slot(None, "probe", now=NOW + dt.timedelta(hours=1))
    gate.set()
    assert (await slow)["status"] == "ok"
    assert later["status"] == "skipped" and len(calls) == 1
    skipped = await JobRun.select().where(JobRun.status == "skipped").first().run()
    assert "still in progress" in skipped["error"] and skipped["finished_at"] is not None
    # The lock went with its transaction: the next run takes it.
    assert (await run_now(None, "probe", now=NOW))["status"] == "ok"


async def test_a_failing_job_is_recorded_with_its_error_and_the_next_slot_runs(store, probe):
    calls, fail, _ = probe
    fail.append("the mail server said no")
    failed = await run_slot(None, "probe", now=NOW)
    assert failed["status"] == "failed" and "the mail server said no" in failed["error"]
    row = await JobRun.select().where(JobRun.job == "probe").first().run()
    assert row["status"] == "failed" and row["finished_at"] is not None
    assert row["error"] == "RuntimeError: the mail server said no"
    nxt = await run_slot(None, "probe", now=NOW + dt.timedelta(hours=1))
    assert nxt == {"status": "ok", "counts": {"done": 1}}
    assert len(calls) == 2
    statuses = await JobRun.select(JobRun.status).where(JobRun.job == "probe").order_by(JobRun.slot).run()
    assert [s["status"] for s in statuses] == ["failed", "ok"]


async def test_a_manual_run_bypasses_the_claim_but_is_recorded(store, probe):
    calls, _, _ = probe
    assert (await run_slot(None, "probe", now=NOW))["status"] == "ok"
    manual = await run_now(None, "probe", now=NOW)
    assert manual["status"] == "ok" and len(calls) == 2
    keys = [r["key"] for r in await JobRun.select(JobRun.key).where(JobRun.job == "probe").run()]
    assert len(keys) == 2 and any(k.startswith("probe:manual:") for k in keys)


async def test_drain_records_a_run_only_when_it_did_work(runtime):
    await runtime.drainer.stop()  # the background drainer would take our events first
    assert (await run_slot(runtime, "drain", now=NOW))["counts"]["events"] == 0
    assert await JobRun.count().where(JobRun.job == "drain").run() == 0
    inst = await make_institution()
    await make_listing(inst)
    result = await run_slot(runtime, "drain", now=NOW)
    assert result["counts"]["events"] == 1 and result["counts"]["upserted"] == 1
    rows = await JobRun.select().where(JobRun.job == "drain").output(load_json=True).run()
    assert len(rows) == 1 and rows[0]["status"] == "ok" and rows[0]["counts"]["events"] == 1


async def test_what_a_body_committed_stays_committed_when_it_fails_later(store, monkeypatch):
    """The advisory lock's transaction does not wrap the body's writes: a digest that sent
    half its mails and then failed must keep the ledger rows of the mails that went out."""
    from board.store.tables import KeyValue

    async def half_done(rt, now):
        await KeyValue.insert(KeyValue(key="ledger:sent-before-the-failure", value=b"1")).run()
        raise RuntimeError("SMTP went away")

    monkeypatch.setitem(JOBS, "half", JobSpec("half", half_done, CronTrigger(minute=0, timezone=dt.UTC),
                                              "fails half way", period=dt.timedelta(hours=1)))
    assert (await run_slot(None, "half", now=NOW))["status"] == "failed"
    assert await KeyValue.exists().where(KeyValue.key == "ledger:sent-before-the-failure").run()
