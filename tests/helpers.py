"""Helpers shared by test modules (importable, unlike conftest)."""

from __future__ import annotations

import httpx


def app_client(app, base_url: str = "http://testserver.local") -> httpx.AsyncClient:
    """An httpx client calling the ASGI app in THIS event loop (asyncpg and the pooled
    Meilisearch connections belong to the loop that made them). The lifespan does not run:
    start and stop the runtime yourself."""
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=base_url,
                             follow_redirects=True)
