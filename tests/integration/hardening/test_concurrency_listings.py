"""Concurrency on the real store (SQLite here, PostgreSQL in CI's second run): 50 listing
submissions and 50 edits at once through the services and through the HTTP write API give
zero errors and exactly the expected rows and outbox events; two drainers and two schedulers
working while those writes land never process an event or a slot twice."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt

from board.accounts import tokens
from board.core.search_spec import INDEX_SPEC
from board.core.validation import validate_opportunity
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.runtime import Runtime
from board.store.tables import JobRun, Opportunity, OutboxEvent
from jobs.slots import run_slot, slot_for
from search import sync
from tests.support.factories import listing_data, make_institution, make_listing

N = 50


async def _submit(inst: int, i: int) -> str:
    opp = await listings.create(inst, validate_opportunity(listing_data(title=f"Concurrent Listing {i}")))
    return await listings.submit(opp, inst)


async def _edit(opp: int, i: int) -> None:
    await listings.update(opp, validate_opportunity({"title": f"Edited Listing {i}", "fee_usd": i},
                                                    existing=await listings.get(opp)))


async def test_fifty_submissions_and_edits_at_once_through_the_services(store):
    inst = await make_institution()
    existing = [await make_listing(inst, title=f"Existing Listing {i}") for i in range(N)]
    before = await OutboxEvent.count().run()
    results = await asyncio.gather(*[_submit(inst, i) for i in range(N)],
                                   *[_edit(opp, i) for i, opp in enumerate(existing)],
                                   return_exceptions=True)
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    assert results[:N] == ["published"] * N
    rows = await Opportunity.select(Opportunity.id, Opportunity.title, Opportunity.fee_usd,
                                    Opportunity.status).run()
    titles = sorted(r["title"] for r in rows)
    assert titles == sorted([f"Concurrent Listing {i}" for i in range(N)]
                            + [f"Edited Listing {i}" for i in range(N)])
    assert {r["id"]: r["fee_usd"] for r in rows if r["id"] in existing} == \
        {opp: i for i, opp in enumerate(existing)}
    assert {r["status"] for r in rows} == {"published"}
    # One event per publish and one per edit of a published listing, written with them.
    assert await OutboxEvent.count().run() - before == 2 * N


async def test_fifty_creates_and_edits_at_once_through_the_write_api(client):
    inst = await make_institution()
    _, token = await tokens.create(inst, None, "concurrency")
    auth = {"Authorization": f"Bearer {token}"}
    existing = [await make_listing(inst, title=f"Api Existing {i}") for i in range(N)]
    responses = await asyncio.gather(
        *[client.post("/api/v1/opportunities", json=listing_data(title=f"Api Created {i}"),
                      headers=auth) for i in range(N)],
        *[client.patch(f"/api/v1/opportunities/{opp}", json={"title": f"Api Edited {i}"},
                       headers=auth) for i, opp in enumerate(existing)])
    codes = [r.status_code for r in responses]
    assert codes == [201] * N + [200] * N, [(r.status_code, r.text[:200]) for r in responses
                                            if r.status_code >= 300][:3]
    titles = sorted(r["title"] for r in await Opportunity.select(Opportunity.title).run())
    assert titles == sorted([f"Api Created {i}" for i in range(N)] + [f"Api Edited {i}" for i in range(N)])
    created_ids = {r.json()["id"] for r in responses[:N]}
    assert len(created_ids) == N


async def test_two_drainers_and_two_schedulers_amid_writes_never_do_anything_twice(settings, store):
    # Two runtimes as two processes would have (their own clients and gateways), none with
    # a background drainer: the test runs the drains itself so it can count them.
    settings = dataclasses.replace(settings, listing_days=30)
    one, two = Runtime.build(settings), Runtime.build(settings)
    await sync.apply_settings(one.client, settings.meili_index, INDEX_SPEC)
    inst = await make_institution()
    now = utcnow()
    stale = [await make_listing(inst, title=f"Stale Listing {i}", now=now - dt.timedelta(days=90))
             for i in range(5)]  # published 90 days ago: due to expire
    slot = slot_for("expire", now)

    async def drains(rt: Runtime, rounds: int) -> int:
        done = 0
        for _ in range(rounds):
            done += (await outbox.drain(rt.gateway)).events
            await asyncio.sleep(0.01)
        return done

    try:
        results = await asyncio.gather(
            *[_submit(inst, i) for i in range(N)],
            drains(one, 15), drains(two, 15),
            run_slot(one, "expire", now=now, slot=slot), run_slot(two, "expire", now=now, slot=slot))
        ran = [r for r in results[N + 2:] if r is not None]
        assert len(ran) == 1 and ran[0]["status"] == "ok", results[N + 2:]
        assert ran[0]["counts"]["expired"] == len(stale)
        assert await JobRun.count().where(JobRun.job == "expire").run() == 1
        # Whatever is left after the racing drains, one more drain finishes it.
        tail = (await outbox.drain(one.gateway)).events
        total = await OutboxEvent.count().run()
        assert results[N] + results[N + 1] + tail == total  # each event sent exactly once
        assert await OutboxEvent.count().where(OutboxEvent.status != "done").run() == 0
    finally:
        await one.client.delete_index(settings.meili_index)
        await one.client.aclose()
        await two.client.aclose()
