"""Helpers shared by test modules (importable, unlike conftest)."""

from __future__ import annotations

import httpx

from board.runtime import Runtime


def app_client(app, base_url: str = "http://testserver.local") -> httpx.AsyncClient:
    """An httpx client calling the ASGI app in THIS event loop (asyncpg and the pooled
    Meilisearch connections belong to the loop that made them; Litestar's AsyncTestClient
    runs the app in a portal thread with its own loop). The lifespan does not run: start and
    stop the runtime yourself."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,
                             follow_redirects=True)


class Borrowed(Runtime):
    """A runtime the test owns, lent to an app: the app's lifespan must not start or stop it."""

    def __init__(self, rt: Runtime):
        self.__dict__.update(rt.__dict__)

    async def start(self, *, apply_settings: bool = True) -> None:
        return None

    async def stop(self) -> None:
        return None
