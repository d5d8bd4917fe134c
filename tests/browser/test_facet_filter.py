"""The specialty type-to-filter box in Chromium: typing narrows the option list in place
(htmx, Meilisearch facet search), ticking an option still filters the results, and a ticked
option survives a narrower list."""

from __future__ import annotations

import pytest

from tests.browser.conftest import indexed, settled
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser
CARDIO = "Cardiovascular disease"


async def _options(page) -> list[str]:
    return await page.locator("#facet-list-specialty input[name=specialty]").evaluate_all(
        "boxes => boxes.map(b => b.value)")


async def test_type_to_filter_specialties(runtime, new_page):
    inst = await make_institution("Harbor Medical Center")
    await make_listing(inst, title="Echo lab observership", specialty=CARDIO)
    await make_listing(inst, title="Heart failure research", specialty=CARDIO, kind="research")
    await make_listing(inst, title="Children's hospital externship", specialty="Pediatrics",
                       kind="externship")
    await indexed(runtime)
    page = await new_page()
    await page.goto("/")
    assert len(await _options(page)) > 100

    box = page.get_by_label("Find a specialty")
    await box.press_sequentially("cardio", delay=30)
    await page.wait_for_function(
        "() => document.querySelectorAll('#facet-list-specialty input').length < 20")
    await settled(page)
    options = await _options(page)
    assert CARDIO in options and "Pediatrics" not in options
    assert all("cardio" in o.lower() for o in options)
    count = page.locator("#facet-list-specialty label", has_text=CARDIO).locator(".facet__count")
    assert (await count.inner_text()).strip() == "2"

    await page.check(f'#facet-list-specialty input[value="{CARDIO}"]')
    await settled(page)
    titles = await page.locator(".result-card__title").all_inner_texts()
    assert sorted(t.strip() for t in titles) == ["Echo lab observership", "Heart failure research"]

    box = page.get_by_label("Find a specialty")
    await box.fill("")
    await box.press_sequentially("pedia", delay=30)
    await page.wait_for_function(
        "() => !!document.querySelector('#facet-list-specialty input[value=\"Pediatrics\"]')")
    await settled(page)
    options = await _options(page)
    assert "Pediatrics" in options and CARDIO in options  # the ticked one stays
    assert await page.locator(f'#facet-list-specialty input[value="{CARDIO}"]').is_checked()
    assert page.console_errors == []
