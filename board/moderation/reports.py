"""Visitors' reports of a listing (a scam, a broken link, hidden fees): validated, stored for
the moderators. Only listings the public can see can be reported.

Each report has a structured reason (CATEGORIES) and a salted hash of the reporter's network
address and the day (never the address itself): three distinct reporters saying "closed or
full" within CLOSED_WINDOW_DAYS (and since the host's last confirmation) mark the listing
"reported closed"; the caller then mails the host a reconfirmation link."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from typing import Any

from board.core.validation import ValidationErrors, clean_email
from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.status import Status
from board.listings.visibility import PUBLIC_PAGE_STATUSES
from board.store.engine import write_transaction
from board.store.tables import Opportunity, Report

REASON_MIN, REASON_MAX = 5, 2000
# One listing cannot be flooded with reports from many addresses either.
PER_LISTING_PER_HOUR = 20
# The structured reasons, in the order the form lists them.
CATEGORIES: dict[str, str] = {
    "closed_or_full": "Closed or full: it no longer takes applicants",
    "cost_differs": "The cost differs from the listing",
    "no_letter": "No letter of recommendation although one was promised",
    "hands_on_differs": "Hands-on (patient contact) differs from the listing",
    "visa_wrong": "The visa information is wrong",
    "scam": "Suspected scam",
    "other": "Something else",
}
CLOSED_REPORTS, CLOSED_WINDOW_DAYS = 3, 30
HASH_DAYS = 90  # `purge` blanks reporter hashes older than this


def reporter_hash(secret: str, address: str, day: dt.date) -> str:
    """A salted (HMAC, keyed by SECRET_KEY) hash of an address and a day: equal for one
    reporter on one day, unlinkable to the address without the key."""
    message = f"report\x00{address.strip().lower()}\x00{day.isoformat()}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


class ListingGone(Exception):
    """The listing was removed by a moderator (its page answers 410)."""


def clean_report(data: dict[str, Any]) -> dict[str, str]:
    """category (required, one of CATEGORIES), reason (the note: optional, but needed for
    "other"), email (optional)."""
    errors: dict[str, str] = {}
    reason = str(data.get("reason") or "").replace("\x00", "").strip()
    # A note without a category (an older form) is "something else".
    category = str(data.get("category") or "").strip() or ("other" if reason else "")
    if category not in CATEGORIES:
        errors["category"] = "choose what is wrong"
    if len(reason) > REASON_MAX or (reason or category == "other") and len(reason) < REASON_MIN:
        errors["reason"] = (f"say what is wrong in {REASON_MIN} to {REASON_MAX} characters"
                            + (" (needed for “something else”)" if category == "other" else ""))
    email = ""
    try:
        email = clean_email(data.get("email"))
    except ValueError as exc:
        errors["email"] = str(exc)
    if errors:
        raise ValidationErrors(errors)
    return {"category": category, "reason": reason, "email": email}


async def reportable(opportunity_id: int) -> dict[str, Any]:
    """The listing, if a visitor may report it (NotFound / ListingGone otherwise)."""
    row = await Opportunity.select(Opportunity.id, Opportunity.title, Opportunity.status).where(
        Opportunity.id == opportunity_id).first().run()
    if row is None or row["status"] not in PUBLIC_PAGE_STATUSES | {Status.REMOVED}:
        raise listings.NotFound(opportunity_id)
    if row["status"] == Status.REMOVED:
        raise ListingGone(opportunity_id)
    return row


async def recent_count(opportunity_id: int, now: dt.datetime | None = None) -> int:
    since = (now or utcnow()) - dt.timedelta(hours=1)
    return await Report.count().where(
        (Report.opportunity == opportunity_id) & (Report.created_at >= since)).run()


async def file_report(opportunity_id: int, clean: dict[str, str], reporter: str = "",
                      now: dt.datetime | None = None) -> bool:
    """Store the report (`reporter`: its reporter_hash). True when this report is the one
    that marks the listing "reported closed" (the caller mails the host at once)."""
    now = now or utcnow()
    await reportable(opportunity_id)
    async with write_transaction():
        await Report(opportunity=opportunity_id, reason=clean["reason"], email=clean["email"],
                     category=clean.get("category", "other"), reporter_hash=reporter,
                     created_at=now).save().run()
        if clean.get("category") != "closed_or_full":
            return False
        return await _mark_reported_closed(opportunity_id, now)


async def closed_reporters(opportunity_id: int, now: dt.datetime) -> int:
    """Distinct reporters of "closed or full" in the window and since the host's last
    confirmation (a confirmation answers the earlier reports)."""
    row = await Opportunity.select(Opportunity.confirmed_at, Opportunity.published_at).where(
        Opportunity.id == opportunity_id).first().run()
    since = now - dt.timedelta(days=CLOSED_WINDOW_DAYS)
    confirmed = (row or {}).get("confirmed_at") or (row or {}).get("published_at")
    if confirmed is not None:
        confirmed = confirmed if confirmed.tzinfo else confirmed.replace(tzinfo=dt.UTC)
        since = max(since, confirmed)
    rows = await Report.select(Report.reporter_hash).where(
        (Report.opportunity == opportunity_id) & (Report.category == "closed_or_full")
        & (Report.created_at > since) & (Report.reporter_hash != "")).distinct().run()
    return len(rows)


async def _mark_reported_closed(opportunity_id: int, now: dt.datetime) -> bool:
    if await closed_reporters(opportunity_id, now) < CLOSED_REPORTS:
        return False
    marked = await Opportunity.update({Opportunity.reported_closed_at: now}).where(
        (Opportunity.id == opportunity_id) & Opportunity.reported_closed_at.is_null()
        & (Opportunity.status == Status.PUBLISHED)).returning(Opportunity.id).run()
    if marked:
        await outbox.record(opportunity_id, "reported_closed")  # the badge on search cards
    return bool(marked)


async def purge_hashes(now: dt.datetime) -> int:
    """Blank reporter hashes after HASH_DAYS: old reports keep their reason, lose the link
    between reporters."""
    rows = await Report.update({Report.reporter_hash: ""}).where(
        (Report.reporter_hash != "") & (Report.created_at < now - dt.timedelta(days=HASH_DAYS))
    ).returning(Report.id).run()
    return len(rows)
