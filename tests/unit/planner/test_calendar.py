"""The .ics builder (pure): it parses with icalendar and with vobject, UIDs and the whole
output are stable between renders, a closed listing is CANCELLED with a higher SEQUENCE, a
deadline has its 14-day alarm, an event keeps its zone and its RRULE."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import vobject

from board.planner.calendar import build_calendar

NY = ZoneInfo("America/New_York")
BASE = "https://board.example.org"
NOW = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
LISTING = {"id": 42, "kind": "observership", "title": "Internal Medicine Observership " * 3,
           "institution_name": "Houston Methodist Hospital", "status": "published",
           "application_deadline": dt.date(2027, 2, 1), "start_date": dt.date(2027, 3, 15),
           "updated_at": dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)}
EVENT = {"id": 7, "kind": "event", "title": "IMG coffee chat", "institution_name": "Society",
         "starts_at": dt.datetime(2026, 1, 28, 20, 0, tzinfo=NY),
         "ends_at": dt.datetime(2026, 1, 28, 21, 0, tzinfo=NY), "timezone": "America/New_York",
         "recurrence": "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE", "online": True,
         "join_link": "https://meet.example.org/chat",
         "updated_at": dt.datetime(2026, 11, 21, tzinfo=dt.UTC)}


def _render(cancelled=()) -> bytes:
    return build_calendar([LISTING, EVENT], base_url=BASE, name="Test", cancelled_ids=cancelled,
                          now=NOW)


def _events(body: bytes) -> dict[str, icalendar.Event]:
    cal = icalendar.Calendar.from_ical(body)
    return {str(e["UID"]): e for e in cal.walk("VEVENT")}


def test_parses_with_icalendar_and_vobject_with_crlf_and_folded_lines():
    body = _render()
    text = body.decode("utf-8")
    assert text.startswith("BEGIN:VCALENDAR\r\n") and text.endswith("END:VCALENDAR\r\n")
    assert "\n" not in text.replace("\r\n", "")  # every line ends in CRLF
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    assert "\r\n " in text  # the long summary is folded
    assert "PRODID:-//IMG Opportunity Board//Calendar 1.0//EN" in text
    events = _events(body)
    assert set(events) == {"opportunity-42-deadline@board.example.org",
                           "opportunity-42-start@board.example.org",
                           "opportunity-7-event@board.example.org"}
    parsed = vobject.readOne(text)
    uids = sorted(v.uid.value for v in parsed.vevent_list)
    assert uids == sorted(events)
    for vevent in parsed.vevent_list:
        assert vevent.dtstamp.value.tzinfo is not None
        assert vevent.url.value.startswith(f"{BASE}/opportunities/")


def test_deadline_and_start_are_all_day_with_a_14_day_alarm_on_the_deadline():
    events = _events(_render())
    deadline = events["opportunity-42-deadline@board.example.org"]
    assert deadline.decoded("DTSTART") == dt.date(2027, 2, 1)
    assert deadline.decoded("DTEND") == dt.date(2027, 2, 2)
    [alarm] = deadline.walk("VALARM")
    assert alarm.decoded("TRIGGER") == dt.timedelta(days=-14) and alarm["ACTION"] == "DISPLAY"
    start = events["opportunity-42-start@board.example.org"]
    assert start.decoded("DTSTART") == dt.date(2027, 3, 15) and not start.walk("VALARM")
    assert str(start["URL"]) == f"{BASE}/opportunities/42"


def test_an_event_keeps_its_zone_and_rrule_in_both_parsers():
    body = _render()
    event = _events(body)["opportunity-7-event@board.example.org"]
    assert event["DTSTART"].params["TZID"] == "America/New_York"
    assert event.decoded("DTSTART") == dt.datetime(2026, 1, 28, 20, 0, tzinfo=NY)
    assert event["RRULE"].to_ical().decode() == "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE"
    assert "https://meet.example.org/chat" in str(event["DESCRIPTION"])
    assert [tz["TZID"] for tz in icalendar.Calendar.from_ical(body).walk("VTIMEZONE")] == [
        "America/New_York"]
    vevent = next(v for v in vobject.readOne(body.decode()).vevent_list
                  if v.uid.value.startswith("opportunity-7-"))
    # vobject's zone (dateutil's tzical) ignores the VTIMEZONE's RDATEs, so compare the
    # wall-clock times it reads, which is what the RRULE defines.
    occurrences = list(vevent.getrruleset())[:3]
    assert [o.strftime("%Y-%m-%d %H:%M") for o in occurrences] == [
        "2026-01-28 20:00", "2026-03-25 20:00", "2026-05-27 20:00"]


def test_stable_between_renders_and_a_closed_listing_is_cancelled_with_a_higher_sequence():
    assert _render() == _render()  # same UIDs, DTSTAMPs and sequences: byte for byte
    before = _events(_render())
    after = _events(_render(cancelled={42}))
    assert set(before) == set(after)
    for uid in ("opportunity-42-deadline@board.example.org",
                "opportunity-42-start@board.example.org"):
        assert before[uid]["STATUS"] == "CONFIRMED" and after[uid]["STATUS"] == "CANCELLED"
        assert int(after[uid]["SEQUENCE"]) > int(before[uid]["SEQUENCE"])
    assert not after["opportunity-42-deadline@board.example.org"].walk("VALARM")
    assert after["opportunity-7-event@board.example.org"]["STATUS"] == "CONFIRMED"
    # An edit after the close still sorts after it.
    edited = {**LISTING, "updated_at": LISTING["updated_at"] + dt.timedelta(hours=1)}
    later = _events(build_calendar([edited], base_url=BASE, name="T", now=NOW))
    assert int(later["opportunity-42-start@board.example.org"]["SEQUENCE"]) > int(
        after["opportunity-42-start@board.example.org"]["SEQUENCE"])
