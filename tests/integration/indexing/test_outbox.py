"""The transactional outbox against a real Meilisearch that the tests kill and restart:
writes never depend on search, the index catches up on its own, the newest state wins,
and a document the engine rejects is retried, then reported as poison, without blocking
the others."""

from __future__ import annotations

import asyncio
import datetime as dt

import pytest

from board.app import create_app
from board.core.validation import validate_opportunity
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.store.engine import write_transaction
from board.store.tables import Opportunity, OutboxEvent
from tests.support.app import app_client
from tests.support.factories import listing_data, make_institution, make_listing
from tests.support.outbox import (
    drain_all,
    eventually_equal,
    index_state,
)


async def test_engine_down_writes_succeed_and_the_index_catches_up_on_its_own(own_runtime, own_meili):
    rt = own_runtime
    inst = await make_institution()
    before = await make_listing(inst, title="Cardiology Observership Before Outage")
    await eventually_equal(rt.client, rt.gateway.index)

    own_meili.down()
    created = [await make_listing(inst, title=f"Neurology Observership {n}") for n in range(6)]
    for opp_id in created[:3]:
        await listings.update(opp_id, {"title": f"Edited while search was down {opp_id}"})
        rt.drainer.kick()
    await listings.close(created[3])
    await listings.close(before)
    rt.drainer.kick()
    assert await outbox.pending_count() > 0
    assert await Opportunity.count().where(Opportunity.status == "published").run() == 5

    own_meili.up()
    # No manual drain: the runtime's drainer loop retries by itself.
    await eventually_equal(rt.client, rt.gateway.index)
    indexed = await index_state(rt.client, rt.gateway.index)
    assert sorted(indexed) == sorted(set(created) - {created[3]})
    assert indexed[created[0]][1] == f"Edited while search was down {created[0]}"
    for _ in range(300):  # the drainer marks events done right after the engine confirms
        if await outbox.pending_count() == 0:
            break
        await asyncio.sleep(0.1)
    assert await outbox.pending_count() == 0


async def test_search_answers_503_quickly_and_health_names_search_while_the_engine_is_down(
        own_runtime, own_meili):
    app = create_app(own_runtime.settings, runtime=own_runtime)
    own_meili.down()
    async with app_client(app) as c:
        health = await c.get("/healthz")
        page = await c.get("/", params={"q": "cardiology"})
        api = await c.get("/api/v1/opportunities", params={"q": "cardiology"})
    assert health.status_code == 503
    assert "search" in health.json()["status"] and health.json()["store"] == "ok"
    assert page.status_code == 503 and "temporarily unavailable" in page.text
    assert api.status_code == 503 and "unavailable" in api.json()["detail"]


async def test_a_write_that_raises_inside_its_transaction_leaves_no_listing_and_no_event(store):
    inst = await make_institution()
    clean = validate_opportunity(listing_data(title="Rolled Back Observership"))
    with pytest.raises(RuntimeError, match="boom"):
        async with write_transaction():
            opp_id = await listings.create(inst, clean)
            await listings.publish_now(opp_id)
            assert await OutboxEvent.count().where(OutboxEvent.opportunity_id == opp_id).run() == 1
            raise RuntimeError("boom")
    assert await Opportunity.count().run() == 0
    assert await OutboxEvent.count().run() == 0


async def test_two_quick_edits_the_index_ends_with_the_later_one(runtime):
    inst = await make_institution()
    opp_id = await make_listing(inst, title="Pediatrics Observership First")
    await drain_all(runtime.gateway)
    await listings.update(opp_id, {"title": "Pediatrics Observership Second"})
    # The second edit races a drain that is already sending the first one.
    await asyncio.gather(
        outbox.drain(runtime.gateway),
        listings.update(opp_id, {"title": "Pediatrics Observership Third"}),
    )
    await drain_all(runtime.gateway)
    indexed = await index_state(runtime.client, runtime.gateway.index)
    assert indexed[opp_id][1] == "Pediatrics Observership Third"


async def test_a_rejected_document_stays_pending_with_the_error_then_poisons_others_go_through(runtime):
    await runtime.drainer.stop()  # this test steps the drainer by hand
    gw = runtime.gateway
    inst = await make_institution()
    good = await make_listing(inst, title="Radiology Observership Good")
    bad = await make_listing(inst, title="Radiology Observership Bad Coordinates")
    # A corrupt row (no event: the damage is in the store): an infinite latitude becomes
    # JSON null, and Meilisearch rejects the document's _geo.
    await Opportunity.update({Opportunity.latitude: float("inf"), Opportunity.longitude: 0.0}).where(
        Opportunity.id == bad).run()

    now = utcnow()
    first = await outbox.drain(gw, now=now)
    assert first.failed == 1 and first.upserted == 1
    event = await OutboxEvent.select().where(OutboxEvent.opportunity_id == bad).first().run()
    assert event["status"] == "pending" and event["attempts"] == 1
    assert event["last_error"] == "invalid_document_geo_field"
    assert good in await index_state(runtime.client, gw.index)

    later = []
    for attempt in range(2, outbox.POISON_AFTER + 1):
        now = now + outbox.backoff(attempt) + dt.timedelta(seconds=1)
        if attempt in {2, outbox.POISON_AFTER}:
            later.append(await make_listing(inst, title=f"Radiology Observership Later {attempt}"))
        result = await outbox.drain(gw, now=now)
        assert result.failed == 1
    event = await OutboxEvent.select().where(OutboxEvent.opportunity_id == bad).first().run()
    assert event["status"] == "poison" and event["attempts"] == outbox.POISON_AFTER
    assert [p["opportunity_id"] for p in await outbox.poisoned()] == [bad]
    # Poison is reported, not retried: the next drain leaves it alone.
    again = await outbox.drain(gw, now=now + dt.timedelta(days=1))
    assert again.failed == 0
    indexed = await index_state(runtime.client, gw.index)
    assert bad not in indexed and {good, *later} <= set(indexed)
