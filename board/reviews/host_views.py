"""The host's side of reviews (/dashboard/completions): record a completed rotation (the
participant is mailed a review link), see the reviews, and reply (never edit or delete)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.core.validation import ValidationErrors
from board.indexing.gateway import utcnow
from board.reviews import queries, services
from board.store.tables import Opportunity
from board.web.common import flash, render, runtime
from board.web.guards import INSTITUTION_MEMBER, LOGIN_REDIRECT
from board.web.routing import FeatureRouter

_FIELDS = ("opportunity_id", "participant_email", "starts_on", "ends_on")


async def _page(request: Request, member: dict[str, Any], status_code: int = 200,
                **ctx: Any) -> Template:
    institution = member["institution"]
    listings = await Opportunity.select(Opportunity.id, Opportunity.title).where(
        (Opportunity.institution == institution) & Opportunity.published_at.is_not_null()
    ).order_by(Opportunity.title).run()
    ctx.setdefault("values", {})
    ctx.setdefault("errors", {})
    return await render(request, "pages/completions.html", status_code=status_code,
                        listings=listings, titles={r["id"]: r["title"] for r in listings},
                        completions=await services.completions_of(institution),
                        reviews=await queries.shown(institution_id=institution),
                        today=utcnow().date().isoformat(), **ctx)


@get("/dashboard/completions", include_in_schema=False)
async def completions_page(request: Request, member: dict[str, Any]) -> Template:
    # An IMG's "completed" in their tracker mails a link that fills in the listing and the
    # participant (board.planner.completion); the host adds the dates and records it.
    prefill = {k: str(request.query_params.get(k) or "")[:254]
               for k in ("opportunity_id", "participant_email")}
    return await _page(request, member, values=prefill)


@post("/dashboard/completions", include_in_schema=False)
async def record(request: Request, member: dict[str, Any]) -> Template | Redirect:
    form = await request.form()
    data = {k: str(form.get(k) or "")[:500] for k in _FIELDS}
    try:
        clean = services.clean_completion(data, utcnow().date())
        await services.record_completion(runtime(request), member["institution"], clean)
    except ValidationErrors as exc:
        return await _page(request, member, 400, values=data, errors=exc.errors)
    flash(request, f"Recorded: {clean['participant_email']} was sent a link to review the "
          "rotation.")
    return Redirect("/dashboard/completions", status_code=303)


@post("/dashboard/reviews/{review_id:int}/reply", include_in_schema=False)
async def reply(request: Request, member: dict[str, Any], review_id: int) -> Redirect:
    text = str((await request.form()).get("reply") or "")[:5000]
    try:
        await services.reply(review_id, member["institution"], text)
    except services.NotFound:
        raise NotFoundException("This review does not exist.") from None
    except ValidationErrors as exc:
        flash(request, "Reply: " + exc.errors["reply"], "error")
        return Redirect("/dashboard/completions", status_code=303)
    flash(request, "Your reply is shown under the review.")
    return Redirect("/dashboard/completions", status_code=303)


router = FeatureRouter(
    path="/", dependencies={"member": INSTITUTION_MEMBER}, exception_handlers=LOGIN_REDIRECT,
    route_handlers=[completions_page, record, reply],
)
