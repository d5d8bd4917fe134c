"""Digest subscription pages and API: subscribe (form and JSON), confirm, manage, and the
RFC 8058 one-click unsubscribe (POST without cookie or CSRF token; GET only asks)."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import HTTPException, TooManyRequestsException
from litestar.openapi.datastructures import ResponseSpec
from litestar.response import Redirect, Response, Template

from board.browse.params import FILTER_PARAMS, ParamError, filters_of, to_query_string
from board.core.validation import ValidationErrors
from board.digests import inline, subscriptions
from board.digests.emails import DIGEST_DAY
from board.digests.subscriptions import BadLink, TooManyMails
from board.web import ratelimit
from board.web.api_errors import ErrorBody
from board.web.common import is_htmx, render, runtime
from board.web.routing import FeatureRouter

PER_CLIENT_PER_HOUR = 20
SENT_TEXT = ("If the address is valid, a confirmation email is on its way. Nothing else will be "
             "sent until the link in it is followed.")


async def _start(request: Request, email: Any, filters: dict[str, Any]) -> None:
    """Rate limits, then the service (which mails the confirmation when one is due)."""
    rt = runtime(request)
    client = ratelimit.client_address(request, rt.settings)
    if not await ratelimit.hit(request, "subscribe-client", client, PER_CLIENT_PER_HOUR, 3600):
        raise TooManyRequestsException(detail=ratelimit.TOO_MANY)

    async def may_mail(address: str) -> bool:
        return await ratelimit.hit(request, "subscribe-email", address,
                                   subscriptions.MAILS_PER_ADDRESS_PER_DAY, 24 * 3600)

    try:
        await subscriptions.start(email, filters, rt.mailer, rt.settings, may_mail)
    except TooManyMails as exc:
        raise TooManyRequestsException(detail=str(exc)) from None


def _form_filters(form: Any) -> dict[str, list[str]]:
    return {k: form.getall(k) for k in FILTER_PARAMS if form.getall(k, [])}


def _form_context(filters: dict[str, Any]) -> dict[str, Any]:
    return {"filters": filters, "hidden": [(k, v) for k, vs in filters.items() for v in vs],
            "summary": subscriptions.filter_summary(filters),
            "search_url": "/?" + to_query_string(filters), "digest_day": DIGEST_DAY}


@get("/subscribe", include_in_schema=False)
async def subscribe_form(request: Request) -> Template:
    filters = filters_of(request.query_params)
    error = None
    try:
        subscriptions.canonical_filters(filters)
    except ParamError as exc:
        error, filters = f"{exc.param}: {exc.message}", {}
    return await render(request, "pages/subscribe.html", status_code=400 if error else 200,
                        error=error, errors={}, email="", **_form_context(filters))


@post("/subscribe", include_in_schema=False, status_code=200)
async def subscribe_submit(request: Request) -> Template:
    form = await request.form()
    filters = _form_filters(form)
    email = (form.get("email") or "").strip()
    try:
        await _start(request, email, filters)
    except ValidationErrors as exc:
        return await render(request, "pages/subscribe.html", status_code=400, email=email,
                            errors=exc.errors, error=None, **_form_context(filters_of(filters)))
    return await render(request, "pages/subscribe_sent.html", message=SENT_TEXT)


async def _inline_box(request: Request, status: int = 200, **state: Any) -> Template:
    """The inline box after a POST: htmx swaps it in place of the form."""
    return await render(request, "partials/subscribe_inline.html", status_code=status, **state)


@post("/subscribe/inline", include_in_schema=False, status_code=200)
async def subscribe_inline(request: Request) -> Template:
    """The search results' "Email me new matches": the whole search form arrives here."""
    form = await request.form()
    filters = inline.filters_from_search_form(form)
    email = str(form.get(inline.EMAIL_FIELD) or "").strip()
    try:
        await _start(request, email, filters)
    except ValidationErrors as exc:
        if is_htmx(request):
            return await _inline_box(request, 400, inline_errors=exc.errors, inline_email=email)
        return await render(request, "pages/subscribe.html", status_code=400, email=email,
                            errors=exc.errors, error=None, **_form_context(filters_of(filters)))
    if is_htmx(request):
        return await _inline_box(request, inline_sent=SENT_TEXT)
    return await render(request, "pages/subscribe_sent.html", message=SENT_TEXT)


@post("/api/v1/subscriptions", status_code=202, tags=["subscriptions"], responses={
    400: ResponseSpec(ErrorBody, generate_examples=False,
                      description="The email or a filter is not valid; `field` names it"),
    429: ResponseSpec(ErrorBody, generate_examples=False,
                      description="Too many subscriptions from this client or address"),
    503: ResponseSpec(ErrorBody, generate_examples=False,
                      description="The confirmation mail cannot be sent now; retry")})
async def api_subscribe(request: Request, data: dict[str, Any]) -> Response[dict[str, str]]:
    """Subscribe an email address to the weekly digest of a search (double opt-in): answers
    202 and mails a confirmation link. `filters` takes the search parameters."""
    filters = data.get("filters") or {}
    if not isinstance(filters, dict):
        raise ValidationErrors({"filters": "must be an object of search parameters"})
    await _start(request, data.get("email"), filters)
    return Response({"status": "pending_confirmation", "detail": SENT_TEXT}, status_code=202)


async def _subscriber(request: Request, token: str, purpose: str = "manage") -> dict[str, Any]:
    try:
        return await subscriptions.subscriber_for(token, purpose, runtime(request).settings.signing_keys)
    except BadLink as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


