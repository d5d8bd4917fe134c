"""GET /healthz: the store, search and mail, each checked with a short timeout."""

from __future__ import annotations

import asyncio

from litestar import Request, get
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Response

from board.store import engine as db
from board.web.common import runtime
from board.web.routing import FeatureRouter

CHECK_TIMEOUT = 2.0


async def _check(coro) -> str:
    try:
        await asyncio.wait_for(coro, timeout=CHECK_TIMEOUT)
    except Exception as exc:  # any failure of a part means "not ok", named in the answer
        return f"error: {type(exc).__name__}: {str(exc)[:120]}"
    return "ok"


async def _search_ok(request: Request) -> None:
    if not await runtime(request).client.healthy():
        raise ConnectionError("Meilisearch is not available")


@get("/healthz", tags=["health"],
     summary="Status of the store, search and mail", responses={
         503: ResponseSpec(dict[str, str], description="A part is failing; its value says why")})
async def healthz(request: Request) -> Response[dict[str, str]]:
    rt = runtime(request)
    store, search, mail = await asyncio.gather(
        _check(db.ping()), _check(_search_ok(request)), _check(rt.mailer.check()),
    )
    parts = {"store": store, "search": search, "mail": mail}
    failing = [k for k, v in parts.items() if v != "ok"]
    body = {"status": "ok" if not failing else "unavailable: " + ", ".join(failing), **parts}
    return Response(body, status_code=503 if failing else 200)


router = FeatureRouter(path="/", route_handlers=[healthz])
