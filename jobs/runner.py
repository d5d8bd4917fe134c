"""APScheduler 3.x runtime (AsyncIOScheduler, UTC). Each firing claims its slot in the
store first, so a second scheduler that loses the claim skips the run.

On start every slot-claiming job fires once straight away for its latest slot: a scheduler
that was down (a deploy, a crash) runs what it missed, and if another scheduler already ran
that slot the claim makes the firing a no-op."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from typing import Any

from apscheduler.schedulers.asyncio import AsyncIOScheduler

from board.runtime import Runtime
from jobs.slots import run_slot
from jobs.table import JOBS

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 3600
STOP_TIMEOUT_SECONDS = 30.0


class JobScheduler:
    """The APScheduler instance plus the runs in flight, so stopping can let them finish
    (APScheduler's own shutdown cancels running coroutines mid-way)."""

    def __init__(self, rt: Runtime, *, catch_up: bool = True):
        self.rt = rt
        self.active: set[asyncio.Task[Any]] = set()
        self.scheduler = AsyncIOScheduler(timezone=dt.UTC)
        now = dt.datetime.now(dt.UTC)
        for spec in JOBS.values():
            extra = {"next_run_time": now} if catch_up and spec.claims_slot else {}
            # A late firing is merged into one run (coalesce) and still runs within the grace
            # time; one process never runs a job twice at once (max_instances).
            self.scheduler.add_job(
                self.fire, spec.trigger, args=[spec.name], id=spec.name, name=spec.description,
                replace_existing=True, coalesce=True, max_instances=1,
                misfire_grace_time=MISFIRE_GRACE_SECONDS, **extra)

    async def fire(self, name: str) -> dict[str, Any] | None:
        task = asyncio.current_task()
        if task is not None:
            self.active.add(task)
        try:
            return await run_slot(self.rt, name)
        finally:
            self.active.discard(task)

    def start(self) -> None:
        self.scheduler.start()
        log.info("scheduler started with jobs: %s", ", ".join(JOBS))

    async def stop(self, timeout: float = STOP_TIMEOUT_SECONDS) -> None:
        if not self.scheduler.running:
            return
        self.scheduler.pause()  # no new firings while the current ones finish
        running = {t for t in self.active if not t.done()}
        if running:
            log.info("waiting up to %ss for %d running job(s)", timeout, len(running))
            await asyncio.wait(running, timeout=timeout)
        self.scheduler.shutdown(wait=False)

    def shutdown(self, wait: bool = False) -> None:
        """Immediate stop (cancels running jobs); prefer `await stop()`."""
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)


def build_scheduler(rt: Runtime, *, catch_up: bool = True) -> JobScheduler:
    return JobScheduler(rt, catch_up=catch_up)


def start_in_process(rt: Runtime) -> JobScheduler:
    scheduler = build_scheduler(rt)
    scheduler.start()
    return scheduler
