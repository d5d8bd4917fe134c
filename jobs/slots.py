"""Claiming and recording a job run: one unique (job, slot) row per scheduled slot, so a
second scheduler (another process or machine) that fires the same slot loses the claim and
skips. The body also runs under the job's lock (a transaction-level advisory lock on
PostgreSQL, a lease row on SQLite), so two runs of one job never overlap even across slots
(a slow run still going when the next slot fires elsewhere)."""

from __future__ import annotations

import asyncio
import contextlib
import contextvars
import datetime as dt
import hashlib
import logging
import time
import traceback
import uuid
from typing import Any

from board.observability import logs
from board.runtime import Runtime
from board.store import engine as db
from board.store.tables import JobRun
from jobs.bodies import as_counts
from jobs.table import JOBS, JobSpec

log = logging.getLogger(__name__)


class JobBusy(Exception):
    """Another run of the same job holds its lock."""


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def slot_for(name: str, now: dt.datetime) -> dt.datetime:
    """The scheduled slot a firing at `now` belongs to: the trigger's latest fire time at or
    before `now` (a late firing still belongs to the slot it was scheduled for)."""
    spec = JOBS[name]
    fire = spec.trigger.get_next_fire_time(None, now - spec.period)
    slot = None
    while fire is not None and fire <= now:
        slot = fire
        fire = spec.trigger.get_next_fire_time(None, fire + dt.timedelta(microseconds=1))
    return (slot or now).astimezone(dt.UTC).replace(microsecond=0)


def slot_key(name: str, slot: dt.datetime) -> str:
    return f"{name}:{slot.astimezone(dt.UTC).isoformat()}"


