"""GET /healthz: the store, search and mail, each checked with a short timeout."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from typing import Any
from weakref import WeakKeyDictionary

from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from board.store import engine as db
from board.web.common import runtime
from board.web.routing import FeatureRouter

CHECK_TIMEOUT = 2.0
# A probe polling /healthz every few seconds opened an SMTP connection (with AUTH) each
# time: the mail server saw a login storm. Its answer is kept this long per mailer.
MAIL_CHECK_TTL = 60.0
# The answer for a failing part: the reason goes to the log, not to whoever asks (host
# names, ports and driver messages are internal).
UNAVAILABLE = "unavailable"
log = logging.getLogger("board.health")
_mail_checks: WeakKeyDictionary[Any, tuple[float, asyncio.Future[str]]] = WeakKeyDictionary()


async def _check(part: str, coro: Awaitable[Any]) -> str:
    try:
        await asyncio.wait_for(coro, timeout=CHECK_TIMEOUT)
    except Exception as exc:  # any failure of a part means "not ok"; the log says why
        log.warning("health check: %s unavailable: %s: %s", part, type(exc).__name__, exc)
        return UNAVAILABLE
    return "ok"


async def _mail_status(mailer: Any) -> str:
    """The mail check at most once a minute per mailer; concurrent callers share one."""
    now = time.monotonic()
    cached = _mail_checks.get(mailer)
    if cached is None or cached[0] <= now:
        cached = (now + MAIL_CHECK_TTL, asyncio.ensure_future(_check("mail", mailer.check())))
        _mail_checks[mailer] = cached
    future = cached[1]
    return future.result() if future.done() else await asyncio.shield(future)


async def _search_ok(request: Request) -> None:
    if not await runtime(request).client.healthy():
        raise ConnectionError("Meilisearch is not available")


@get("/healthz", tags=["health"],
     summary="Status of the store, search and mail", responses={
         503: ResponseSpec(dict[str, str], generate_examples=False,
                           description="A part is failing: its value is "
                                       "'unavailable' (the log says why)")})
async def healthz(request: Request) -> Response[dict[str, str]]:
    rt = runtime(request)
    store, search, mail = await asyncio.gather(
        _check("store", db.ping()), _check("search", _search_ok(request)),
        _mail_status(rt.mailer),
    )
    parts = {"store": store, "search": search, "mail": mail}
    failing = [k for k, v in parts.items() if v != "ok"]
    body = {"status": "ok" if not failing else "unavailable: " + ", ".join(failing), **parts}
    return Response(body, status_code=503 if failing else 200)


router = FeatureRouter(path="/", route_handlers=[healthz])
