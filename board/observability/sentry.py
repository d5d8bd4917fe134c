"""Optional error reports to Sentry (SENTRY_DSN) through sentry-sdk's Litestar integration.
Imported only when the DSN is set, so a board without Sentry never loads the SDK.

Events name the route template as their transaction and carry no raw URL, query string,
cookies or headers: a mailed link's token sits in the path, emails in the query."""

from __future__ import annotations

from typing import Any

from board.settings import Settings


def scrub(event: dict[str, Any], hint: Any = None) -> dict[str, Any]:
    """Drop what may hold a token or personal data from an event's request part."""
    request = event.get("request")
    if isinstance(request, dict):
        for key in ("url", "query_string", "cookies", "headers", "data"):
            request.pop(key, None)
    return event


def init_sentry(settings: Settings) -> None:
    import sentry_sdk
    from sentry_sdk.integrations.litestar import LitestarIntegration

    sentry_sdk.init(dsn=settings.sentry_dsn, environment=settings.env, send_default_pii=False,
                    integrations=[LitestarIntegration()], before_send=scrub,
                    # Transactions are for tracing, which this board does not ask for.
                    traces_sample_rate=0.0)
