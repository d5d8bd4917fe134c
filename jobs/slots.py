"""Claiming and recording a job run: one unique (job, slot) row per scheduled slot."""

from __future__ import annotations

import datetime as dt
import logging
import traceback

from board.runtime import Runtime
from board.tables import JobRun
from jobs.table import JOBS

log = logging.getLogger(__name__)


def slot_for(name: str, now: dt.datetime) -> dt.datetime:
    """The scheduled slot a firing at `now` belongs to: the trigger's previous fire time."""
    trigger = JOBS[name].trigger
    prev = trigger.get_next_fire_time(None, now - dt.timedelta(days=1))
    slot = prev
    while prev is not None and prev <= now:
        slot = prev
        prev = trigger.get_next_fire_time(prev, prev + dt.timedelta(microseconds=1))
    return (slot or now).astimezone(dt.UTC).replace(microsecond=0)


async def claim(name: str, slot: dt.datetime, now: dt.datetime) -> int | None:
    key = f"{name}:{slot.isoformat()}"
    try:
        rows = await JobRun.insert(JobRun(key=key, job=name, slot=slot, status="running",
                                          started_at=now)).returning(JobRun.id).run()
    except Exception:  # the unique key is taken: another scheduler owns this slot
        return None
    return rows[0]["id"]


async def run_slot(rt: Runtime, name: str, now: dt.datetime | None = None,
                   slot: dt.datetime | None = None) -> dict | None:
    now = now or dt.datetime.now(dt.UTC)
    slot = slot or slot_for(name, now)
    run_id = await claim(name, slot, now)
    if run_id is None:
        return None
    try:
        counts = await JOBS[name].body(rt, now)
    except Exception as exc:
        log.exception("job %s failed", name)
        await JobRun.update({
            JobRun.status: "failed", JobRun.finished_at: dt.datetime.now(dt.UTC),
            JobRun.error: "".join(traceback.format_exception_only(exc)).strip()[:2000],
        }).where(JobRun.id == run_id).run()
        return {"status": "failed", "error": str(exc)}
    await JobRun.update({
        JobRun.status: "ok", JobRun.finished_at: dt.datetime.now(dt.UTC), JobRun.counts: counts,
    }).where(JobRun.id == run_id).run()
    return {"status": "ok", **counts}
