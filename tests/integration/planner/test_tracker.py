"""The outreach tracker against the real store and a real SMTP server: add, edit and delete
programs (errors at the field, 400), the shortlisted listings with their status, owners only;
marking a listing "completed" asks its host once, whose recording opens the review link."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from board.indexing.gateway import utcnow
from board.mail.transport import Mailer
from board.planner.tables import Planner
from board.planner.tracker_tables import FollowUpSent, TrackerEntry
from board.store.tables import Completion
from tests.support.app import app_client
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, log_in_as, make_member, post_form


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    runtime.mailer.retry_delays = (0.05,)
    return smtp


async def _post(client, url: str, data: dict[str, str]):
    token = await csrf_token(client, "/tracker")
    return await client.post(url, data={**data, "_csrf_token": token})


async def _sign_in_as(planner_email: str) -> int:
    """The session's planner made an account (what a magic link does, board.planner.signin)."""
    row = await Planner.select(Planner.id).order_by(Planner.id, ascending=False).first().run()
    await Planner.update({Planner.email: planner_email, Planner.confirmed_at: utcnow()}).where(
        Planner.id == row["id"]).run()
    return row["id"]


async def test_tracker_add_edit_delete_with_errors_at_the_field(client):
    empty = await client.get("/tracker")
    assert empty.status_code == 200 and "Nothing shortlisted yet" in empty.text
    assert await Planner.count().run() == 0  # reading makes no planner

    bad = await _post(client, "/tracker/entries", {
        "program_name": "", "url": "javascript:alert(1)", "status": "maybe",
        "last_contact_on": "2026-11-20", "follow_up_on": "2026-11-01"})
    assert bad.status_code == 400
    for fid, words in [("new-program_name", "give the program"),
                       ("new-url", "starting with https://"), ("new-status", "choose one of"),
                       ("new-follow_up_on", "before the last contact")]:
        assert re.search(rf'id="{fid}-error">[^<]*{words}', bad.text), fid
    assert 'aria-invalid="true"' in bad.text and await TrackerEntry.count().run() == 0
    assert (await _post(client, "/tracker/entries", {"program_name": "Mercy", "status": "x",
                                                     "follow_up_on": "29/11/2026"})
            ).status_code == 400

    ok = await _post(client, "/tracker/entries", {
        "program_name": "St. Elsewhere Cardiology", "contact": "coordinator@elsewhere.example",
        "url": "https://elsewhere.example/observe", "status": "contacted",
        "last_contact_on": "2026-11-01", "follow_up_on": "2026-11-15", "notes": "Sent CV"})
    assert ok.status_code == 200 and "Added St. Elsewhere Cardiology" in ok.text
    [row] = await TrackerEntry.select().run()
    assert row["status"] == "contacted" and row["follow_up_on"] == dt.date(2026, 11, 15)
    assert row["opportunity"] is None and row["notes"] == "Sent CV"

    edited = await _post(client, f"/tracker/entries/{row['id']}", {
        "program_name": "St. Elsewhere Cardiology", "status": "applied",
        "last_contact_on": "2026-11-16", "follow_up_on": ""})
    assert edited.status_code == 200
    after = await TrackerEntry.select().first().run()
    assert after["status"] == "applied" and after["follow_up_on"] is None
    invalid_edit = await _post(client, f"/tracker/entries/{row['id']}", {
        "program_name": "x" * 201, "status": "applied"})
    assert invalid_edit.status_code == 400
    assert f'id="entry-{row["id"]}-program_name-error"' in invalid_edit.text

    # Another visitor cannot see, edit or delete it.
    async with app_client(client.app) as other:
        page = await other.get("/tracker")
        assert "St. Elsewhere" not in page.text
        assert (await _post(other, f"/tracker/entries/{row['id']}", {
            "program_name": "Mine now", "status": "planned"})).status_code == 404
        assert (await _post(other, f"/tracker/entries/{row['id']}/delete", {})).status_code == 404
    assert (await TrackerEntry.select().first().run())["program_name"] == "St. Elsewhere Cardiology"

    gone = await _post(client, f"/tracker/entries/{row['id']}/delete", {})
    assert gone.status_code == 200 and "Removed from your tracker" in gone.text
    assert await TrackerEntry.count().run() == 0


