"""Our own access log: one line per request naming the route TEMPLATE, never the raw path
or query. Links in mails carry signed tokens in the path (/unsubscribe/<token>,
/manage/<token>, /subscribe/confirm/<token>, reset and invite links); uvicorn's access log
wrote them into every log file and log shipper, where anyone reading logs could use them.
`board serve` turns uvicorn's access log off in favour of this one.

A `before_send` hook (like the security headers) so router 404s are logged too; a path
that matched no route is logged as "-" since it may be a mistyped token link."""

from __future__ import annotations

import logging

from litestar.types import Message, Scope

log = logging.getLogger("board.access")


def route_of(scope: Scope) -> str:
    """The matched route's template ("/unsubscribe/{token}"), or "-" for no route."""
    return scope.get("path_template") or "-"


def access_log():
    async def before_send(message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start" or scope.get("type") != "http":
            return
        client = scope.get("client")
        log.info('%s "%s %s" %s', client[0] if client else "-", scope.get("method", "-"),
                 route_of(scope), message["status"])

    return before_send
