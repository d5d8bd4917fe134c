"""Running axe-core in a page and checking the page fits a phone's width."""

from __future__ import annotations

from functools import cache

from playwright.async_api import Page

from tests.browser.conftest import AXE_JS

BLOCKING = ("serious", "critical")
_RUN = """async () => {
  const r = await axe.run(document, {resultTypes: ["violations"]});
  return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                                 nodes: v.nodes.slice(0, 3).map(n => n.target.join(" "))}));
}"""


@cache
def axe_source() -> str:
    if not AXE_JS.is_file():
        raise AssertionError(f"{AXE_JS} is missing: run `make install` (scripts/install-test-assets.sh)")
    return AXE_JS.read_text(encoding="utf-8")


async def axe_violations(page: Page) -> list[dict]:
    """Serious and critical findings. `evaluate` is not subject to the page's CSP, where a
    <script> tag with axe's source inlined would be blocked."""
    if not await page.evaluate("typeof window.axe !== 'undefined'"):
        await page.evaluate(axe_source())
    found = await page.evaluate(_RUN)
    return [v for v in found if v["impact"] in BLOCKING]


async def overflow_px(page: Page) -> int:
    """How far the page is wider than the viewport (0 = no horizontal scrolling)."""
    return await page.evaluate(
        "() => Math.max(0, document.documentElement.scrollWidth - window.innerWidth)")


async def audit(page: Page, name: str) -> list[str]:
    """The page as it stands, at 375 px then 1280 px: blocking axe findings, sideways scrolling
    on the phone, and a screenshot at each width under tests/artifacts/. Returns problems."""
    from tests.browser.conftest import DESKTOP, PHONE, artifact

    problems = []
    for viewport in (PHONE, DESKTOP):
        await page.set_viewport_size(viewport)
        width = viewport["width"]
        await page.screenshot(path=artifact(f"{name}-{width}.png"), full_page=True)
        for v in await axe_violations(page):
            problems.append(f"{name} @{width}px: {v['id']} ({v['impact']}): {v['help']} at {v['nodes']}")
        if viewport is PHONE and (wider := await overflow_px(page)):
            problems.append(f"{name} @375px scrolls sideways by {wider}px")
    return problems


async def audit_if(js: bool, page: Page, name: str) -> list[str]:
    """Audit in the JavaScript run of a journey; its no-JavaScript twin proves the plain
    forms work and shows the same pages, so auditing them again would only cost time."""
    return await audit(page, name) if js else []
