"""The good news a moderator's decision sends to an institution: a listing approved (now
live, with its link) and the institution verified (its listings now publish on submit).
Mailed to every active member, like a rejection; the decision stands whatever the mail does,
so a failed delivery is logged and counted, never raised."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from board.mail.delivery import send_or_log
from board.mail.render import Email
from board.mail.transport import Transport
from board.moderation.queries import institution_member_emails
from board.settings import Settings
from board.store.tables import Institution


async def _mail_members(institution_id: int, mailer: Transport, settings: Settings,
                        template: str, context: dict[str, Any]) -> int:
    failed = 0
    for email in await institution_member_emails(institution_id):
        failed += not await send_or_log(mailer, settings, Email(template, email, context))
    return failed


async def listing_approved(listing: Mapping[str, Any], mailer: Transport,
                           settings: Settings) -> int:
    """How many mails failed; `listing` is the row as it was before approval (id, title,
    institution)."""
    return await _mail_members(listing["institution"], mailer, settings, "approved", {
        "title": listing["title"],
        "link": f"{settings.base_url}/opportunities/{listing['id']}",
        "dashboard": f"{settings.base_url}/dashboard",
    })


async def institution_verified(institution_id: int, mailer: Transport,
                               settings: Settings) -> int:
    row = await Institution.select(Institution.name).where(
        Institution.id == institution_id).first().run()
    if row is None:
        return 0
    return await _mail_members(institution_id, mailer, settings, "institution_verified", {
        "institution": row["name"], "dashboard": f"{settings.base_url}/dashboard",
    })
