"""Expiry reminders: the posting institution's members get one email per listing per
expiry period, `remind_days` before it expires, with a signed one-click renew link.

`Opportunity.reminded_for` holds the `expires_at` that was reminded about. A renewed listing
has a new `expires_at`, so it is reminded again next period, and never twice for one."""

from __future__ import annotations

import datetime as dt
import logging
import math
from typing import Any

from board.core.signing import BadToken, sign, unsign
from board.indexing.gateway import as_utc
from board.listings import services as listings
from board.listings.emails import reminder_email
from board.listings.status import Status
from board.listings.visibility import visible_where
from board.mail.delivery import send
from board.settings import Settings
from board.store.tables import KeyValue, Member, Opportunity

log = logging.getLogger(__name__)
PURPOSE = "renew"
# A renew link keeps working this long after the expiry it was sent for.
LINK_GRACE = dt.timedelta(days=30)

class StaleLink(Exception):
    """The link was for an expiry that is no longer current (already renewed or closed)."""


def renew_token(settings: Settings, opportunity_id: int, expires_at: dt.datetime,
                now: dt.datetime) -> str:
    ttl = max(expires_at - now, dt.timedelta(0)) + LINK_GRACE
    return sign(PURPOSE, {"id": opportunity_id, "for": expires_at.isoformat()},
                int(ttl.total_seconds()), key=settings.signing_keys, now=now.timestamp())


def read_token(settings: Settings, token: str, now: dt.datetime | None = None) -> dict[str, Any]:
    """The link's payload; BadToken when tampered with, malformed or expired."""
    payload = unsign(PURPOSE, token, key=settings.signing_keys,
                     now=now.timestamp() if now else None)
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise BadToken("malformed token")
    try:
        payload["for"] = dt.datetime.fromisoformat(payload["for"])
    except (KeyError, TypeError, ValueError):
        raise BadToken("malformed token") from None
    return payload


async def _due(now: dt.datetime, days: int) -> list[dict[str, Any]]:
    rows = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.institution, Opportunity.expires_at,
        Opportunity.reminded_for, Opportunity.institution.name.as_alias("institution_name"),
    ).where(
        visible_where(now) & (Opportunity.expires_at <= now + dt.timedelta(days=days))
    ).order_by(Opportunity.expires_at).run()
    return [r for r in rows if as_utc(r["reminded_for"]) != as_utc(r["expires_at"])]


async def _claim(row: dict[str, Any]) -> bool:
    """Mark the reminder as sent before sending (at most once); the conditional UPDATE is
    the arbiter between two concurrent runs."""
    previous = row["reminded_for"]
    cond = (Opportunity.id == row["id"]) & (Opportunity.status == Status.PUBLISHED) & (
        Opportunity.expires_at == row["expires_at"])
    cond &= Opportunity.reminded_for.is_null() if previous is None else (
        Opportunity.reminded_for == previous)
    done = await Opportunity.update({Opportunity.reminded_for: row["expires_at"]}).where(
        cond).returning(Opportunity.id).run()
    return bool(done)


async def _unclaim(row: dict[str, Any]) -> None:
    # Sending failed for every member: let the next run try again.
    await Opportunity.update({Opportunity.reminded_for: row["reminded_for"]}).where(
        (Opportunity.id == row["id"]) & (Opportunity.reminded_for == row["expires_at"])).run()


async def send_reminders(rt: Any, now: dt.datetime) -> dict[str, int]:
    settings: Settings = rt.settings
    counts = {"listings": 0, "sent": 0, "failed": 0, "no_recipients": 0}
    for row in await _due(now, settings.remind_days):
        if not await _claim(row):
            continue
        members = await Member.select(Member.email).where(
            (Member.institution == row["institution"]) & (Member.is_active == True)  # noqa: E712
        ).order_by(Member.id).run()
        counts["listings"] += 1
        if not members:
            counts["no_recipients"] += 1
            continue
        expires = as_utc(row["expires_at"])
        url = f"{settings.base_url}/renew/{renew_token(settings, row['id'], expires, now)}"
        days_left = max(1, math.ceil((expires - now) / dt.timedelta(days=1)))
        sent = 0
        for member in members:
            try:
                await send(rt.mailer, settings, reminder_email(settings, row, member["email"], url,
                                                               days_left))
                sent += 1
            except Exception as exc:  # one bad address never stops the run
                log.warning("reminder for listing %s to %s failed: %s", row["id"],
                            member["email"], exc)
                counts["failed"] += 1
        counts["sent"] += sent
        if not sent:
            await _unclaim(row)
    return counts


async def renew_from_link(payload: dict[str, Any], settings: Settings,
                          now: dt.datetime | None = None) -> dt.datetime:
    """Renew the listing a link was sent for, once: a second click, or a click after the
    listing was renewed some other way, raises StaleLink instead of extending it again."""
    row = await listings.get(payload["id"])
    if as_utc(row["expires_at"]) != as_utc(payload["for"]):
        raise StaleLink("this listing was already renewed")
    marker = f"renew-link:{payload['id']}:{as_utc(payload['for']).isoformat()}"
    try:  # the unique key makes a double click (or two tabs) renew only once
        await KeyValue.insert(KeyValue(key=marker, value=b"1",
                                       expires_at=as_utc(payload["for"]) + LINK_GRACE)).run()
    except Exception:
        if await KeyValue.exists().where(KeyValue.key == marker).run():
            raise StaleLink("this listing was already renewed") from None
        raise
    try:
        return await listings.renew(payload["id"], now=now, listing_days=settings.listing_days)
    except Exception:
        await KeyValue.delete().where(KeyValue.key == marker).run()
        raise