async def test_shortlisted_listings_get_a_status_and_completed_asks_the_host(
        runtime, mailing, client):
    inst = await make_institution(name="Tracker Teaching Hospital")
    host = await make_member(inst)
    opp = await make_listing(inst, title="Tracked nephrology observership")
    assert (await post_form(client, f"/shortlist/{opp}")).status_code == 200
    page = await client.get("/tracker")
    assert "Tracked nephrology observership" in page.text
    assert f'action="/tracker/listings/{opp}"' in page.text and 'id="listing-' in page.text

    contacted = await _post(client, f"/tracker/listings/{opp}", {
        "status": "contacted", "last_contact_on": "2026-11-01"})
    assert contacted.status_code == 200
    bad = await _post(client, f"/tracker/listings/{opp}", {"status": "done"})
    assert bad.status_code == 400 and f'id="listing-{opp}-status-error"' in bad.text
    assert (await _post(client, "/tracker/listings/987654", {"status": "planned"})
            ).status_code == 404

    # Anonymous: nobody to send a review link to, so the host is not asked.
    anon = await _post(client, f"/tracker/listings/{opp}", {"status": "completed"})
    assert "Sign in with your email" in anon.text and mailing.messages == []
    await _post(client, f"/tracker/listings/{opp}", {"status": "applied"})

    await _sign_in_as("img.tracker@example.org")
    done = await _post(client, f"/tracker/listings/{opp}", {"status": "completed"})
    assert "asked the host to confirm" in done.text
    [ask] = mailing.messages
    assert str(ask["To"]) == host["email"] and "Tracked nephrology" in ask["Subject"]
    text = ask.get_body(("plain",)).get_content()
    path = re.search(r"https?://[^/\s]+(/dashboard/completions\?\S+)", text).group(1)
    assert "img.tracker%40example.org" in path
    # Saving "completed" again, or back and forth, never asks twice.
    await _post(client, f"/tracker/listings/{opp}", {"status": "applied"})
    await _post(client, f"/tracker/listings/{opp}", {"status": "completed"})
    assert len(mailing.messages) == 1

    # The host's confirmation is the existing completion, which mails the review link.
    async with app_client(client.app) as host_client:
        await log_in_as(host_client, host)
        form = await host_client.get(path.split("#")[0])
        assert 'value="img.tracker@example.org"' in form.text
        assert f'value="{opp}" selected' in form.text
        today = dt.date.today()
        recorded = await post_form(host_client, "/dashboard/completions", {
            "opportunity_id": str(opp), "participant_email": "img.tracker@example.org",
            "starts_on": (today - dt.timedelta(days=30)).isoformat(),
            "ends_on": (today - dt.timedelta(days=1)).isoformat()})
        assert recorded.status_code == 200 and "was sent a link" in recorded.text
    assert await Completion.count().run() == 1
    invite = mailing.to("img.tracker@example.org")
    assert len(invite) == 1 and "/review/" in invite[0].get_body(("plain",)).get_content()


async def test_deleting_an_entry_takes_its_ledger(client):
    await _post(client, "/tracker/entries", {"program_name": "Ledger", "status": "contacted"})
    row = await TrackerEntry.select().first().run()
    await FollowUpSent.insert(FollowUpSent(key=f"{row['id']}:2026-11-01", entry=row["id"],
                                           due_on=dt.date(2026, 11, 1))).run()
    await _post(client, f"/tracker/entries/{row['id']}/delete", {})
    assert await FollowUpSent.count().run() == 0


async def test_signing_in_brings_the_tracker_along_and_export_holds_it(store):
    from board.planner import account, merge
    from board.planner.identity import create_planner

    inst = await make_institution()
    opp = await make_listing(inst)
    visitor = await create_planner()
    member = await create_planner(email="img.merge@example.org", confirmed_at=utcnow())
    for planner, status in ((visitor, "contacted"), (member, "applied")):
        await TrackerEntry.insert(TrackerEntry(planner=planner.id, opportunity=opp,
                                               status=status)).run()
    await TrackerEntry.insert(TrackerEntry(planner=visitor.id, program_name="Off board")).run()
    await merge.merge_into(visitor.id, member.id)
    rows = await TrackerEntry.select(TrackerEntry.planner, TrackerEntry.status,
                                     TrackerEntry.program_name).run()
    assert sorted((r["status"], r["program_name"]) for r in rows) == [
        ("applied", ""), ("planned", "Off board")]  # the account's entry of the listing wins
    assert {r["planner"] for r in rows} == {member.id}
    exported = await account.export(member.id)
    assert sorted(r["program_name"] for r in exported["tracker_entry"]) == ["", "Off board"]
    await account.delete(member.id)
    assert await TrackerEntry.count().run() == 0