async def _to_confirm(request: Request, token: str) -> dict[str, Any]:
    row = await _subscriber(request, token, "confirm")
    if row["unsubscribed_at"]:
        raise HTTPException(status_code=400, detail="This subscription was cancelled; "
                                                    "subscribe again from any search.")
    return row


@get("/subscribe/confirm/{token:str}", include_in_schema=False)
async def confirm_page(request: Request, token: str) -> Template:
    # Mail scanners fetch every link in a message: the GET only asks, the button confirms.
    row = await _to_confirm(request, token)
    return await render(request, "pages/confirm_link.html", heading="Confirm your subscription",
                        text=f"Press the button to receive the weekly digest at {row['email']}.",
                        summary=subscriptions.filter_summary(subscriptions.stored_filters(row)),
                        action=f"/subscribe/confirm/{token}", button="Confirm my subscription")


@post("/subscribe/confirm/{token:str}", include_in_schema=False, status_code=200)
async def confirm(request: Request, token: str) -> Template:
    row = await _to_confirm(request, token)
    await subscriptions.confirm(row)
    manage = subscriptions.token_for(row, "manage", runtime(request).settings.signing_keys)
    return await render(request, "pages/subscribe_confirmed.html", manage_url=f"/manage/{manage}",
                        summary=subscriptions.filter_summary(subscriptions.stored_filters(row)))


def edit_in_search_url(filters: dict[str, list[str]], token: str) -> str:
    """The search page showing this alert's filters, whose inline box then offers "Update
    this alert": the alert is edited with the search page's own controls."""
    query = to_query_string(filters)
    return "/?" + (query + "&" if query else "") + f"{inline.ALERT_PARAM}={token}"


async def _manage_page(request: Request, token: str, row: dict[str, Any], status: int = 200,
                       **extra: Any) -> Template:
    filters = subscriptions.stored_filters(row)
    ctx = {"token": token, "sub": row, "filters": filters, "errors": {}, "message": None,
           "summary": subscriptions.filter_summary(filters),
           "edit_url": edit_in_search_url(filters, token), "digest_day": DIGEST_DAY}
    ctx.update(extra)
    return await render(request, "pages/manage.html", status_code=status, **ctx)


@get("/manage/{token:str}", include_in_schema=False)
async def manage(request: Request, token: str) -> Template:
    updated = request.query_params.get("updated") == "1"
    return await _manage_page(request, token, await _subscriber(request, token),
                              message="Your alert now uses the search's filters." if updated else None)


@post("/manage/{token:str}", include_in_schema=False, status_code=200)
async def manage_submit(request: Request, token: str) -> Template:
    row = await _subscriber(request, token)
    form = await request.form()
    action = form.get("action")
    message = None
    if action == "pause" or action == "resume":
        await subscriptions.set_paused(row, action == "pause")
        message = "Paused: no digest until you resume." if action == "pause" else "Resumed."
    elif action == "unsubscribe":
        await subscriptions.unsubscribe(row)
        message = "You are unsubscribed. No more digests will be sent."
    elif action == "filters":
        try:
            await subscriptions.change_filters(row, _form_filters(form))
        except ValidationErrors as exc:
            return await _manage_page(request, token, row, 400, errors=exc.errors)
        message = "Your filters are saved."
    else:
        raise HTTPException(status_code=400, detail="action: must be filters, pause, resume "
                                                    "or unsubscribe")
    return await _manage_page(request, token, await _subscriber(request, token), message=message)


@post("/manage/{token:str}/alert", include_in_schema=False, status_code=200)
async def update_alert(request: Request, token: str) -> Response:
    """"Update this alert" on the search page: the search form's filters replace the stored
    ones (every filter the search has, as subscribing does)."""
    row = await _subscriber(request, token)
    if row["unsubscribed_at"]:
        raise HTTPException(status_code=400, detail="This subscription was cancelled; "
                                                    "subscribe again from any search.")
    filters = inline.filters_from_search_form(await request.form())
    try:
        await subscriptions.change_filters(row, filters)
    except ValidationErrors as exc:
        if is_htmx(request):
            return await _inline_box(request, 400, inline_errors=exc.errors, inline_alert=token)
        return await _manage_page(request, token, row, 400, errors=exc.errors)
    if is_htmx(request):
        return await _inline_box(request, inline_updated=f"/manage/{token}", inline_alert=token)
    return Redirect(f"/manage/{token}?updated=1", status_code=303)


async def _unsubscriber(request: Request, token: str) -> tuple[dict[str, Any], bool]:
    try:
        return await subscriptions.unsubscribe_target(token, runtime(request).settings.signing_keys)
    except BadLink as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None


@get("/unsubscribe/{token:str}", include_in_schema=False)
async def unsubscribe_confirm(request: Request, token: str) -> Template:
    row, can_manage = await _unsubscriber(request, token)
    return await render(request, "pages/unsubscribe.html", token=token, email=row["email"],
                        already=bool(row["unsubscribed_at"]), can_manage=can_manage)


@post("/unsubscribe/{token:str}", include_in_schema=False, status_code=200)
async def unsubscribe_one_click(request: Request, token: str) -> Template:
    # Mailbox providers POST "List-Unsubscribe=One-Click" with no cookie: the token is enough.
    row, _ = await _unsubscriber(request, token)
    await subscriptions.unsubscribe(row)
    return await render(request, "pages/unsubscribe_done.html", email=row["email"])


router = FeatureRouter(path="/", route_handlers=[
    subscribe_form, subscribe_submit, subscribe_inline, api_subscribe, confirm_page, confirm,
    manage, manage_submit,
    update_alert, unsubscribe_confirm, unsubscribe_one_click,
])
