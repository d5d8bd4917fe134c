"""GET /compare?ids=1,2,3: two to four listings side by side (board.planner.compare)."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from board.browse import profile as saved_profile
from board.indexing.gateway import utcnow
from board.planner import compare
from board.planner.identity import current_planner
from board.reviews import queries as review_queries
from board.web.common import render
from board.web.routing import FeatureRouter


@get("/compare", include_in_schema=False)
async def compare_page(request: Request) -> Template:
    ids = compare.parse_ids(request.query_params)  # ParamError: a 400 naming `ids`
    rows, missing = await compare.load(ids)
    if len(rows) < compare.MIN_IDS:
        raise NotFoundException(
            f"ids: no public listing {', '.join(str(i) for i in missing)}; "
            f"compare needs {compare.MIN_IDS} listings that exist")
    planner = await current_planner(request)
    profile = compare.visitor_profile(request.query_params,
                                      request.cookies.get(saved_profile.COOKIE),
                                      planner.profile if planner else None)
    now = utcnow()
    reviews = await review_queries.summaries(r["id"] for r in rows)
    shown = [r["id"] for r in rows]
    return await render(
        request, "pages/compare.html", listings=rows, missing=missing, profile=profile,
        rows=compare.fact_rows(rows, profile, now, reviews),
        remove_urls={i: compare.url_without(shown, i) for i in shown} if len(shown) > 2 else {})


router = FeatureRouter(path="/", route_handlers=[compare_page])
