"""Two served app processes sharing REDIS_URL (as workers on two machines would): a login on
one is a login on the other, and the per-client form limit counts the POSTs both received.
The sessions are in Redis, not the database: the key_value table stays empty."""

from __future__ import annotations

import asyncio
import time
import uuid

import httpx
import pytest

from board.store.redis_store import connect
from board.store.tables import KeyValue
from board.web.ratelimit import PER_CLIENT_PER_MINUTE
from tests.conftest import TEST_DATABASE_URL, clear_tables
from tests.support.app import ServedApp, app_env
from tests.support.factories import make_institution
from tests.support.members import log_in_as, make_member, post_form
from tests.support.metrics import sample


@pytest.fixture
async def two_workers(meili, migrated_db, redis_server, tmp_path):
    await clear_tables()
    env = app_env(TEST_DATABASE_URL, meili.url, meili.master_key, f"r_{uuid.uuid4().hex[:8]}",
                  tmp_path / "var", REDIS_URL=redis_server.url, METRICS_TOKEN="t" * 32)
    apps = [ServedApp(env, log_path=tmp_path / f"worker{i}.log") for i in (1, 2)]
    for app in apps:  # one after the other: each computes the city table at start-up
        await asyncio.to_thread(app.start, 180.0)
    yield apps
    await asyncio.gather(*(asyncio.to_thread(a.stop) for a in apps))
    await clear_tables()


async def test_workers_share_sessions_and_rate_limits_through_redis(two_workers, redis_server):
    one, two = two_workers
    member = await make_member(await make_institution())
    async with httpx.AsyncClient(base_url=one.url, follow_redirects=True, timeout=30) as a, \
            httpx.AsyncClient(base_url=two.url, follow_redirects=True, timeout=30) as b:
        anonymous = await b.get("/dashboard")
        assert anonymous.url.path == "/login"
        await log_in_as(a, member)
        b.cookies.update(a.cookies)
        dashboard = await b.get("/dashboard")
        assert dashboard.status_code == 200 and dashboard.url.path == "/dashboard"
        assert await KeyValue.count().where(KeyValue.key.like("sessions:%")).run() == 0

        # The limit's window is a calendar minute: start early in one, so all POSTs share it.
        if time.time() % 60 > 40:
            await asyncio.sleep(61 - time.time() % 60)
        answers = []
        for i in range(PER_CLIENT_PER_MINUTE + 1):
            http = a if i % 2 else b
            answer = await post_form(http, "/password-reset", {"email": f"nobody{i}@example.org"})
            answers.append(answer.status_code)
        # The refusal is counted by the worker that refused (the last POST went to `b`).
        text = (await b.get("/metrics", headers={"Authorization": "Bearer " + "t" * 32})).text
    assert 429 not in answers[:PER_CLIENT_PER_MINUTE], answers
    assert answers[-1] == 429, answers
    assert sample(text, "board_rate_limit_refusals_total", limit="client/password-reset") == 1
    # Both kept in Redis, none in the database store.
    assert await KeyValue.count().where(KeyValue.key.like("rate:%")).run() == 0
    redis = connect(redis_server.url)
    try:
        assert await redis.keys("board_sessions:*") and await redis.keys("board_rate:*")
    finally:
        await redis.aclose()
