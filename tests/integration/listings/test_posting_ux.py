"""The institution's side of issue 17 against real servers: the form publishes no fact
nobody stated (no prefilled fee, yes/no facts as required choices), errors come in form
order in people's words, the template CSV re-imports, import errors name row, value and a
suggestion, closing asks first and Reopen puts the listing back in search, a moderator's
approval is mailed (aiosmtpd sink), and the expected review time shows while pending."""

from __future__ import annotations

import re

import pytest

from board.core.fields import BOOL, INPUT_FIELDS
from board.listings import services as listings
from board.mail.transport import Mailer
from board.store.tables import Opportunity, OutboxEvent
from tests.support.factories import listing_data, make_institution, make_listing, make_pending
from tests.support.members import log_in_as, login, make_member, post_form
from tests.support.outbox import wait_for_search

BOOLS = [f.name for f in INPUT_FIELDS if f.type == BOOL]
# What a person's browser posts: the form's marker, every yes/no question answered, the
# fee and the tristate skipped (empty fee, "Not stated").
ANSWERED = {**listing_data(title="Nephrology Observership", specialty="nephrology"),
            "fee_usd": "", "_asked": "1", "remote_from_abroad": "not_stated",
            **{name: "false" for name in BOOLS}}


async def _poster(client, verified: bool = True) -> int:
    inst = await make_institution(verified=verified)
    await make_member(inst, f"post{inst}@example.org")
    await login(client, f"post{inst}@example.org")
    return inst


async def test_a_skipped_fee_and_fact_stay_not_stated_after_publishing(client, runtime):
    await _poster(client)
    form = (await client.get("/dashboard/opportunities/new")).text
    assert not re.search(r'id="f-fee_usd"[^>]*value="0"', form)  # no fee prefilled
    for name in ("ecfmg_required", "j1_sponsored", "remote", "remote_from_abroad"):
        radios = re.findall(rf'<input type="radio" name="{name}"[^>]*>', form)
        assert len(radios) >= 2 and not any("checked" in r for r in radios), name  # none preset
    assert 'list="specialty-options"' in form and '<option value="Cardiovascular disease">' in form
    page = await post_form(client, "/dashboard/opportunities/new", ANSWERED)
    assert page.status_code == 200, page.text[:400]
    [row] = await Opportunity.select(Opportunity.id).run()
    submitted = await post_form(client, f"/dashboard/opportunities/{row['id']}/submit", {})
    assert "Published" in submitted.text
    stored = await listings.get(row["id"])
    assert stored["status"] == "published" and stored["specialty"] == "Nephrology"
    assert stored["fee_usd"] is None and stored["total_cost_usd"] is None
    assert stored["remote_from_abroad"] is None
    public = (await client.get(f"/opportunities/{row['id']}")).text
    assert re.search(r"<dt>Total</dt><dd><strong>Not stated", public)
    assert re.search(r"<dt>From outside the US</dt><dd>Not stated", public)
    assert "Free" not in public


async def test_unanswered_questions_are_errors_listed_in_form_order(client):
    await _poster(client)
    bad = {**ANSWERED, "title": "Obs", "specialty": "Cardiologyy", "ecfmg_required": "",
           "remote_from_abroad": "", "apply_url": "", "duration_weeks": "500"}
    page = await post_form(client, "/dashboard/opportunities/new", bad)
    assert page.status_code == 400
    summary = page.text.split('role="alert"', 1)[1].split("</ol>", 1)[0]
    anchors = re.findall(r'href="#f-([a-z0-9_]+)"', summary)
    assert anchors == ["title", "specialty", "duration_weeks", "ecfmg_required",
                       "remote_from_abroad", "apply_url"], anchors
    assert "did you mean “Cardiovascular disease”?" in summary
    assert "Choose Yes or No".lower() in summary.lower()
    assert "apply_email" not in summary  # field names are spelled as the form's labels
    assert 'value="Cardiologyy"' in page.text  # what was typed is kept
    assert await Opportunity.count().run() == 0


