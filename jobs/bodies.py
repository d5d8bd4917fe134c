"""Job bodies: plain async functions that take their dependencies and `now` and return
counts, so tests call them directly with a frozen clock. The digest and reconcile bodies
belong to their own modules and are imported when they run."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from board.indexing import outbox
from board.listings import reconfirm, reminders
from board.listings import services as listings
from board.planner import follow_ups as planner_follow_ups
from board.runtime import Runtime
from jobs import purge as purging


def as_counts(result: Any) -> dict[str, int]:
    """A body's result as a flat {name: int} mapping for the run history (dicts, objects
    with .counts(), or dataclasses are all accepted; non-numbers are dropped)."""
    if hasattr(result, "counts") and callable(result.counts):
        result = result.counts()
    elif dataclasses.is_dataclass(result) and not isinstance(result, type):
        result = dataclasses.asdict(result)
    if not isinstance(result, dict):
        return {}
    return {str(k): int(v) for k, v in result.items() if isinstance(v, int | float)}


async def expire(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return {"expired": await listings.expire_due(now)}  # its commit wakes the drainer


async def remind(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return await reminders.send_reminders(rt, now)


async def reconfirm_hosts(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return await reconfirm.send_reconfirmations(rt, now)


async def digest(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    # Hourly: the digest itself knows (from its delivery ledger) whether this ISO week was
    # sent, so a scheduler that was down on Monday catches up on its next tick.
    from board.digests.tasks import run_digest

    # Send pending index changes first: the digest searches the index, and a listing
    # published a moment ago must not wait a week because its event was still queued.
    # If the engine is down the drain just leaves the events; the digest then fails loudly.
    await outbox.drain(rt.gateway)
    return as_counts(await run_digest(rt, now))


async def drain(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    result = await outbox.drain(rt.gateway, wait=0)  # every 5 s: the next tick comes soon
    return {**result.counts(), "skipped": int(result.skipped)}


async def reconcile(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    from board.indexing.reconcile import reconcile as run_reconcile

    return as_counts(await run_reconcile(rt, now))


async def events(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    from board.indexing.event_refresh import refresh_event_documents

    return await refresh_event_documents(now)


async def purge(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return await purging.purge(now)


async def follow_ups(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    return await planner_follow_ups.send_follow_ups(rt, now)
