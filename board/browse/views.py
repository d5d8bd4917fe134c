"""Public pages: the search page, a listing page, and the Atom feed of any search."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import re
from typing import Any

from litestar import Request, get
from litestar.exceptions import HTTPException, NotFoundException
from litestar.response import Redirect, Response, Template

from board.browse import counters
from board.browse import view_model as search_view
from board.browse.facet_views import facet_text, search_params_only
from board.browse.params import ParamError, filters_of, parse_search, to_query_string
from board.core import vocab
from board.core.markdown import plain_text, render_markdown
from board.indexing.gateway import as_utc, utcnow
from board.listings import services as listings
from board.listings.status import CLOSING_SOON_DAYS, Status, closing_soon
from board.listings.visibility import PRIVATE_STATUSES, is_unconfirmed, is_visible
from board.moderation.reports import CATEGORIES as REPORT_CATEGORIES
from board.reviews import queries as review_queries
from board.web.common import current_member, is_htmx, render, runtime
from board.web.routing import FeatureRouter
from search.errors import SearchUnavailable


@get("/", include_in_schema=False)
async def search_page(request: Request) -> Template:
    state = search_view.current_params(request.query_params)
    error = None
    result = None
    status = 200
    facet_q = ""
    try:
        facet_q = facet_text(request.query_params)
        query = parse_search(search_params_only(request.query_params),
                             unlisted_after_days=runtime(request).settings.unlisted_after_days)
        result = await runtime(request).gateway.search(query)
        reviews = await review_queries.summaries(h["id"] for h in result.hits)
        result = dataclasses.replace(result, hits=[{**h, "reviews": reviews.get(h["id"])}
                                                   for h in result.hits])
    except ParamError as exc:
        error, status = f"{exc.param}: {exc.message}", 400
    except SearchUnavailable:
        error, status = "Search is temporarily unavailable. Please try again in a minute.", 503
    today = utcnow().date()
    context: dict[str, Any] = {
        "state": state, "result": result, "error": error,
        "facets": search_view.facet_groups(state, result, facet_q),
        "first_page_url": search_view.url_with(state, page=None),
        "chips": search_view.chips(state),
        "pagination": search_view.pagination(state, result) if result else None,
        "sort": (state.get("sort") or ["relevance"])[0],
        "subscribe_url": "/subscribe?" + to_query_string(filters_of(request.query_params)),
        "feed_url": "/feed.atom?" + to_query_string(filters_of(request.query_params)),
        "closing_soon": (today + dt.timedelta(days=CLOSING_SOON_DAYS)).isoformat(),
        "today": today.isoformat(),
        "current_year": today.year,
        "states": vocab.states(),
        "clear_url": "/",
    }
    template = "partials/search_body.html" if is_htmx(request) else "pages/search.html"
    return await render(request, template, status_code=status, **context)


def _json_ld(row: dict[str, Any], base_url: str) -> str:
    data = {
        "@context": "https://schema.org", "@type": "JobPosting",
        # Plain text: the Markdown source is for our renderer, not for crawlers.
        "title": row["title"], "description": plain_text(row["description"] or "") or row["title"],
        "datePosted": str((row.get("published_at") or row["created_at"]).date()),
        "hiringOrganization": {"@type": "Organization", "name": row.get("institution_name")},
        "employmentType": "INTERN",
        "url": f"{base_url}/opportunities/{row['id']}",
    }
    if row.get("expires_at"):
        data["validThrough"] = as_utc(row["expires_at"]).isoformat()
    if row.get("remote"):
        data["jobLocationType"] = "TELECOMMUTE"
    if row.get("state"):
        data["jobLocation"] = {"@type": "Place", "address": {
            "@type": "PostalAddress", "addressLocality": row.get("city") or "",
            "addressRegion": row["state"], "addressCountry": "US"}}
    # Escape "<" so no text can close the script element.
    return json.dumps(data).replace("<", "\\u003c")


async def _similar(request: Request, row: dict[str, Any], unlisted_days: int
                   ) -> list[dict[str, Any]]:
    """Open listings of the same specialty (for a listing that left search), best effort:
    without the search engine the page still renders, just without suggestions."""
    params = {"specialty": [row["specialty"]], "sort": "confirmed", "per_page": "4"}
    try:
        result = await runtime(request).gateway.search(
            parse_search(params, unlisted_after_days=unlisted_days))
    except SearchUnavailable:
        return []
    return [h for h in result.hits if h["id"] != row["id"]][:3]


@get("/opportunities/{opportunity_id:int}", include_in_schema=False)
async def listing_page(request: Request, opportunity_id: int) -> Template:
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None
    if row["status"] == Status.REMOVED:
        raise HTTPException(status_code=410, detail="This listing was removed by a moderator.")
    member = await current_member(request)
    owner = bool(member and (member.get("institution") == row["institution"] or
                             member.get("is_staff")))
    private = row["status"] in PRIVATE_STATUSES
    if private and not owner:
        raise NotFoundException("This listing does not exist.")
    now = utcnow()
    open_ = is_visible(row, now)
    if row["status"] == Status.PUBLISHED and not owner and not counters.is_bot(
            request.headers.get("user-agent")):
        await counters.count_view(opportunity_id)
    unlisted_days = runtime(request).settings.unlisted_after_days
    reviews = await review_queries.shown(opportunity_id=opportunity_id) if not private else []
    unconfirmed = open_ and is_unconfirmed(row, now, unlisted_days)
    return await render(
        request, "pages/listing.html", listing=row, open=open_, unconfirmed=unconfirmed,
        similar=await _similar(request, row, unlisted_days) if unconfirmed else [],
        today_iso=now.date().isoformat(), categories=REPORT_CATEGORIES,
        reviews=reviews, review_summary=review_queries.summary(reviews),
        description_html=render_markdown(row["description"]),
        json_ld=_json_ld(row, runtime(request).settings.base_url) if open_ else None,
        state_name=vocab.states().get(row["state"] or "", ""), owner=owner, private=private,
        closing_soon=closing_soon(row.get("application_deadline"), now),
    )


# XML 1.0 forbids most control characters; lxml (feedgen) raises on them, so a query or a
# title holding one would turn the whole feed into a 500.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _xml_text(text: str) -> str:
    return _NOT_XML.sub("", text)


@get("/feed.atom", include_in_schema=False)
async def feed(request: Request) -> Response[bytes]:
    from feedgen.feed import FeedGenerator

    params = request.query_params
    query = parse_search(params, unlisted_after_days=runtime(request).settings.unlisted_after_days)
    if query.sort == "relevance":
        query = type(query)(**{**query.__dict__, "sort": "newest"})
    result = await runtime(request).gateway.search(query)
    base = runtime(request).settings.base_url
    qs = to_query_string(filters_of(params))
    fg = FeedGenerator()
    fg.id(f"{base}/feed.atom?{qs}")
    fg.title(_xml_text("IMG Opportunity Board" + (f": {query.q}" if query.q else "")))
    fg.link(href=f"{base}/?{qs}", rel="alternate")
    fg.link(href=f"{base}/feed.atom?{qs}", rel="self")
    fg.updated(utcnow())
    for hit in reversed(result.hits):
        entry = fg.add_entry()
        url = f"{base}/opportunities/{hit['id']}"
        entry.id(url)
        entry.title(_xml_text(hit["title"]))
        entry.link(href=url)
        fee = "Free" if not hit["fee_usd"] else f"${hit['fee_usd']:,}"
        where = ", ".join(x for x in (hit.get("city"), hit.get("state")) if x) or "Remote"
        entry.summary(_xml_text(f"{hit['institution']['name']} · {where} · {hit['specialty']} · {fee}"))
        published = hit.get("published_at")
        if published:
            stamp = dt.datetime.fromisoformat(published.replace("Z", "+00:00"))
            entry.published(stamp)
            entry.updated(stamp)
    return Response(fg.atom_str(pretty=True), media_type="application/atom+xml")




@get("/opportunities/{opportunity_id:int}/apply", include_in_schema=False)
async def apply_redirect(opportunity_id: int) -> Response:
    """Count the click, then send the visitor to the institution's own page."""
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None
    if not row["apply_url"] or row["status"] != Status.PUBLISHED:
        return Redirect(f"/opportunities/{opportunity_id}", status_code=303)
    await counters.count_apply_click(opportunity_id)
    return Redirect(row["apply_url"], status_code=303)


router = FeatureRouter(path="/", route_handlers=[search_page, listing_page, feed, apply_redirect])
