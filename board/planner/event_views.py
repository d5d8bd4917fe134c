"""`GET /opportunities/{id}/join`: an event's join link, for everyone when the host made it
public, else only for a visitor who saved the event (their shortlist). The listing page
links here, so the link itself never appears in a page, a search hit or the public API."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException, PermissionDeniedException
from litestar.response import Redirect

from board.core.event_listing import join_link
from board.listings import services as listings
from board.listings.visibility import PUBLIC_PAGE_STATUSES
from board.planner.identity import current_planner
from board.planner.shortlist import shortlist_ids
from board.web.routing import FeatureRouter


@get("/opportunities/{opportunity_id:int}/join", include_in_schema=False)
async def join(request: Request, opportunity_id: int) -> Redirect:
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None
    if row["status"] not in PUBLIC_PAGE_STATUSES or not row.get("join_url"):
        raise NotFoundException("This listing has no join link.")
    planner = await current_planner(request)
    saved = set(await shortlist_ids(planner.id)) if planner is not None else set()
    url = join_link(row, saved)
    if not url:
        raise PermissionDeniedException(
            "The host shows this join link to visitors who saved the event: save it first.")
    return Redirect(url, status_code=303)


router = FeatureRouter(path="/", route_handlers=[join])
