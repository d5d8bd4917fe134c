"""The expire job with a frozen clock: exactly the stale published listings flip, in one
statement with their outbox events; after the drain they are gone from search (the API,
the gateway, the index itself); a second run changes nothing."""

from __future__ import annotations

import datetime as dt

from board.listings import services as listings
from board.store.tables import Opportunity, OutboxEvent
from jobs import bodies
from search.query import SearchQuery
from tests.support.factories import make_draft, make_institution, make_listing
from tests.support.outbox import drain_all

# Far enough ahead that every listing here is still "not yet expired" for the real clock
# the search filter uses: only the expire job's status flip can take them out of search.
NOW = dt.datetime(2031, 1, 15, 10, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


async def _search_ids(client) -> set[int]:
    response = await client.get("/api/v1/opportunities", params={"per_page": 50})
    assert response.status_code == 200, response.text
    return {hit["id"] for hit in response.json()["hits"]}


async def test_expire_flips_exactly_the_stale_listings_and_they_leave_search(runtime, client):
    inst = await make_institution()
    stale = [await make_listing(inst, now=NOW - 61 * DAY, title=f"Stale observership {i}")
             for i in range(3)]
    at_the_second = await make_listing(inst, now=NOW - 60 * DAY, title="Expires right now")
    fresh = [await make_listing(inst, now=NOW - 10 * DAY, title=f"Fresh observership {i}")
             for i in range(2)]
    draft = await make_draft(inst, title="Draft never published")
    closed = await make_listing(inst, now=NOW - 90 * DAY, title="Closed long ago")
    await listings.close(closed, now=NOW - 40 * DAY)
    await Opportunity.update({Opportunity.expires_at: NOW - 5 * DAY}).where(
        Opportunity.id == draft).run()
    await drain_all(runtime.gateway)
    assert await _search_ids(client) == {*stale, at_the_second, *fresh}

    assert await bodies.expire(runtime, NOW) == {"expired": 4}

    rows = {r["id"]: r["status"] for r in await Opportunity.select(Opportunity.id, Opportunity.status).run()}
    assert {i for i, s in rows.items() if s == "expired"} == {*stale, at_the_second}
    assert rows[draft] == "draft" and rows[closed] == "closed"
    assert all(rows[i] == "published" for i in fresh)
    expire_events = await OutboxEvent.select(OutboxEvent.opportunity_id).where(
        OutboxEvent.reason == "expire").run()
    assert sorted(e["opportunity_id"] for e in expire_events) == sorted([*stale, at_the_second])

    await drain_all(runtime.gateway)
    assert await _search_ids(client) == set(fresh)
    result = await runtime.gateway.search(SearchQuery(per_page=50, now_ts=int(NOW.timestamp()) - 86400))
    assert {h["id"] for h in result.hits} == set(fresh)
    docs = await runtime.client.fetch_documents(runtime.gateway.index, ["id"], limit=100)
    assert {d["id"] for d in docs["results"]} == set(fresh)

    # A second run (same slot or the next) finds nothing and writes nothing.
    events_before = await OutboxEvent.count().run()
    assert await bodies.expire(runtime, NOW) == {"expired": 0}
    assert await bodies.expire(runtime, NOW + dt.timedelta(minutes=15)) == {"expired": 0}
    assert await OutboxEvent.count().run() == events_before


async def test_a_listing_renewed_before_the_run_is_not_expired(runtime):
    inst = await make_institution()
    opp = await make_listing(inst, now=NOW - 61 * DAY)
    await listings.renew(opp, now=NOW - 2 * DAY)
    assert await bodies.expire(runtime, NOW) == {"expired": 0}
    assert (await listings.get(opp))["status"] == "published"
