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

def to_timestamp(value: Any) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value) if "T" in value else dt.date.fromisoformat(value)
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return int(value.timestamp())
    if isinstance(value, dt.date):
        return int(dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).timestamp())
    raise TypeError(f"not a date: {value!r}")


def precise_timestamp(value: Any) -> float | None:
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.timestamp()
    return to_timestamp(value)


def _iso(value: Any) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _text(value: Any) -> str:
    return str(value or "").translate(_STRIP)


def build_document(row: Mapping[str, Any], bool_fields: Iterable[str],
                   plain_fields: Iterable[str] = ()) -> dict[str, Any]:
    years = row.get("max_years_since_graduation")
    doc: dict[str, Any] = {
        "id": int(row["id"]),
        "title": _text(row["title"]),
        "description": _text(row.get("description")),
        "kind": row["kind"],
        "specialty": row["specialty"],
        "state": row.get("state") or "",
        "state_name": row.get("state_name") or "",
        "city": _text(row.get("city")),
        "institution_name": _text(row.get("institution_name")),
        "institution_verified": bool(row.get("institution_verified")),
        "status": row.get("status", "published"),
        "stipend_usd": row.get("stipend_usd"),
        "duration_weeks": row.get("duration_weeks"),
        "grad_years_limit": NO_YEAR_LIMIT if years is None else int(years),
        "max_years_since_graduation": years,
        "start_date": _iso(row.get("start_date")),
        "application_deadline": _iso(row.get("application_deadline")),
        "application_deadline_ts": to_timestamp(row.get("application_deadline")),
        "published_at": _iso(row.get("published_at")),
        # Sub-second precision: "published since the last digest" must not lose a listing
        # published in the same second as that digest.
        "published_at_ts": precise_timestamp(row.get("published_at")),
        "expires_at": _iso(row.get("expires_at")),
        "expires_at_ts": to_timestamp(row.get("expires_at")),
        "updated_at_ts": to_timestamp(row.get("updated_at")),
        # Reconfirmation: a listing without a confirmation counts from its publication.
        "confirmed_at": _iso(row.get("confirmed_at") or row.get("published_at")),
        "confirmed_at_ts": to_timestamp(row.get("confirmed_at") or row.get("published_at")),
        "full_until": _iso(row.get("full_until")),
        "reported_closed_at": _iso(row.get("reported_closed_at")),
    }
    fee = row.get("fee_usd")
    if fee is not None:  # not stated: left out, so "free" (fee_usd <= 0) never matches it
        doc["fee_usd"] = int(fee)
    for name in bool_fields:
        value = row.get(name)
        if value is None and name in row:
            continue  # the caller says "not stated"
        doc[name] = bool(value)
    for name in plain_fields:
        value = row.get(name)
        if value is None or value == [] or value == "":
            continue
        doc[name] = _text(value) if isinstance(value, str) else value
    lat, lng = row.get("latitude"), row.get("longitude")
    if lat is not None and lng is not None:
        doc["_geo"] = {"lat": float(lat), "lng": float(lng)}
    return doc