async def test_template_csv_reimports_and_errors_name_row_value_and_suggestion(client):
    await _poster(client)
    dashboard = (await client.get("/dashboard")).text
    assert 'href="/dashboard/import"' in dashboard and 'href="/dashboard/tokens"' in dashboard
    template = await client.get("/dashboard/import/template.csv")
    assert template.status_code == 200 and template.headers["content-type"].startswith("text/csv")
    header, example = template.text.strip().split("\r\n")
    assert header.split(",")[:3] == ["title", "kind", "specialty"]
    ok = await post_form(client, "/dashboard/import",
                         files={"file": ("template.csv", template.content, "text/csv")})
    assert "Imported 1 listings" in ok.text, ok.text[:500]
    bad = template.text.replace("Internal medicine", "Cardiology").encode()
    page = await post_form(client, "/dashboard/import",
                           files={"file": ("bad.csv", bad, "text/csv")})
    assert page.status_code == 400
    row = re.search(r"<tr><td class=\"num\" data-label=\"Row\">1</td>.*?</tr>", page.text, re.S)
    assert row and "<code>specialty</code>" in row.group(0)
    assert "<code>Cardiology</code>" in row.group(0)
    assert "<code>Cardiovascular disease</code>" in row.group(0)
    assert await Opportunity.count().run() == 1


async def test_close_asks_first_and_reopen_puts_it_back_in_search(client, runtime):
    inst = await _poster(client)
    opp = await make_listing(inst, title="Reopenable hepatology observership",
                             specialty="Gastroenterology")
    dashboard = (await client.get("/dashboard")).text
    assert f'href="/dashboard/opportunities/{opp}/close"' in dashboard
    confirm = await client.get(f"/dashboard/opportunities/{opp}/close")
    assert confirm.status_code == 200 and "Close the listing" in confirm.text
    assert (await listings.get(opp))["status"] == "published"  # asking changes nothing
    await post_form(client, f"/dashboard/opportunities/{opp}/close", {})
    assert (await listings.get(opp))["status"] == "closed"
    await wait_for_search(client, lambda hits: opp not in [h["id"] for h in hits],
                          specialty="Gastroenterology")
    assert "Reopen" in (await client.get("/dashboard")).text
    page = await post_form(client, f"/dashboard/opportunities/{opp}/reopen", {})
    assert "back in search" in page.text
    assert (await listings.get(opp))["status"] == "published"
    assert await OutboxEvent.exists().where((OutboxEvent.opportunity_id == opp)
                                            & (OutboxEvent.reason == "reopen")).run()
    await wait_for_search(client, lambda hits: opp in [h["id"] for h in hits],
                          specialty="Gastroenterology")


@pytest.fixture
def mailing(runtime, smtp, tmp_path):
    runtime.mailer = Mailer(smtp.url, tmp_path / "mail", runtime.settings.mail_from)
    return smtp


async def test_approval_and_verification_are_mailed_and_review_time_shown(
        runtime, mailing, client):  # the mailer is swapped before the client borrows it
    inst = await make_institution(verified=False)
    host = await make_member(inst, f"host{inst}@example.org")
    opp = await make_pending(inst, title="Pending rheumatology observership")
    await log_in_as(client, host)
    dashboard = (await client.get("/dashboard")).text
    assert f"within {runtime.settings.review_time_hours} hours" in dashboard
    staff = await make_member(None, f"staff{inst}@example.org", staff=True)
    await post_form(client, "/logout", {})
    await log_in_as(client, staff)
    await post_form(client, f"/staff/opportunities/{opp}/approve", {})
    await post_form(client, f"/staff/institutions/{inst}/verify", {})
    subjects = [str(m["Subject"]) for m in mailing.to(host["email"])]
    assert "Your listing is live: Pending rheumatology observership" in subjects, subjects
    assert any("is verified" in s for s in subjects), subjects
    [approved] = [m for m in mailing.to(host["email"]) if "live" in str(m["Subject"])]
    assert f"/opportunities/{opp}" in approved.get_body(("plain",)).get_content()
