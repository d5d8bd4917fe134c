"""The staff area: access, the pending queue (approve, reject with a mailed reason),
verifying institutions (outbox events in the same transaction), removing listings (410),
reports and job runs."""

from __future__ import annotations

import datetime as dt

import pytest

from board.listings import services as listings
from board.store.tables import Institution, JobRun, OutboxEvent, Report
from tests.support.factories import make_draft, make_institution, make_listing, make_pending
from tests.support.mail import mails, text_of
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search


async def _staff(client) -> None:
    await make_member(None, "mod@example.org", staff=True)
    await login(client, "mod@example.org")


@pytest.mark.parametrize("path", ["/staff", "/staff/institutions", "/staff/reports", "/staff/jobs"])
async def test_staff_pages_are_hidden_from_others(client, path):
    anonymous = await client.get(path, follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login?next=")
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    await login(client, "ann@example.org")
    assert (await client.get(path)).status_code == 404


async def test_members_cannot_moderate(client):
    inst = await make_institution(verified=False)
    opp_id = await make_pending(inst)
    await make_member(inst, "ann@example.org")
    await login(client, "ann@example.org")
    for action in ("approve", "remove"):
        page = await post_form(client, f"/staff/opportunities/{opp_id}/{action}")
        assert page.status_code == 404
    assert (await post_form(client, f"/staff/institutions/{inst}/verify")).status_code == 404
    assert (await listings.get(opp_id))["status"] == "pending"
    assert (await Institution.select().where(Institution.id == inst).first().run())["verified"] is False


async def test_queue_shows_red_flags_and_approve_publishes(client):
    inst = await make_institution(name="Broker Clinic", verified=True)
    opp_id = await make_pending(inst, title="Observership with a guaranteed residency match",
                            apply_url="https://bit.ly/abc")
    await _staff(client)
    page = await client.get("/staff")
    assert "Broker Clinic" in page.text and "guaranteed" in page.text
    assert "broker, shortener" in page.text
    done = await post_form(client, f"/staff/opportunities/{opp_id}/approve", headers={"referer": "/staff"})
    assert done.url.path == "/staff" and "Approved" in done.text
    assert (await listings.get(opp_id))["status"] == "published"
    await wait_for_search(client, lambda hits: opp_id in [h["id"] for h in hits])


async def test_reject_needs_a_reason_and_mails_the_poster(client, settings):
    inst = await make_institution(verified=False)
    await make_member(inst, "ann@example.org")
    await make_member(inst, "bob@example.org")
    opp_id = await make_pending(inst, title="Pending Observership")
    await _staff(client)
    empty = await post_form(client, f"/staff/opportunities/{opp_id}/reject", {"reason": ""})
    assert "needs a reason" in empty.text and (await listings.get(opp_id))["status"] == "pending"

    await post_form(client, f"/staff/opportunities/{opp_id}/reject",
                    {"reason": "The fee is not stated clearly."})
    row = await listings.get(opp_id)
    assert row["status"] == "rejected" and row["rejection_reason"] == "The fee is not stated clearly."
    sent = {m["To"]: m for m in mails(settings)}
    assert set(sent) == {"ann@example.org", "bob@example.org"}
    body = text_of(sent["ann@example.org"])
    assert "The fee is not stated clearly." in body and f"/dashboard/opportunities/{opp_id}/edit" in body
    assert "Pending Observership" in sent["ann@example.org"]["Subject"]

    await post_form(client, "/logout")
    await login(client, "ann@example.org")
    dashboard = await client.get("/dashboard")
    assert "Rejected: The fee is not stated clearly." in dashboard.text


async def test_verify_institution_with_domain_hint_and_outbox_events(client):
    matching = await make_institution(name="Match Hospital", verified=False,
                                      website="https://www.match-hospital.example.org")
    other = await make_institution(name="Gmail Clinic", verified=False, website="https://clinic.example.org")
    await make_member(matching, "ann@match-hospital.example.org")
    await make_member(other, "someone@gmail.example.com")
    published = await make_listing(matching, title="Already Published Listing")
    await make_draft(matching, title="A Draft Listing")
    await _staff(client)
    page = await client.get("/staff/institutions")
    match_card = page.text.split("Match Hospital", 1)[1].split("</article>")[0]
    other_card = page.text.split("Gmail Clinic", 1)[1].split("</article>")[0]
    assert "Email domain matches the website" in match_card
    assert "Email domain matches the website" not in other_card

    # Only the events the verification writes; earlier ones are left alone, because deleting
    # them under a running drain would let SQLite reuse their ids for the new event.
    last = await OutboxEvent.select(OutboxEvent.id).order_by(OutboxEvent.id, ascending=False
                                                             ).first().run()
    done = await post_form(client, f"/staff/institutions/{matching}/verify")
    assert "Institution verified (1 published" in done.text
    assert (await Institution.select().where(Institution.id == matching).first().run())["verified"]
    events = await OutboxEvent.select(OutboxEvent.opportunity_id, OutboxEvent.reason).where(
        OutboxEvent.id > (last["id"] if last else 0)).run()
    assert [(e["opportunity_id"], e["reason"]) for e in events] == [(published, "institution_verified")]
    assert "Match Hospital" not in (await client.get("/staff/institutions")).text
    await wait_for_search(client, lambda hits: any(
        h["id"] == published and h["institution"]["verified"] for h in hits))


async def test_remove_listing_answers_410_and_leaves_search(client):
    inst = await make_institution()
    first = await make_listing(inst, title="Scam Observership One")
    second = await make_listing(inst, title="Scam Observership Two")
    await _staff(client)
    await wait_for_search(client, lambda hits: {first, second} <= {h["id"] for h in hits})
    await post_form(client, f"/staff/opportunities/{first}/remove")
    page = await post_form(client, "/staff/remove", {"listing": f"https://board.example/opportunities/{second}"})
    assert "Removed" in page.text
    for opp_id in (first, second):
        assert (await listings.get(opp_id))["status"] == "removed"
        assert (await client.get(f"/opportunities/{opp_id}")).status_code == 410
    await wait_for_search(client, lambda hits: not {first, second} & {h["id"] for h in hits})
    bad = await post_form(client, "/staff/remove", {"listing": "not a listing"})
    assert "give a listing id" in bad.text
    for odd in ("²", "/opportunities/٣", "9" * 5000):  # "²".isdigit() is true; int("²") raises
        page = await post_form(client, "/staff/remove", {"listing": odd})
        assert page.status_code < 500 and "give a listing id" in page.text
    assert (await post_form(client, "/staff/opportunities/999999/remove")).status_code == 404


async def test_reports_list_and_resolve(client):
    inst = await make_institution(name="Reported Hospital")
    first = await make_listing(inst, title="Reported Listing One")
    second = await make_listing(inst, title="Reported Listing Two")
    r1 = Report(opportunity=first, reason="Asks for a $3000 'placement fee' by wire", email="img@example.org")
    r2 = Report(opportunity=second, reason="The apply link is a WhatsApp number")
    await Report.insert(r1, r2).run()
    await _staff(client)
    page = await client.get("/staff/reports")
    assert "placement fee" in page.text and "WhatsApp" in page.text and "Reported Hospital" in page.text

    await post_form(client, f"/staff/reports/{r1.id}/resolve", {"resolution": "asked the institution"})
    await post_form(client, f"/staff/reports/{r2.id}/resolve", {"resolution": "", "remove_listing": "true"})
    rows = {r["id"]: r for r in await Report.select().run()}
    assert rows[r1.id]["status"] == "resolved" and rows[r1.id]["resolution"] == "asked the institution"
    assert rows[r2.id]["status"] == "resolved" and rows[r2.id]["resolved_at"] is not None
    assert (await listings.get(first))["status"] == "published"
    assert (await listings.get(second))["status"] == "removed"
    assert "placement fee" not in (await client.get("/staff/reports")).text
    assert (await post_form(client, f"/staff/reports/{r1.id}/resolve")).status_code == 404


async def test_job_runs_are_listed_per_job(client):
    now = dt.datetime.now(dt.UTC)
    for i in range(7):
        slot = now - dt.timedelta(hours=i)
        await JobRun.insert(JobRun(key=f"expire:{i}", job="expire", slot=slot, status="done",
                                   started_at=slot, counts={"expired": 10 + i})).run()
    await JobRun.insert(JobRun(key="digest:1", job="digest", slot=now, status="failed",
                               started_at=now, error="SMTP refused")).run()
    await _staff(client)
    page = await client.get("/staff/jobs")
    assert 'data-job="digest"' in page.text and "SMTP refused" in page.text
    assert "expired 10" in page.text and "expired 14" in page.text
    assert "expired 15" not in page.text       # only the last five runs per job
