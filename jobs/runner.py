"""APScheduler 3.x runtime (AsyncIOScheduler, UTC). Each firing claims its slot in the
store first, so a second scheduler that loses the claim skips the run."""

from __future__ import annotations

import datetime as dt
import logging

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from board.runtime import Runtime
from jobs.slots import run_slot
from jobs.table import JOBS

log = logging.getLogger(__name__)


def build_scheduler(rt: Runtime) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=dt.UTC, job_defaults={
        "coalesce": True, "max_instances": 1, "misfire_grace_time": 3600,
    })
    for spec in JOBS.values():
        scheduler.add_job(run_slot, spec.trigger, args=[rt, spec.name], id=spec.name,
                          name=spec.description, replace_existing=True)
    return scheduler


def start_in_process(rt: Runtime) -> AsyncIOScheduler:
    scheduler = build_scheduler(rt)
    scheduler.start()
    log.info("scheduler started with jobs: %s", ", ".join(JOBS))
    return scheduler
