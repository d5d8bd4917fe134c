"""The calendars: `/feed.ics?<search parameters>` (any search, as the search API reads its
parameters) and `/calendar.ics` (the shortlist: with `?token=` the account's subscribable
URL, without one the current visitor's shortlist as a download). Thin handlers; the
format is board.planner.calendar."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Response

from board.browse.params import parse_search
from board.core.event_listing import join_link
from board.indexing.gateway import load_rows, utcnow
from board.listings.visibility import is_visible
from board.planner.calendar import build_calendar
from board.planner.identity import current_planner
from board.planner.shortlist import shortlist_ids
from board.planner.tables import Planner
from board.web.common import runtime
from board.web.routing import FeatureRouter

MEDIA_TYPE = "text/calendar"  # Litestar adds "; charset=utf-8"
# A feed holds a page of the search (`page` pages on), at most the search's largest page.
FEED_LIMIT = 50


def _calendar(body: bytes, *, filename: str | None = None) -> Response[bytes]:
    headers = {"Cache-Control": "private, max-age=300"}
    if filename:
        headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return Response(body, media_type=MEDIA_TYPE, headers=headers)


@get("/feed.ics", include_in_schema=False)
async def search_feed(request: Request) -> Response[bytes]:
    """The listings of a search as a calendar; a bad parameter answers 400 naming it (the
    app's ParamError handler), as the search page and the API do."""
    given = request.query_params
    params: dict[str, Any] = {k: given.getall(k) for k in given if k != "per_page"}
    params["per_page"] = [str(FEED_LIMIT)]
    query = parse_search(params, unlisted_after_days=runtime(request).settings.unlisted_after_days)
    result = await runtime(request).gateway.search(query)
    ids = [int(hit["id"]) for hit in result.hits]
    order = {listing_id: n for n, listing_id in enumerate(ids)}
    rows = sorted(await load_rows(ids) if ids else [], key=lambda row: order[row["id"]])
    # A public feed: only public join links, and nothing of a suspended institution (its
    # documents leave the index through the outbox; this covers the moments before that).
    rows = [{**row, "join_link": join_link(row)} for row in rows
            if row.get("institution_suspended_at") is None]
    body = build_calendar(rows, base_url=runtime(request).settings.base_url,
                          name="IMG Opportunity Board: " + (query.q or "search"))
    return _calendar(body)


@get("/calendar.ics", include_in_schema=False)
async def shortlist_calendar(request: Request, token: str | None = None) -> Response[bytes]:
    if token is not None:
        planner = await Planner.objects().where(Planner.calendar_token == token[:200]).first().run()
        if planner is None or not token:
            raise NotFoundException("No calendar with this address.")
    else:
        planner = await current_planner(request)
    ids = await shortlist_ids(planner.id) if planner is not None else []
    now = utcnow()
    rows = await load_rows(ids) if ids else []
    saved = set(ids)
    # A saved listing that closes, expires or is removed stays, cancelled (calendar apps
    # drop it), as the shortlist page keeps it, marked.
    cancelled = {row["id"] for row in rows if not is_visible(row, now)}
    rows = [{**row, "join_link": join_link(row, saved)} for row in rows]
    body = build_calendar(rows, base_url=runtime(request).settings.base_url,
                          name="My IMG shortlist", cancelled_ids=cancelled, now=now)
    return _calendar(body, filename=None if token else "img-shortlist.ics")


router = FeatureRouter(path="/", route_handlers=[search_feed, shortlist_calendar])
