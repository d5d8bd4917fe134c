"""When an edit of an approved listing needs a moderator again, and what changed since the
approval. Pure: the services call it inside their transaction, the staff queue shows its diff.

The approved snapshot is the listing's content fields as JSON, stored when it is published;
the queue compares the pending version against it field by field."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.core.fields import BY_NAME, INPUT_FIELDS
from board.listings.red_flags import red_flags
from board.listings.status import Status

# What an IMG reads and acts on; the expiry is not content (renewing needs no review).
CONTENT_FIELDS: tuple[str, ...] = tuple(f.name for f in INPUT_FIELDS if f.name != "expires_at")

# Which fields feed which red flag (the flag texts of board.listings.red_flags), so that
# "changes a flagged value" can be told from an unrelated edit.
_MONEY = frozenset({"fee_usd", "application_fee_usd", "deposit_usd", "refund_policy",
                    "refund_terms", "payee", "intermediary_name"})
_FLAG_FIELDS: dict[str, frozenset[str]] = {
    "promises": frozenset({"title", "description", "visa_notes", "refund_terms"}),
    "fee": frozenset({"fee_usd"}),
    "apply link": frozenset({"apply_url"}),
    "before any contact": frozenset({"title", "description", "visa_notes", "refund_terms"}),
    "intermediary": _MONEY | {"title", "description", "visa_notes"},
    "total cost": _MONEY,
}

# Statuses a listing reaches only through a moderator or a verified submit, and from which
# it can be live again without one (renewing an expired listing republishes it).
APPROVED_STATUSES = frozenset({Status.PUBLISHED, Status.EXPIRED})


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def snapshot(row: dict[str, Any]) -> dict[str, Any]:
    """The content fields of `row` as JSON-ready values (the approved version)."""
    return {name: _plain(row.get(name)) for name in CONTENT_FIELDS}


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> set[str]:
    return {n for n in CONTENT_FIELDS if n in after and _plain(after[n]) != _plain(before.get(n))}


def _flagged_fields(flags: list[str]) -> set[str]:
    fields: set[str] = set()
    for flag in flags:
        for key, names in _FLAG_FIELDS.items():
            if key in flag:
                fields |= names
    return fields


def needs_review(status: str, verified: bool, before: dict[str, Any],
                 after: dict[str, Any]) -> bool:
    """An edit of an approved listing goes back to the queue when the institution is not
    verified (any content change), or when the new version carries a red flag, or when it
    changes a value that was flagged before (a $6,000 fee approved once is no licence for
    $100,000)."""
    if status not in APPROVED_STATUSES:
        return False
    changed = changed_fields(before, after)
    if not changed:
        return False
    if not verified:
        return True
    return bool(red_flags(after)) or bool(changed & _flagged_fields(red_flags(before)))


def diff(approved: dict[str, Any] | None, row: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(label, approved value, pending value) of each content field changed since approval;
    empty for a listing that was never approved."""
    if not approved:
        return []
    return [(BY_NAME[n].label or n, approved.get(n), _plain(row.get(n)))
            for n in CONTENT_FIELDS if n in approved and approved[n] != _plain(row.get(n))]
