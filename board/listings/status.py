"""The listing lifecycle as data: the statuses, which verb may move a listing from which
status (one table, read by the services, the dashboard, the renew link, the importer and
the templates), the publish decision, the expiry rule and the shared day counts.

draft -> pending -> published -> expired | closed, with rejected and removed as moderator
outcomes. Pure: no store, no web; so it can be unit-tested and imported from anywhere."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

# No listing runs longer than this from now, however often it is renewed: renewals used to
# stack without bound (max(current, now) + 60 days per click), so a listing nobody looked
# at for years could stay live. Matches the "within a year" rule for a chosen expires_at.
MAX_EXPIRY_DAYS = 365

# A deadline this close is "closing soon" (badges, the digest's section).
CLOSING_SOON_DAYS = 14


class Status(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    PUBLISHED = "published"
    EXPIRED = "expired"
    CLOSED = "closed"
    REJECTED = "rejected"
    REMOVED = "removed"


ALL = frozenset(Status)


@dataclass(frozen=True)
class Transition:
    sources: frozenset[Status]
    # None where the outcome is decided at run time (submit: published or pending; edit:
    # the status stays, unless new red flags send a live listing back to review).
    target: Status | None
    # For "a draft listing cannot be <participle>".
    participle: str


TRANSITIONS: dict[str, Transition] = {
    "submit": Transition(frozenset({Status.DRAFT, Status.REJECTED}), None, "submitted"),
    "approve": Transition(frozenset({Status.PENDING}), Status.PUBLISHED, "approved"),
    # Staff shortcut (imports with --publish, demo data): whatever the status.
    "publish": Transition(ALL, Status.PUBLISHED, Status.PUBLISHED),
    "reject": Transition(frozenset({Status.PENDING}), Status.REJECTED, "rejected"),
    "renew": Transition(frozenset({Status.PUBLISHED, Status.EXPIRED}), Status.PUBLISHED,
                        "renewed"),
    "close": Transition(frozenset({Status.PUBLISHED, Status.EXPIRED, Status.PENDING,
                                   Status.DRAFT}), Status.CLOSED, "closed"),
    "expire": Transition(frozenset({Status.PUBLISHED}), Status.EXPIRED, "expired"),
    "remove": Transition(ALL - {Status.REMOVED}, Status.REMOVED, "removed"),
    "edit": Transition(ALL - {Status.REMOVED}, None, "edited"),
    # Undo a close: back to published while the expiry is ahead (else to draft, to submit
    # again); board.listings.services.reopen decides which.
    "reopen": Transition(frozenset({Status.CLOSED}), None, "reopened"),
}

# The verbs an institution's member may use from the dashboard (moderator verbs are not).
DASHBOARD_VERBS = ("submit", "renew", "close", "reopen", "edit")


def allows(verb: str, status: str) -> bool:
    return status in TRANSITIONS[verb].sources


def refusal(verb: str, status: str) -> str:
    """Why `verb` is not allowed now, in the words the dashboard flashes."""
    return f"a {status} listing cannot be {TRANSITIONS[verb].participle}"


def allowed_verbs(status: str, verbs: Iterable[str] = DASHBOARD_VERBS) -> frozenset[str]:
    """What a row's buttons may offer (templates ask `"renew" in row_actions`)."""
    return frozenset(v for v in verbs if allows(v, status))


def status_on_submit(verified: bool, flags: list[str]) -> Status:
    """Verified institutions publish on submit unless a red flag needs a moderator;
    everything else waits in the moderation queue."""
    return Status.PUBLISHED if verified and not flags else Status.PENDING


def default_expiry(now: dt.datetime, listing_days: int,
                   deadline: dt.date | None = None) -> dt.datetime:
    """`listing_days` from now, but never before the application deadline has passed: a
    listing whose deadline is in 90 days must not vanish after 60 (it runs through the
    deadline day, so the expiry is the start of the day after). Capped at a year."""
    expires = now + dt.timedelta(days=listing_days)
    if deadline is not None:
        after_deadline = dt.datetime(deadline.year, deadline.month, deadline.day,
                                     tzinfo=dt.UTC) + dt.timedelta(days=1)
        expires = max(expires, after_deadline)
    return min(expires, latest_expiry(now))


def expiry_on_publish(expires: dt.datetime | None, now: dt.datetime,
                      listing_days: int, deadline: dt.date | None = None) -> dt.datetime:
    """A chosen expiry still ahead is kept; otherwise the default (board default_expiry)."""
    if expires is None or expires <= now:
        return default_expiry(now, listing_days, deadline)
    return min(expires, latest_expiry(now))


def expiry_on_renew(expires: dt.datetime | None, now: dt.datetime,
                    listing_days: int) -> dt.datetime:
    """Renewing early adds to the running expiry, renewing late counts from now; never
    past a year from now."""
    return min(max(expires or now, now) + dt.timedelta(days=listing_days), latest_expiry(now))


def latest_expiry(now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(days=MAX_EXPIRY_DAYS)


def closing_soon(deadline: dt.date | None, now: dt.datetime) -> bool:
    return bool(deadline and deadline <= (now + dt.timedelta(days=CLOSING_SOON_DAYS)).date())
