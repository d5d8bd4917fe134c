"""An IMG's account as data: its digest subscriptions (linked by the confirmed address, never
copied), everything it holds as one JSON-ready dict (download my data), and deleting all of
it at once (delete my account)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from board.core import signing
from board.digests import subscriptions as digest_subscriptions
from board.planner.identity import PLANNER_TABLES
from board.planner.tables import Planner, ShortlistItem
from board.store.engine import write_transaction
from board.store.tables import DigestDelivery, Subscriber


def load_profile(planner: Planner | dict[str, Any] | None) -> dict[str, list[str]]:
    """The stored eligibility profile (board.browse.profile's parameters); {} for none."""
    raw = planner.get("profile") if isinstance(planner, dict) else getattr(planner, "profile", None)
    try:
        value = json.loads(raw) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def dump_profile(profile: dict[str, list[str]]) -> str | None:
    return json.dumps(profile, sort_keys=True) if profile else None


async def subscriptions_of(email: str | None, keys: signing.Keys) -> list[dict[str, Any]]:
    """The digest subscriptions of this address, each with its manage link and filters."""
    if not email:
        return []
    rows = await Subscriber.select().where(Subscriber.email == email).order_by(
        Subscriber.id).run()
    out = []
    for row in rows:
        state = ("unsubscribed" if row["unsubscribed_at"] else "waiting for confirmation"
                 if not row["confirmed_at"] else "paused" if row["paused"] else "active")
        out.append({
            "id": row["id"], "state": state,
            "filters": digest_subscriptions.stored_filters(row),
            "summary": digest_subscriptions.filter_summary(digest_subscriptions.stored_filters(row)),
            "manage_url": f"/manage/{digest_subscriptions.token_for(row, 'manage', keys)}",
            "created_at": row["created_at"],
        })
    return out


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


def _rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: _plain(v) for k, v in row.items()} for row in rows]


async def export(planner_id: int) -> dict[str, Any]:
    """Everything the account holds, for "download my data"."""
    planner = await Planner.select().where(Planner.id == planner_id).first().run()
    if planner is None:
        return {}
    shortlist = await ShortlistItem.select(
        ShortlistItem.opportunity, ShortlistItem.added_at,
        ShortlistItem.opportunity.title.as_alias("title"),
    ).where(ShortlistItem.planner == planner_id).order_by(ShortlistItem.id).run()
    subscribers = await Subscriber.select(
        Subscriber.id, Subscriber.email, Subscriber.filters, Subscriber.created_at,
        Subscriber.confirmed_at, Subscriber.unsubscribed_at, Subscriber.paused,
        Subscriber.last_digest_at,
    ).where(Subscriber.email == planner["email"]).run() if planner["email"] else []
    tables = {}
    for table in PLANNER_TABLES:
        column = table._meta.get_column_by_name("planner")
        tables[table._meta.tablename] = _rows(await table.select().where(column == planner_id).run())
    profile = load_profile(planner)
    planner.pop("profile", None)
    return {
        "planner": {k: _plain(v) for k, v in planner.items()},
        "profile": profile,
        "shortlist": _rows(shortlist),
        "subscriptions": _rows(subscribers),
        **tables,
    }


async def delete(planner_id: int) -> None:
    """Delete the account: its planner-owned rows, its shortlist, the digest subscriptions of
    its address (with their delivery records) and the planner, in one transaction."""
    async with write_transaction():
        planner = await Planner.select(Planner.email).where(Planner.id == planner_id).first().run()
        if planner is None:
            return
        for table in PLANNER_TABLES:
            column = table._meta.get_column_by_name("planner")
            await table.delete().where(column == planner_id).run()
        await ShortlistItem.delete().where(ShortlistItem.planner == planner_id).run()
        if planner["email"]:
            ids = [r["id"] for r in await Subscriber.select(Subscriber.id).where(
                Subscriber.email == planner["email"]).run()]
            if ids:
                # Deliveries first: SQLite may run without foreign-key enforcement.
                await DigestDelivery.delete().where(DigestDelivery.subscriber.is_in(ids)).run()
                await Subscriber.delete().where(Subscriber.id.is_in(ids)).run()
        await Planner.delete().where(Planner.id == planner_id).run()


async def planner_row(planner_id: int) -> dict[str, Any] | None:
    return await Planner.select().where(Planner.id == planner_id).first().run()


async def store_profile(planner_id: int, profile: dict[str, list[str]]) -> None:
    await Planner.update({Planner.profile: dump_profile(profile)}).where(
        Planner.id == planner_id).run()
