"""An event in a real browser: the listing page at 375 px shows the time in the visitor's
zone (a browser in Berlin) with the host's New York time beside it, the rule in words, the
same on the search card; without JavaScript the host's time alone. axe clean at both widths."""

from __future__ import annotations

import pytest

from tests.browser.axe import audit
from tests.browser.conftest import PHONE, indexed
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser


async def test_event_times_in_the_visitors_zone_with_the_hosts_beside(runtime, browser, contexts,
                                                                      server):
    inst = await make_institution(name="Society of IMG Physicians")
    opp = await make_listing(
        inst, title="IMG coffee chat", kind="event", specialty="Internal medicine", state="",
        city="", online=True, starts_at="2026-01-28T20:00", ends_at="2026-01-28T21:00",
        timezone="America/New_York", recurrence="FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE",
        join_url="https://meet.example.org/chat")
    await indexed(runtime)

    pages = {}
    for js in (True, False):
        ctx = await browser.new_context(base_url=server, viewport=PHONE, java_script_enabled=js,
                                        timezone_id="Europe/Berlin", locale="en-GB")
        contexts.append(ctx)
        pages[js] = page = await ctx.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
        await page.goto(f"/opportunities/{opp}")
        box = page.locator("[data-event-times]")
        host = await box.locator(".event-times__host").inner_text()
        assert "20:00" in host and "America/New_York" in host and "EST" in host
        assert "Every other month on the 4th Wednesday" in await box.inner_text()
        local = box.locator("[data-event-local]")
        if js:
            assert await local.is_visible()
            text = await local.inner_text()
            # 20:00 in New York (EST) is 02:00 the next day in Berlin (CET).
            assert "02:00" in text and "03:00" in text and "Europe/Berlin" in text, text
            assert "the host's time" in host
            assert await local.locator("time").get_attribute("datetime") == \
                await box.get_attribute("data-start")
        else:
            assert not await local.is_visible() and "the host's time" not in host
        assert not errors, errors

    page = pages[True]
    problems = await audit(page, "event-listing")
    await page.set_viewport_size(PHONE)
    await page.goto("/?kind=event")
    card = page.locator(".result-card", has_text="IMG coffee chat")
    assert "Europe/Berlin" in await card.locator("[data-event-local]").inner_text()
    assert problems == [], "\n".join(problems)
