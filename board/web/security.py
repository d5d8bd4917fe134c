"""Security headers on every answer: a CSP that allows only this site (no inline script),
nosniff, a referrer policy, no framing, and HSTS in production.

A `before_send` hook rather than `after_request`: it sees every response the app sends,
error pages from exception handlers and router 404s included, which `after_request` misses."""

from __future__ import annotations

from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from board.settings import Settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'self'; "
       "object-src 'none'; frame-ancestors 'none'")


def security_headers(settings: Settings):
    fixed = {
        "Content-Security-Policy": CSP,
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "strict-origin-when-cross-origin",
        "X-Frame-Options": "DENY",
    }
    if settings.production:
        fixed["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"

    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        headers = MutableScopeHeaders.from_message(message)
        for name, value in fixed.items():
            if name not in headers:
                headers[name] = value
        # htmx fetches a page's partial at the very URL it then pushes to history; without
        # this the browser's back button can show that cached fragment instead of the page.
        vary = headers.get("Vary") or ""
        if "hx-request" not in vary.lower():
            headers["Vary"] = f"{vary}, HX-Request" if vary else "HX-Request"

    return before_send
