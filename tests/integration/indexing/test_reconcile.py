"""Reconcile repairs drift in both directions and re-applies index settings that drifted."""

from __future__ import annotations

import asyncio

from board.core.search_spec import INDEX_SPEC
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.indexing.reconcile import diff, reconcile
from board.store.tables import Opportunity
from search.index_settings import index_settings
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all, index_state, store_state

INDEX_SETTINGS = index_settings(INDEX_SPEC)


def test_diff_names_missing_stale_and_phantom_ids():
    store = {1: 10, 2: 20, 3: 30}
    index = {2: 20, 3: 29, 4: 40}
    assert diff(store, index) == ([1], [3], [4])
    assert diff({}, {}) == ([], [], [])


async def test_reconcile_removes_a_phantom_restores_a_deleted_and_refreshes_a_stale_one(runtime):
    await runtime.drainer.stop()
    client, index = runtime.client, runtime.gateway.index
    inst = await make_institution()
    ids = [await make_listing(inst, title=f"Psychiatry observership {n}") for n in range(4)]
    await drain_all(runtime.gateway)
    # Drift behind the outbox's back: a document deleted by hand, a phantom added by hand,
    # a row changed without an event.
    await client.wait_task(await client.delete_documents(index, [ids[0]]))
    await client.wait_task(await client.add_documents(index, [{"id": 987_654, "title": "ghost"}]))
    await Opportunity.update({Opportunity.title: "Psychiatry observership renamed",
                              Opportunity.updated_at: utcnow().replace(year=2030)}).where(
        Opportunity.id == ids[1]).run()

    counts = await reconcile(runtime, utcnow())
    assert counts == {"missing": 1, "stale": 1, "phantom": 1, "settings_repaired": 0}
    assert await index_state(client, index) == await store_state()
    assert (await reconcile(runtime, utcnow()))["missing"] == 0


async def test_reconcile_reapplies_drifted_settings(runtime):
    client, index = runtime.client, runtime.gateway.index
    task = await client.update_settings(index, {"searchableAttributes": ["title"],
                                                "pagination": {"maxTotalHits": 10}})
    await client.wait_task(task)
    counts = await reconcile(runtime, utcnow())
    assert counts["settings_repaired"] == 2
    live = await client.get_settings(index)
    assert live["searchableAttributes"] == INDEX_SETTINGS["searchableAttributes"]
    assert live["pagination"] == INDEX_SETTINGS["pagination"]


async def test_reconcile_waits_for_a_running_drain(runtime):
    """While someone holds the drain lease, reconcile waits rather than racing it."""
    await runtime.drainer.stop()
    async with outbox.exclusive() as owner:
        job = asyncio.create_task(reconcile(runtime, utcnow()))
        await asyncio.sleep(0.3)
        assert not job.done()
        await outbox.release_lease(outbox.LEASE_KEY, owner)
        assert (await job)["phantom"] == 0
