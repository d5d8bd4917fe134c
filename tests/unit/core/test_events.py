"""The event kind's pure rules: time zones, RRULE cleaning, next occurrence, the rule in
words, and what an event adds to its search document and its page."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from board.core import event_listing, events
from board.core.validation import ValidationErrors, validate_opportunity

NY = ZoneInfo("America/New_York")
CHAT = "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE"


@pytest.mark.parametrize("rule, words", [
    (CHAT, "Every other month on the 4th Wednesday"),
    ("FREQ=WEEKLY", "Weekly"),
    ("FREQ=WEEKLY;BYDAY=MO,WE", "Weekly on Monday and Wednesday"),
    ("FREQ=WEEKLY;INTERVAL=2;BYDAY=TH", "Every other week on Thursday"),
    ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=-1", "Monthly on the last Tuesday"),
    ("FREQ=MONTHLY;BYDAY=1MO", "Monthly on the 1st Monday"),
    ("FREQ=MONTHLY;BYMONTHDAY=15", "Monthly on the 15th"),
    ("FREQ=DAILY;COUNT=5", "Every day, 5 times"),
    ("FREQ=WEEKLY;INTERVAL=3;UNTIL=20271231T235959Z", "Every 3 weeks, until 2027-12-31"),
    ("FREQ=YEARLY;BYMONTH=3;BYDAY=2SA", "Repeats: FREQ=YEARLY;BYMONTH=3;BYDAY=2SA"),
    ("FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1", "Repeats: FREQ=MONTHLY;BYDAY=MO,TU;BYSETPOS=1"),
    ("", ""),
])
def test_a_rule_reads_in_words_or_falls_back_to_itself(rule, words):
    assert events.describe_rrule(rule) == words


def test_rrule_is_stored_without_its_prefix_and_bad_ones_are_refused():
    assert events.clean_rrule("RRULE:freq=monthly;interval=2;byday=4we") == CHAT
    assert events.clean_rrule("  ") == ""
    for bad in ("FREQ=SOMETIMES", "INTERVAL=2", "FREQ=DAILY;UNTIL=20270101",
                "FREQ=DAILY\nRRULE:FREQ=WEEKLY", "DTSTART:20270101T000000Z;FREQ=DAILY",
                "FREQ=SECONDLY", "FREQ=DAILY;BYHOUR=1,2,3", "FREQ=DAILY;COUNT=99999999"):
        with pytest.raises(ValueError):
            events.clean_rrule(bad)


def test_time_zone_is_an_iana_name():
    assert events.clean_timezone(" America/New_York ") == "America/New_York"
    assert events.clean_timezone("") == ""
    for bad in ("EST5EDT/x", "Mars/Olympus", "../../etc/passwd", "new york"):
        with pytest.raises(ValueError):
            events.clean_timezone(bad)


def test_next_occurrence_skips_past_ones_and_keeps_the_hosts_wall_clock():
    first = dt.datetime(2026, 1, 28, 20, 0, tzinfo=NY)
    end = first + dt.timedelta(hours=1)
    now = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    upcoming = events.next_occurrence(first, end, CHAT, "America/New_York", now)
    assert upcoming == dt.datetime(2027, 1, 27, 20, 0, tzinfo=NY)
    # Summer (EDT): still 20:00 local, i.e. 00:00 UTC, not 01:00.
    summer = events.next_occurrence(first, end, CHAT, "America/New_York",
                                    dt.datetime(2026, 5, 1, tzinfo=dt.UTC))
    assert summer is not None and summer.astimezone(NY).hour == 20
    assert summer.astimezone(dt.UTC).hour == 0
    # Under way counts as not over; a one-off that ended is gone.
    during = first + dt.timedelta(minutes=30)
    assert events.next_occurrence(first, end, "", "America/New_York", during) == first
    assert events.next_occurrence(first, end, "", "America/New_York", end) is None
    assert events.next_occurrence(first, end, "FREQ=WEEKLY;COUNT=2", "America/New_York",
                                  now) is None
    assert events.last_end(first, end, "FREQ=WEEKLY;COUNT=2", "America/New_York") == \
        dt.datetime(2026, 2, 4, 21, 0, tzinfo=NY)
    assert events.last_end(first, end, CHAT, "America/New_York") is None


def _event(**overrides):
    data = {"title": "IMG coffee chat", "kind": "event", "specialty": "Internal medicine",
            "apply_url": "https://example.org/chat", "online": True,
            "starts_at": "2027-01-27T20:00", "ends_at": "2027-01-27T21:00",
            "timezone": "America/New_York", "recurrence": "RRULE:" + CHAT}
    data.update(overrides)
    return data


def test_validation_names_each_event_field():
    clean = validate_opportunity(_event(join_url="https://meet.example.org/x"))
    assert clean["starts_at"] == dt.datetime(2027, 1, 27, 20, 0, tzinfo=NY)
    assert clean["recurrence"] == CHAT and "state" not in clean  # online: no state needed
    assert clean["join_url_public"] is False
    cases = {
        "starts_at": _event(starts_at=""),
        "ends_at": _event(ends_at="2027-01-27T19:00"),
        "timezone": _event(timezone="Mars/Olympus"),
        "recurrence": _event(recurrence="FREQ=NEVER"),
        "join_url": _event(join_url="http://meet.example.org/x"),
    }
    with pytest.raises(ValidationErrors) as caught:  # a walk from year 1 would take ages
        validate_opportunity(_event(starts_at="0001-01-01T00:00", recurrence="FREQ=DAILY"))
    assert "starts_at" in caught.value.errors
    for field, data in cases.items():
        with pytest.raises(ValidationErrors) as caught:
            validate_opportunity(data)
        assert field in caught.value.errors, (field, caught.value.errors)
    with pytest.raises(ValidationErrors) as caught:
        validate_opportunity(_event(starts_at="next wednesday"))
    assert "2027-01-27T20:00" in caught.value.errors["starts_at"]
    with pytest.raises(ValidationErrors) as caught:
        validate_opportunity(_event(online=False))
    assert "state" in caught.value.errors  # in person: where
    # Another kind ignores the event rules.
    assert validate_opportunity({**_event(kind="observership"), "state": "TX",
                                 "starts_at": "", "online": False})["kind"] == "observership"


def test_a_past_one_off_leaves_search_and_a_recurring_one_shows_its_next_date():
    now = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    expires = now + dt.timedelta(days=60)
    one_off = {"kind": "event", "starts_at": dt.datetime(2026, 11, 1, 20, tzinfo=NY),
               "ends_at": dt.datetime(2026, 11, 1, 21, tzinfo=NY), "recurrence": "",
               "timezone": "America/New_York", "expires_at": expires}
    doc = event_listing.document_values(one_off, now)
    assert doc["next_starts_at"] is None and doc["expires_at"] <= now
    recurring = {**one_off, "starts_at": dt.datetime(2026, 1, 28, 20, tzinfo=NY),
                 "ends_at": dt.datetime(2026, 1, 28, 21, tzinfo=NY), "recurrence": CHAT}
    doc = event_listing.document_values(recurring, now)
    assert doc["next_starts_at"] == int(dt.datetime(2027, 1, 28, 1, 0, tzinfo=dt.UTC).timestamp())
    assert "expires_at" not in doc  # repeats without end: the listing's own expiry holds
    assert doc["starts_at"] == "2026-01-29T01:00:00Z"
    assert event_listing.document_values({"kind": "research"}, now) == {
        "starts_at": None, "ends_at": None}


def test_the_page_view_shows_the_hosts_time_and_the_rule():
    now = dt.datetime(2026, 11, 29, 6, 0, tzinfo=dt.UTC)
    row = {"id": 3, "kind": "event", "starts_at": "2026-01-29T01:00:00Z",
           "ends_at": "2026-01-29T02:00:00Z", "timezone": "America/New_York",
           "recurrence": CHAT, "online": True}
    view = event_listing.view(row, now)
    assert view is not None
    assert view["start_text"] == "Wed, Jan 27, 2027, 20:00" and view["end_text"] == "21:00"
    assert view["zone_abbr"] == "EST" and view["start_iso"] == "2027-01-28T01:00:00Z"
    assert view["repeats"] == "Every other month on the 4th Wednesday" and not view["past"]
    assert event_listing.view({"kind": "research"}, now) is None
    assert event_listing.join_link({**row, "join_url": "https://j.example.org"}) == ""
    assert event_listing.join_link({**row, "join_url": "https://j.example.org"}, {3}) == \
        "https://j.example.org"
    assert event_listing.join_link({**row, "join_url": "https://j.example.org",
                                    "join_url_public": True}) == "https://j.example.org"


def test_a_patch_keeps_stored_utc_times_and_reads_new_ones_in_the_zone():
    # SQLite hands stored times back without an offset: they are UTC, not New York time.
    stored = {**validate_opportunity(_event()), "starts_at": dt.datetime(2027, 1, 28, 1, 0),
              "ends_at": dt.datetime(2027, 1, 28, 2, 0)}
    patch = validate_opportunity({"title": "IMG coffee chat, renamed"}, existing=stored)
    assert "starts_at" not in patch and "ends_at" not in patch
    with pytest.raises(ValidationErrors) as caught:
        validate_opportunity({"ends_at": "2027-01-27T19:30"}, existing=stored)
    assert "ends_at" in caught.value.errors  # 19:30 New York is before the stored 20:00
    moved = validate_opportunity({"ends_at": "2027-01-27T22:00"}, existing=stored)
    assert moved["ends_at"] == dt.datetime(2027, 1, 27, 22, 0, tzinfo=NY)
