"""Scenario 2: an IMG subscribes from a search, confirms from the mail (read from the real
test SMTP server), receives a digest with the new matching listing only, and unsubscribes
with one click from the digest; the next digest run sends nothing. Once with JavaScript and
once without: every step is a plain link or form."""

from __future__ import annotations

import datetime as dt

import pytest

from board.digests.tasks import run_digest
from board.indexing.gateway import utcnow
from tests.browser.axe import audit_if
from tests.browser.conftest import indexed, link_in, mail_to, text_of
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser

EMAIL = "amina.img@example.org"
CARDIO = "Cardiovascular disease"


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_subscribe_confirm_digest_unsubscribe(runtime, smtp, new_page, js):
    base = runtime.settings.base_url
    inst = await make_institution("Lakeside Heart Institute", state="NY", city="New York")
    await make_listing(inst, title="Cardiology Observership, Lakeside", specialty=CARDIO, state="NY")
    await indexed(runtime)
    problems: list[str] = []

    page = await new_page(js=js)
    await page.goto("/?state=NY&specialty=Cardiovascular+disease")
    await page.get_by_role("link", name="Subscribe to this search").click()
    await page.wait_for_url("**/subscribe?*")
    summary = await page.locator("#filters-heading + .chips").inner_text()
    assert "New York" in summary and CARDIO in summary, summary
    problems += await audit_if(js, page, "subscribe-form")

    await page.get_by_label("Email address").fill(EMAIL)
    await page.get_by_role("button", name="Subscribe").click()
    await page.get_by_role("heading", name="Check your inbox").wait_for()
    problems += await audit_if(js, page, "subscribe-sent")

    confirm_mail = await mail_to(smtp, EMAIL, "Confirm")
    await page.goto(link_in(confirm_mail, base, "/subscribe/confirm/"))
    await page.get_by_role("button", name="Confirm my subscription").click()
    await page.get_by_role("heading", name="You are subscribed").wait_for()
    problems += await audit_if(js, page, "subscribe-confirmed")

    # After confirming: one new listing that matches, one that does not. Published a few
    # seconds on: the digest compares whole seconds, so the same second would not be "after".
    later = utcnow() + dt.timedelta(seconds=3)
    await make_listing(inst, title="Interventional Cardiology Externship, Lakeside",
                       specialty=CARDIO, state="NY", now=later)
    await make_listing(inst, title="Dermatology Observership, Lakeside", specialty="Dermatology",
                       state="NY", now=later)
    await indexed(runtime)
    counts = await run_digest(runtime, utcnow() + dt.timedelta(minutes=1))
    assert counts["sent"] == 1, counts
    digest = await mail_to(smtp, EMAIL, "for you this week")
    body = text_of(digest)
    assert "Interventional Cardiology Externship, Lakeside" in body
    assert "Dermatology" not in body
    assert "List-Unsubscribe=One-Click" in str(digest["List-Unsubscribe-Post"])

    await page.goto(link_in(digest, base, "/unsubscribe/"))
    problems += await audit_if(js, page, "unsubscribe")
    await page.get_by_role("button", name="Unsubscribe").click()
    await page.get_by_role("heading", name="You are unsubscribed").wait_for()
    problems += await audit_if(js, page, "unsubscribed")

    next_week = await run_digest(runtime, utcnow() + dt.timedelta(days=8))
    assert next_week["sent"] == 0, next_week
    assert len(smtp.to(EMAIL)) == 2  # the confirmation and one digest, nothing after
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []
