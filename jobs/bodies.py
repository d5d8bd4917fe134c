"""Job bodies: plain async functions that take their dependencies and `now` and return
counts, so tests call them directly with a frozen clock."""

from __future__ import annotations

import datetime as dt

from board import listings, outbox
from board.runtime import Runtime


async def expire(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    expired = await listings.expire_due(now)
    if expired:
        rt.kick()
    return {"expired": expired}


async def drain(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    result = await outbox.drain(rt.gateway)
    return {**result.counts(), "skipped": int(result.skipped)}
