"""The one store-side rule for "visible at time t": a published listing whose expiry is
still ahead. Search documents, the reconcile and reindex scans, reminders, the listing page
and the dashboard all ask here; search/query.py mirrors it in Meilisearch's filter syntax
(search imports nothing from board), and tests/test_search_oracle.py keeps the two equal.

Also who may see a listing's page at all: its own institution always; the public once it
was published (even expired or closed: its link keeps working); nobody once removed."""

from __future__ import annotations

import datetime as dt
from typing import Any

from piccolo.columns.combination import Combination

from board.listings.status import Status
from board.store.tables import Opportunity

# Statuses whose page the public may open (and report); drafts, pending and rejected
# listings are their institution's business only, removed ones answer 410.
PUBLIC_PAGE_STATUSES = frozenset({Status.PUBLISHED, Status.EXPIRED, Status.CLOSED})
PRIVATE_STATUSES = frozenset({Status.DRAFT, Status.PENDING, Status.REJECTED})


def _utc(value: dt.datetime | None) -> dt.datetime | None:
    # SQLite hands back naive datetimes that were written as UTC.
    if value is None:
        return None
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def is_visible(row: dict[str, Any], now: dt.datetime) -> bool:
    """Searchable and open to applicants at `now`. A row loaded with its institution's
    `institution_suspended_at` (board.indexing.gateway) is hidden while that is set."""
    expires = _utc(row.get("expires_at"))
    return (row.get("status") == Status.PUBLISHED and expires is not None and expires > now
            and row.get("institution_suspended_at") is None)


def visible_where(now: dt.datetime) -> Combination:
    """`is_visible` as a where-clause on Opportunity."""
    return ((Opportunity.status == Status.PUBLISHED) & (Opportunity.expires_at > now)
            & Opportunity.institution.suspended_at.is_null())


def confirmed_moment(row: dict[str, Any]) -> dt.datetime | None:
    """When the host last said "still accepting" (a listing never confirmed counts from its
    publication, as its search document does)."""
    return _utc(row.get("confirmed_at") or row.get("published_at"))


def is_unconfirmed(row: dict[str, Any], now: dt.datetime, unlisted_after_days: int) -> bool:
    """Past RECONFIRM_DAYS + RECONFIRM_GRACE_DAYS without a confirmation: out of search.
    Whole seconds, as search.query compares `confirmed_at_ts` (tests keep the two equal)."""
    confirmed = confirmed_moment(row)
    cutoff = now - dt.timedelta(days=unlisted_after_days)
    return confirmed is None or int(confirmed.timestamp()) <= int(cutoff.timestamp())


def is_listed(row: dict[str, Any], now: dt.datetime, unlisted_after_days: int) -> bool:
    """What a search at `now` may return: visible and confirmed recently enough."""
    return is_visible(row, now) and not is_unconfirmed(row, now, unlisted_after_days)
