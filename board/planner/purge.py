"""Forgetting anonymous planners nobody uses any more.

An anonymous planner (a Planner row without email) belongs to one browser's session; once
that session is gone, nothing can reach the planner again, yet its row and its shortlist and
tracker rows stayed for ever. The daily purge (jobs.purge) deletes an anonymous planner with
no activity for ANONYMOUS_IDLE_DAYS: created before the cut-off, no planner-owned row
written since, and no live session (in the database store) still pointing at it. Sessions
last two weeks from the last visit, so 90 idle days is far beyond any session that merely
browses. Accounts (planners with an email) are never touched here."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from board.planner.identity import PLANNER_TABLES, SESSION_KEY
from board.planner.tables import Planner, ShortlistItem
from board.store.engine import write_transaction
from board.store.tables import KeyValue

ANONYMOUS_IDLE_DAYS = 90
# The columns of a planner-owned table that say when a row was last written.
ACTIVITY_COLUMNS = ("updated_at", "created_at", "added_at")
SESSION_PREFIX = "sessions:"  # board.runtime's DatabaseStore("sessions")


async def _recently_active(ids: list[int], cutoff: dt.datetime) -> set[int]:
    active: set[int] = set()
    for table in [ShortlistItem, *PLANNER_TABLES]:
        planner = table._meta.get_column_by_name("planner")
        for name in ACTIVITY_COLUMNS:
            column = table._meta.get_column_by_name(name) if hasattr(table, name) else None
            if column is None:
                continue
            rows = await table.select(planner.as_alias("p")).where(
                planner.is_in(ids) & (column >= cutoff)).run()
            active |= {r["p"] for r in rows}
    return active


def _session_planner(value: Any) -> int | None:
    try:
        data = json.loads(bytes(value))
    except (TypeError, ValueError):
        return None
    planner_id = data.get(SESSION_KEY) if isinstance(data, dict) else None
    return planner_id if isinstance(planner_id, int) else None


async def _in_live_sessions(now: dt.datetime) -> set[int]:
    rows = await KeyValue.select(KeyValue.value).where(
        KeyValue.key.like(f"{SESSION_PREFIX}%")
        & (KeyValue.expires_at.is_null() | (KeyValue.expires_at > now))).run()
    return {p for p in (_session_planner(r["value"]) for r in rows) if p is not None}


async def purge_idle_anonymous(now: dt.datetime, days: int = ANONYMOUS_IDLE_DAYS) -> int:
    """Delete idle anonymous planners with their planner-owned rows; the number deleted."""
    cutoff = now - dt.timedelta(days=days)
    candidates = [r["id"] for r in await Planner.select(Planner.id).where(
        Planner.email.is_null() & (Planner.created_at < cutoff)).run()]
    if not candidates:
        return 0
    keep = await _recently_active(candidates, cutoff) | await _in_live_sessions(now)
    gone = [i for i in candidates if i not in keep]
    if not gone:
        return 0
    async with write_transaction():
        # Owned rows first: SQLite may run without foreign-key enforcement.
        for table in PLANNER_TABLES:
            await table.delete().where(table._meta.get_column_by_name("planner").is_in(gone)).run()
        await ShortlistItem.delete().where(ShortlistItem.planner.is_in(gone)).run()
        await Planner.delete().where(Planner.id.is_in(gone) & Planner.email.is_null()).run()
    return len(gone)
