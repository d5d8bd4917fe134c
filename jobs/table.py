"""THE table of scheduled jobs: id, body, trigger. Everything that schedules or runs a job
by name reads it from here.

Triggers are cron expressions in UTC, not intervals: an interval counts from whenever the
process started, so two schedulers would disagree on the slot and both win their claim. A
cron slot is the same wall-clock instant on every machine."""

from __future__ import annotations

import datetime as dt
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger

from jobs import bodies

Body = Callable[..., Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    body: Body
    trigger: Any
    description: str
    # The longest gap between two slots: how far back to look for the current slot.
    period: dt.timedelta = dt.timedelta(days=1)
    # False for the every-few-seconds drain: it has its own lease, and one run-history row
    # per tick (17k a day) would bury the runs that matter. It records busy or failed ticks.
    claims_slot: bool = True


def _cron(**fields: Any) -> CronTrigger:
    return CronTrigger(timezone=dt.UTC, **fields)


JOBS: dict[str, JobSpec] = {
    spec.name: spec for spec in [
        JobSpec("expire", bodies.expire, _cron(minute="*/15"),
                "mark published listings past their expiry as expired",
                period=dt.timedelta(minutes=15)),
        JobSpec("remind", bodies.remind, _cron(hour=14, minute=0),
                "email institutions about listings that expire soon, with a renew link"),
        JobSpec("digest", bodies.digest, _cron(minute=5),
                "send this ISO week's digest to subscribers who have not had it yet",
                period=dt.timedelta(hours=1)),
        JobSpec("drain", bodies.drain, IntervalTrigger(seconds=5, timezone=dt.UTC),
                "send pending search outbox events to Meilisearch",
                period=dt.timedelta(seconds=5), claims_slot=False),
        JobSpec("reconcile", bodies.reconcile, _cron(hour=3, minute=30),
                "repair differences between the search index and the store"),
        JobSpec("purge", bodies.purge, _cron(hour=4, minute=45),
                "delete stale subscriptions, sessions, tokens and old history"),
        JobSpec("reconfirm", bodies.reconfirm_hosts, _cron(hour=14, minute=30),
                "ask hosts of listings unconfirmed for RECONFIRM_DAYS whether they still accept"),
        JobSpec("follow-ups", bodies.follow_ups, _cron(hour=13, minute=15),
                "mail IMGs once on each due follow-up date of their outreach tracker"),
        JobSpec("events", bodies.events, _cron(minute=20),
                "re-index recurring events whose occurrence ended, so search shows the next one",
                period=dt.timedelta(hours=1)),
    ]
}


def unknown_job_message(name: str) -> str:
    return f"unknown job {name!r}: choose one of {', '.join(JOBS)}"


def schedule(now: dt.datetime) -> dict[str, dict[str, Any]]:
    """Each job's description and next fire time after `now` (the staff job page)."""
    out: dict[str, dict[str, Any]] = {}
    for name, spec in JOBS.items():
        out[name] = {"description": spec.description,
                     "next_run": spec.trigger.get_next_fire_time(None, now)}
    return out
