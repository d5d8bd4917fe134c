"""Visitors' reports of a listing (a scam, a broken link, hidden fees): validated, stored for
the moderators. Only listings the public can see can be reported."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.core.validation import ValidationErrors, clean_email
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.status import Status
from board.listings.visibility import PUBLIC_PAGE_STATUSES
from board.store.tables import Opportunity, Report

REASON_MIN, REASON_MAX = 5, 2000
# One listing cannot be flooded with reports from many addresses either.
PER_LISTING_PER_HOUR = 20


class ListingGone(Exception):
    """The listing was removed by a moderator (its page answers 410)."""


def clean_report(data: dict[str, Any]) -> dict[str, str]:
    errors: dict[str, str] = {}
    reason = str(data.get("reason") or "").replace("\x00", "").strip()
    if not REASON_MIN <= len(reason) <= REASON_MAX:
        errors["reason"] = f"say what is wrong in {REASON_MIN} to {REASON_MAX} characters"
    email = ""
    try:
        email = clean_email(data.get("email"))
    except ValueError as exc:
        errors["email"] = str(exc)
    if errors:
        raise ValidationErrors(errors)
    return {"reason": reason, "email": email}


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


async def file_report(opportunity_id: int, clean: dict[str, str],
                      now: dt.datetime | None = None) -> int:
    await reportable(opportunity_id)
    row = Report(opportunity=opportunity_id, reason=clean["reason"], email=clean["email"],
                 created_at=now or utcnow())
    await row.save().run()
    return row.id
