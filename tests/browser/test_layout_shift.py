"""Layout stability on a phone: the search page and a listing page load without their content
jumping (Cumulative Layout Shift under 0.05, Lighthouse's "good" is 0.1). Measured by
Chromium itself (PerformanceObserver 'layout-shift' entries, the numbers Lighthouse adds up)
at 375 px with mobile emulation, the scripts arriving only after the first paint. This is a
layout measure, not a timing: the same page gives the same shifts however fast the machine."""

from __future__ import annotations

import asyncio

import pytest

from tests.browser.conftest import artifact, indexed
from tests.support.factories import make_institution, make_listing

pytestmark = pytest.mark.browser

MOBILE = {"viewport": {"width": 375, "height": 812}, "device_scale_factor": 2,
          "is_mobile": True, "has_touch": True}
# Sums every shift not caused by input, from the first paint on (buffered entries included).
WATCH_SHIFTS = """
window.__cls = 0; window.__shifts = [];
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    if (e.hadRecentInput) continue;
    window.__cls += e.value;
    window.__shifts.push({value: e.value, sources: (e.sources || []).map(
      s => (s.node && s.node.nodeName ? s.node.nodeName + '.' + (s.node.className || s.node.id || '') : '?')
           + ' ' + JSON.stringify(s.previousRect) + ' -> ' + JSON.stringify(s.currentRect))});
  }
}).observe({type: 'layout-shift', buffered: true});
"""


async def _seed(runtime) -> dict[str, str]:
    inst = await make_institution("St. Mary's Teaching Hospital of Greater Springfield")
    first = None
    for n, (state, specialty) in enumerate([("CA", "Cardiovascular disease"), ("TX", "Neurology"),
                                            ("NY", "Internal medicine"), ("IL", "Pediatrics")] * 4):
        opp = await make_listing(
            inst, title=f"Observership number {n + 1} with a long descriptive title", state=state,
            specialty=specialty, hands_on=n % 2 == 0, lor_offered=n % 3 == 0, fee_usd=100 * n,
            description="## What you will do\n\n- Rounds with the team\n- Clinic twice a week")
        first = first or opp
    await indexed(runtime)
    return {"search": "/", "search-filtered": "/?state=CA&state=TX&kind=observership",
            "listing": f"/opportunities/{first}"}


async def _layout_shift(browser, contexts, server: str, path: str, name: str) -> tuple[float, list]:
    ctx = await browser.new_context(base_url=server, **MOBILE)
    contexts.append(ctx)
    page = await ctx.new_page()
    # On a slow phone the page paints before its deferred scripts arrive (Lighthouse sees
    # that): hold every script back until the first paint, so whatever the scripts change
    # after it shows up as a shift here too, every time.
    painted = asyncio.Event()

    async def after_first_paint(route) -> None:
        await painted.wait()
        await route.continue_()

    await page.route("**/*.js", after_first_paint)
    await page.add_init_script(WATCH_SHIFTS)
    await page.goto(path, wait_until="commit")
    await page.wait_for_function("() => performance.getEntriesByType('paint').length > 0",
                                polling="raf")
    await page.screenshot(path=artifact(f"cls-{name}-first-paint-375.png"))
    painted.set()
    await page.wait_for_load_state("load")
    await page.wait_for_function("() => window.htmx !== undefined")
    # Two animation frames: shifts from the last layout are reported before we read.
    await page.evaluate("() => new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)))")
    await page.screenshot(path=artifact(f"cls-{name}-375.png"))
    return await page.evaluate("window.__cls"), await page.evaluate("window.__shifts")


@pytest.mark.parametrize("name", ["search", "search-filtered", "listing"])
async def test_pages_do_not_shift_while_loading_on_a_phone(runtime, browser, contexts, server, name):
    paths = await _seed(runtime)
    cls, shifts = await _layout_shift(browser, contexts, server, paths[name], name)
    assert cls < 0.05, f"{paths[name]}: CLS {cls:.3f} from {shifts}"
