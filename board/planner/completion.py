"""An IMG marks a listing of the board "completed": its host is asked, once, to confirm.

Reviews come only from completions the host recorded (board.reviews.services), so the ask
is a mail to the institution's members with a link to their completions page, prefilled
with the listing and the IMG's address; recording it there mails the IMG the review link.
Only a signed-in IMG (a confirmed address) can be confirmed: an anonymous planner has no
address for the review link to go to."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from board.indexing.gateway import utcnow
from board.mail.delivery import send_or_log
from board.mail.render import Email
from board.moderation.queries import institution_member_emails
from board.planner.identity import is_signed_in
from board.planner.tables import Planner
from board.planner.tracker_tables import TrackerEntry
from board.settings import Settings
from board.store.tables import Opportunity


def confirm_url(settings: Settings, opportunity_id: int, email: str) -> str:
    query = urlencode({"opportunity_id": opportunity_id, "participant_email": email})
    return f"{settings.base_url}/dashboard/completions?{query}#record"


async def ask_host(rt: Any, planner: Planner, entry_id: int, now: dt.datetime | None = None
                   ) -> int:
    """Mail the hosts of the entry's listing (once per entry: `host_asked_at` is claimed
    first); the number of mails sent."""
    if not is_signed_in(planner):
        return 0
    now = now or utcnow()
    claimed = await TrackerEntry.update({TrackerEntry.host_asked_at: now}).where(
        (TrackerEntry.id == entry_id) & (TrackerEntry.planner == planner.id)
        & TrackerEntry.host_asked_at.is_null() & TrackerEntry.opportunity.is_not_null()
    ).returning(TrackerEntry.opportunity).run()
    if not claimed:
        return 0
    listing = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.institution,
        Opportunity.institution.name.as_alias("institution_name"),
    ).where(Opportunity.id == claimed[0]["opportunity"]).first().run()
    if listing is None:
        return 0
    settings: Settings = rt.settings
    context = {"listing": listing, "participant_email": planner.email,
               "confirm_url": confirm_url(settings, listing["id"], str(planner.email))}
    sent = 0
    for email in await institution_member_emails(listing["institution"]):
        # One bad address never stops the others; send_or_log logs the cause.
        sent += await send_or_log(rt.mailer, settings, Email("completion_request", email, context))
    return sent
