"""Only one drainer works at a time: the lease row in the store (SQLite and PostgreSQL)."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.store.tables import KeyValue


async def test_concurrent_claims_have_exactly_one_winner(store):
    now = utcnow()
    won = await asyncio.gather(*[
        outbox.acquire_lease("lease:test", f"owner-{n}", now, 60) for n in range(8)])
    assert won.count(True) == 1
    assert await KeyValue.count().where(KeyValue.key == "lease:test").run() == 1


async def test_an_expired_lease_is_taken_over_and_only_its_owner_releases_it(store):
    now = utcnow()
    assert await outbox.acquire_lease("lease:test", "crashed", now, 60)
    assert not await outbox.acquire_lease("lease:test", "second", now + dt.timedelta(seconds=30), 60)
    assert await outbox.acquire_lease("lease:test", "second", now + dt.timedelta(seconds=61), 60)
    await outbox.release_lease("lease:test", "crashed")  # no longer its lease: a no-op
    assert not await outbox.acquire_lease("lease:test", "third", now + dt.timedelta(seconds=62), 60)
    assert not await outbox.renew_lease("lease:test", "crashed")
    assert await outbox.renew_lease("lease:test", "second")
    await outbox.release_lease("lease:test", "second")
    assert await outbox.acquire_lease("lease:test", "third", now + dt.timedelta(seconds=62), 60)


async def test_a_drain_is_skipped_while_the_lease_is_held_and_exclusive_waits(runtime):
    await runtime.drainer.stop()
    async with outbox.exclusive():
        assert (await outbox.drain(runtime.gateway)).skipped
        with pytest.raises(outbox.LeaseBusy):
            async with outbox.exclusive(wait=0.3):
                pass
    assert not (await outbox.drain(runtime.gateway)).skipped
