"""Rejecting a pending listing: the status change, then the reason mailed to every active
member of the posting institution so they can fix the listing and submit it again."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from board.listings import services as listings
from board.mail.delivery import send_or_log
from board.mail.transport import Transport
from board.moderation.emails import rejected_email
from board.moderation.queries import institution_member_emails
from board.settings import Settings


async def reject(listing: Mapping[str, Any], reason: str, mailer: Transport,
                 settings: Settings) -> int:
    """How many notification mails failed (LifecycleError, and no mail, when the listing
    cannot be rejected). The rejection stands whatever the mail does."""
    await listings.reject(listing["id"], reason)
    link = f"{settings.base_url}/dashboard/opportunities/{listing['id']}/edit"
    failed = 0
    for email in await institution_member_emails(listing["institution"]):
        failed += not await send_or_log(mailer, settings,
                                        rejected_email(email, listing["title"], reason, link))
    return failed
