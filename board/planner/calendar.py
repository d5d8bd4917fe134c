"""Listings as an RFC 5545 calendar (icalendar writes, folds and CRLF-ends the lines): an
all-day event per application deadline (with a reminder 14 days before) and per rotation
start, and the `event` kind at its own time in its own zone, with its recurrence.

Pure: the caller hands rows (the store's listing rows, with `institution_name`) and says
which of them are no longer live. Every date has a UID that depends only on the listing and
the kind of date, so a subscribed calendar updates an entry instead of adding a second one;
a listing that closes, expires or is removed stays in the feed as STATUS:CANCELLED with a
higher SEQUENCE, which is how calendar apps learn to drop it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Mapping
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vRecur

from board.core.moments import as_day, moment

PRODID = "-//IMG Opportunity Board//Calendar 1.0//EN"
REMINDER_DAYS = 14
# SEQUENCE counts minutes of updated_at from here: it grows with every edit, stays the same
# between two renders, and fits RFC 5545's 32-bit integer for thousands of years.
_SEQUENCE_EPOCH = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)




def uid(opportunity_id: int, what: str, host: str) -> str:
    """`opportunity-42-deadline@board.example`: one per listing and kind of date."""
    return f"opportunity-{opportunity_id}-{what}@{host}"


def sequence(row: Mapping[str, Any], cancelled: bool) -> int:
    changed = moment(row.get("updated_at")) or _SEQUENCE_EPOCH
    minutes = max(0, int((changed - _SEQUENCE_EPOCH).total_seconds() // 60))
    return minutes + (1 if cancelled else 0)


def build_calendar(rows: Iterable[Mapping[str, Any]], *, base_url: str, name: str,
                   cancelled_ids: Collection[int] = (), now: dt.datetime | None = None
                   ) -> bytes:
    """The VCALENDAR of `rows` as bytes (UTF-8, CRLF line ends, lines folded at 75 octets)."""
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", name)
    host = base_url.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0] or "localhost"
    stamp_default = now or dt.datetime.now(dt.UTC)
    first = stamp_default.date()
    for row in rows:
        for event in _events(row, base_url=base_url, host=host,
                             cancelled=int(row["id"]) in cancelled_ids, now=stamp_default):
            cal.add_component(event)
            start = event.get("DTSTART")
            if start is not None and isinstance(start.dt, dt.datetime):
                first = min(first, start.dt.date())
    # VTIMEZONEs for the zones of timed events, from the first of them to a few years
    # ahead (calendar apps also know IANA TZIDs by name; the definitions are for the rest).
    cal.add_missing_timezones(first_date=first - dt.timedelta(days=1),
                              last_date=stamp_default.date() + dt.timedelta(days=3 * 366))
    return cal.to_ical()


def _events(row: Mapping[str, Any], *, base_url: str, host: str, cancelled: bool,
            now: dt.datetime) -> list[Event]:
    out: list[Event] = []
    title = str(row.get("title") or "")
    where = str(row.get("institution_name") or "")
    label = f"{title} ({where})" if where else title
    deadline = as_day(row.get("application_deadline"))
    if deadline:
        event = _base(row, "deadline", f"Application deadline: {label}", base_url, host,
                      cancelled, now)
        _all_day(event, deadline)
        if not cancelled:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"Applications for {title} close in {REMINDER_DAYS} days")
            alarm.add("trigger", dt.timedelta(days=-REMINDER_DAYS))
            event.add_component(alarm)
        out.append(event)
    start = as_day(row.get("start_date"))
    if start and row.get("kind") != "event":
        event = _base(row, "start", f"Starts: {label}", base_url, host, cancelled, now)
        _all_day(event, start)
        out.append(event)
    starts_at = moment(row.get("starts_at"))
    if row.get("kind") == "event" and starts_at:
        out.append(_timed(row, starts_at, label, base_url, host, cancelled, now))
    return out


def _base(row: Mapping[str, Any], what: str, summary: str, base_url: str, host: str,
          cancelled: bool, now: dt.datetime) -> Event:
    event = Event()
    url = f"{base_url}/opportunities/{row['id']}"
    event.add("uid", uid(int(row["id"]), what, host))
    # DTSTAMP: the listing's last change, so an unchanged listing renders byte for byte alike.
    event.add("dtstamp", (moment(row.get("updated_at")) or now).astimezone(dt.UTC))
    event.add("sequence", sequence(row, cancelled))
    event.add("summary", summary)
    event.add("url", url)
    event.add("description", f"{summary}\n{url}")
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    event.add("transp", "TRANSPARENT" if what != "event" else "OPAQUE")
    return event


def _all_day(event: Event, day: dt.date) -> None:
    event.add("dtstart", day)
    event.add("dtend", day + dt.timedelta(days=1))


def _timed(row: Mapping[str, Any], starts_at: dt.datetime, label: str, base_url: str,
           host: str, cancelled: bool, now: dt.datetime) -> Event:
    event = _base(row, "event", label, base_url, host, cancelled, now)
    zone = ZoneInfo(str(row.get("timezone") or "UTC"))
    event.add("dtstart", starts_at.astimezone(zone))  # DTSTART;TZID=<zone> (+ its VTIMEZONE)
    ends_at = moment(row.get("ends_at"))
    if ends_at:
        event.add("dtend", ends_at.astimezone(zone))
    if row.get("join_link"):  # only when the caller may show it (public, or saved)
        event["description"] = f"{event['description']}\nJoin: {row['join_link']}"
    rule = str(row.get("recurrence") or "")
    if rule:
        event.add("rrule", vRecur.from_ical(rule))
    if row.get("online"):
        event.add("location", "Online")
    elif row.get("city") or row.get("state"):
        event.add("location", ", ".join(str(x) for x in (row.get("city"), row.get("state")) if x))
    return event
