"""The one-click renew link from the expiry reminder: GET shows what will happen and
changes nothing (mail scanners follow links), POST renews once."""

from __future__ import annotations

from litestar import Request, get, post
from litestar.response import Template

from board.core.signing import BadToken, ExpiredToken
from board.indexing.gateway import as_utc, utcnow
from board.listings import reminders
from board.listings import services as listings
from board.listings.status import allows, expiry_on_renew
from board.web.common import render, runtime
from board.web.routing import FeatureRouter


async def _context(request: Request, token: str) -> tuple[dict, int]:
    """(template context, status) for the link: its listing and what renewing would do."""
    settings = runtime(request).settings
    try:
        payload = reminders.read_token(settings, token)
    except ExpiredToken:
        return {"state": "invalid", "reason": "This renew link has expired. Log in to your "
                "dashboard to renew the listing."}, 410
    except BadToken:
        return {"state": "invalid", "reason": "This renew link is not valid. Check that you "
                "copied the whole link from the email."}, 400
    try:
        listing = await listings.get(payload["id"])
    except listings.NotFound:
        return {"state": "invalid", "reason": "This listing no longer exists."}, 404
    ctx = {"listing": listing, "token": token, "payload": payload}
    expires = as_utc(listing["expires_at"])
    if not allows("renew", listing["status"]):
        return {**ctx, "state": "closed"}, 409
    if expires != as_utc(payload["for"]):
        return {**ctx, "state": "stale", "expires_on": expires.date() if expires else None}, 200
    new_expiry = expiry_on_renew(expires, utcnow(), settings.listing_days)
    return {**ctx, "state": "confirm", "expires_on": expires.date() if expires else None,
            "new_expires_on": new_expiry.date()}, 200


@get("/renew/{token:str}", include_in_schema=False)
async def renew_confirm(request: Request, token: str) -> Template:
    ctx, status = await _context(request, token)
    return await render(request, "pages/renew.html", status_code=status, **ctx)


@post("/renew/{token:str}", include_in_schema=False)
async def renew_submit(request: Request, token: str) -> Template:
    ctx, status = await _context(request, token)
    if ctx["state"] != "confirm":
        return await render(request, "pages/renew.html", status_code=status, **ctx)
    rt = runtime(request)
    try:
        new_expiry = await reminders.renew_from_link(ctx["payload"], rt.settings)
    except reminders.StaleLink:
        listing = await listings.get(ctx["listing"]["id"])
        return await render(request, "pages/renew.html", state="stale", listing=listing,
                            expires_on=as_utc(listing["expires_at"]).date())
    except listings.LifecycleError:
        return await render(request, "pages/renew.html", status_code=409, state="closed",
                            listing=ctx["listing"])
    return await render(request, "pages/renew.html", state="done", listing=ctx["listing"],
                        new_expires_on=new_expiry.date())


router = FeatureRouter(path="/", route_handlers=[renew_confirm, renew_submit])
