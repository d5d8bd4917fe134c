"""Compare and track in a real browser, with JavaScript on (at 375 px) and off (at 1280 px):
save listings, compare them from the shortlist (one listing per screen on a phone, fact
names kept in view, differing rows marked), then keep their status and a program that is
not on the board in the tracker, with an error shown at its field. The pages of the
journey (compare, tracker, a guide) are audited with axe at both widths."""

from __future__ import annotations

import pytest

from tests.browser.axe import audit_if, overflow_px
from tests.browser.conftest import DESKTOP, PHONE, settled
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser


async def _submit(page, button, js: bool) -> None:
    await button.click()
    if js:
        await settled(page)
    else:
        await page.wait_for_load_state()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
async def test_compare_and_track(runtime, new_page, js):
    problems: list[str] = []
    inst = await make_institution(name="Harbor Compare Hospital")
    first = await make_listing(inst, title="Harbor visitors clerkship", visa_statuses=["b1b2"],
                               hands_on_level=3, setting="inpatient", fee_usd=900)
    second = await make_listing(inst, title="Harbor J-1 observership", visa_statuses=["j1"],
                                hands_on_level=0, setting="inpatient", fee_usd=0)
    page = await new_page(PHONE if js else DESKTOP, js=js)

    for opp in (first, second):
        await page.goto(f"/opportunities/{opp}")
        await _submit(page, page.locator(f"#save-{opp}"), js)
    await page.goto("/shortlist")
    for opp in (first, second):
        await page.locator(f"#cmp-{opp}").check()
    await page.get_by_role("button", name="Compare selected").click()
    await page.wait_for_load_state()
    assert "/compare?" in page.url
    await page.goto(page.url + "&visa=b1b2")  # a profile, as the search page's panel gives
    table = page.locator(".compare-table")
    titles = await table.locator("thead th a[href^='/opportunities/']").all_inner_texts()
    verdicts = await table.locator("[data-verdict]").evaluate_all(
        "cells => cells.map(c => c.dataset.verdict)")
    assert dict(zip(titles, verdicts, strict=True)) == {
        "Harbor visitors clerkship": "eligible", "Harbor J-1 observership": "not_eligible"}
    differs = page.locator('tr[data-fact="hands_on"]')
    assert "Differs" in await differs.locator("th").text_content()
    assert "Differs" not in await page.locator('tr[data-fact="setting"] th').text_content()
    if js:  # the phone: one listing per screen, the fact names in view, no page scrolling
        assert await overflow_px(page) == 0
        scroller = page.locator(".compare-scroll")
        cell = await page.locator('tr[data-fact="total_cost"] td').first.bounding_box()
        fact = await page.locator('tr[data-fact="total_cost"] th').bounding_box()
        assert cell and fact and fact["x"] + fact["width"] + cell["width"] <= PHONE["width"]
        await scroller.evaluate("el => el.scrollBy(400, 0)")
        await page.wait_for_function("() => document.querySelector('.compare-scroll').scrollLeft > 0")
        fact_after = await page.locator('tr[data-fact="total_cost"] th').bounding_box()
        assert fact_after and abs(fact_after["x"] - fact["x"]) < 1  # sticky fact names
    problems += await audit_if(js, page, "compare")

    # The tracker: a status for a saved listing, then a program that is not on the board.
    await page.goto("/tracker")
    card = page.locator(f"#listing-{first}")
    await card.get_by_label("Status").select_option("contacted")
    await card.get_by_label("Last contact").fill("2026-11-02")
    await _submit(page, card.get_by_role("button", name="Save"), js)
    assert "Saved." in await page.locator(".tracker__status").inner_text()
    assert await page.locator(f"#listing-{first}").get_by_label("Status").input_value() == "contacted"

    add = page.locator("#add-heading").locator("xpath=..")
    await add.get_by_label("Web address").fill("ftp://nowhere")
    await add.get_by_label("Program").fill("Lakeside Rheumatology")
    await _submit(page, add.get_by_role("button", name="Add program"), js)
    error = page.locator("#new-url-error")
    assert "https://" in await error.inner_text()
    assert await page.locator("#new-url").get_attribute("aria-invalid") == "true"
    assert await page.locator("#new-program_name").input_value() == "Lakeside Rheumatology"
    await page.locator("#new-url").fill("https://lakeside.example/observe")
    await page.locator("#new-follow_up_on").fill("2026-12-01")
    await _submit(page, page.get_by_role("button", name="Add program"), js)
    assert "Added Lakeside Rheumatology" in await page.locator(".tracker__status").inner_text()
    assert await page.locator(".tracker-entry h3", has_text="Lakeside Rheumatology").count() == 1
    problems += await audit_if(js, page, "tracker")

    await page.goto("/guides/visas-for-observerships#j-1-exchange-visitor")
    assert await page.locator("#j-1-exchange-visitor").is_visible()
    problems += await audit_if(js, page, "guide")
    assert problems == []
    # Chromium logs the one refused form (a 400 answer, swapped in with its errors) itself.
    assert [e for e in page.console_errors  # type: ignore[attr-defined]
            if "status of 400" not in e] == []
