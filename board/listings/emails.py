"""The listings feature's email: the expiry reminder with its one-click renew link."""

from __future__ import annotations

from typing import Any

from board.indexing.gateway import as_utc
from board.mail.render import Email
from board.settings import Settings


def reminder_email(settings: Settings, listing: dict[str, Any], to: str, renew_url: str,
                   days_left: int) -> Email:
    return Email("remind", to, {
        "listing": listing, "renew_url": renew_url, "days_left": days_left,
        "expires_on": as_utc(listing["expires_at"]).date(),
        "listing_url": f"{settings.base_url}/opportunities/{listing['id']}",
        "listing_days": settings.listing_days,
    })
