"""The IMG's planner in Chromium: save from a search result and from a listing page, remove
on /shortlist, then sign in by magic link (read from the real SMTP sink) and find the
shortlist in the account. With JavaScript (htmx swaps the button in place) and without
(plain form posts that come back to the page), at 375 and 1280 px; /shortlist, /signin and
/me audited with axe (JavaScript run only: the no-JS twin shows the same pages)."""

from __future__ import annotations

import pytest

from tests.browser.axe import audit_if
from tests.browser.conftest import DESKTOP, PHONE, indexed, link_in, mail_to, settled
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser


async def _press(page, selector: str, js: bool, expect: str) -> None:
    """Press a Save/Remove button and wait until it reads `expect` (swapped or reloaded)."""
    await page.locator(selector).click()
    if js:
        await settled(page)
    else:
        await page.wait_for_load_state()
    await page.locator(selector).filter(has_text=expect).wait_for()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_save_remove_and_sign_in(runtime, smtp, new_page, js):
    base = runtime.settings.base_url
    inst = await make_institution("Riverside Teaching Hospital", state="OH", city="Columbus")
    first = await make_listing(inst, title="Nephrology Observership, Riverside",
                               specialty="Nephrology", state="OH")
    second = await make_listing(inst, title="Pulmonology Externship, Riverside",
                                specialty="Nephrology", state="OH")
    await indexed(runtime)
    problems: list[str] = []
    email = f"planner-{'js' if js else 'nojs'}@example.org"

    # Phone: save the first result from the search page.
    page = await new_page(viewport=PHONE, js=js)
    await page.goto("/?specialty=Nephrology")
    await _press(page, f"#save-{first}", js, "Saved")
    assert page.url.endswith("/?specialty=Nephrology") or "specialty=Nephrology" in page.url
    if not js:
        assert "to your shortlist" in await page.locator(".banner").first.inner_text()
    assert (await page.locator("#shortlist-count").inner_text()).strip() == "(1)"

    # Desktop: save the second from its listing page.
    await page.set_viewport_size(DESKTOP)
    await page.goto(f"/opportunities/{second}")
    await _press(page, f"#save-{second}", js, "Saved")
    assert (await page.locator("#shortlist-count").inner_text()).strip() == "(2)"

    # /shortlist: both, each with compare box and remove; remove the first (phone width).
    await page.set_viewport_size(PHONE)
    await page.goto("/shortlist")
    await page.get_by_role("link", name="Nephrology Observership, Riverside").wait_for()
    assert await page.locator('input[name="ids"]').count() == 2
    problems += await audit_if(js, page, "shortlist")
    await page.set_viewport_size(PHONE)
    if js:  # swapped in place: the button now offers to save it again
        await _press(page, f"#save-{first}", js, "Save")
        assert "Saved" not in await page.locator(f"#save-{first}").inner_text()
    else:  # the page comes back without it
        await page.locator(f"#save-{first}").click()
        await page.get_by_text("from your shortlist.").wait_for()
        assert await page.locator(f"#save-{first}").count() == 0
    assert (await page.locator("#shortlist-count").inner_text()).strip() == "(1)"

    # Sign in by magic link: the link's page shows a button; pressing it signs in.
    await page.goto("/signin")
    problems += await audit_if(js, page, "signin")
    await page.set_viewport_size(DESKTOP)
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await page.get_by_role("heading", name="Check your inbox").wait_for()
    mail = await mail_to(smtp, email, "sign-in link")
    await page.goto(link_in(mail, base, "/signin/"))
    await page.get_by_role("button", name="Sign in").click()
    await page.wait_for_url("**/me")
    assert email in await page.locator("#me-email").inner_text()
    assert await page.get_by_role("link", name="1 saved listing").count() == 1
    assert "/calendar.ics?token=" in await page.locator("#calendar-url").input_value()
    problems += await audit_if(js, page, "me")

    await page.get_by_role("button", name="Sign out").click()
    await page.wait_for_url(f"{base}/")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []
