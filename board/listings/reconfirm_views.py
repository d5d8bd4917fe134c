"""The reconfirm link from the host's mail: GET shows the listing and three buttons and
changes nothing (mail scanners follow links); each button is a POST."""

from __future__ import annotations

import datetime as dt

from litestar import Request, get, post
from litestar.response import Template

from board.core.signing import BadToken, ExpiredToken
from board.indexing.gateway import utcnow
from board.listings import reconfirm
from board.listings import services as listings
from board.listings.status import Status
from board.web.common import render, runtime
from board.web.routing import FeatureRouter

_TEMPLATE = "pages/reconfirm.html"


async def _load(request: Request, token: str) -> tuple[dict, int]:
    try:
        opportunity_id = reconfirm.read_token(runtime(request).settings, token)
    except ExpiredToken:
        return {"state": "invalid", "reason": "This link has expired. Log in to your dashboard "
                "to renew or close the listing."}, 410
    except BadToken:
        return {"state": "invalid", "reason": "This link is not valid. Check that you copied "
                "the whole link from the email."}, 400
    try:
        listing = await listings.get(opportunity_id)
    except listings.NotFound:
        return {"state": "invalid", "reason": "This listing no longer exists."}, 404
    today = utcnow().date()
    ctx = {"listing": listing, "token": token, "today": today.isoformat(),
           "max_full": (today + dt.timedelta(days=reconfirm.MAX_FULL_DAYS)).isoformat()}
    if listing["status"] != Status.PUBLISHED:
        return {**ctx, "state": "not_open"}, 409
    return {**ctx, "state": "ask"}, 200


@get("/reconfirm/{token:str}", include_in_schema=False)
async def reconfirm_page(request: Request, token: str) -> Template:
    ctx, status = await _load(request, token)
    return await render(request, _TEMPLATE, status_code=status, **ctx)


def _full_until(text: str, today: dt.date) -> dt.date | str:
    """The chosen date, or why it cannot be used."""
    try:
        day = dt.date.fromisoformat(text.strip())
    except ValueError:
        return "Give the date as YYYY-MM-DD."
    if day <= today:
        return "Choose a date after today."
    if day > today + dt.timedelta(days=reconfirm.MAX_FULL_DAYS):
        return "Choose a date within a year."
    return day


@post("/reconfirm/{token:str}", include_in_schema=False)
async def reconfirm_submit(request: Request, token: str) -> Template:
    ctx, status = await _load(request, token)
    if ctx["state"] != "ask":
        return await render(request, _TEMPLATE, status_code=status, **ctx)
    form = await request.form()
    action = str(form.get("action") or "")
    opportunity_id = ctx["listing"]["id"]
    if action == "confirm":
        await reconfirm.confirm(opportunity_id)
        done = "confirmed"
    elif action == "full":
        day = _full_until(str(form.get("full_until") or ""), utcnow().date())
        if isinstance(day, str):
            return await render(request, _TEMPLATE, status_code=400, **ctx,
                                full_error=day, full_value=str(form.get("full_until") or ""))
        await reconfirm.mark_full(opportunity_id, day)
        done = "full"
    elif action == "close":
        await listings.close(opportunity_id)
        done = "closed"
    else:
        return await render(request, _TEMPLATE, status_code=400, **ctx,
                            action_error="Choose one of the three answers.")
    listing = await listings.get(opportunity_id)
    return await render(request, _TEMPLATE, state="done", done=done, listing=listing)


router = FeatureRouter(path="/", route_handlers=[reconfirm_page, reconfirm_submit])
