"""THE table of scheduled jobs: id, body, trigger. Everything that schedules or runs a job
by name reads it from here."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from apscheduler.triggers.interval import IntervalTrigger

from jobs import bodies

Body = Callable[..., Awaitable[dict[str, int]]]


@dataclass(frozen=True)
class JobSpec:
    name: str
    body: Body
    trigger: Any
    description: str


JOBS: dict[str, JobSpec] = {
    spec.name: spec for spec in [
        JobSpec("expire", bodies.expire, IntervalTrigger(minutes=15, timezone="UTC"),
                "mark published listings past their expiry as expired"),
        JobSpec("drain", bodies.drain, IntervalTrigger(seconds=5, timezone="UTC"),
                "send pending search outbox events to Meilisearch"),
    ]
}
