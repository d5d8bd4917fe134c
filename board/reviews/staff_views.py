"""Moderators and reviews (/staff/reviews): held reviews (a red flag in the text) first;
hide one with a reason its author sees, or show a held one."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.moderation import queries as moderation_queries
from board.reviews import queries, services
from board.web.common import flash, render
from board.web.guards import LOGIN_REDIRECT, STAFF
from board.web.routing import FeatureRouter


@get("/staff/reviews", include_in_schema=False)
async def reviews_page(request: Request, staff: dict[str, Any]) -> Template:
    return await render(request, "pages/staff_reviews.html", section="reviews",
                        reviews=await queries.for_staff(),
                        tab_counts=await moderation_queries.tab_counts())


@post("/staff/reviews/{review_id:int}/hide", include_in_schema=False)
async def hide(request: Request, staff: dict[str, Any], review_id: int) -> Redirect:
    reason = str((await request.form()).get("reason") or "").strip()[:2000]
    if not reason:
        flash(request, "Give the reason the author will see.", "error")
        return Redirect("/staff/reviews", status_code=303)
    try:
        await services.hide(review_id, reason)
    except services.NotFound:
        raise NotFoundException("This review does not exist.") from None
    flash(request, "Review hidden; its author sees the reason.")
    return Redirect("/staff/reviews", status_code=303)


@post("/staff/reviews/{review_id:int}/show", include_in_schema=False)
async def show(request: Request, staff: dict[str, Any], review_id: int) -> Redirect:
    try:
        await services.show(review_id)
    except services.NotFound:
        raise NotFoundException("This review cannot be shown.") from None
    flash(request, "Review shown.")
    return Redirect("/staff/reviews", status_code=303)


router = FeatureRouter(path="/", dependencies={"staff": STAFF}, exception_handlers=LOGIN_REDIRECT,
                       route_handlers=[reviews_page, hide, show])
