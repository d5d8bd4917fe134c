"""The shortlist: listings a planner saved. Saving twice is one row (`key` is unique and the
insert does nothing on conflict), so a double click or two tabs cannot duplicate it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.listings.status import Status
from board.listings.visibility import is_visible
from board.planner.tables import ShortlistItem


def item_key(planner_id: int, opportunity_id: int) -> str:
    return f"{planner_id}:{opportunity_id}"


async def shortlist_ids(planner_id: int) -> list[int]:
    """The saved listings' ids, most recently saved first."""
    rows = await (ShortlistItem.select(ShortlistItem.opportunity)
                  .where(ShortlistItem.planner == planner_id)
                  .order_by(ShortlistItem.added_at, ascending=False)
                  .order_by(ShortlistItem.id, ascending=False).run())
    return [row["opportunity"] for row in rows]


async def is_saved(planner_id: int, opportunity_id: int) -> bool:
    return await ShortlistItem.exists().where(
        ShortlistItem.key == item_key(planner_id, opportunity_id)).run()


async def add(planner_id: int, opportunity_id: int) -> None:
    row = ShortlistItem(key=item_key(planner_id, opportunity_id), planner=planner_id,
                        opportunity=opportunity_id)
    await ShortlistItem.insert(row).on_conflict(action="DO NOTHING").run()


async def remove(planner_id: int, opportunity_id: int) -> None:
    await ShortlistItem.delete().where(
        ShortlistItem.key == item_key(planner_id, opportunity_id)).run()


async def count(planner_id: int) -> int:
    return await ShortlistItem.count().where(ShortlistItem.planner == planner_id).run()


def status_of(row: dict[str, Any], now: dt.datetime) -> str:
    """open | full | closed | expired: a saved listing stays on the list whatever happens to
    it, marked. Closed covers every way a listing stops being public (closed by the host,
    removed, or sent back to moderation); full = the host said "full until" a future day."""
    if row["status"] == Status.EXPIRED:
        return "expired"
    if row["status"] != Status.PUBLISHED:
        return "closed"
    if not is_visible(row, now):
        return "expired"
    if row.get("full_until") and row["full_until"] >= now.date():
        return "full"
    return "open"


async def saved_listings(planner_id: int, now: dt.datetime) -> list[dict[str, Any]]:
    """The shortlist's listings, newest saved first, each with its `shortlist_status`."""
    rows = await ShortlistItem.select(
        ShortlistItem.opportunity.id.as_alias("id"),
        ShortlistItem.opportunity.title.as_alias("title"),
        ShortlistItem.opportunity.kind.as_alias("kind"),
        ShortlistItem.opportunity.specialty.as_alias("specialty"),
        ShortlistItem.opportunity.city.as_alias("city"),
        ShortlistItem.opportunity.state.as_alias("state"),
        ShortlistItem.opportunity.remote.as_alias("remote"),
        ShortlistItem.opportunity.status.as_alias("status"),
        ShortlistItem.opportunity.expires_at.as_alias("expires_at"),
        ShortlistItem.opportunity.full_until.as_alias("full_until"),
        ShortlistItem.opportunity.application_deadline.as_alias("application_deadline"),
        ShortlistItem.opportunity.start_date.as_alias("start_date"),
        ShortlistItem.opportunity.institution.name.as_alias("institution_name"),
        ShortlistItem.added_at,
    ).where(ShortlistItem.planner == planner_id).order_by(
        ShortlistItem.added_at, ascending=False).order_by(ShortlistItem.id, ascending=False).run()
    for row in rows:
        row["shortlist_status"] = status_of(row, now)
    return rows
