"""Moving a recurring event's `next_starts_at` on: the search document holds the next
occurrence as of its last indexing, so when an occurrence ends the `events` job (hourly)
queues that listing for re-indexing. One-off events need nothing: their document expires
with their end (board.core.event_listing.document_values)."""

from __future__ import annotations

import datetime as dt

from board.core.event_listing import next_start
from board.indexing import outbox
from board.indexing.gateway import load_rows
from board.store.engine import write_transaction
from board.store.tables import Opportunity

# Longer than the job's period, so a missed slot still catches up (re-indexing twice is
# harmless).
LOOKBACK = dt.timedelta(hours=3)


async def refresh_event_documents(now: dt.datetime,
                                  lookback: dt.timedelta = LOOKBACK) -> dict[str, int]:
    """Queue the visible recurring events whose next occurrence changed within `lookback`."""
    ids = [r["id"] for r in await Opportunity.select(Opportunity.id).where(
        (Opportunity.kind == "event") & (Opportunity.recurrence != "")).run()]
    rows = await load_rows(ids, visible_only=True, now=now) if ids else []
    moved = [row["id"] for row in rows if next_start(row, now) != next_start(row, now - lookback)]
    if moved:
        async with write_transaction():
            await outbox.record(moved, "event-occurrence")
    return {"events": len(rows), "reindexed": len(moved)}
