"""Edits after approval do not skip review (issue 13): every edit recomputes the red flags;
an edit of a live listing by an unverified institution, or one by a verified institution
that carries a flag or changes a flagged value, sends it back to pending (out of search),
and the staff queue shows the description and the changes against the approved version."""

from __future__ import annotations

import datetime as dt

from board.accounts import tokens
from board.core.validation import validate_opportunity
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.store.tables import OutboxEvent
from tests.support.factories import listing_data, make_institution, make_listing, make_pending
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search

API = "/api/v1/opportunities"


async def _approved(inst: int, **overrides) -> int:
    opp = await make_pending(inst, **overrides)
    await listings.approve(opp)
    assert (await listings.get(opp))["status"] == "published"
    return opp


async def test_unverified_patch_of_a_live_listing_goes_back_to_review(client):
    inst = await make_institution("Squat Clinic", verified=False)
    opp = await _approved(inst, title="Quetzal surgery observership")
    assert (await listings.get(opp))["approved_values"]["apply_url"] == \
        "https://hospital.example.org/apply"
    await wait_for_search(client, lambda hits: opp in [h["id"] for h in hits], q="Quetzal")
    _, token = await tokens.create(inst, None, "tests")
    resp = await client.patch(f"{API}/{opp}", headers={"Authorization": f"Bearer {token}"},
                              json={"apply_url": "https://pay-me.example.com/now",
                                    "description": "Wire the fee first."})
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "pending"
    await wait_for_search(client, lambda hits: opp not in [h["id"] for h in hits], q="Quetzal")

    await make_member(None, "mod@example.org", staff=True)
    await login(client, "mod@example.org")
    page = (await client.get("/staff")).text
    assert "Wire the fee first." in page  # the description is shown
    assert "Edited after approval" in page
    assert "https://hospital.example.org/apply" in page and "https://pay-me.example.com/now" in page


async def test_verified_edit_of_a_flagged_value_goes_back_to_review(store):
    inst = await make_institution(verified=True)
    opp = await _approved(inst, fee_usd=6000)  # approved by a moderator with the fee flag
    row = await listings.update(opp, validate_opportunity({"fee_usd": 100_000},
                                                          existing=await listings.get(opp)))
    assert row["status"] == "pending"
    assert any("fee" in flag for flag in row["review_flags"])
    events = await OutboxEvent.select(OutboxEvent.reason).where(
        OutboxEvent.opportunity_id == opp).run()
    assert [e["reason"] for e in events][-1] == "edit"  # takes it out of search


async def test_verified_edit_lowering_a_flagged_fee_still_needs_review(store):
    inst = await make_institution(verified=True)
    opp = await _approved(inst, fee_usd=6000, refund_terms="Full refund up to 30 days before.")
    row = await listings.update(opp, {"fee_usd": 4000})
    assert row["status"] == "pending" and row["review_flags"] == []


async def test_verified_unflagged_edit_stays_live(store):
    inst = await make_institution(verified=True)
    opp = await make_listing(inst)
    row = await listings.update(opp, {"title": "Cardiology Observership", "fee_usd": 300})
    assert row["status"] == "published" and row["review_flags"] == []


async def test_pending_edit_recomputes_flags(store):
    inst = await make_institution(verified=False)
    opp = await make_pending(inst)
    assert (await listings.get(opp))["review_flags"] == []
    row = await listings.update(opp, {"fee_usd": 9000, "apply_url": "https://bit.ly/x"})
    assert row["status"] == "pending" and len(row["review_flags"]) == 3  # + no refund terms
    row = await listings.update(opp, {"fee_usd": 0, "apply_url": "https://a.example.org/"})
    assert row["review_flags"] == []


async def test_unverified_edit_of_an_expired_listing_cannot_be_renewed_past_review(store):
    inst = await make_institution(verified=False)
    opp = await _approved(inst)
    await listings.expire_due(utcnow() + dt.timedelta(days=400))
    assert (await listings.get(opp))["status"] == "expired"
    row = await listings.update(opp, {"title": "Edited while expired"})
    assert row["status"] == "pending"


async def test_dashboard_resave_without_changes_stays_live(client):
    inst = await make_institution(verified=False)
    opp = await _approved(inst)
    await make_member(inst, "ann@example.org")
    await login(client, "ann@example.org")
    same = await post_form(client, f"/dashboard/opportunities/{opp}/edit", listing_data())
    assert same.status_code == 200 and "They are live." in same.text
    assert (await listings.get(opp))["status"] == "published"
    changed = await post_form(client, f"/dashboard/opportunities/{opp}/edit",
                              listing_data(title="Internal Medicine Observership 2027"))
    assert "waits for a moderator" in changed.text
    assert (await listings.get(opp))["status"] == "pending"
