"""Search engine faults seen through the HTTP API, one runtime living through all of them:
Meilisearch stopped (connections refused), hung (accepts, never answers), slow (under and
over the client timeout), then back. Each answer is a clear 503 or a normal 200, never a 500;
listings committed during the outage are not lost and become searchable by themselves once
the engine is back (the outbox drainer retries; nobody restarts anything)."""

from __future__ import annotations

import asyncio
import dataclasses
import itertools

import pytest

from board.app import create_app
from board.indexing import outbox
from board.runtime import Runtime
from board.store.tables import OutboxEvent
from tests.support.app import Borrowed, app_client
from tests.support.factories import make_institution, make_listing
from tests.support.fault_proxy import FaultProxy

TIMEOUT = 1.0  # the search client's timeout in this test (the default is 2 s)
HANG_GUARD = 30.0
_calls = itertools.count()  # a request that takes longer than this is a hang, not a slow answer


@pytest.fixture
async def rig(settings, meili):
    host, port = meili.url.removeprefix("http://").split(":")
    proxy = await FaultProxy(host, int(port)).start()
    rt = Runtime.build(dataclasses.replace(settings, meili_url=proxy.url, search_timeout=TIMEOUT))
    await rt.start()
    app = create_app(rt.settings, runtime=Borrowed(rt))
    async with app_client(app) as client:
        yield proxy, rt, client
    await rt.drainer.stop()
    await proxy.set("up")
    await rt.client.delete_index(settings.meili_index)
    await rt.client.aclose()
    await proxy.stop()


async def _search(client, q: str):
    # A different page size each time: a hot query's cached answer would hide the engine.
    params = {"q": q, "per_page": 2 + next(_calls) % 48}
    return await asyncio.wait_for(client.get("/api/v1/opportunities", params=params), HANG_GUARD)


async def _titles(client, q: str) -> set[str]:
    resp = await _search(client, q)
    assert resp.status_code == 200, resp.text
    return {h["title"] for h in resp.json()["hits"]}


async def _eventually_searchable(client, q: str, title: str, rounds: int = 120) -> None:
    for _ in range(rounds):
        resp = await _search(client, q)
        assert resp.status_code in {200, 503}, resp.text
        if resp.status_code == 200 and title in {h["title"] for h in resp.json()["hits"]}:
            return
        await asyncio.sleep(0.5)
    raise AssertionError(f"{title!r} never became searchable")


def _unavailable(resp) -> None:
    assert resp.status_code == 503, resp.text
    assert "temporarily unavailable" in resp.json()["detail"]


async def test_search_outages_answer_503_and_heal_by_themselves(rig):
    proxy, rt, client = rig
    inst = await make_institution()
    await make_listing(inst, title="Nephrology Observership Before")
    rt.drainer.kick()
    await _eventually_searchable(client, "nephrology", "Nephrology Observership Before")

    # Stopped: connections refused.
    await proxy.set("down")
    _unavailable(await _search(client, "nephrology"))
    health = await client.get("/healthz")
    assert health.status_code == 503 and health.json()["search"] != "ok"
    assert health.json()["store"] == "ok"
    # Writes do not depend on search: committed now, searchable later.
    during = await make_listing(inst, title="Nephrology Observership During")
    rt.drainer.kick()
    page = await client.get(f"/api/v1/opportunities/{during}")
    assert page.status_code == 200  # a listing page reads the store, not the engine

    # Hung: the engine accepts the connection and never answers; the client times out.
    await proxy.set("hang")
    _unavailable(await _search(client, "nephrology"))

    # Slow but within the timeout: answers normally.
    await proxy.set("slow", delay=TIMEOUT / 5)
    assert "Nephrology Observership Before" in await _titles(client, "nephrology")
    # Slower than the timeout: a 503, not a hang.
    await proxy.set("slow", delay=TIMEOUT * 3)
    _unavailable(await _search(client, "nephrology"))

    # Back: nobody kicks or restarts anything; the drainer's own retries catch up.
    await proxy.set("up")
    await _eventually_searchable(client, "nephrology", "Nephrology Observership During")
    assert {"Nephrology Observership Before", "Nephrology Observership During"} <= \
        await _titles(client, "nephrology")
    for _ in range(60):
        if await outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.5)
    events = await OutboxEvent.select(OutboxEvent.status).where(
        OutboxEvent.opportunity_id == during).run()
    assert events and all(e["status"] == "done" for e in events), events
    health = await client.get("/healthz")
    assert health.status_code == 200, health.text
