"""Only published listings whose expiry is in the future are ever shown: by the outbox (which
removes the others from the index) AND at read time (every query filters), so a late expiry
job or a stale document never shows a listing that is no longer open."""

from __future__ import annotations

import datetime as dt

from board.indexing.gateway import document_from_row, utcnow
from board.listings import services as listings
from board.store.tables import Opportunity
from search import sync
from tests.support.factories import make_closed, make_draft, make_institution, make_listing, make_removed
from tests.support.outbox import drain_all


async def _ids(client, **params) -> set[int]:
    resp = await client.get("/api/v1/opportunities", params={"per_page": 50, **params})
    assert resp.status_code == 200, resp.text
    return {h["id"] for h in resp.json()["hits"]}


async def test_only_open_listings_appear(client, runtime):
    verified = await make_institution("Verified Clinic")
    unverified = await make_institution("New Clinic", verified=False)
    open_id = await make_listing(verified, title="Open neurology observership")
    draft = await make_draft(verified, title="Draft neurology observership")
    pending = await make_listing(unverified, publish=False, title="Pending neurology observership")
    assert await listings.submit(pending) == "pending"
    rejected = await make_listing(unverified, publish=False, title="Rejected neurology observe")
    await listings.submit(rejected)
    await listings.reject(rejected, "not an observership")
    closed = await make_closed(verified, title="Closed neurology observership")
    removed = await make_removed(verified, title="Removed neurology observership")
    expired = await make_listing(verified, title="Expired neurology observership")
    await drain_all(runtime.gateway)

    # The expiry job has not run yet: the row is still "published", and a late drainer
    # left the document in the index with its (now past) expiry.
    past = utcnow() - dt.timedelta(minutes=5)
    await Opportunity.update({Opportunity.expires_at: past}).where(Opportunity.id == expired).run()
    row = await listings.get(expired)
    await sync.upsert(runtime.client, runtime.settings.meili_index, [document_from_row(row)])

    for params in ({}, {"q": "neurology"}, {"sort": "newest"}, {"sort": "deadline"}):
        assert await _ids(client, **params) == {open_id}
    hidden = (draft, pending, rejected, closed, removed, expired)
    for opp in hidden:
        resp = await client.get(f"/api/v1/opportunities/{opp}")
        assert resp.status_code == 404, (opp, resp.text)
        assert "no published opportunity" in resp.json()["detail"]
    assert (await client.get(f"/api/v1/opportunities/{open_id}")).status_code == 200
    assert (await client.get("/api/v1/opportunities/999999")).status_code == 404

    page = await client.get("/?q=neurology")
    assert f'href="/opportunities/{open_id}"' in page.text
    for opp in hidden:
        assert f'href="/opportunities/{opp}"' not in page.text
    feed = await client.get("/feed.atom?q=neurology")
    assert "Open neurology observership" in feed.text and "Expired neurology" not in feed.text


async def test_read_time_filter_hides_stale_documents_of_any_status(client, runtime):
    """Documents that should not be in the index at all (a drainer bug or a crash between
    a status change and its drain) are still filtered out by every query."""
    inst = await make_institution()
    open_id = await make_listing(inst, title="Visible pediatrics observership",
                                 specialty="Pediatrics")
    await drain_all(runtime.gateway)
    row = await listings.get(open_id)
    stale = []
    for n, status in enumerate(("draft", "pending", "closed", "rejected", "removed", "expired")):
        stale.append(document_from_row({**row, "id": 10_000 + n, "status": status}))
    await sync.upsert(runtime.client, runtime.settings.meili_index, stale)
    body = (await client.get("/api/v1/opportunities", params={"specialty": "Pediatrics"})).json()
    assert [h["id"] for h in body["hits"]] == [open_id]
    assert body["total"] == 1
    assert body["facets"]["specialty"] == {"Pediatrics": 1}
