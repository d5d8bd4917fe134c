"""The web app's route handlers, grouped by page family; `route_handlers()` lists them all."""

from __future__ import annotations

from typing import Any


def route_handlers() -> list[Any]:
    from board.web import api, health, pages, search_pages

    handlers: list[Any] = [*health.HANDLERS, *search_pages.HANDLERS, *api.HANDLERS,
                           *pages.HANDLERS]
    for name in ("accounts", "dashboard", "staff", "subscriptions", "api_write", "reports"):
        try:
            module = __import__(f"board.web.{name}", fromlist=["HANDLERS"])
        except ModuleNotFoundError as exc:
            if exc.name != f"board.web.{name}":
                raise
            continue
        handlers.extend(module.HANDLERS)
    return handlers
