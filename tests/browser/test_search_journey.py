"""Scenario 1: an IMG searches with a typo, narrows by two states, a specialty and their own
eligibility, sorts by deadline, opens a listing, comes back and finds the same search; once
with JavaScript (htmx updates in place and pushes the URL) and once without (plain GET form)."""

from __future__ import annotations

import datetime as dt
from urllib.parse import parse_qs, urlparse

import pytest
from playwright.async_api import Page

from board.indexing.gateway import utcnow
from tests.browser.conftest import indexed, settled
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser

CARDIO = "Cardiovascular disease"
# Inserted in the opposite order of their deadlines, so relevance or newest-first ordering
# cannot pass for "deadline soonest".
MATCHING = [("Cardiology Observership at Mount Sinai", "NY", 30),
            ("Cardiology Echo Lab Observership", "NY", 20),
            ("Cardiology Outcomes Research Program", "CA", 10)]
EXPECTED_ORDER = [title for title, _, _ in sorted(MATCHING, key=lambda m: m[2])]


async def _seed(runtime) -> None:
    today = utcnow().date()
    inst = await make_institution("Riverside University Hospital", state="NY", city="New York")
    for title, state, days in MATCHING:
        await make_listing(inst, title=title, specialty=CARDIO, state=state,
                           city="New York" if state == "NY" else "Los Angeles",
                           application_deadline=(today + dt.timedelta(days=days)).isoformat())
    deadline = (today + dt.timedelta(days=5)).isoformat()
    # Each of these fails exactly one of the visitor's filters.
    await make_listing(inst, title="Cardiology Clerkship in Houston", specialty=CARDIO, state="TX",
                       application_deadline=deadline)
    await make_listing(inst, title="Cardiology Externship for Step 2 holders", specialty=CARDIO,
                       state="NY", usmle_step2ck_required=True, application_deadline=deadline)
    await make_listing(inst, title="Cardiology Observership for recent graduates",
                       specialty=CARDIO, state="CA", max_years_since_graduation=3,
                       application_deadline=deadline)
    await make_listing(inst, title="Cardiology Grand Rounds Observership", specialty="Nephrology",
                       state="NY", application_deadline=deadline)
    await make_listing(inst, title="Internal Medicine Observership", state="NY")
    await indexed(runtime)


def _params(url: str) -> dict[str, list[str]]:
    return {k: sorted(v) for k, v in parse_qs(urlparse(url).query).items()}


def _assert_search_url(url: str) -> None:
    params = _params(url)
    assert params["q"] == ["cardiolgy"]
    assert params["state"] == ["CA", "NY"]
    assert params["specialty"] == [CARDIO]
    assert params["graduation_year"] == ["2019"]
    assert params["usmle"] == ["step1"]
    assert params["sort"] == ["deadline"]


async def _titles(page: Page) -> list[str]:
    return [t.strip() for t in await page.locator(".result-card__title").all_inner_texts()]


async def _assert_form_state(page: Page) -> None:
    for name, value in [("state", "NY"), ("state", "CA"), ("specialty", CARDIO), ("usmle", "step1")]:
        box = page.locator(f'#search-form input[name="{name}"][value="{value}"]')
        assert await box.is_checked(), f"{name}={value} should still be ticked"
    assert not await page.locator('input[name="state"][value="TX"]').is_checked()
    assert await page.locator("#q").input_value() == "cardiolgy"
    assert await page.locator("#graduation_year").input_value() == "2019"
    assert await page.locator("#sort").input_value() == "deadline"
    assert await _titles(page) == EXPECTED_ORDER
    assert (await page.locator("#results-heading").inner_text()).strip() == "3 opportunities"


async def _open_first_and_come_back(page: Page) -> None:
    search_url = page.url
    await page.get_by_role("link", name=EXPECTED_ORDER[0]).click()
    await page.wait_for_url("**/opportunities/*")
    assert (await page.locator("h1").inner_text()).strip() == EXPECTED_ORDER[0]
    await page.go_back()
    await page.wait_for_url(search_url)
    await page.locator(".result-card").first.wait_for()
    _assert_search_url(page.url)
    await _assert_form_state(page)


