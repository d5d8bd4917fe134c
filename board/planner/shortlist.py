"""The shortlist: listings a planner saved. Saving twice is one row (`key` is unique and the
insert does nothing on conflict), so a double click or two tabs cannot duplicate it."""

from __future__ import annotations

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
