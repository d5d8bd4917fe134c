"""The shortlist: Save / Remove on every card and listing page, and /shortlist.

Without JavaScript the Save form posts and comes back to the page it was on (its `next`
field, else a same-site Referer) with a flash; with htmx the form is swapped in place for
its new state, and the header's count is updated out of band. Works for an anonymous
visitor (a planner in the session, made on the first save) and for a signed-in IMG."""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlsplit

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.listings.visibility import PUBLIC_PAGE_STATUSES
from board.planner import shortlist
from board.planner.identity import current_planner, is_signed_in
from board.store.tables import Opportunity
from board.web.common import flash, is_htmx, render
from board.web.guards import safe_next
from board.web.routing import FeatureRouter


def _same_site_referer(request: Request) -> str:
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc and referer.netloc == request.headers.get("host", ""):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return ""


def back_to(request: Request, form: Any, default: str) -> str:
    """Where a form goes back to: its own `next` field, else the Referer when it is a page of
    this site, else `default` (never another site: no open redirect)."""
    given = safe_next(str(form.get("next") or ""), "")
    return given or safe_next(_same_site_referer(request), default)


async def _listing(opportunity_id: int) -> dict[str, Any]:
    row = await Opportunity.select(Opportunity.id, Opportunity.title, Opportunity.status).where(
        Opportunity.id == opportunity_id).first().run()
    if row is None or row["status"] not in PUBLIC_PAGE_STATUSES:
        raise NotFoundException(f"No listing {opportunity_id}.")
    return row


async def _answer(request: Request, listing: dict[str, Any], message: str) -> Template | Redirect:
    if is_htmx(request):
        return await render(request, "partials/save_button.html", save_id=listing["id"],
                            save_title=listing["title"], save_oob=True)
    form = await request.form()
    flash(request, message)
    return Redirect(back_to(request, form, f"/opportunities/{listing['id']}"), status_code=303)


@post("/shortlist/{opportunity_id:int}", include_in_schema=False, status_code=200)
async def save(request: Request, opportunity_id: int) -> Template | Redirect:
    listing = await _listing(opportunity_id)
    planner = await current_planner(request, create=True)
    await shortlist.add(planner.id, listing["id"])
    return await _answer(request, listing, f"Saved “{listing['title']}” to your shortlist.")


@post("/shortlist/{opportunity_id:int}/remove", include_in_schema=False, status_code=200)
async def remove(request: Request, opportunity_id: int) -> Template | Redirect:
    row = await Opportunity.select(Opportunity.id, Opportunity.title).where(
        Opportunity.id == opportunity_id).first().run()
    if row is None:
        raise NotFoundException(f"No listing {opportunity_id}.")
    planner = await current_planner(request)
    if planner is not None:
        await shortlist.remove(planner.id, row["id"])
    return await _answer(request, row, f"Removed “{row['title']}” from your shortlist.")


@get("/shortlist", include_in_schema=False)
async def shortlist_page(request: Request) -> Template:
    planner = await current_planner(request)
    items = await shortlist.saved_listings(planner.id, dt.datetime.now(dt.UTC)) if planner else []
    return await render(request, "pages/shortlist.html", items=items,
                        signed_in=is_signed_in(planner))


router = FeatureRouter(path="/", route_handlers=[save, remove, shortlist_page])