async def test_search_with_typo_filters_and_eligibility_then_back(runtime, new_page):
    await _seed(runtime)
    page = await new_page()
    await page.goto("/")

    await page.fill("#q", "cardiolgy")
    await page.press("#q", "Enter")
    await settled(page)
    assert "q=cardiolgy" in page.url, "htmx should push the search into the URL"
    assert len(await _titles(page)) == 7  # the typo still finds every cardiology title

    # Keyboard: Space ticks a box; the results update and focus stays on that box.
    ny = page.locator('input[name="state"][value="NY"]')
    await ny.focus()
    await page.keyboard.press("Space")
    await settled(page)
    assert await page.evaluate(
        "document.activeElement.matches('input[name=state][value=NY]')"), \
        "focus should stay on the box just ticked after the results update"
    assert await ny.is_checked()

    await page.check('input[name="state"][value="CA"]')
    await settled(page)
    await page.check(f'input[name="specialty"][value="{CARDIO}"]')
    await settled(page)
    # Typing the year then ticking Step 1 fires two updates back to back: the second must
    # win, not be dropped while the first is in flight (which would untick Step 1).
    await page.fill("#graduation_year", "2019")
    await page.check('input[name="usmle"][value="step1"]')
    await settled(page)
    await page.select_option("#sort", "deadline")
    await settled(page)

    _assert_search_url(page.url)
    await _assert_form_state(page)
    # Screen readers hear the new count while focus stays where the visitor was.
    assert await page.locator("#search-status").inner_text() == "3 opportunities"
    # One removal chip per active filter (the profile shows in its own panel, not as chips),
    # and the pushed URL carries no empty fields.
    chips = await page.locator(".chips .chip:not(.chip--clear)").all_inner_texts()
    assert len(chips) == 4, chips
    assert any("New York" in c for c in chips) and any("California" in c for c in chips)
    assert "=&" not in page.url + "&" and "radius_miles" not in page.url
    assert "(4 active)" in await page.locator(".filters-drawer summary").inner_text()
    assert page.console_errors == []

    await _open_first_and_come_back(page)
    assert page.console_errors == []


async def test_same_search_without_javascript(runtime, new_page):
    await _seed(runtime)
    page = await new_page(js=False)
    await page.goto("/")
    assert await page.locator('input[name="state"][value="NY"]').is_visible(), \
        "without JavaScript the filters must be visible on a wide screen"

    await page.fill("#q", "cardiolgy")
    for name, value in [("state", "NY"), ("state", "CA"), ("specialty", CARDIO), ("usmle", "step1")]:
        await page.check(f'input[name="{name}"][value="{value}"]')
    await page.fill("#graduation_year", "2019")
    await page.select_option("#sort", "deadline")
    await page.locator(".search-bar").get_by_role("button", name="Search").click()
    await page.wait_for_url("**/?*")

    _assert_search_url(page.url)
    await _assert_form_state(page)
    await _open_first_and_come_back(page)

    # A removal chip is a plain link: one click drops that filter and nothing else.
    await page.locator(".chips .chip", has_text="California").click()
    await page.wait_for_load_state()
    params = _params(page.url)
    assert params["state"] == ["NY"] and params["specialty"] == [CARDIO]
    assert await _titles(page) == [t for t in EXPECTED_ORDER if "Research" not in t]


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
async def test_pagination(runtime, new_page, js):
    await _seed(runtime)
    page = await new_page(js=js)
    await page.goto("/?q=cardiology&per_page=3")
    first = await _titles(page)
    await page.evaluate("window.samePage = true")
    await page.get_by_role("link", name="Next page").click()
    await page.wait_for_url("**page=2*")
    await page.locator('[aria-current="page"]', has_text="Page 2").wait_for()
    second = await _titles(page)
    assert len(first) == len(second) == 3 and not set(first) & set(second)
    if js:  # updated in place, focus moved to the new results
        await settled(page)
        assert await page.evaluate("window.samePage === true")
        assert await page.evaluate("document.activeElement.id") == "results-heading"
    else:
        assert await page.evaluate("window.samePage === undefined")
    assert await page.locator("#q").input_value() == "cardiology"
    assert page.console_errors == []