def lock_id(name: str) -> int:
    """A stable signed 64-bit key per job (Python's hash() differs between processes)."""
    digest = hashlib.sha256(f"board-job:{name}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


async def claim(name: str, key: str, slot: dt.datetime) -> int | None:
    """Insert the run row; None when the key is already taken (another runner won)."""
    try:
        rows = await JobRun.insert(JobRun(key=key, job=name, slot=slot, status="running",
                                          started_at=utcnow())).returning(JobRun.id).run()
    except Exception:
        # The unique key is the arbiter; anything else (store down) must not look like a
        # lost claim, so look before deciding.
        if await JobRun.exists().where(JobRun.key == key).run():
            return None
        raise
    return rows[0]["id"]


async def run_exclusive(name: str, call) -> Any:
    """Run `call()` holding pg_try_advisory_xact_lock(job) on PostgreSQL; JobBusy if another
    run holds it. The body runs outside the lock's transaction, on its own connections: its
    own transactions commit as it goes (a digest's ledger rows must stay committed for the
    mails already sent, even if a later step fails)."""
    engine = db.current_engine()
    if db.is_sqlite(engine):
        return await _run_under_lease(name, call)
    outside = contextvars.copy_context()
    async with engine.transaction():
        rows = await JobRun.raw("SELECT pg_try_advisory_xact_lock({}) AS locked", lock_id(name)).run()
        if not rows[0]["locked"]:
            raise JobBusy(f"another run of {name} is still in progress")
        return await asyncio.get_running_loop().create_task(call(), context=outside)


# A crashed run's lease lapses after this long; no job body here runs nearly that long.
JOB_LEASE_SECONDS = 3 * 3600


async def _run_under_lease(name: str, call) -> Any:
    """SQLite has no advisory locks: a lease row in the store (the one the outbox drainer
    uses) keeps two runs of one job from overlapping across slots there too."""
    from board.indexing.outbox import acquire_lease, release_lease

    key, owner = f"lease:job:{name}", uuid.uuid4().hex
    if not await acquire_lease(key, owner, utcnow(), JOB_LEASE_SECONDS):
        raise JobBusy(f"another run of {name} is still in progress")
    try:
        return await call()
    finally:
        await asyncio.shield(release_lease(key, owner))


async def _finish(run_id: int, status: str, counts: dict[str, int], error: str = "") -> None:
    await JobRun.update({
        JobRun.status: status, JobRun.finished_at: utcnow(), JobRun.counts: counts,
        JobRun.error: error,
    }).where(JobRun.id == run_id).run()


def _describe(exc: BaseException) -> str:
    return "".join(traceback.format_exception_only(exc)).strip()[:2000]


async def execute(rt: Runtime, spec: JobSpec, run_id: int, now: dt.datetime) -> dict[str, Any]:
    """Run a claimed job's body and record how it ended; never raises for a body failure."""
    started = time.perf_counter()
    try:
        counts = as_counts(await run_exclusive(spec.name, lambda: spec.body(rt, now)))
    except JobBusy as exc:
        await _finish(run_id, "skipped", {}, str(exc))
        logs.job_finished(spec.name, "skipped", time.perf_counter() - started, error=str(exc))
        return {"status": "skipped", "error": str(exc)}
    except asyncio.CancelledError:
        # Stopped mid-run (shutdown): say so instead of leaving the row "running" forever.
        with contextlib.suppress(Exception):
            await asyncio.shield(_finish(run_id, "failed", {}, "interrupted: the scheduler stopped"))
        logs.job_finished(spec.name, "interrupted", time.perf_counter() - started)
        raise
    except Exception as exc:
        log.exception("job %s failed", spec.name)
        await _finish(run_id, "failed", {}, _describe(exc))
        logs.job_finished(spec.name, "failed", time.perf_counter() - started,
                          error=_describe(exc))
        return {"status": "failed", "error": _describe(exc)}
    await _finish(run_id, "ok", counts)
    logs.job_finished(spec.name, "ok", time.perf_counter() - started, counts)
    return {"status": "ok", "counts": counts}


async def run_slot(rt: Runtime, name: str, now: dt.datetime | None = None,
                   slot: dt.datetime | None = None) -> dict[str, Any] | None:
    """What the scheduler fires. None when another runner already owns this slot."""
    now = now or utcnow()
    spec = JOBS[name]
    if not spec.claims_slot:
        return await run_unclaimed(rt, spec, now)
    slot = slot or slot_for(name, now)
    run_id = await claim(name, slot_key(name, slot), slot)
    if run_id is None:
        log.info("job %s slot %s already claimed elsewhere: skipped", name, slot.isoformat())
        return None
    return await execute(rt, spec, run_id, now)


async def run_unclaimed(rt: Runtime, spec: JobSpec, now: dt.datetime) -> dict[str, Any]:
    """A frequent job: the history gets a row only for a tick that did work or failed."""
    started = utcnow()
    clock = time.perf_counter()
    try:
        counts = as_counts(await spec.body(rt, now))
    except Exception as exc:
        log.exception("job %s failed", spec.name)
        await _record(spec.name, now, started, "failed", {}, _describe(exc))
        logs.job_finished(spec.name, "failed", time.perf_counter() - clock, error=_describe(exc))
        return {"status": "failed", "error": _describe(exc)}
    worked = any(v for k, v in counts.items() if k != "skipped")
    if worked:
        await _record(spec.name, now, started, "ok", counts)
    logs.job_finished(spec.name, "ok", time.perf_counter() - clock, counts, quiet=not worked)
    return {"status": "ok", "counts": counts}


async def _record(name: str, slot: dt.datetime, started: dt.datetime, status: str,
                  counts: dict[str, int], error: str = "", kind: str = "tick") -> int:
    key = f"{name}:{kind}:{slot.isoformat()}:{uuid.uuid4().hex[:8]}"
    rows = await JobRun.insert(JobRun(
        key=key, job=name, slot=slot, status=status, started_at=started,
        finished_at=utcnow() if status != "running" else None, counts=counts, error=error,
    )).returning(JobRun.id).run()
    return rows[0]["id"]


async def run_now(rt: Runtime, name: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """`board jobs once NAME`: no slot to claim (the operator asked for it), but it still
    runs under the job's lock and leaves a row in the history."""
    now = now or utcnow()
    spec = JOBS[name]
    run_id = await _record(name, now, utcnow(), "running", {}, kind="manual")
    return await execute(rt, spec, run_id, now)
