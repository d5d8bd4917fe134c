"""Reconfirmation: hosts say their listing is still accepting applicants.

`confirmed_at` is the host's last "still accepting" (publishing, renewing, editing and the
reconfirm link count). The `reconfirm` job mails the hosts of listings not confirmed for
RECONFIRM_DAYS a signed link whose GET shows three buttons (POST): still accepting, full
until a date, closed. The `reconfirm_mail` ledger holds one row per (listing, confirmation
asked about), so a host is asked once per period and never twice, even by two schedulers.
After RECONFIRM_GRACE_DAYS more the listing leaves search at read time
(board.listings.visibility.is_unconfirmed, mirrored by search.query's confirmed clause)."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from board.core.signing import BadToken, sign, unsign
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.status import Status
from board.listings.visibility import confirmed_moment, visible_where
from board.mail.delivery import send
from board.mail.render import Email
from board.settings import Settings
from board.store.engine import write_transaction
from board.store.tables import Member, Opportunity, ReconfirmMail

log = logging.getLogger(__name__)
PURPOSE = "reconfirm"
LINK_DAYS = 60  # a reconfirm link outlives the grace period it warns about
MAX_FULL_DAYS = 365


def token(settings: Settings, opportunity_id: int, now: dt.datetime | None = None) -> str:
    now = now or utcnow()
    return sign(PURPOSE, {"id": opportunity_id}, LINK_DAYS * 86400, key=settings.signing_keys,
                now=now.timestamp())


def read_token(settings: Settings, text: str) -> int:
    """The listing id of a link; BadToken (ExpiredToken) otherwise."""
    payload = unsign(PURPOSE, text, key=settings.signing_keys)
    if not isinstance(payload, dict) or not isinstance(payload.get("id"), int):
        raise BadToken("malformed token")
    return payload["id"]


def link(settings: Settings, opportunity_id: int, now: dt.datetime | None = None) -> str:
    return f"{settings.base_url}/reconfirm/{token(settings, opportunity_id, now)}"


async def confirm(opportunity_id: int, now: dt.datetime | None = None) -> None:
    """"Still accepting applicants": confirmed now, no longer full or reported closed; the
    outbox brings a listing that had left search back."""
    await _mark(opportunity_id, None, now or utcnow())


async def mark_full(opportunity_id: int, until: dt.date, now: dt.datetime | None = None) -> None:
    """"Full until <date>": the host answered (so confirmed), the listing stays visible."""
    await _mark(opportunity_id, until, now or utcnow())


async def _mark(opportunity_id: int, full_until: dt.date | None, now: dt.datetime) -> None:
    async with write_transaction():
        row = await listings.get(opportunity_id)
        if row["status"] != Status.PUBLISHED:
            raise listings.LifecycleError(f"a {row['status']} listing cannot be confirmed")
        await Opportunity.update({
            Opportunity.confirmed_at: now, Opportunity.full_until: full_until,
            Opportunity.reported_closed_at: None,
        }).where(Opportunity.id == opportunity_id).run()
        await outbox.record(opportunity_id, "confirm")


async def _due(now: dt.datetime, days: int) -> list[dict[str, Any]]:
    cutoff = now - dt.timedelta(days=days)
    return await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.institution, Opportunity.confirmed_at,
        Opportunity.published_at, Opportunity.institution.name.as_alias("institution_name"),
    ).where(visible_where(now) & (
        (Opportunity.confirmed_at <= cutoff)
        | (Opportunity.confirmed_at.is_null() & (Opportunity.published_at <= cutoff)))
    ).order_by(Opportunity.id).run()


async def _claim(key: str, opportunity_id: int, reason: str, now: dt.datetime) -> bool:
    """Insert the ledger row first: its unique key lets only one run (or one report) mail."""
    if await ReconfirmMail.exists().where(ReconfirmMail.key == key).run():
        return False
    try:
        await ReconfirmMail.insert(ReconfirmMail(key=key, opportunity_id=opportunity_id,
                                                 reason=reason, sent_at=now)).run()
    except Exception:
        if await ReconfirmMail.exists().where(ReconfirmMail.key == key).run():
            return False  # a concurrent run won
        raise
    return True


async def _mail_hosts(rt: Any, row: dict[str, Any], reason: str, now: dt.datetime) -> int:
    settings: Settings = rt.settings
    members = await Member.select(Member.email).where(
        (Member.institution == row["institution"]) & (Member.is_active == True)  # noqa: E712
    ).order_by(Member.id).run()
    confirmed = confirmed_moment(row)
    context = {"listing": row, "reconfirm_url": link(settings, row["id"], now), "reason": reason,
               "listing_url": f"{settings.base_url}/opportunities/{row['id']}",
               "days": (now - confirmed).days if confirmed else None,
               "grace_days": settings.reconfirm_grace_days}
    sent = 0
    for member in members:
        try:
            await send(rt.mailer, settings, Email("reconfirm", member["email"], context))
            sent += 1
        except Exception as exc:  # one bad address never stops the run
            log.warning("reconfirm mail for listing %s to %s failed: %s", row["id"],
                        member["email"], exc)
    return sent


async def ask(rt: Any, row: dict[str, Any], reason: str, now: dt.datetime) -> bool:
    """Mail the hosts of one listing about its current confirmation, at most once (the
    ledger key names the confirmation asked about). False when already asked or nobody
    could be mailed (the claim is then released so a later run retries)."""
    confirmed = confirmed_moment(row)
    key = f"{row['id']}:{reason}:{confirmed.isoformat() if confirmed else '-'}"
    if not await _claim(key, row["id"], reason, now):
        return False
    if not await _mail_hosts(rt, row, reason, now):
        await ReconfirmMail.delete().where(ReconfirmMail.key == key).run()
        return False
    return True


async def send_reconfirmations(rt: Any, now: dt.datetime) -> dict[str, int]:
    counts = {"due": 0, "sent": 0}
    for row in await _due(now, rt.settings.reconfirm_days):
        counts["due"] += 1
        counts["sent"] += int(await ask(rt, row, "due", now))
    return counts


async def ask_now(rt: Any, opportunity_id: int, reason: str, now: dt.datetime | None = None
                  ) -> bool:
    """Mail the hosts at once (three visitors reported the listing closed)."""
    row = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.institution, Opportunity.confirmed_at,
        Opportunity.published_at, Opportunity.institution.name.as_alias("institution_name"),
    ).where(Opportunity.id == opportunity_id).first().run()
    return bool(row) and await ask(rt, row, reason, now or utcnow())
