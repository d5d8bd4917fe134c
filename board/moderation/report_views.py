"""Report a listing: the form at the bottom of every listing page posts here. Limited per
client address and per listing, so the moderation queue cannot be flooded."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import HTTPException, NotFoundException, TooManyRequestsException
from litestar.response import Redirect, Template

from board.core.validation import ValidationErrors
from board.indexing.gateway import utcnow
from board.listings import reconfirm
from board.listings import services as listings
from board.moderation import reports as listing_reports
from board.web import ratelimit
from board.web.common import flash, render, runtime
from board.web.routing import FeatureRouter

PER_CLIENT = (5, 3600)  # reports per client address per hour
MAX_FORM_FIELD = 5000


async def _listing(opportunity_id: int) -> dict[str, Any]:
    try:
        return await listing_reports.reportable(opportunity_id)
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None
    except listing_reports.ListingGone:
        raise HTTPException(status_code=410, detail="This listing was removed by a moderator.") from None


@get("/opportunities/{opportunity_id:int}/report", include_in_schema=False)
async def report_form(request: Request, opportunity_id: int) -> Template:
    listing = await _listing(opportunity_id)
    return await render(request, "pages/report.html", listing=listing, values={}, errors={},
                        categories=listing_reports.CATEGORIES)


@post("/opportunities/{opportunity_id:int}/report", include_in_schema=False)
async def report_listing(request: Request, opportunity_id: int) -> Template | Redirect:
    listing = await _listing(opportunity_id)
    form = await request.form()
    data = {k: str(v)[:MAX_FORM_FIELD] for k, v in form.items()
            if k in ("category", "reason", "email") and isinstance(v, str)}
    try:
        clean = listing_reports.clean_report(data)
    except ValidationErrors as exc:
        return await render(request, "pages/report.html", status_code=400, listing=listing,
                            values=data, errors=exc.errors, categories=listing_reports.CATEGORIES)
    # Counted only for well-formed reports: fixing a typo must not lock a visitor out.
    address = ratelimit.client_address(request, runtime(request).settings)
    if not await ratelimit.hit(request, "report", address, *PER_CLIENT):
        raise TooManyRequestsException(detail="You have sent several reports in the last hour. "
                                       "Please try again later or write to us from the Contact page.")
    if await listing_reports.recent_count(opportunity_id) >= listing_reports.PER_LISTING_PER_HOUR:
        raise TooManyRequestsException(detail="This listing has just been reported several times; "
                                       "our moderators are already looking at it.")
    rt = runtime(request)
    reporter = listing_reports.reporter_hash(rt.settings.secret_key, address, utcnow().date())
    if await listing_reports.file_report(opportunity_id, clean, reporter):
        await reconfirm.ask_now(rt, opportunity_id, "reported")  # the third "closed" report
    flash(request, "Thank you: your report was sent to our moderators, who will review the "
          "listing.")
    return Redirect(f"/opportunities/{opportunity_id}", status_code=303)


router = FeatureRouter(path="/", route_handlers=[report_form, report_listing])
