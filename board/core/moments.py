"""Stored dates and times as Python values, whatever shape the store or the index gave them.

SQLite hands back naive datetimes and ISO text, PostgreSQL aware datetimes, the search index
ISO text with a "Z": the calendar, the event display and the listing rules all need the same
aware datetime or plain date from any of them."""

from __future__ import annotations

import datetime as dt
from typing import Any


def moment(value: Any) -> dt.datetime | None:
    """A stored or indexed time (datetime or ISO text) as an aware datetime (naive = UTC)."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return None


def as_day(value: Any) -> dt.date | None:
    """A stored date, datetime or ISO text as a date (None when empty)."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])
