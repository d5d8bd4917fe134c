"""IMG accounts: the magic-link sign-in (/signin), the account page (/me), download my data
(/me/export.json), delete my account (/me/delete) and sign out (/signout).

The link's GET only shows a button (mail scanners fetch links; they never press buttons);
its POST signs in, merges the visitor's anonymous planner into the account and rotates the
session id. Requests for a link answer the same whatever the address."""

from __future__ import annotations

import json
from typing import Any

from litestar import Request, Response, get, post
from litestar.response import Redirect, Template

from board.browse import profile as saved_profile
from board.digests import subscriptions as digest_subscriptions
from board.planner import account, merge, signin
from board.planner.identity import SESSION_KEY, current_planner, is_signed_in
from board.planner.shortlist import count as shortlist_count
from board.web import ratelimit
from board.web.common import flash, render, runtime
from board.web.routing import FeatureRouter
from board.web.sessions import rotate_session

LINKS_PER_ADDRESS = (5, 3600)   # sign-in mails per address per hour (no mail bombing)
MAX_FIELD = 500


async def _signed_in(request: Request):
    planner = await current_planner(request)
    return planner if is_signed_in(planner) else None


async def _signin_page(request: Request, status: int = 200, **context: Any) -> Template:
    context.setdefault("email", "")
    context.setdefault("error", None)
    context.setdefault("link_error", None)
    return await render(request, "pages/signin.html", status_code=status, **context)


@get("/signin", include_in_schema=False)
async def signin_form(request: Request) -> Template | Redirect:
    if await _signed_in(request):
        return Redirect("/me", status_code=303)
    return await _signin_page(request)


@post("/signin", include_in_schema=False, status_code=200)
async def signin_request(request: Request) -> Template:
    form = await request.form()
    raw = str(form.get("email") or "")[:MAX_FIELD]
    try:
        email = signin.normalised_email(raw)
    except ValueError as exc:
        return await _signin_page(request, 400, email=raw, error=f"Email {exc}.")
    rt = runtime(request)
    sent = True
    # Over the per-address limit the page answers the same and simply sends nothing more.
    if await ratelimit.hit(request, "img-signin", email, *LINKS_PER_ADDRESS):
        sent = await signin.send_link(email, rt.mailer, rt.settings)
    return await render(request, "pages/signin_sent.html", email=email, sent=sent)


@get("/signin/{token:str}", include_in_schema=False)
async def link_page(request: Request, token: str) -> Template:
    try:
        payload = signin.read_token(token, runtime(request).settings.signing_keys)
    except signin.SignInError as exc:
        return await _signin_page(request, 400, link_error=str(exc))
    return await render(request, "pages/confirm_link.html", heading="Sign in",
                        text=f"Press the button to sign in as {payload['e']}.",
                        action=f"/signin/{token}", button="Sign in")


@post("/signin/{token:str}", include_in_schema=False, status_code=303)
async def link_use(request: Request, token: str) -> Template | Redirect:
    try:
        planner = await signin.use_token(token, runtime(request).settings.signing_keys)
    except signin.SignInError as exc:
        return await _signin_page(request, 400, link_error=str(exc))
    before = await current_planner(request)
    if before is not None and before.id != planner.id:
        await merge.merge_into(before.id, planner.id)
    cookie_profile = saved_profile.decode(request.cookies.get(saved_profile.COOKIE))
    if cookie_profile:
        await account.store_profile(planner.id, cookie_profile)
    request.session[SESSION_KEY] = planner.id
    request.state.planner = None
    rotate_session(request)
    flash(request, f"You are signed in as {planner.email}.")
    response = Redirect("/me", status_code=303)
    stored = account.load_profile(await account.planner_row(planner.id))
    if stored and not cookie_profile:
        # Another device's profile: the search page reads it from the cookie.
        response.set_cookie(saved_profile.COOKIE, saved_profile.encode(stored),
                            max_age=saved_profile.MAX_AGE, path="/", httponly=True,
                            samesite="lax", secure=runtime(request).settings.production)
    return response


@post("/signout", include_in_schema=False, status_code=303)
async def signout(request: Request) -> Redirect:
    session = request.scope.get("session")
    if isinstance(session, dict):
        session.pop(SESSION_KEY, None)
        rotate_session(request)
    flash(request, "You are signed out. Your shortlist stays in your account.")
    return Redirect("/", status_code=303)


@get("/me", include_in_schema=False)
async def me(request: Request) -> Template | Redirect:
    planner = await _signed_in(request)
    if planner is None:
        return Redirect("/signin", status_code=303)
    keys = runtime(request).settings.signing_keys
    profile = account.load_profile(planner)
    return await render(
        request, "pages/me.html", planner=planner,
        profile_summary=digest_subscriptions.filter_summary(profile) if profile else [],
        saved_count=await shortlist_count(planner.id),
        subscriptions=await account.subscriptions_of(planner.email, keys),
        calendar_url=f"{runtime(request).settings.base_url}/calendar.ics?token={planner.calendar_token}")


@get("/me/export.json", include_in_schema=False)
async def export(request: Request) -> Response | Redirect:
    planner = await _signed_in(request)
    if planner is None:
        return Redirect("/signin", status_code=303)
    data = await account.export(planner.id)
    return Response(json.dumps(data, indent=2, ensure_ascii=False, default=str),
                    media_type="application/json", headers={
                        "Content-Disposition": 'attachment; filename="img-board-account.json"',
                        "Cache-Control": "no-store"})


@post("/me/delete", include_in_schema=False, status_code=303)
async def delete(request: Request) -> Redirect:
    planner = await _signed_in(request)
    if planner is None:
        return Redirect("/signin", status_code=303)
    await account.delete(planner.id)
    request.session.pop(SESSION_KEY, None)
    rotate_session(request)
    flash(request, "Your account is deleted: your shortlist, profile, saved plans and digest "
                   "subscriptions are gone.")
    response = Redirect("/", status_code=303)
    response.delete_cookie(saved_profile.COOKIE, path="/")
    return response


router = FeatureRouter(path="/", route_handlers=[
    signin_form, signin_request, link_page, link_use, signout, me, export, delete,
])
