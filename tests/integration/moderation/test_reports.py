"""Report a listing: stored for the moderators, validated, limited per address and per
listing; unknown, unpublished and removed listings cannot be reported."""

from __future__ import annotations

import pytest

from board.core.validation import ValidationErrors
from board.moderation import reports as listing_reports
from board.store.tables import Report
from tests.support.factories import make_closed, make_draft, make_institution, make_listing, make_removed
from tests.support.members import post_form


def test_clean_report_rules():
    assert listing_reports.clean_report({"reason": "  Asks for a $9,000 fee  ", "email": ""}) == {
        "category": "other", "reason": "Asks for a $9,000 fee", "email": ""}
    with pytest.raises(ValidationErrors) as caught:
        listing_reports.clean_report({"reason": "bad", "email": "not-an-email"})
    assert set(caught.value.errors) == {"reason", "email"}
    with pytest.raises(ValidationErrors):
        listing_reports.clean_report({"reason": "x" * 2001})


async def test_a_report_is_stored_and_thanked(client):
    opp = await make_listing(await make_institution())
    page = await client.get(f"/opportunities/{opp}")
    assert f'href="/opportunities/{opp}/report"' in page.text  # the listing links the form
    form = await client.get(f"/opportunities/{opp}/report")
    assert f'action="/opportunities/{opp}/report"' in form.text
    resp = await post_form(client, f"/opportunities/{opp}/report",
                           {"reason": "They asked me to pay through Telegram.",
                            "email": "Visitor@Example.org"})
    assert resp.status_code == 200 and resp.url.path == f"/opportunities/{opp}"
    assert resp.history[0].status_code == 303
    assert "your report was sent to our moderators" in resp.text
    rows = await Report.select().run()
    assert len(rows) == 1
    assert rows[0]["opportunity"] == opp and rows[0]["status"] == "open"
    assert rows[0]["reason"] == "They asked me to pay through Telegram."
    assert rows[0]["email"] == "Visitor@example.org"


async def test_bad_input_is_400_with_the_form_kept(client):
    opp = await make_listing(await make_institution())
    resp = await post_form(client, f"/opportunities/{opp}/report",
                           {"reason": "bad", "email": "nope"})
    assert resp.status_code == 400
    assert "Details: say what is wrong in 5 to 2000 characters" in resp.text
    assert 'id="report-email-error"' in resp.text and 'value="nope"' in resp.text
    assert 'aria-describedby="report-reason-hint report-reason-error"' in resp.text
    assert await Report.count().run() == 0


async def test_unknown_unpublished_and_removed_listings(client):
    inst = await make_institution()
    draft = await make_draft(inst)
    removed = await make_removed(inst)
    closed = await make_closed(inst)
    data = {"reason": "Looks like a scam to me."}
    assert (await post_form(client, "/opportunities/987654/report", data)).status_code == 404
    assert (await post_form(client, f"/opportunities/{draft}/report", data)).status_code == 404
    assert (await post_form(client, f"/opportunities/{removed}/report", data)).status_code == 410
    assert (await post_form(client, f"/opportunities/{closed}/report", data)).status_code == 200
    assert [r["opportunity"] for r in await Report.select(Report.opportunity).run()] == [closed]


async def test_reports_need_the_csrf_token(client):
    opp = await make_listing(await make_institution())
    await client.get(f"/opportunities/{opp}")
    resp = await client.post(f"/opportunities/{opp}/report", data={"reason": "No token here."})
    assert resp.status_code == 403
    assert await Report.count().run() == 0


async def test_reports_are_limited_per_client_address(client):
    inst = await make_institution()
    first, second = await make_listing(inst), await make_listing(inst)
    for n in range(5):
        target = first if n % 2 else second
        resp = await post_form(client, f"/opportunities/{target}/report", {"reason": f"Report {n} text"})
        assert resp.status_code == 200
    blocked = await post_form(client, f"/opportunities/{first}/report", {"reason": "One too many"})
    assert blocked.status_code == 429 and "several reports" in blocked.text
    assert await Report.count().run() == 5


async def test_reports_are_limited_per_listing(client):
    opp = await make_listing(await make_institution())
    # Earlier reports from other addresses, within the hour.
    for n in range(listing_reports.PER_LISTING_PER_HOUR):
        await listing_reports.file_report(opp, {"reason": f"report {n}", "email": ""})
    resp = await post_form(client, f"/opportunities/{opp}/report", {"reason": "Yet another one"})
    assert resp.status_code == 429 and "already looking at it" in resp.text
    assert await Report.count().run() == listing_reports.PER_LISTING_PER_HOUR
