"""The institution's pages in Chromium at 375 and 1280 px (issue 17): the listing form has
no prefilled fee and asks every yes/no fact as a choice nobody has made; the dashboard links
the bulk import and the API tokens; the preview shows a working Apply link, no report form
and a Submit bar that stays on screen while scrolling. Each page is audited with axe (and
screenshotted) at both widths by tests.browser.axe.audit."""

from __future__ import annotations

import pytest
from playwright.async_api import Page

from tests.browser.axe import audit
from tests.browser.conftest import PHONE
from tests.support.factories import make_draft, make_institution
from tests.support.members import PASSWORD, make_member

pytestmark = pytest.mark.browser

APPLY = "https://lakeshore.example.org/apply-here"


async def _log_in(page: Page, email: str) -> None:
    await page.goto("/login")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.locator("main").get_by_role("button", name="Log in").click()
    await page.wait_for_url("**/dashboard")


async def test_form_dashboard_and_preview(runtime, new_page):
    inst = await make_institution(name="Lakeshore Clinic", verified=False)
    member = await make_member(inst, "poster@lakeshore.example.org")
    opp = await make_draft(inst, title="Nephrology Observership", apply_url=APPLY,
                           description="A long description.\n\n" + "Rounds and clinic. " * 400)
    page = await new_page(viewport=PHONE)
    problems: list[str] = []
    await _log_in(page, member["email"])

    main = page.locator("main")
    assert await main.get_by_role("link", name="Import many from a file").get_attribute(
        "href") == "/dashboard/import"
    assert await main.get_by_role("link", name="API tokens").get_attribute(
        "href") == "/dashboard/tokens"
    assert "within 48 hours" not in await main.inner_text()  # nothing pending yet
    problems += await audit(page, "posting-dashboard")

    await page.goto("/dashboard/opportunities/new")
    assert await page.get_by_label("Program fee in USD").input_value() == ""
    for question in ("ECFMG certificate required", "J-1 visa sponsored", "Remote (online)",
                     "Can be done from outside the US"):
        group = page.get_by_role("group", name=question)
        radios = group.get_by_role("radio")
        assert await radios.count() >= 2, question
        for i in range(await radios.count()):
            assert not await radios.nth(i).is_checked(), question  # no answer preset
        assert await radios.first.get_attribute("required") is not None, question
    assert await page.get_by_label("Specialty").get_attribute("list") == "specialty-options"
    problems += await audit(page, "posting-form")

    await page.goto(f"/dashboard/opportunities/{opp}/preview")
    assert await page.locator("#preview-apply").get_attribute("href") == APPLY
    assert await page.locator("#report-heading").count() == 0 or \
        not await page.locator("#report-heading").is_visible()  # no report form
    bar = page.locator(".preview-bar")
    submit = bar.get_by_role("button", name="Submit for publication")
    for viewport in (PHONE, {"width": 1280, "height": 800}):
        await page.set_viewport_size(viewport)
        await page.mouse.wheel(0, 4000)
        await page.wait_for_function("() => window.scrollY > 1000")
        box = await submit.bounding_box()
        assert box and 0 <= box["y"] and box["y"] + box["height"] <= viewport["height"], \
            (viewport, box)  # the Submit button stays on screen (sticky)
        await page.evaluate("window.scrollTo(0, 0)")
    problems += await audit(page, "posting-preview")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []
