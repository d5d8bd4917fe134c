"""Public pages: the search page, a listing page, and the Atom feed of any search."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from urllib.parse import parse_qsl, urlencode

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Response, Template
from markupsafe import Markup

from board.browse import counters, relax
from board.browse import profile as saved_profile
from board.browse import view_model as search_view
from board.browse.eligibility import VISA_LABELS, Profile, assess
from board.browse.facet_views import facet_text, search_params_only
from board.browse.params import (
    PROFILE_PARAMS,
    ParamError,
    canonical_pairs,
    filters_of,
    parse_profile,
    parse_search,
    parse_search_keeping_the_rest,
    to_query_string,
)
from board.browse.similar import similar_open
from board.browse.structured_data import json_ld
from board.core import vocab
from board.core.facts import hands_on_level_label, letter_label, total_cost_label
from board.core.geo import GeoError, Place
from board.core.geo import resolve as resolve_place
from board.core.listing_labels import back_to_search
from board.core.markdown import render_markdown
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.status import CLOSING_SOON_DAYS, Status, closing_soon
from board.listings.visibility import PRIVATE_STATUSES, is_unconfirmed, is_visible
from board.moderation.reports import CATEGORIES as REPORT_CATEGORIES
from board.reviews import queries as review_queries
from board.web import fragments
from board.web.common import current_member, is_htmx, render, runtime
from board.web.routing import FeatureRouter
from search.errors import SearchUnavailable


def _redirect(pairs: list[tuple[str, str]]) -> Redirect:
    qs = urlencode(pairs)
    return Redirect("/?" + qs if qs else "/", status_code=303)


def _profile_redirect(request: Request) -> Redirect | None:
    """`profile=clear` forgets the saved profile; a search without profile parameters gets
    the saved one added, so the URL (bookmarks, htmx history) always holds the whole search."""
    params = request.query_params
    if params.get(saved_profile.CLEAR_PARAM) == "clear":
        response = _redirect(saved_profile.without_profile(params))
        response.delete_cookie(saved_profile.COOKIE, path="/")
        return response
    if saved_profile.params_of(params):
        return None
    saved = saved_profile.decode(request.cookies.get(saved_profile.COOKIE))
    return _redirect(saved_profile.with_profile(params, saved)) if saved else None


def _remember(request: Request, response: Template, given: dict[str, list[str]]) -> None:
    value = saved_profile.encode(given)
    if given and request.cookies.get(saved_profile.COOKIE) != value:
        response.set_cookie(saved_profile.COOKIE, value, max_age=saved_profile.MAX_AGE, path="/",
                            httponly=True, samesite="lax",
                            secure=runtime(request).settings.production)


def request_profile(request: Request) -> Profile:
    """The profile of the URL, else the saved one (the listing page has no search form)."""
    params = request.query_params
    given = saved_profile.params_of(params) or saved_profile.decode(
        request.cookies.get(saved_profile.COOKIE))
    try:
        return parse_profile(given)
    except ParamError:
        return Profile()


def _canonical_redirect(request: Request) -> Redirect | None:
    """A plain form submit sends every field, most of them empty: answer with a 302 to the
    canonical URL, so the address bar and every shared link hold only what filters. htmx
    requests are cleaned before they leave (board.js) and are answered as they are."""
    # The raw query string, not the parsed parameters: those are grouped by name, and the
    # canonical URL keeps the order the visitor's form sent.
    items = parse_qsl(request.url.query, keep_blank_values=True)
    canonical = canonical_pairs(items)
    if canonical == items or is_htmx(request):
        return None
    qs = urlencode(canonical)
    return Redirect("/?" + qs if qs else "/", status_code=302)


def _place(state: dict[str, list[str]]) -> Place | None:
    try:
        return resolve_place(state["near"][0]) if state.get("near") else None
    except GeoError:
        return None


def _field_errors(errors: list[ParamError], state: dict[str, list[str]]
                  ) -> dict[str, dict[str, Any]]:
    """Form field -> what to show under it: the message in people's words, the parameter
    it is about (data-param, for the tests and the API's naming), and "did you mean" links."""
    out: dict[str, dict[str, Any]] = {}
    for e in errors:
        links = [(s, search_view.url_with(state, page=None, **{e.param: s}))
                 for s in e.suggestions]
        out.setdefault(e.field, {"param": e.param, "human": e.human, "links": links})
    return out


@get("/", include_in_schema=False)
async def search_page(request: Request) -> Response:
    redirect = _canonical_redirect(request) or _profile_redirect(request)
    if redirect is not None:
        return redirect
    state = search_view.current_params(request.query_params)
    errors: list[ParamError] = []
    unavailable = None
    result = None
    hits: list[dict[str, Any]] = []
    status = 200
    facet_q = ""
    profile = Profile()
    relaxed: list[dict[str, Any]] = []
    settings = runtime(request).settings
    kept = state
    try:
        facet_q = facet_text(request.query_params)
    except ParamError as exc:
        errors.append(exc)
    try:
        # A bad value is reported at its field and left out: the rest still answers.
        query, kept, errors_ = parse_search_keeping_the_rest(
            search_params_only(request.query_params),
            unlisted_after_days=settings.unlisted_after_days)
        errors += errors_
        profile = parse_profile(kept)
        result = await runtime(request).gateway.search(query)
        hits = await search_view.page_hits(result.hits, profile, utcnow().year)
        if result.total == 0:
            relaxed = await relax.relaxations(runtime(request).gateway,
                                              search_view.current_params(kept),
                                              settings.unlisted_after_days, (query, result))
    except ParamError as exc:
        errors.append(exc)
    except SearchUnavailable:
        unavailable, status = "Search is temporarily unavailable. Please try again in a minute.", 503
    if errors:
        status = 400
    today = utcnow().date()
    given = saved_profile.params_of(request.query_params)
    place = _place(state)
    filter_qs = to_query_string(filters_of(kept))
    context: dict[str, Any] = {
        "state": state, "result": result, "hits": hits, "unavailable": unavailable,
        "errors": errors, "field_errors": _field_errors(errors, state),
        "error": unavailable or (errors[0].human if errors else None),
        "searching": any(k not in PROFILE_PARAMS and k != "eligible_only" for k in state),
        "place": place, "relaxations": relaxed,
        "place_urls": [(alt, search_view.url_with(state, page=None, near=alt))
                       for alt in (place.alternatives if place else ())],
        "profile": profile, "profile_params": given, "visa_labels": VISA_LABELS,
        "eligible_only": (state.get("eligible_only") or ["true"])[0] != "false",
        "clear_profile_url": search_view.url_with(state, page=None, profile="clear"),
        "facets": search_view.facet_groups(state, result, facet_q),
        "first_page_url": search_view.url_with(state, page=None),
        "chips": search_view.chips(state),
        # Paging keeps `alert` (a search opened from an alert's manage page), so the box
        # stays "Update this alert" and the htmx-pushed URL (the link's href) carries it.
        "pagination": search_view.pagination(_with_alert(state, request), result)
        if result else None,
        "sort": (state.get("sort") or ["relevance"])[0],
        "subscribe_url": "/subscribe?" + filter_qs,
        "feed_url": "/feed.atom?" + filter_qs,
        "closing_soon": (today + dt.timedelta(days=CLOSING_SOON_DAYS)).isoformat(),
        "today": today.isoformat(),
        "current_year": today.year,
        "hands_on_levels": vocab.CHOICES["hands_on_levels"],
        "states": vocab.states(),
        "clear_url": "/?" + urlencode([(k, v) for k, vs in given.items() for v in vs])
        if given else "/",
        "alert": request.query_params.get("alert"),
    }
    context.update(_form_blocks(context))
    template = "partials/search_body.html" if is_htmx(request) else "pages/search.html"
    response = await render(request, template, status_code=status, **context)
    if status == 200:
        _remember(request, response, given)
    return response


ESSENTIAL_PARAMS = ("fee_max", "hands_on_min", "near", "radius_miles", "cost_max")


def _form_blocks(context: dict[str, Any]) -> dict[str, Markup]:
    """The form's blocks that read a few values only (board/web/fragments.py): the cost,
    hands-on and place fields, and the "My profile" panel."""
    state, errors = context["state"], context["field_errors"]
    essentials = {"state": {k: state[k] for k in ESSENTIAL_PARAMS if k in state},
                  "field_errors": {k: errors[k] for k in ESSENTIAL_PARAMS if k in errors},
                  "hands_on_levels": context["hands_on_levels"]}
    given = bool(context["profile_params"])
    profile = {"state": {k: state[k] for k in PROFILE_PARAMS if k in state},
               "field_errors": {k: errors[k] for k in PROFILE_PARAMS if k in errors},
               "current_year": context["current_year"], "visa_labels": context["visa_labels"],
               "profile_params": given, "eligible_only": context["eligible_only"],
               "clear_profile_url": context["clear_profile_url"] if given else ""}
    return {
        "essentials": fragments.fragment(
            "partials/search_essentials.html", essentials,
            None if essentials["field_errors"] else fragments.frozen(state, ESSENTIAL_PARAMS)),
        "profile_panel": fragments.fragment(
            "partials/profile_panel.html", profile,
            None if profile["field_errors"] else (
                fragments.frozen(state, PROFILE_PARAMS), profile["current_year"], given,
                profile["eligible_only"], profile["clear_profile_url"])),
    }


def _with_alert(state: dict[str, list[str]], request: Request) -> dict[str, list[str]]:
    alert = request.query_params.get("alert")
    return {**state, "alert": [alert]} if alert else state


def _error_with_similar(request: Request, status: int, message: str,
                        similar: list[dict[str, Any]]) -> Template:
    """The error page of a listing one cannot see, with open listings to go on to (the
    status stays the error's: a crawler must still learn the address is dead)."""
    return Template("pages/error.html", status_code=status, context={
        "status_code": status, "message": message, "similar": similar,
        "csrf_input": "", "current_member": None})


@get("/opportunities/{opportunity_id:int}", include_in_schema=False)
async def listing_page(request: Request, opportunity_id: int) -> Template:
    unlisted_days = runtime(request).settings.unlisted_after_days
    gateway = runtime(request).gateway
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        return _error_with_similar(request, 404, "This listing does not exist.",
                                   await similar_open(gateway, None, unlisted_days))
    if row["status"] == Status.REMOVED:
        return _error_with_similar(request, 410, "This listing was removed by a moderator.",
                                   await similar_open(gateway, row, unlisted_days))
    member = await current_member(request)
    owner = bool(member and (member.get("institution") == row["institution"] or
                             member.get("is_staff")))
    private = row["status"] in PRIVATE_STATUSES
    # A suspended institution's listings are out of sight until the suspension is lifted,
    # by direct link too; its members and staff still see them.
    suspended = row.get("institution_suspended_at") is not None
    if (private or suspended) and not owner:  # nothing leaks, not even the specialty
        return _error_with_similar(request, 404, "This listing does not exist.",
                                   await similar_open(gateway, None, unlisted_days))
    now = utcnow()
    open_ = is_visible(row, now)
    if row["status"] == Status.PUBLISHED and not owner and not counters.is_bot(
            request.headers.get("user-agent")):
        await counters.count_view(opportunity_id)
    reviews = await review_queries.shown(opportunity_id=opportunity_id) if not private else []
    unconfirmed = open_ and is_unconfirmed(row, now, unlisted_days)
    return await render(
        request, "pages/listing.html", listing=row, open=open_, unconfirmed=unconfirmed,
        similar=await similar_open(gateway, row, unlisted_days) if unconfirmed else [],
        today_iso=now.date().isoformat(), categories=REPORT_CATEGORIES,
        reviews=reviews, review_summary=review_queries.summary(reviews),
        description_html=render_markdown(row["description"]),
        json_ld=json_ld(row, runtime(request).settings.base_url) if open_ else None,
        state_name=vocab.states().get(row["state"] or "", ""), owner=owner, private=private,
        closing_soon=closing_soon(row.get("application_deadline"), now),
        assessment=_assessment(request, row, now),
        back_url=back_to_search(request.headers.get("referer"), request.headers.get("host"),
                                request.query_params.get("from")),
    )


def _assessment(request: Request, row: dict[str, Any], now: dt.datetime) -> dict[str, Any] | None:
    profile = request_profile(request)
    return assess(profile, row, now.year).as_dict() if profile else None


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
        fee = (f"{total_cost_label(hit.get('total_cost_usd'))} · letters: "
               f"{letter_label(hit)} · hands-on: {hands_on_level_label(hit.get('hands_on_level'))}")
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
