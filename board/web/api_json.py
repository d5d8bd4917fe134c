"""Every write to the JSON API (/api/...) must say `Content-Type: application/json`.

Why: /api/ is exempt from CSRF (it authenticates by bearer token, or not at all for
POST /api/v1/subscriptions), and a browser lets any web page send a cross-site POST whose
body is text/plain or a form without asking first. A JSON content type is not a "simple"
one, so a browser must preflight it, and this app answers no CORS preflight: another site
can no longer subscribe a visitor's address or write with a token the browser would never
hold anyway. One middleware, so a new API handler cannot forget it."""

from __future__ import annotations

from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send

WRITES = frozenset({"POST", "PUT", "PATCH"})
MESSAGE = ("Content-Type: this API accepts only JSON bodies; send the request with "
           "'Content-Type: application/json'.")


def _header(scope: Scope, name: bytes) -> str:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return value.decode("latin-1")
    return ""


def is_json(content_type: str) -> bool:
    """application/json or a +json type (application/merge-patch+json), any parameters."""
    media = content_type.split(";", 1)[0].strip().lower()
    return media == "application/json" or (media.startswith("application/")
                                           and media.endswith("+json"))


def _has_body(scope: Scope) -> bool:
    length = _header(scope, b"content-length").strip()
    return bool(_header(scope, b"transfer-encoding")) or (bool(length) and length != "0")


def needs_refusal(scope: Scope) -> bool:
    """True for an /api/ write that does not declare a JSON body. POST, PUT and PATCH
    always carry one here; a DELETE only when it sends a body at all."""
    if scope["type"] != "http" or not scope["path"].startswith("/api/"):
        return False
    method = scope["method"]
    if method not in WRITES and not (method == "DELETE" and _has_body(scope)):
        return False
    return not is_json(_header(scope, b"content-type"))


def require_json_writes(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if needs_refusal(scope):
            # Raised, not sent: the app's error handler writes the usual JSON error body.
            raise HTTPException(status_code=415, detail=MESSAGE, extra={"field": "Content-Type"})
        await app(scope, receive, send)

    return middleware
