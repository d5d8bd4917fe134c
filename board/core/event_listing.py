"""An event listing as the board shows and indexes it: the next occurrence (search, cards,
the listing page), when it drops out of search, whether the visitor may see the join link,
and the view the `partials/event_times.html` partial renders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from zoneinfo import ZoneInfo

from board.core import events
from board.core.moments import moment

EVENT = "event"



def _times(row: Mapping[str, Any]) -> tuple[dt.datetime | None, dt.datetime | None, str, str]:
    return (moment(row.get("starts_at")), moment(row.get("ends_at")),
            str(row.get("recurrence") or ""), str(row.get("timezone") or ""))


def next_start(row: Mapping[str, Any], now: dt.datetime) -> dt.datetime | None:
    if row.get("kind") != EVENT:
        return None
    return events.next_occurrence(*_times(row), now)


def document_values(row: Mapping[str, Any], now: dt.datetime) -> dict[str, Any]:
    """What an event adds to its search document: ISO times, `next_starts_at` (epoch
    seconds), and an `expires_at` no later than its last occurrence's end, so a past
    one-off event leaves search by itself (the daily `events` job moves next_starts_at on)."""
    out: dict[str, Any] = {name: _iso(moment(row.get(name))) for name in ("starts_at", "ends_at")}
    if row.get("kind") != EVENT:
        return out
    starts, ends, rule, zone = _times(row)
    upcoming = events.next_occurrence(starts, ends, rule, zone, now)
    out["next_starts_at"] = int(upcoming.timestamp()) if upcoming else None
    over = events.last_end(starts, ends, rule, zone)
    if upcoming is None:
        over = min(over or now, now)
    expires = moment(row.get("expires_at"))
    if over is not None and (expires is None or over < expires):
        out["expires_at"] = over
    return out


def _iso(value: dt.datetime | None) -> str | None:
    return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z") if value else None


def join_link(row: Mapping[str, Any], saved_ids: frozenset[int] | set[int] = frozenset()) -> str:
    """The join link this visitor may see: public, or the event is on their shortlist."""
    url = str(row.get("join_url") or "")
    if not url or row.get("kind") != EVENT:
        return ""
    return url if row.get("join_url_public") or int(row["id"]) in saved_ids else ""


def view(row: Mapping[str, Any], now: dt.datetime | None = None) -> dict[str, Any] | None:
    """The event's times for a page: the next (or first) occurrence as ISO (for <time>) and
    as text in the host's zone, the rule in words; None for other kinds."""
    if row.get("kind") != EVENT:
        return None
    now = now or dt.datetime.now(dt.UTC)
    starts, ends, rule, zone = _times(row)
    if starts is None:
        return None
    upcoming = events.next_occurrence(starts, ends, rule, zone, now)
    start = upcoming or starts
    end = start + (ends - starts) if ends else None
    local = ZoneInfo(zone or "UTC")
    start_local = start.astimezone(local)
    end_local = end.astimezone(local) if end else None
    return {
        "start_iso": _iso(start), "end_iso": _iso(end),
        "start_text": _when(start_local),
        "end_text": _clock(end_local) if end_local and end_local.date() == start_local.date()
        else (_when(end_local) if end_local else ""),
        "zone": zone or "UTC", "zone_abbr": start_local.tzname() or "",
        "repeats": events.describe_rrule(rule), "rule": rule,
        "past": upcoming is None, "online": bool(row.get("online")),
    }


def form_time(row: Mapping[str, Any], name: str) -> str:
    """starts_at/ends_at as the listing form shows them: the host's wall-clock time in the
    event's zone ("2027-01-27T20:00"), which the form reads back in that zone."""
    value = moment(row.get(name))
    if value is None:
        return ""
    return value.astimezone(ZoneInfo(str(row.get("timezone") or "UTC"))).strftime("%Y-%m-%dT%H:%M")


def _clock(value: dt.datetime) -> str:
    return value.strftime("%H:%M")


def _when(value: dt.datetime) -> str:
    return f"{value.strftime('%a')}, {value.strftime('%b')} {value.day}, {value.year}, {_clock(value)}"
