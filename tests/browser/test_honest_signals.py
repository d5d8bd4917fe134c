"""Honest signals in a real browser, with JavaScript on and off: a host confirms a listing
from the reconfirm mail's link; a participant writes a review from theirs; a visitor sees
the "reported closed" badge, the confirmation age and the review summary on the search card
and the listing page. Every page on the way is checked with axe at both widths."""

from __future__ import annotations

import datetime as dt

import pytest

from board.listings import reconfirm
from board.listings import services as listings
from board.moderation import reports
from board.reviews import services as reviews
from tests.browser.axe import audit_if
from tests.browser.conftest import indexed, link_in, mail_to
from tests.support.factories import make_institution, make_listing
from tests.support.members import make_member

pytestmark = pytest.mark.browser

DAY = dt.timedelta(days=1)
TITLE = "Endocrinology Observership at Riverside"
PARTICIPANT = "participant@example.org"


async def _reviewed_by_two_others(runtime, inst: int, opp: int) -> None:
    today = dt.date.today()
    for n, overall in enumerate(("4", "3")):
        clean = {"participant_email": f"other{n}@example.org", "opportunity_id": opp,
                 "starts_on": today - 40 * DAY, "ends_on": today - 10 * DAY}
        completion = await reviews.record_completion(runtime, inst, clean)
        await reviews.submit_review(completion, reviews.clean_review({
            "overall": overall, "teaching": "4", "hands_on": "4", "organisation": "4",
            "letter": "yes", "costs_as_advertised": "yes", "body": "Well organised.",
            "country": "Nigeria"}))


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_host_confirms_participant_reviews_visitor_sees_signals(runtime, smtp, new_page,
                                                                       js):
    base = runtime.settings.base_url
    problems: list[str] = []
    now = dt.datetime.now(dt.UTC)
    inst = await make_institution(name="Riverside Teaching Hospital")
    host = await make_member(inst, email="coordinator@riverside.example.org")
    opp = await make_listing(inst, now=now - 31 * DAY, title=TITLE,
                             specialty="Endocrinology, diabetes, and metabolism",
                             expires_at=(now + 100 * DAY).date().isoformat())

    # The host confirms from the mail's link (no login).
    assert (await reconfirm.send_reconfirmations(runtime, now))["sent"] == 1
    mail = await mail_to(smtp, host["email"], "still accepting")
    page = await new_page(js=js)
    await page.goto(link_in(mail, base, "/reconfirm/"))
    problems += await audit_if(js, page, "reconfirm")
    await page.get_by_role("button", name="Yes, still accepting applicants").click()
    await page.wait_for_load_state()
    assert "confirmed open today" in await page.locator("main").inner_text()
    assert (await listings.get(opp))["confirmed_at"] > now - DAY

    # A participant reviews from their link.
    today = dt.date.today()
    await reviews.record_completion(runtime, inst, {
        "participant_email": PARTICIPANT, "opportunity_id": opp,
        "starts_on": today - 30 * DAY, "ends_on": today - 2 * DAY})
    invite = await mail_to(smtp, PARTICIPANT, "Review it")
    await page.goto(link_in(invite, base, "/review/"))
    problems += await audit_if(js, page, "review-form")
    for legend, value in (("Overall", "5"), ("Teaching", "5"), ("Hands-on as advertised", "4"),
                          ("Organisation", "5")):
        await page.get_by_role("group", name=legend).get_by_label(value, exact=True).check()
    await page.get_by_role("group", name="letter of recommendation").get_by_label("Yes").check()
    await page.get_by_role("group", name="costs as advertised").get_by_label("Yes").check()
    await page.get_by_label("Your review").fill("Excellent teaching, letters as promised.")
    await page.get_by_role("textbox", name="Country").fill("Pakistan")
    await page.get_by_role("button", name="Publish my review").click()
    await page.wait_for_load_state()
    assert "your review was saved" in (await page.locator("main").inner_text()).lower()
    problems += await audit_if(js, page, "review-saved")

    # Two more reviews and three distinct "closed" reports: the visitor sees it all.
    await _reviewed_by_two_others(runtime, inst, opp)
    for n in range(3):
        await reports.file_report(opp, {"category": "closed_or_full", "reason": "", "email": ""},
                                  reporter=f"reporter-{n}")
    await indexed(runtime)
    visitor = await new_page(js=js)
    await visitor.goto("/?q=Endocrinology+Riverside")
    card = visitor.locator(".result-card", has_text=TITLE)
    card_text = await card.inner_text()
    assert "Reported closed by visitors" in card_text and "Confirmed open today" in card_text
    assert "Rated 4.0/5 by 3 participants" in card_text
    problems += await audit_if(js, visitor, "search-signals")
    await card.get_by_role("link", name=TITLE).click()
    await visitor.wait_for_load_state()
    main = await visitor.locator("main").inner_text()
    assert "Reported closed by visitors" in main and "4.0 of 5 (3 reviews)" in main
    assert "3 of 3 who asked" in main and "an IMG from Pakistan" in main
    problems += await audit_if(js, visitor, "listing-signals")
    await visitor.get_by_role("link", name="More about Riverside Teaching Hospital").click()
    await visitor.wait_for_load_state()
    assert "Rated 4.0 of 5 by 3 participants" in await visitor.locator("main").inner_text()
    problems += await audit_if(js, visitor, "institution")
    assert not problems, "\n".join(problems)
    assert not page.console_errors and not visitor.console_errors
