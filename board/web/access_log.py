"""Our own access log: one line per request naming the route TEMPLATE, never the raw path
or query. Links in mails carry signed tokens in the path (/unsubscribe/<token>,
/manage/<token>, /subscribe/confirm/<token>, reset and invite links); uvicorn's access log
wrote them into every log file and log shipper, where anyone reading logs could use them.
`board serve` turns uvicorn's access log off in favour of this one.

It wraps the app's whole ASGI handler (outside routing and the exception handlers), so
router 404s and 500s are timed, logged and counted too; a path that matched no route is
logged as "-" since it may be a mistyped token link. Each request gets an id: the caller's
X-Request-ID when it looks like an id (a proxy's), else a new one; it is echoed in the
response and stamped on every log line written while the request runs."""

from __future__ import annotations

import logging
import os
import re
import time

from litestar.types import ASGIApp, Message, Receive, Scope, Send

from board.observability import metrics
from board.observability.logs import REQUEST_ID
from board.web.security import raw_headers

log = logging.getLogger("board.access")
# Long enough for a UUID or a trace id, short and plain enough to be safe in a log line.
_SANE_ID = re.compile(r"[A-Za-z0-9._:-]{1,100}")
_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def route_of(scope: Scope) -> str:
    """The matched route's template ("/unsubscribe/{token}"), or "-" for no route."""
    return scope.get("path_template") or "-"


def request_id_of(scope: Scope) -> str:
    for name, value in scope.get("headers", ()):
        if name == b"x-request-id":
            given = value.decode("latin-1").strip()
            if _SANE_ID.fullmatch(given):
                return given
            break
    return os.urandom(16).hex()  # a uuid4's randomness and length, without building a UUID


def observe_requests(app: ASGIApp) -> ASGIApp:
    async def handler(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await app(scope, receive, send)
            return
        request_id = request_id_of(scope)
        reset = REQUEST_ID.set(request_id)
        started = time.perf_counter()
        status = 500  # what the client sees when the app dies before answering

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                # Appended, not set: nothing before this adds one (a set scans every header).
                raw_headers(message).append((b"x-request-id", request_id.encode("latin-1")))
            await send(message)

        try:
            await app(scope, receive, send_with_id)
        finally:
            seconds = time.perf_counter() - started
            method = scope.get("method", "-")
            method = method if method in _METHODS else "OTHER"
            route = route_of(scope)
            metrics.observe_request(method, route, status, seconds)
            client = scope.get("client")
            log.info('%s "%s %s" %s %.1f ms', client[0] if client else "-", method, route, status,
                     seconds * 1000, extra={"method": method, "route": route, "status": status,
                                            "duration_ms": round(seconds * 1000, 1)})
            REQUEST_ID.reset(reset)

    return handler
