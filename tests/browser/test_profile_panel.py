"""An IMG fills "My profile" once, with JavaScript (htmx updates the results in place) and
without (the plain GET form): the cards show their verdicts and visa-fit warnings, the
profile comes back on the next visit from the cookie, and "Clear profile" forgets it."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest
from playwright.async_api import Page

from tests.browser.axe import axe_violations
from tests.browser.conftest import indexed, settled
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser


async def _seed(runtime) -> None:
    inst = await make_institution("Lakeside Teaching Hospital", state="IL", city="Chicago")
    await make_listing(inst, title="Visitor-friendly Observership", visa_statuses=["b1b2"],
                       open_to=["graduate"], hands_on_level=0)
    await make_listing(inst, title="Hands-on Clerkship for visitors", kind="clerkship",
                       visa_statuses=["b1b2", "j1"], open_to=["graduate"], hands_on_level=3)
    await make_listing(inst, title="J-1 only Research Fellowship", kind="research",
                       visa_statuses=["j1"], j1_sponsored=True)
    await make_listing(inst, title="Observership with nothing stated")
    await indexed(runtime)


async def _verdicts(page: Page) -> dict[str, str]:
    out = {}
    for card in await page.locator(".result-card").all():
        title = (await card.locator(".result-card__title").inner_text()).strip()
        verdict = card.locator(".verdict")
        out[title] = await verdict.get_attribute("data-verdict") if await verdict.count() else ""
    return out


EXPECTED = {"Visitor-friendly Observership": "eligible",
            "Hands-on Clerkship for visitors": "eligible",
            "Observership with nothing stated": "unknown"}


async def _fill(page: Page, js: bool) -> None:
    await page.select_option("#visa", "b1b2")
    if js:
        await settled(page)
    await page.select_option("#student", "false")
    if js:
        await settled(page)
    else:
        await page.locator(".search-bar").get_by_role("button", name="Search").click()
        await page.wait_for_url("**/?*")


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
async def test_profile_panel_shows_verdicts_and_is_remembered(runtime, new_page, js):
    await _seed(runtime)
    page = await new_page(js=js)
    await page.goto("/")
    assert await _verdicts(page) == dict.fromkeys(
        [*EXPECTED, "J-1 only Research Fellowship"], "")  # no profile, no verdicts
    await _fill(page, js)

    params = parse_qs(urlparse(page.url).query)
    assert params["visa"] == ["b1b2"] and params["student"] == ["false"]
    assert await _verdicts(page) == EXPECTED  # eligible only: the J-1 listing is hidden
    card = page.locator(".result-card", has_text="Hands-on Clerkship for visitors")
    warning = card.locator(".visa-warning")
    assert "ask the host" in (await warning.inner_text()).lower()
    assert await warning.get_by_role("link").get_attribute("href") == (
        "/guides/visas-for-observerships#b-1-b-2-visitor-visa")
    unknown = page.locator(".result-card", has_text="Observership with nothing stated")
    assert (await unknown.locator(".verdict__title").inner_text()).startswith(
        "Eligibility unknown: the host does not state")
    if js:  # axe runs as a script: a page with JavaScript off never finishes it
        assert await axe_violations(page) == []

    await page.check('input[name="eligible_only"]')  # also show the ones ruled out
    if js:
        await settled(page)
    else:
        await page.locator(".search-bar").get_by_role("button", name="Search").click()
        await page.wait_for_url("**eligible_only=false*")
    assert (await _verdicts(page))["J-1 only Research Fellowship"] == "not_eligible"

    # The next visit starts with the saved profile, in the URL.
    await page.goto("/?q=observership")
    params = parse_qs(urlparse(page.url).query)
    assert params == {"q": ["observership"], "visa": ["b1b2"], "student": ["false"]}
    assert await page.locator("#visa").input_value() == "b1b2"

    await page.locator("#clear-profile").click()
    await page.wait_for_url(lambda url: "visa=" not in url)
    if js:
        await settled(page)
    await page.goto("/")
    assert "visa=" not in page.url
    assert await page.locator(".result-card .verdict").count() == 0
    assert page.console_errors == []
