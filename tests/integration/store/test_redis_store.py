"""REDIS_URL against a real Redis server: the counting store the rate limits use, and the
search cache's shared generation (a write waited for by one process drops the cached hot
queries of every other process at once, not at the end of their time window)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

import pytest

from board.app import create_app
from board.indexing.gateway import utcnow
from board.runtime import Runtime
from board.store.redis_store import CountingRedisStore, connect
from tests.support.app import Borrowed, app_client
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"


@pytest.fixture
async def redis_store(redis_server):
    redis = connect(redis_server.url)
    store = CountingRedisStore(redis, namespace="test_counts")
    await store.delete_all()
    yield store
    await store.delete_all()
    await redis.aclose()


async def test_forty_parallel_increments_count_forty(redis_store):
    counts = await asyncio.gather(*(redis_store.incr("k", expires_in=60) for _ in range(40)))
    assert sorted(counts) == list(range(1, 41))
    assert 0 < await redis_store.expires_in("k") <= 60
    assert await redis_store.incr("k", expires_in=5) == 41
    assert await redis_store.expires_in("k") > 5  # the first expiry stays
    huge = "login:" + "x" * 100_000  # a visitor-typed email of any size: kept as a digest
    assert [await redis_store.incr(huge, expires_in=60) for _ in range(2)] == [1, 2]
    assert max(len(k) for k in await redis_store._redis.keys("test_counts:*")) < 100


async def test_a_write_through_one_process_refreshes_every_process_cache(runtime, redis_server):
    shared = dataclasses.replace(runtime.settings, redis_url=redis_server.url)
    # Two "workers" sharing Redis, and one without it; each its own client and cache, with
    # a window so long that only a generation change can make a search see a write.
    one, two, alone = Runtime.build(shared), Runtime.build(shared), Runtime.build(runtime.settings)
    for rt in (one, two, alone):
        rt.gateway.cache.window_s = 3600
    await runtime.drainer.stop()  # the writes below are drained by `two` alone
    params = {"specialty": "Psychiatry", "sort": "newest"}
    inst = await make_institution()
    first = await make_listing(inst, title="Psychiatry observership", specialty="Psychiatry",
                               now=utcnow() - dt.timedelta(hours=1))
    await drain_all(runtime.gateway)
    try:
        clients = [app_client(create_app(rt.settings, runtime=Borrowed(rt))) for rt in (one, alone)]
        async with clients[0] as c1, clients[1] as c3:
            assert (await c1.get(API, params=params)).json()["total"] == 1
            assert (await c3.get(API, params=params)).json()["total"] == 1
            second = await make_listing(inst, title="Psychiatry research", specialty="Psychiatry",
                                        kind="research")
            await drain_all(two.gateway)  # the write is waited for by the OTHER worker
            seen = (await c1.get(API, params=params)).json()
            assert [h["id"] for h in seen["hits"]] == [second, first]
            # Without Redis a process learns of another's write only when its window ends.
            assert (await c3.get(API, params=params)).json()["total"] == 1
    finally:
        for rt in (one, two, alone):
            await rt.client.aclose()
            if rt.redis is not None:
                await rt.redis.aclose()
