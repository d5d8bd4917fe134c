"""Issue 17 in the browser: the moderator's queue shows the flagged phrase highlighted and
the institution's evidence, Remove opens a confirmation; an IMG subscribes from the search
results with the inline box (JavaScript on: htmx swaps in "Check your inbox"; off: the plain
form post), and a manage page opens its alert in search as "Update this alert". axe-clean at
375 and 1280 px (tests.browser.axe.audit), screenshots in tests/artifacts/."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from board.core.passwords import hash_password_sync
from board.digests import subscriptions
from board.indexing.gateway import utcnow
from board.store.tables import Member, Subscriber
from tests.browser.axe import audit
from tests.browser.conftest import indexed, mail_to
from tests.support.factories import make_institution, make_listing, make_pending

pytestmark = pytest.mark.browser

STAFF = "moderator@imgboard.example"
STAFF_PW = "moderator password 1"


async def _log_in(page: Page, email: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.locator("main").get_by_role("button", name="Log in").click()
    await page.wait_for_load_state()


async def test_staff_queue_shows_highlight_evidence_and_confirms_remove(runtime, new_page):
    inst = await make_institution("Gmail Observerships LLC", verified=False,
                                  website="https://gmail-observerships.example")
    await Member(institution=inst, email="founder@gmail.com", name="Founder",
                 email_verified_at=utcnow()).save().run()
    await make_pending(inst, title="Guaranteed letter observership",
                       description="Four weeks in clinic. A guaranteed letter of recommendation "
                                   "for every participant.")
    await Member(email=STAFF, name="Moderator", password_hash=hash_password_sync(STAFF_PW),
                 is_staff=True, email_verified_at=utcnow()).save().run()
    page = await new_page()
    await _log_in(page, STAFF, STAFF_PW)
    await page.goto("/staff")
    card = page.locator("article", has_text="Guaranteed letter observership")
    marked = await card.locator(".queue-description mark").first.inner_text()
    assert "guaranteed letter of recommendation" in marked.lower()
    evidence = await card.locator(".evidence").inner_text()
    assert "https://gmail-observerships.example" in evidence and "Webmail only" in evidence
    assert "Members\n1" in evidence or "Members 1" in evidence.replace("\n", " ")
    assert "(1)" in await page.get_by_role("link", name="Pending queue").inner_text()
    problems = await audit(page, "staff-queue-evidence")
    # Remove first explains itself; only the second button removes.
    await card.locator("summary", has_text="Remove").click()
    confirm = card.get_by_role("button", name="Yes, remove Guaranteed letter observership")
    await confirm.wait_for()
    assert "Reject" in await card.locator(".confirm-remove__body").inner_text()
    await page.goto("/staff/jobs")
    problems += await audit(page, "staff-jobs")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_inline_subscribe_from_the_results(runtime, smtp, new_page, js):
    inst = await make_institution("Hudson Teaching Hospital", state="NY", city="Albany")
    await make_listing(inst, title="Nephrology Observership, Hudson", state="NY")
    await indexed(runtime)
    email = f"inline-{'js' if js else 'nojs'}@example.org"
    page = await new_page(js=js)
    await page.goto("/?state=NY")
    box = page.locator("#subscribe-inline")
    assert "every Monday" in await box.inner_text()
    problems = await audit(page, "search-subscribe-inline") if js else []
    await box.get_by_label("Your email address").fill(email)
    await box.get_by_role("button", name="Email me new matches").click()
    if js:
        await box.get_by_role("heading", name="Check your inbox").wait_for()
        assert "state=NY" in page.url  # swapped in place: still the search
    else:
        await page.get_by_role("heading", name="Check your inbox").wait_for()
    await mail_to(smtp, email, "Confirm")
    row = await Subscriber.select().where(Subscriber.email == email).first().run()
    assert subscriptions.stored_filters(row) == {"state": ["NY"]}

    # Its manage page shows the filters as chips and opens them in search to update.
    await subscriptions.confirm(row)
    token = subscriptions.token_for(row, "manage", runtime.settings.signing_keys)
    await page.goto(f"/manage/{token}")
    assert "New York" in await page.locator("#current-heading + .chips").inner_text()
    if js:
        problems += await audit(page, "manage-alert")
    await page.get_by_role("link", name="Edit in search").click()
    update = page.locator("#subscribe-inline").get_by_role("button", name="Update this alert")
    await update.wait_for()
    await update.click()
    if js:
        await page.locator("#subscribe-inline").get_by_role("heading", name="Alert updated").wait_for()
    else:
        await page.get_by_text("Your alert now uses the search's filters.").wait_for()
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []
