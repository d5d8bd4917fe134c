"""The institution dashboard: create (with per-field errors), preview, submit (published or
pending with reasons), edit, renew and close, against the real store and Meilisearch."""

from __future__ import annotations

import datetime as dt
import re

from board.indexing.gateway import as_utc
from board.listings import services as listings
from board.store.tables import Opportunity
from tests.support.factories import listing_data, make_draft, make_institution, make_listing
from tests.support.members import login, make_member, post_form
from tests.support.outbox import wait_for_search

FORM = {**listing_data(title="Cardiology Research Fellowship", kind="research",
                       specialty="Cardiovascular disease", description="Work on *outcomes* data."),
        "duration_weeks": "12", "lor_offered": "true", "b1b2_accepted": "true",
        "max_years_since_graduation": "5"}


async def _member(client, verified: bool = True, name: str | None = None) -> int:
    inst = await make_institution(name=name, verified=verified)
    await make_member(inst, f"poster{inst}@example.org")
    await login(client, f"poster{inst}@example.org")
    return inst


async def test_anonymous_visitors_are_sent_to_login(client):
    page = await client.get("/dashboard/opportunities/new", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/login?next=/dashboard/opportunities/new"
    followed = await client.get("/dashboard")
    assert followed.url.path == "/login" and 'name="next" value="/dashboard"' in followed.text


async def test_form_errors_are_shown_next_to_each_field_and_values_kept(client):
    await _member(client)
    form = await client.get("/dashboard/opportunities/new")
    for field in ("title", "kind", "specialty", "state", "city", "remote", "hands_on", "description",
                  "duration_weeks", "start_date", "application_deadline", "fee_usd", "stipend_usd",
                  "lor_offered", "ecfmg_required", "usmle_step1_required", "usmle_step2ck_required",
                  "max_years_since_graduation", "b1b2_accepted", "j1_sponsored", "visa_notes",
                  "apply_url", "apply_email", "expires_at"):
        assert f'name="{field}"' in form.text, field
    bad = {**FORM, "title": "Hi", "specialty": "Wizardry", "duration_weeks": "500",
           "apply_url": "http://insecure.example.org", "start_date": "2027-01-01",
           "application_deadline": "2027-02-01"}
    page = await post_form(client, "/dashboard/opportunities/new", bad)
    assert page.status_code == 400
    for field in ("title", "specialty", "duration_weeks", "apply_url", "application_deadline"):
        assert f'id="{field}-error"' in page.text, field
        assert re.search(f'id="f-{field}"[^>]*aria-describedby="[^"]*{field}-error', page.text), field
    assert "must be between 1 and 104" in page.text
    assert 'value="http://insecure.example.org"' in page.text          # values kept
    assert re.search(r'name="lor_offered" value="true" checked', page.text)  # yes/no answers too
    assert '<option value="research" selected>' in page.text
    assert await Opportunity.count().run() == 0


async def test_create_preview_submit_publishes_for_a_verified_institution(client):
    await _member(client)
    page = await post_form(client, "/dashboard/opportunities/new", FORM)
    assert page.url.path.endswith("/preview") and "Draft saved" in page.text
    assert "<em>outcomes</em>" in page.text                   # rendered like the public page
    assert "Cardiology Research Fellowship" in page.text and "Submit for publication" in page.text
    opp_id = int(page.url.path.split("/")[3])
    row = await listings.get(opp_id)
    assert row["status"] == "draft" and row["duration_weeks"] == 12 and row["lor_offered"] is True
    assert row["max_years_since_graduation"] == 5 and row["ecfmg_required"] is False

    done = await post_form(client, f"/dashboard/opportunities/{opp_id}/submit")
    assert done.url.path == "/dashboard" and "Published" in done.text
    assert (await listings.get(opp_id))["status"] == "published"
    await wait_for_search(client, lambda hits: [h["id"] for h in hits] == [opp_id], q="Cardiology")


async def test_unverified_or_red_flagged_listings_wait_for_review_with_reasons(client):
    await _member(client, verified=False)
    page = await post_form(client, "/dashboard/opportunities/new", FORM)
    opp_id = int(page.url.path.split("/")[3])
    done = await post_form(client, f"/dashboard/opportunities/{opp_id}/submit")
    assert "Submitted for review" in done.text and "not verified" in done.text
    assert (await listings.get(opp_id))["status"] == "pending"

    await post_form(client, "/logout")
    await _member(client, verified=True)
    flagged = {**FORM, "description": "Guaranteed letter of recommendation!", "fee_usd": "9000"}
    page = await post_form(client, "/dashboard/opportunities/new", flagged)
    assert "guaranteed letter" in page.text                 # the preview warns before submit
    opp_id = int(page.url.path.split("/")[3])
    done = await post_form(client, f"/dashboard/opportunities/{opp_id}/submit")
    assert "Submitted for review" in done.text and "fee above" in done.text
    assert "Under review" in done.text
    assert (await listings.get(opp_id))["status"] == "pending"


async def test_edit_shows_stored_values_and_saves(client):
    inst = await _member(client)
    opp_id = await make_draft(inst, title="Old Title Here", fee_usd=250)
    form = await client.get(f"/dashboard/opportunities/{opp_id}/edit")
    assert 'value="Old Title Here"' in form.text and 'value="250"' in form.text
    page = await post_form(client, f"/dashboard/opportunities/{opp_id}/edit",
                           {**FORM, "title": "New Title Here"})
    assert "Changes saved" in page.text
    assert (await listings.get(opp_id))["title"] == "New Title Here"


async def test_dashboard_table_renew_and_close(client):
    inst = await _member(client)
    now = dt.datetime.now(dt.UTC)
    opp_id = await make_listing(inst, title="Renewable Observership", now=now - dt.timedelta(days=50))
    await Opportunity.update({Opportunity.views: 321, Opportunity.apply_clicks: 45}).where(
        Opportunity.id == opp_id).run()
    before = as_utc((await listings.get(opp_id))["expires_at"])
    page = await client.get("/dashboard")
    assert "Renewable Observership" in page.text and ">321<" in page.text and ">45<" in page.text
    assert before.date().isoformat() in page.text
    assert f'action="/dashboard/opportunities/{opp_id}/renew"' in page.text

    renewed = await post_form(client, f"/dashboard/opportunities/{opp_id}/renew")
    after = as_utc((await listings.get(opp_id))["expires_at"])
    assert after > before and "Renewed" in renewed.text and after.date().isoformat() in renewed.text

    closed = await post_form(client, f"/dashboard/opportunities/{opp_id}/close")
    assert "Closed" in closed.text and (await listings.get(opp_id))["status"] == "closed"
    public = await client.get(f"/opportunities/{opp_id}")
    assert public.status_code == 200 and "no longer accepts applicants" in public.text
    # A closed listing cannot be renewed: a message, not an error page.
    again = await post_form(client, f"/dashboard/opportunities/{opp_id}/renew")
    assert again.url.path == "/dashboard" and "cannot be renewed" in again.text


async def test_a_staff_account_without_institution_goes_to_the_staff_area(client):
    await make_member(None, "mod@example.org", staff=True)
    page = await login(client, "mod@example.org")
    assert page.url.path == "/staff"
    assert (await client.get("/dashboard")).url.path == "/staff"
    assert (await client.get("/dashboard/opportunities/new")).status_code == 404


async def test_renew_clicks_do_not_stack_past_a_year(client):
    # Before: twenty clicks on "renew" put the expiry ~3 years out.
    inst = await make_institution()
    opp = await make_listing(inst)
    for _ in range(20):
        expires = await listings.renew(opp, inst)
    stored = as_utc((await listings.get(opp))["expires_at"])
    assert stored == expires
    assert stored <= dt.datetime.now(dt.UTC) + dt.timedelta(days=365)
