"""/feed.ics and /calendar.ics against the real app, store and Meilisearch: content type,
CRLF, both parsers, search parameters honoured (and a bad one refused naming it), the
shortlist by secret token (404 for an unknown one) and as a download, and a closed saved
listing cancelled with a higher SEQUENCE."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import vobject

from board.listings import services as listings
from board.planner import shortlist
from board.planner.identity import create_planner
from tests.support.factories import make_institution, make_listing
from tests.support.members import post_form
from tests.support.outbox import drain_all

HOST = "testserver.local"
NY = ZoneInfo("America/New_York")


def _uids(body: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(body).walk("VEVENT")}


async def _seed() -> dict[str, int]:
    inst = await make_institution("Houston Methodist")
    soon = dt.date.today() + dt.timedelta(days=40)
    return {
        "cardio": await make_listing(inst, title="Cardiology observership",
                                     specialty="Cardiovascular disease",
                                     application_deadline=soon,
                                     start_date=soon + dt.timedelta(days=30)),
        "neuro": await make_listing(inst, title="Neurology observership", specialty="Neurology",
                                    state="NY", city="New York", application_deadline=soon),
        "chat": await make_listing(
            inst, title="IMG coffee chat", kind="event", specialty="Internal medicine",
            state="", city="", online=True, starts_at="2026-01-28T20:00",
            ends_at="2026-01-28T21:00", timezone="America/New_York",
            recurrence="RRULE:FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE",
            join_url="https://meet.example.org/chat"),
    }


async def test_feed_ics_honours_search_parameters_and_refuses_bad_ones(client, runtime):
    ids = await _seed()
    await drain_all(runtime.gateway)
    resp = await client.get("/feed.ics", params={"specialty": "Cardiovascular disease"})
    assert resp.status_code == 200
    assert resp.headers["content-type"] == "text/calendar; charset=utf-8"
    assert b"\r\n" in resp.content and b"\n" not in resp.content.replace(b"\r\n", b"")
    events = _uids(resp.content)
    assert set(events) == {f"opportunity-{ids['cardio']}-deadline@{HOST}",
                           f"opportunity-{ids['cardio']}-start@{HOST}"}
    assert vobject.readOne(resp.text).vevent_list[0].uid.value in events
    assert (await client.get("/feed.ics", params={"specialty": "Cardiovascular disease"})
            ).content == resp.content  # stable: same UIDs, stamps and sequences

    every = _uids((await client.get("/feed.ics")).content)
    chat = every[f"opportunity-{ids['chat']}-event@{HOST}"]
    assert chat["RRULE"].to_ical() == b"FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE"
    assert chat["DTSTART"].params["TZID"] == "America/New_York"
    assert "meet.example.org" not in str(chat["DESCRIPTION"])  # a private join link
    kinds = _uids((await client.get("/feed.ics", params={"kind": "event"})).content)
    assert list(kinds) == [f"opportunity-{ids['chat']}-event@{HOST}"]

    nothing = await client.get("/feed.ics", params={"q": "zzqqxx"})
    assert nothing.status_code == 200 and not _uids(nothing.content)
    for params, name in (({"state": "ZZ"}, "state"), ({"fee_max": "lots"}, "fee_max"),
                         ({"kind": "party"}, "kind")):
        bad = await client.get("/feed.ics", params=params)
        assert bad.status_code == 400 and name in bad.text, (params, bad.text[:300])


async def test_calendar_ics_by_token_and_as_a_download_with_closed_listings_cancelled(
        client, runtime):
    ids = await _seed()
    planner = await create_planner()
    for key in ("cardio", "neuro", "chat"):
        await shortlist.add(planner.id, ids[key])
    url = f"/calendar.ics?token={planner.calendar_token}"
    first = await client.get(url)
    assert first.status_code == 200
    assert first.headers["content-type"] == "text/calendar; charset=utf-8"
    assert "content-disposition" not in first.headers  # a subscription, not a download
    before = _uids(first.content)
    assert len(before) == 4 and all(e["STATUS"] == "CONFIRMED" for e in before.values())
    # Saved: the private join link is in the saver's own calendar.
    assert "meet.example.org/chat" in str(before[f"opportunity-{ids['chat']}-event@{HOST}"][
        "DESCRIPTION"])
    deadline = before[f"opportunity-{ids['neuro']}-deadline@{HOST}"]
    assert deadline.walk("VALARM")[0].decoded("TRIGGER") == dt.timedelta(days=-14)
    assert _uids((await client.get(url)).content).keys() == before.keys()

    await listings.close(ids["neuro"])
    after = _uids((await client.get(url)).content)
    assert after.keys() == before.keys()
    closed = f"opportunity-{ids['neuro']}-deadline@{HOST}"
    assert after[closed]["STATUS"] == "CANCELLED"
    assert int(after[closed]["SEQUENCE"]) > int(before[closed]["SEQUENCE"])
    assert after[f"opportunity-{ids['cardio']}-deadline@{HOST}"]["STATUS"] == "CONFIRMED"

    assert (await client.get("/calendar.ics?token=not-a-token")).status_code == 404
    assert (await client.get("/calendar.ics?token=")).status_code == 404

    # Without a token: this visitor's own shortlist, as a download.
    empty = await client.get("/calendar.ics")
    assert empty.status_code == 200 and not _uids(empty.content)
    assert empty.headers["content-disposition"] == 'attachment; filename="img-shortlist.ics"'
    await post_form(client, f"/shortlist/{ids['cardio']}", {"next": "/"})
    mine = await client.get("/calendar.ics")
    assert set(_uids(mine.content)) == {f"opportunity-{ids['cardio']}-deadline@{HOST}",
                                        f"opportunity-{ids['cardio']}-start@{HOST}"}
