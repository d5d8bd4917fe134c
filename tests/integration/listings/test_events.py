"""The `event` kind end to end (store, Meilisearch, the app): the write API names a bad
event field, a past one-off event is not in search while a recurring one shows its next
occurrence, the kind facet counts events, the `events` job re-indexes a recurring event
whose occurrence ended, the page shows the host's time and the rule, and a private join
link opens only for a visitor who saved the event."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from board.accounts import tokens
from board.indexing import outbox
from board.indexing.event_refresh import refresh_event_documents
from tests.support.factories import listing_data, make_institution, make_listing
from tests.support.members import post_form
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"
NY = ZoneInfo("America/New_York")
CHAT = "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE"


def _chat(**overrides):
    return {"title": "IMG coffee chat", "kind": "event", "specialty": "Internal medicine",
            "state": "", "city": "", "online": True, "starts_at": "2026-01-28T20:00",
            "ends_at": "2026-01-28T21:00", "timezone": "America/New_York",
            "recurrence": "RRULE:" + CHAT, "join_url": "https://meet.example.org/chat",
            **overrides}


async def test_write_api_names_the_bad_event_field_and_hides_a_private_join_link(client, runtime):
    inst = await make_institution(verified=True)
    _, token = await tokens.create(inst, None, "tests")
    auth = {"Authorization": f"Bearer {token}"}
    for field, bad in (("starts_at", {"starts_at": ""}), ("ends_at", {"ends_at": "2026-01-28T19:00"}),
                       ("timezone", {"timezone": "Eastern"}), ("recurrence", {"recurrence": "FREQ=X"}),
                       ("join_url", {"join_url": "http://meet.example.org"})):
        resp = await client.post(API, headers=auth, json=listing_data(**_chat(**bad)))
        assert resp.status_code == 400, (field, resp.text)
        assert field in resp.text, (field, resp.text)
    created = await client.post(API, headers=auth, json=listing_data(**_chat()))
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["recurrence"] == CHAT and body["starts_at"] == "2026-01-29T01:00:00Z"
    assert body["join_url"] == "https://meet.example.org/chat"  # the host sees its own link
    public = (await client.get(f"{API}/{body['id']}")).json()
    assert public["join_url"] == "" and public["timezone"] == "America/New_York"
    assert public["next_starts_at"] > dt.datetime.now(dt.UTC).timestamp()


async def test_past_occurrences_leave_search_and_the_next_one_shows(client, runtime):
    inst = await make_institution()
    now = dt.datetime.now(dt.UTC)
    past = (now - dt.timedelta(days=2)).astimezone(NY).replace(microsecond=0)
    soon = (now + dt.timedelta(days=3)).astimezone(NY).replace(microsecond=0)
    ids = {
        "chat": await make_listing(inst, **_chat()),
        "gone": await make_listing(inst, **_chat(title="Past workshop", recurrence="",
                                                 starts_at=past.isoformat(),
                                                 ends_at=(past + dt.timedelta(hours=2)).isoformat())),
        "soon": await make_listing(inst, **_chat(title="Soon workshop", recurrence="",
                                                 starts_at=soon.isoformat(), ends_at="", fee_usd=40)),
        "obs": await make_listing(inst, title="Cardiology observership"),
    }
    await drain_all(runtime.gateway)
    resp = await client.get(API, params={"kind": "event", "per_page": 50})
    hits = {h["id"]: h for h in resp.json()["hits"]}
    assert set(hits) == {ids["chat"], ids["soon"]}  # the past one-off is gone
    chat = hits[ids["chat"]]
    upcoming = dt.datetime.fromtimestamp(chat["next_starts_at"], NY)
    assert upcoming > now and (upcoming.hour, upcoming.weekday()) == (20, 2)  # a Wednesday 8 pm
    assert 22 <= upcoming.day <= 28  # the 4th Wednesday
    assert hits[ids["soon"]]["next_starts_at"] == int(soon.timestamp())
    assert resp.json()["facets"]["kind"]["event"] == 2
    priced = await client.get(API, params={"kind": "event", "fee_max": "0", "per_page": 50})
    assert {h["id"] for h in priced.json()["hits"]} == {ids["chat"]}  # free: fee_usd 0
    everything = await client.get(API, params={"per_page": 50})
    assert ids["obs"] in {h["id"] for h in everything.json()["hits"]}

    # The job: nothing moved an hour ago; right after an occurrence ends it re-indexes.
    assert (await refresh_event_documents(now))["reindexed"] == 0
    ended = upcoming + dt.timedelta(hours=1, minutes=30)
    assert await refresh_event_documents(ended) == {"events": 1, "reindexed": 1}
    assert await outbox.pending_count() == 1


async def test_listing_page_shows_the_time_the_rule_and_a_join_link_after_saving(client, runtime):
    inst = await make_institution()
    opp = await make_listing(inst, **_chat())
    page = await client.get(f"/opportunities/{opp}")
    assert page.status_code == 200
    html = page.text
    assert 'data-event-times' in html and '<time datetime="20' in html
    assert "America/New_York" in html and "Every other month on the 4th Wednesday" in html
    assert "20:00" in html and "meet.example.org" not in html
    assert f'href="/opportunities/{opp}/join"' in html

    refused = await client.get(f"/opportunities/{opp}/join")
    assert refused.status_code == 403 and "save" in refused.text.lower()
    await post_form(client, f"/shortlist/{opp}", {"next": f"/opportunities/{opp}"})
    joined = await client.get(f"/opportunities/{opp}/join", follow_redirects=False)
    assert joined.status_code == 303
    assert joined.headers["location"] == "https://meet.example.org/chat"

    public = await make_listing(inst, **_chat(title="Open coffee chat", join_url_public=True))
    html = (await client.get(f"/opportunities/{public}")).text
    assert 'href="https://meet.example.org/chat"' in html
    other = await make_listing(inst, title="Cardiology observership")
    assert (await client.get(f"/opportunities/{other}/join")).status_code == 404


async def test_the_dashboard_form_takes_an_event_and_shows_its_local_time_on_edit(client):
    from board.listings import services as listings
    from board.store.tables import Opportunity
    from tests.support.members import login, make_member

    inst = await make_institution()
    await make_member(inst, f"events{inst}@example.org")
    await login(client, f"events{inst}@example.org")
    form = {**listing_data(**_chat()), "online": "on", "fee_usd": "0"}
    bad = await post_form(client, "/dashboard/opportunities/new", {**form, "timezone": "Eastern"})
    assert bad.status_code == 400 and 'id="timezone-error"' in bad.text
    page = await post_form(client, "/dashboard/opportunities/new", form)
    assert page.status_code == 200, page.text[:300]
    [row] = await Opportunity.select(Opportunity.id).run()
    stored = await listings.get(row["id"])
    assert stored["recurrence"] == CHAT and stored["online"] is True and stored["state"] == ""
    edit = (await client.get(f"/dashboard/opportunities/{row['id']}/edit")).text
    assert 'name="starts_at" type="text" value="2026-01-28T20:00"' in edit
    assert 'name="ends_at" type="text" value="2026-01-28T21:00"' in edit
