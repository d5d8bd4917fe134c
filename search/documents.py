"""THE one mapping from an opportunity (a plain mapping of its fields) to its search document.

Dates become Unix timestamps for filtering and sorting, `_geo` comes from the coordinates,
and a missing "max years since graduation" becomes a large number so eligibility is one
range filter instead of an OR with IS NULL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

NO_YEAR_LIMIT = 1000
# Private-use characters serve as highlight sentinels, so they are removed from indexed text.
HL_PRE, HL_POST = "\ue000", "\ue001"
_STRIP = str.maketrans("", "", HL_PRE + HL_POST)
_EPOCH_DAY = dt.date(1970, 1, 1).toordinal()

def to_timestamp(value: Any) -> int | None:
    # Datetimes first: the store's values (a reindex converts millions) skip the text checks.
    if isinstance(value, str):
        if not value:
            return None
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    elif value is None:
        return None
    if isinstance(value, dt.datetime):
        return int((value if value.tzinfo else value.replace(tzinfo=dt.UTC)).timestamp())
    if isinstance(value, dt.date):
        return (value.toordinal() - _EPOCH_DAY) * 86400
    raise TypeError(f"not a date: {value!r}")


def precise_timestamp(value: Any) -> float | None:
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return to_timestamp(value)


def _utc(value: dt.datetime) -> dt.datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=dt.UTC)
    if value.tzinfo is not dt.UTC:  # already UTC (what the store gives): no conversion
        return value.astimezone(dt.UTC)
    return value


def _iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return _utc(value).isoformat().replace("+00:00", "Z")
    if value == "":
        return None
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _stamped(value: Any) -> tuple[str | None, int | None]:
    """(_iso(value), to_timestamp(value)) in one call: a document carries four dates both
    ways, and a reindex shapes millions."""
    if value is None:
        return None, None
    if isinstance(value, dt.datetime):
        value = _utc(value)
        return value.isoformat().replace("+00:00", "Z"), int(value.timestamp())
    return _iso(value), to_timestamp(value)


def _text(value: Any) -> str:
    text = value if type(value) is str else str(value or "")
    # translate() costs microseconds even when there is nothing to strip (a reindex calls
    # this eight times per listing); the membership tests are nearly free.
    return text.translate(_STRIP) if HL_PRE in text or HL_POST in text else text


def build_document(row: Mapping[str, Any], bool_fields: Iterable[str],
                   plain_fields: Iterable[str] = ()) -> dict[str, Any]:
    # Written for speed (a reindex builds every listing's document): each value read once.
    get = row.get
    years = get("max_years_since_graduation")
    published = get("published_at")
    # Reconfirmation: a listing without a confirmation counts from its publication.
    confirmed = get("confirmed_at") or published
    deadline, deadline_ts = _stamped(get("application_deadline"))
    expires, expires_ts = _stamped(get("expires_at"))
    confirmed, confirmed_ts = _stamped(confirmed)
    doc: dict[str, Any] = {
        "id": int(row["id"]),
        "title": _text(row["title"]),
        "description": _text(get("description")),
        "kind": row["kind"],
        "specialty": row["specialty"],
        "state": get("state") or "",
        "state_name": get("state_name") or "",
        "city": _text(get("city")),
        "institution_name": _text(get("institution_name")),
        "institution_verified": bool(get("institution_verified")),
        "status": get("status", "published"),
        "stipend_usd": get("stipend_usd"),
        "duration_weeks": get("duration_weeks"),
        "grad_years_limit": NO_YEAR_LIMIT if years is None else int(years),
        "max_years_since_graduation": years,
        "start_date": _iso(get("start_date")),
        "application_deadline": deadline,
        "application_deadline_ts": deadline_ts,
        "published_at": _iso(published),
        # Sub-second precision: "published since the last digest" must not lose a listing
        # published in the same second as that digest.
        "published_at_ts": precise_timestamp(published),
        "expires_at": expires,
        "expires_at_ts": expires_ts,
        "updated_at_ts": to_timestamp(get("updated_at")),
        "confirmed_at": confirmed,
        "confirmed_at_ts": confirmed_ts,
        "full_until": _iso(get("full_until")),
        "reported_closed_at": _iso(get("reported_closed_at")),
    }
    fee = get("fee_usd")
    if fee is not None:  # not stated: left out, so "free" (fee_usd <= 0) never matches it
        doc["fee_usd"] = int(fee)
    for name in bool_fields:
        value = get(name)
        if value is None and name in row:
            continue  # the caller says "not stated"
        doc[name] = bool(value)
    for name in plain_fields:  # left out when not stated: None, "" or []
        value = get(name)
        if value is None:
            continue
        if isinstance(value, str):
            if value:
                doc[name] = _text(value)
        elif value != []:
            doc[name] = value
    lat, lng = get("latitude"), get("longitude")
    if lat is not None and lng is not None:
        doc["_geo"] = {"lat": float(lat), "lng": float(lng)}
    return doc
