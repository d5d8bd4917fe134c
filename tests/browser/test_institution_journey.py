"""Scenario 3: an institution signs up, verifies its email from the mail, posts a listing
that fails validation first, fixes it, previews and submits it; a moderator approves it; an
IMG then finds it in search. Every page on the way is checked with axe at both widths; the
same journey also runs with JavaScript disabled."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from board.core.passwords import hash_password_sync
from board.indexing.gateway import utcnow
from board.store.tables import Member
from tests.browser.axe import audit_if
from tests.browser.conftest import indexed, link_in, mail_to

pytestmark = pytest.mark.browser

POSTER = "dr.osei@lakeshore-clinic.example.org"
POSTER_PW = "correct horse battery"
STAFF = "moderator@imgboard.example"
STAFF_PW = "moderator password 1"
TITLE = "Pulmonology Observership at Lakeshore Clinic"


async def _log_in(page: Page, email: str, password: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(password)
    await page.locator("main").get_by_role("button", name="Log in").click()
    await page.wait_for_load_state()


# Every yes/no question of the form is a choice the poster must make (none is preset).
YES_NO = ("Remote (online)", "Hands-on (direct patient care)",
          "A letter of recommendation is possible", "ECFMG certificate required",
          "USMLE Step 1 required", "USMLE Step 2 CK required",
          "Visitors on a B1/B2 visa may attend", "J-1 visa sponsored")


async def _answer_yes_no(page: Page) -> None:
    for question in YES_NO:
        await page.get_by_role("group", name=question).get_by_label("No", exact=True).check()
    await page.get_by_role("group", name="Can be done from outside the US").get_by_label(
        "Not stated").check()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_sign_up_post_moderate_and_find(runtime, smtp, new_page, js):
    base = runtime.settings.base_url
    problems: list[str] = []
    page = await new_page(js=js)

    await page.goto("/")
    await page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    await page.wait_for_url("**/signup")
    await page.get_by_label("Institution name").fill("Lakeshore Community Clinic")
    await page.get_by_label("Kind").select_option("clinic")
    await page.get_by_label("Website").fill("https://lakeshore-clinic.example.org")
    await page.get_by_label("City").fill("Chicago")
    await page.get_by_label("State").select_option("IL")
    await page.get_by_label("Your name").fill("Dr. Kwame Osei")
    await page.get_by_label("Work email").fill(POSTER)
    await page.get_by_label("Password").fill(POSTER_PW)
    problems += await audit_if(js, page, "signup-filled")
    await page.get_by_role("button", name="Create account").click()
    await page.wait_for_url("**/signup/sent")
    assert POSTER in await page.locator("main").inner_text()  # "check your inbox" repeats it

    verify = await mail_to(smtp, POSTER, "Confirm your email")
    await page.goto(link_in(verify, base, "/verify/"))
    await page.get_by_role("button", name="Confirm my email").click()
    await page.wait_for_url("**/dashboard")  # confirming signs in
    assert "confirmed" in (await page.locator(".banner").first.inner_text()).lower()
    problems += await audit_if(js, page, "dashboard-empty")

    await page.locator("main").get_by_role("link", name="Post an opportunity").first.click()
    await page.wait_for_url("**/dashboard/opportunities/new")
    await page.get_by_label("Title").fill("Obs")  # too short: the first try must fail
    await page.get_by_label("Kind").select_option("observership")
    await page.get_by_label("Specialty").fill("Pulmonary disease")
    await page.get_by_label("State", exact=True).select_option("IL")
    await page.get_by_label("City").fill("Chicago")
    await page.get_by_label("Program fee in USD").fill("0")
    await page.get_by_label("Application link").fill("https://lakeshore-clinic.example.org/observe")
    await page.get_by_label("Description").fill("Two weeks on the **pulmonary** consult service.")
    await _answer_yes_no(page)
    await page.get_by_role("button", name="Save draft and preview").click()

    title = page.get_by_label("Title")
    assert await title.get_attribute("aria-invalid") == "true"
    described_by = await title.get_attribute("aria-describedby") or ""
    assert "title-error" in described_by.split(), "the error must be tied to the field"
    assert await page.locator("#title-error").is_visible()
    assert await page.get_by_label("City").input_value() == "Chicago", "valid input is kept"
    problems += await audit_if(js, page, "listing-form-error")
    page.console_errors.clear()  # the browser logs the form's 400 answer itself

    await title.fill(TITLE)
    await page.get_by_role("button", name="Save draft and preview").click()
    await page.wait_for_url("**/preview")
    assert (await page.locator("main h1").inner_text()).strip() == TITLE
    assert "Free" in await page.locator(".badges").first.inner_text()
    problems += await audit_if(js, page, "listing-preview")
    await page.get_by_role("button", name="Submit for publication").click()
    await page.wait_for_url("**/dashboard")
    assert "review" in (await page.locator(".banner").first.inner_text()).lower()

    # A moderator account, made the way `board create-admin` makes one.
    await Member(email=STAFF, name="Moderator", password_hash=hash_password_sync(STAFF_PW),
                 is_staff=True, email_verified_at=utcnow()).save().run()
    staff = await new_page(js=js)
    await _log_in(staff, STAFF, STAFF_PW)
    await staff.wait_for_url("**/staff")
    problems += await audit_if(js, staff, "staff-queue")
    await staff.get_by_role("button", name=f"Approve {TITLE}").click()
    await staff.wait_for_load_state()
    assert "approved" in (await staff.locator(".banner").first.inner_text()).lower()

    await indexed(runtime)
    visitor = await new_page(js=js)
    await visitor.goto("/?q=pulmonology+chicago")
    await visitor.get_by_role("link", name=TITLE).click()
    await visitor.wait_for_url("**/opportunities/*")
    assert "Lakeshore Community Clinic" in await visitor.locator(".lead").first.inner_text()

    assert problems == [], "\n".join(problems)
    for p in (page, staff, visitor):
        assert p.console_errors == []
