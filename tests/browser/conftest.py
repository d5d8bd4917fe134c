"""Browser tests: the real app served by uvicorn on a free port, driven by Debian's headless
Chromium through Playwright (never a downloaded browser), with axe-core (installed pinned by
`make install`, never fetched at test time) injected into pages.

Everything runs in the one session event loop that pytest-asyncio gives the async tests: the
uvicorn server is a task in it, Playwright's async API talks to its driver from it, and the
test sets data up with the same service functions the app uses, so the served app, the
`runtime` fixture's pooled connections and the test share one loop and one store."""

from __future__ import annotations

import asyncio
import dataclasses
import os
import shutil
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn
from playwright.async_api import Browser, BrowserContext, Page, async_playwright

from board.indexing import outbox
from board.runtime import Runtime
from board.settings import ROOT, Settings
from tests.support.app import Borrowed

ARTIFACTS = ROOT / "tests" / "artifacts"
# scripts/install-test-assets.sh puts it inside the virtualenv that runs the tests.
AXE_JS = Path(os.environ.get("AXE_JS") or
              Path(sys.prefix) / "test-assets" / "node_modules" / "axe-core" / "axe.min.js")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run"]
# data-hx-sync="this:replace" aborts an update that a newer one supersedes; htmx logs the abort
# as an error. A failed request still shows up (htmx:responseError, a status line).
ABORT_NOISE = ("htmx:sendAbort", "htmx:afterRequest")
PHONE = {"width": 375, "height": 812}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture
def http_socket() -> socket.socket:
    """Bound before the app is built, so BASE_URL (used in mailed links) names its port."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    yield sock
    sock.close()


@pytest.fixture
def settings(settings: Settings, smtp, http_socket: socket.socket) -> Settings:
    port = http_socket.getsockname()[1]
    return dataclasses.replace(settings, smtp_url=smtp.url, base_url=f"http://127.0.0.1:{port}")


@pytest.fixture
async def server(runtime: Runtime, http_socket: socket.socket) -> AsyncIterator[str]:
    """The real app over real HTTP; yields its base URL."""
    from board.app import create_app

    app = create_app(runtime.settings, runtime=Borrowed(runtime))
    config = uvicorn.Config(app, lifespan="on", log_level="warning", access_log=False,
                            log_config=None)
    srv = uvicorn.Server(config)
    task = asyncio.create_task(srv.serve(sockets=[http_socket]))
    for _ in range(500):
        if srv.started or task.done():
            break
        await asyncio.sleep(0.01)
    if task.done():
        task.result()  # raises the start-up error
    assert srv.started, "uvicorn did not start"
    yield runtime.settings.base_url
    srv.should_exit = True
    await task


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    async with async_playwright() as pw:
        chromium = await pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        yield chromium
        await chromium.close()


@pytest.fixture
async def contexts(browser: Browser, server: str) -> AsyncIterator[list[BrowserContext]]:
    """Contexts a test opened (via `new_page`), closed after it and before the server stops,
    so no keep-alive connection holds the server's shutdown."""
    opened: list[BrowserContext] = []
    yield opened
    for ctx in opened:
        await ctx.close()


@pytest.fixture
def new_page(browser: Browser, contexts: list[BrowserContext], server: str):
    """new_page(width=1280, js=True) -> a Page whose relative URLs go to the served app, that
    fails the test on any console error (a CSP violation shows up there)."""

    async def make(viewport: dict[str, int] | None = None, js: bool = True) -> Page:
        ctx = await browser.new_context(base_url=server, viewport=viewport or DESKTOP,
                                        java_script_enabled=js)
        contexts.append(ctx)
        page = await ctx.new_page()
        page.set_default_timeout(10_000)
        errors: list[str] = []
        page.on("console", lambda m: errors.append(m.text)
                if m.type == "error" and not m.text.startswith(ABORT_NOISE) else None)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.console_errors = errors  # type: ignore[attr-defined]
        return page

    return make


async def indexed(rt: Runtime) -> None:
    """Wait until every outbox event is in Meilisearch (drain waits for the engine's tasks)."""
    for _ in range(200):
        await outbox.drain(rt.gateway)
        if await outbox.pending_count() == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("outbox did not drain")


def artifact(name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name


async def settled(page: Page) -> None:
    """Wait until htmx has no request in flight and has finished swapping and settling."""
    await page.wait_for_function(
        "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')")
    await page.wait_for_load_state()


async def mail_to(smtp, address: str, subject_has: str, timeout_s: float = 10.0):
    """The newest mail to `address` whose subject contains `subject_has` (waits for it)."""
    for _ in range(int(timeout_s / 0.05)):
        found = [m for m in smtp.to(address) if subject_has.lower() in str(m["Subject"]).lower()]
        if found:
            return found[-1]
        await asyncio.sleep(0.05)
    raise AssertionError(f"no mail to {address} with {subject_has!r} in the subject; got "
                         f"{[str(m['Subject']) for m in smtp.to(address)]}")


def text_of(message) -> str:
    part = message.get_body(preferencelist=("plain",))
    return part.get_content() if part is not None else message.get_content()


def link_in(message, base_url: str, path_prefix: str) -> str:
    """The first link in the mail's text to `base_url + path_prefix...`."""
    import re

    pattern = re.escape(base_url + path_prefix) + r"[^\s<>\"')]+"
    match = re.search(pattern, text_of(message))
    assert match, f"no {path_prefix} link in:\n{text_of(message)}"
    return match.group(0)
