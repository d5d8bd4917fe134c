"""Signing in merges the visitor's anonymous planner into the account's planner, so nothing
saved before signing in is lost: the shortlist (a listing saved on both sides stays once),
the eligibility profile (the visitor's current one wins, as it is what they just used), and
every row of the tables in PLANNER_TABLES (moved over; a row the account already has, by the
table's `planner_dedupe` columns, is dropped). The anonymous planner is deleted after.
One write transaction: a failure leaves both planners as they were."""

from __future__ import annotations

from board.planner.identity import PLANNER_TABLES
from board.planner.shortlist import item_key
from board.planner.tables import Planner, ShortlistItem
from board.store.engine import write_transaction


async def merge_into(source_id: int, target_id: int) -> None:
    if source_id == target_id:
        return
    async with write_transaction():
        source = await Planner.select(Planner.id, Planner.profile, Planner.email).where(
            Planner.id == source_id).first().run()
        if source is None or source["email"]:
            return  # gone, or another account: never merge one account into another
        await _merge_shortlist(source_id, target_id)
        for table in PLANNER_TABLES:
            await _merge_rows(table, source_id, target_id)
        if source["profile"]:
            await Planner.update({Planner.profile: source["profile"]}).where(
                Planner.id == target_id).run()
        await Planner.delete().where(Planner.id == source_id).run()


async def _merge_shortlist(source_id: int, target_id: int) -> None:
    have = {row["opportunity"] for row in await ShortlistItem.select(
        ShortlistItem.opportunity).where(ShortlistItem.planner == target_id).run()}
    rows = await ShortlistItem.select(ShortlistItem.id, ShortlistItem.opportunity).where(
        ShortlistItem.planner == source_id).run()
    for row in rows:
        if row["opportunity"] in have:
            await ShortlistItem.delete().where(ShortlistItem.id == row["id"]).run()
        else:
            await ShortlistItem.update({
                ShortlistItem.planner: target_id,
                ShortlistItem.key: item_key(target_id, row["opportunity"]),
            }).where(ShortlistItem.id == row["id"]).run()


async def _merge_rows(table, source_id: int, target_id: int) -> None:
    planner = table._meta.get_column_by_name("planner")
    dedupe = tuple(getattr(table, "planner_dedupe", ()))
    if dedupe:
        columns = [table._meta.get_column_by_name(name) for name in dedupe]
        taken = {tuple(row[name] for name in dedupe) for row in await table.select(
            *columns).where(planner == target_id).run()}
        rows = await table.select(table._meta.primary_key, *columns).where(
            planner == source_id).run()
        pk = table._meta.primary_key._meta.name
        for row in rows:
            values = tuple(row[name] for name in dedupe)
            if None not in values and values in taken:
                await table.delete().where(table._meta.primary_key == row[pk]).run()
    await table.update({planner: target_id}).where(planner == source_id).run()
