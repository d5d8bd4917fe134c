"""Drift repair: compare the index with the store and fix both directions (missing or
stale documents upserted, phantom documents deleted), and re-apply index settings that
drifted. The nightly `reconcile` job calls `reconcile(rt, now)`."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from board.core.search_spec import INDEX_SPEC
from board.indexing import outbox
from board.indexing.gateway import document_from_row, load_rows
from board.listings.visibility import visible_where
from board.store.tables import Opportunity
from search import sync
from search.documents import to_timestamp

if TYPE_CHECKING:
    from board.runtime import Runtime

CHUNK = 1000


async def store_versions(now: dt.datetime) -> dict[int, int]:
    """id -> updated_at timestamp of every listing visible at `now`."""
    rows = await Opportunity.select(Opportunity.id, Opportunity.updated_at).where(
        visible_where(now)).run()
    return {r["id"]: to_timestamp(r["updated_at"]) or 0 for r in rows}


def diff(store: dict[int, int], index: dict[int, int]) -> tuple[list[int], list[int], list[int]]:
    """(missing, stale, phantom) ids, each sorted."""
    missing = sorted(store.keys() - index.keys())
    stale = sorted(i for i in store.keys() & index.keys() if store[i] != index[i])
    phantom = sorted(index.keys() - store.keys())
    return missing, stale, phantom


async def reconcile(rt: Runtime, now: dt.datetime) -> dict[str, int]:
    client, index = rt.client, rt.gateway.index
    drift = await sync.apply_settings(client, index, INDEX_SPEC)
    # While the lease is held no drainer writes to the index, so what we read of it stays
    # true; a change committed meanwhile has a pending event that drains right after.
    async with outbox.exclusive() as owner:
        missing, stale, phantom = diff(await store_versions(now),
                                       await sync.indexed_versions(client, index))
        to_send = missing + stale
        for start in range(0, len(to_send), CHUNK):
            rows = await load_rows(to_send[start:start + CHUNK], visible_only=True, now=now)
            await sync.upsert(client, index, [document_from_row(r) for r in rows])
            await outbox.renew_lease(outbox.LEASE_KEY, owner)
        for start in range(0, len(phantom), CHUNK):
            await sync.delete(client, index, phantom[start:start + CHUNK])
    return {"missing": len(missing), "stale": len(stale), "phantom": len(phantom),
            "settings_repaired": len(drift)}
