"""Scenario 4: every public page, at a phone's 375 px and a desktop's 1280 px, has no serious
or critical axe-core finding, does not scroll sideways, and keeps its security headers. A
screenshot of each is kept under tests/artifacts/ for a reviewer."""

from __future__ import annotations

import datetime as dt

import pytest

from board.indexing.gateway import utcnow
from board.listings import services as listings
from tests.browser.axe import axe_violations, overflow_px
from tests.browser.conftest import DESKTOP, PHONE, artifact, indexed
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser


async def _seed(runtime) -> dict[str, str]:
    today = utcnow().date()
    inst = await make_institution("St. Mary's Teaching Hospital of Greater Springfield")
    open_id = await make_listing(
        inst, title="Hands-on Internal Medicine Externship with a very long descriptive title",
        hands_on=True, lor_offered=True, b1b2_accepted=True, j1_sponsored=True, fee_usd=1500,
        duration_weeks=4, usmle_step1_required=True, max_years_since_graduation=5,
        application_deadline=(today + dt.timedelta(days=7)).isoformat(),
        description="## What you will do\n\n- Rounds with the team\n- Clinic twice a week\n\n"
                    "A_very_long_unbroken_word_that_could_push_the_layout_sideways_on_a_phone_"
                    "screen_if_nothing_wraps_it_properly_at_all")
    for n in range(3):
        await make_listing(inst, title=f"Cardiology Research Mentorship {n + 1}", kind="research",
                           specialty="Cardiovascular disease", state="CA", city="Los Angeles")
    closed_id = await make_listing(inst, title="Neurology Observership (closed)", specialty="Neurology")
    await listings.close(closed_id)
    await indexed(runtime)
    return {
        "search": "/",
        "search-filtered": "/?q=cardiology&state=CA&state=TX&kind=research&fee_max=2000",
        "search-empty": "/?q=zzzzqqqq",
        "listing": f"/opportunities/{open_id}",
        "listing-closed": f"/opportunities/{closed_id}",
        "about": "/about", "privacy": "/privacy", "contact": "/contact",
        "not-found": "/opportunities/999999",
        "subscribe": "/subscribe?state=CA&specialty=Cardiovascular+disease",
        "signup": "/signup", "login": "/login",
    }


@pytest.mark.parametrize("width", ["phone", "desktop"])
async def test_pages_are_accessible_and_fit_the_screen(runtime, new_page, width):
    viewport = PHONE if width == "phone" else DESKTOP
    pages = await _seed(runtime)
    page = await new_page(viewport)
    problems: list[str] = []
    for name, path in pages.items():
        response = await page.goto(path)
        assert response is not None
        if name == "not-found":
            assert response.status == 404
            page.console_errors.clear()  # the browser logs the 404 status itself
        headers = response.headers
        assert "default-src 'self'" in headers.get("content-security-policy", ""), path
        assert headers.get("x-content-type-options") == "nosniff", path
        assert await page.evaluate("document.documentElement.lang") == "en", path
        await page.screenshot(path=artifact(f"{name}-{viewport['width']}.png"), full_page=True)
        for v in await axe_violations(page):
            problems.append(f"{path} @{viewport['width']}px: {v['id']} ({v['impact']}): "
                            f"{v['help']} at {v['nodes']}")
        if width == "phone":
            wider = await overflow_px(page)
            if wider:
                problems.append(f"{path} @375px scrolls sideways by {wider}px")
    assert problems == [], "\n".join(problems)
    assert page.console_errors == []


async def test_phone_filters_drawer_opens_and_stays_open_while_filtering(runtime, new_page):
    pages = await _seed(runtime)
    page = await new_page(PHONE)
    await page.goto(pages["search"])
    drawer = page.locator("details.filters-drawer")
    box = page.locator('input[name="state"][value="CA"]')
    assert not await box.is_visible(), "on a phone the filters start folded away"
    await drawer.locator("summary").click()
    await box.check()
    await page.wait_for_url("**/?state=CA")
    await page.locator("#results-heading", has_text="3 opportunities").wait_for()
    assert await drawer.evaluate("d => d.open"), "the drawer must not snap shut after an update"
    assert "(1 active)" in await drawer.locator("summary").inner_text()
    assert await page.evaluate("document.activeElement.matches('input[name=state][value=CA]')")
    assert await overflow_px(page) == 0
    assert await axe_violations(page) == []
    await page.screenshot(path=artifact("search-filters-open-375.png"), full_page=True)
    assert page.console_errors == []


async def test_keyboard_only_visitor(runtime, new_page):
    await _seed(runtime)
    page = await new_page()
    await page.goto("/")
    await page.keyboard.press("Tab")
    skip = page.locator(".skip-link")
    assert await skip.evaluate("el => el === document.activeElement")
    assert await skip.is_visible(), "the skip link shows when focused"
    outline = await skip.evaluate("el => getComputedStyle(el).outlineStyle + getComputedStyle(el).boxShadow")
    assert outline not in ("none", "nonenone"), "focus must be visible"
    await page.keyboard.press("Enter")
    assert await page.evaluate("document.activeElement.id") == "main"

    # From the content, Tab reaches the search box; typing and Enter searches in place.
    for _ in range(10):
        await page.keyboard.press("Tab")
        if await page.evaluate("document.activeElement.id") == "q":
            break
    assert await page.evaluate("document.activeElement.id") == "q"
    await page.keyboard.type("cardiology")
    await page.keyboard.press("Enter")
    await page.wait_for_url("**q=cardiology*")
    await page.locator("#results-heading", has_text="3 opportunities").wait_for()
    assert await page.evaluate("document.activeElement.id") == "q", "typing focus is not stolen"

    # From "Subscribe to this search", Tab walks through every result without a trap.
    await page.get_by_role("link", name="Subscribe to this search").focus()
    titles = set(await page.locator(".result-card__title").all_inner_texts())
    reached: set[str] = set()
    for _ in range(20):
        await page.keyboard.press("Tab")
        reached.add(await page.evaluate("document.activeElement.textContent.trim()"))
        if titles <= reached:
            break
    assert titles <= reached, f"not reached by Tab: {titles - reached}"
    assert page.console_errors == []
