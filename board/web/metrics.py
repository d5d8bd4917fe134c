"""GET /metrics: Prometheus text format, for a scraper holding METRICS_TOKEN.

Off (404, as if the route did not exist) unless METRICS_TOKEN is set: counts per route
tell an outsider what the board is busy with. The token is compared in constant time."""

from __future__ import annotations

import hmac

from litestar import Request, get
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.response import Response

from board.indexing.gateway import utcnow
from board.indexing.outbox import backlog
from board.observability import metrics
from board.web.common import runtime
from board.web.routing import FeatureRouter


def _authorized(request: Request, token: str) -> bool:
    scheme, _, given = request.headers.get("authorization", "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())


@get("/metrics", include_in_schema=False)
async def metrics_page(request: Request) -> Response[bytes]:
    token = runtime(request).settings.metrics_token
    if not token:
        raise NotFoundException()
    if not _authorized(request, token):
        raise NotAuthorizedException(detail="metrics: send Authorization: Bearer <METRICS_TOKEN>",
                                     headers={"WWW-Authenticate": 'Bearer realm="metrics"'})
    pending, oldest = await backlog(utcnow())
    return Response(metrics.exposition(pending, oldest), media_type=metrics.CONTENT_TYPE)


router = FeatureRouter(path="/", route_handlers=[metrics_page])
