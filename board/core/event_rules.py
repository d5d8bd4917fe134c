"""The rules only an event obeys (kind `event`): its start, end, time zone and recurrence
fit together, and a time typed without an offset is the host's wall clock in its zone. Kept
apart from board.core.validation, which calls it once every field is cleaned."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from board.core import events


def event_rules(merged: Mapping[str, Any], clean: dict[str, Any], errors: dict[str, str]) -> None:
    """An event needs its start; times without an offset are in its zone (UTC without one);
    an online event needs no state."""
    if merged.get("kind") != "event":
        for name in ("starts_at", "ends_at"):  # not an event's: a bare time is UTC
            if clean.get(name) is not None:
                clean[name] = _aware(clean[name], "UTC")
        return
    if "state" in errors and merged.get("online") and not merged.get("state"):
        del errors["state"]  # an online event happens nowhere in particular
    if "starts_at" in errors or "ends_at" in errors or "timezone" in errors:
        return
    zone = merged.get("timezone") or ""
    # A time given now without an offset is the host's wall clock in `zone`; a stored one
    # (a PATCH keeps it) is UTC, which SQLite hands back without an offset.
    starts, ends = (_aware(clean[n], zone) if n in clean else _aware(merged.get(n), "UTC")
                    for n in ("starts_at", "ends_at"))
    if starts is None:
        errors["starts_at"] = "is required for an event (e.g. 2027-01-27T20:00)"
        return
    if not dt.datetime(2000, 1, 1, tzinfo=dt.UTC) <= starts <= _event_horizon():
        errors["starts_at"] = "must be between 2000 and ten years from now"
        return
    if ends is not None and ends <= starts:
        errors["ends_at"] = "must be after starts_at"
    if not zone:
        errors["timezone"] = "is required for an event (an IANA name such as America/New_York)"
    for name, value in (("starts_at", starts), ("ends_at", ends)):
        if name in clean:
            clean[name] = value
    if merged.get("recurrence") and "recurrence" not in errors and zone:
        try:
            events.next_occurrence(starts, ends, merged["recurrence"], zone, starts)
        except (ValueError, TypeError) as exc:
            errors["recurrence"] = f"does not fit starts_at ({exc})"


def _event_horizon() -> dt.datetime:
    return dt.datetime.now(dt.UTC) + dt.timedelta(days=3653)


def _aware(value: dt.datetime | None, zone: str) -> dt.datetime | None:
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=ZoneInfo(zone or "UTC"))
