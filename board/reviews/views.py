"""Public review pages: the participant's signed review link (GET shows the form or the
review and changes nothing; POST submits once or withdraws) and an institution's public
page (/institutions/{id}: its open listings, verified status and review summary)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Template

from board.core.signing import BadToken, ExpiredToken
from board.core.validation import ValidationErrors
from board.indexing.gateway import utcnow
from board.listings.visibility import visible_where
from board.reviews import queries, services
from board.store.tables import Institution, Opportunity
from board.web.common import render, runtime
from board.web.routing import FeatureRouter

_TEMPLATE = "pages/review.html"
_FIELDS = (*services.SCORES, "letter", "costs_as_advertised", "body", "show_name", "name",
           "country")


async def _load(request: Request, token: str) -> tuple[dict[str, Any], int]:
    try:
        completion_id = services.read_token(runtime(request).settings, token)
        done = await services.completion(completion_id)
    except ExpiredToken:
        return {"state": "invalid", "reason": "This review link has expired (links are valid "
                f"for {services.REVIEW_LINK_DAYS} days)."}, 410
    except (BadToken, services.NotFound):
        return {"state": "invalid", "reason": "This review link is not valid. Check that you "
                "copied the whole link from the email."}, 400
    listing = await Opportunity.select(Opportunity.id, Opportunity.title,
                                       Opportunity.institution.name.as_alias("institution_name")
                                       ).where(Opportunity.id == done["opportunity_id"]).first().run()
    review = await services.review_of(completion_id)
    ctx = {"token": token, "completion": done, "listing": listing, "review": review,
           "values": {}, "errors": {}}
    return {**ctx, "state": "review" if review else "form"}, 200


@get("/review/{token:str}", include_in_schema=False)
async def review_page(request: Request, token: str) -> Template:
    ctx, status = await _load(request, token)
    return await render(request, _TEMPLATE, status_code=status, **ctx)


@post("/review/{token:str}", include_in_schema=False)
async def review_submit(request: Request, token: str) -> Template:
    ctx, status = await _load(request, token)
    if ctx["state"] == "invalid":
        return await render(request, _TEMPLATE, status_code=status, **ctx)
    form = await request.form()
    completion_id = ctx["completion"]["id"]
    if form.get("action") == "withdraw":
        if ctx["review"]:
            await services.withdraw(completion_id)
        ctx, _ = await _load(request, token)
        return await render(request, _TEMPLATE, **ctx, message="Your review was withdrawn.")
    if ctx["review"]:
        return await render(request, _TEMPLATE, status_code=409, **ctx,
                            message="You have already reviewed this rotation.")
    data = {k: str(form.get(k) or "")[:5000] for k in _FIELDS}
    try:
        clean = services.clean_review(data)
        await services.submit_review(completion_id, clean)
    except ValidationErrors as exc:
        return await render(request, _TEMPLATE, status_code=400,
                            **{**ctx, "values": data, "errors": exc.errors})
    except services.AlreadyReviewed:
        pass  # a second tab won: show the review that was stored
    ctx, _ = await _load(request, token)
    return await render(request, _TEMPLATE, **ctx, message="Thank you: your review was saved.")


@get("/institutions/{institution_id:int}", include_in_schema=False)
async def institution_page(request: Request, institution_id: int) -> Template:
    if not 0 < institution_id <= 2**31 - 1:
        raise NotFoundException("This institution does not exist.")
    inst = await Institution.select(Institution.id, Institution.name, Institution.city,
                                    Institution.state, Institution.website, Institution.verified,
                                    Institution.banned_at).where(
        Institution.id == institution_id).first().run()
    if inst is None or inst["banned_at"] is not None:
        raise NotFoundException("This institution does not exist.")
    open_listings = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.specialty, Opportunity.kind,
        Opportunity.city, Opportunity.state, Opportunity.confirmed_at, Opportunity.full_until,
        Opportunity.reported_closed_at, Opportunity.published_at,
    ).where(visible_where(utcnow()) & (Opportunity.institution == institution_id)).order_by(
        Opportunity.published_at, ascending=False).limit(200).run()
    reviews = await queries.shown(institution_id=institution_id)
    titles = {r["id"]: r["title"] for r in open_listings}
    return await render(request, "pages/institution.html", institution=inst,
                        listings=open_listings, reviews=reviews, titles=titles,
                        summary=queries.summary(reviews), today_iso=utcnow().date().isoformat())


router = FeatureRouter(path="/", route_handlers=[review_page, review_submit, institution_page])
