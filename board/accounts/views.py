"""Account pages: sign-up, email confirmation, login/logout, password reset, invitations.

Per-client limits on the POSTs come from the rate-limit middleware (board.ratelimit); the
per-account limits are counted here."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import TooManyRequestsException
from litestar.response import Redirect, Template

from board.accounts import mailing
from board.accounts import services as accounts
from board.core import vocab
from board.core.validation import ValidationErrors
from board.planner.identity import SESSION_KEY as PLANNER_KEY
from board.store.tables import Institution
from board.web import ratelimit
from board.web.common import flash, render, runtime
from board.web.guards import INSTITUTION_MEMBER, LOGIN_REDIRECT, safe_next
from board.web.routing import FeatureRouter
from board.web.sessions import rotate_session

# Login attempts per email per 15 minutes: short, so an attacker can lock the owner out for
# minutes, not days.
LOGIN_ATTEMPTS_PER_ACCOUNT = (10, 900)
RESETS_PER_ACCOUNT = (3, 3600)           # reset mails per email per hour
SIGNUPS_PER_CLIENT = (5, 3600)           # accounts per address per hour
MAX_FORM_FIELD = 5000


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(v)[:MAX_FORM_FIELD] for k, v in form.items() if isinstance(v, str)}


def _secret(request: Request) -> tuple[str, ...]:
    return runtime(request).settings.signing_keys


def _too_many() -> TooManyRequestsException:
    return TooManyRequestsException(detail=ratelimit.TOO_MANY)


def _start_member_session(request: Request, member: dict[str, Any]) -> None:
    """A fresh session (new id, nothing of the previous one) for the member, except the
    browser's anonymous planner: its shortlist belongs to the browser, not to whoever was
    signed in, and logging in as an institution member must not lose it."""
    planner_id = request.session.get(PLANNER_KEY)
    request.session.clear()
    request.session.update(accounts.session_data(member))
    if planner_id is not None:
        request.session[PLANNER_KEY] = planner_id
    rotate_session(request)


@get("/signup", include_in_schema=False)
async def signup_form(request: Request) -> Template:
    return await render(request, "pages/signup.html", values={}, errors={},
                        kinds=vocab.INSTITUTION_KINDS, states=vocab.states())


@post("/signup", include_in_schema=False)
async def signup(request: Request) -> Template | Redirect:
    data = await _form(request)
    rt = runtime(request)
    address = ratelimit.client_address(request, rt.settings)
    if not await ratelimit.hit(request, "signup", address, *SIGNUPS_PER_CLIENT):
        raise _too_many()
    try:
        sent = await mailing.sign_up(data, rt.mailer, rt.settings)
    except ValidationErrors as exc:
        data.pop("password", None)
        return await render(request, "pages/signup.html", status_code=400, values=data,
                            errors=exc.errors, kinds=vocab.INSTITUTION_KINDS, states=vocab.states())
    # The address goes in the (server-side) session, not the URL: the next page repeats it
    # and offers a resend without anyone retyping it.
    request.session["signup_email"] = str(data.get("email") or "").strip().lower()[:254]
    if not sent:
        flash(request, "Your account is created, but the confirmation email could not be sent. "
                       "Press “Send the link again” in a few minutes.", "warning")
    return Redirect("/signup/sent", status_code=303)


@get("/signup/sent", include_in_schema=False)
async def signup_sent(request: Request) -> Template | Redirect:
    email = request.session.get("signup_email")
    if not email:
        return Redirect("/signup", status_code=303)
    return await render(request, "pages/check_inbox.html", email=email, resent=None)


@post("/signup/resend", include_in_schema=False)
async def signup_resend(request: Request) -> Template | Redirect:
    """Another confirmation link for the address of this session's sign-up, at most
    RESENDS_PER_ADDRESS_PER_DAY a day (shared with the unverified login's resend)."""
    email = request.session.get("signup_email")
    if not email:
        return Redirect("/signup", status_code=303)
    rt = runtime(request)
    sent = await mailing.resend_to_address(
        rt.mailer, rt.settings, email,
        lambda address: ratelimit.hit(request, "verify-mail", address,
                                      mailing.RESENDS_PER_ADDRESS_PER_DAY, 24 * 3600))
    return await render(request, "pages/check_inbox.html", status_code=200 if sent else 429,
                        email=email, resent=sent)


@get("/verify/{token:str}", include_in_schema=False)
async def verify_page(request: Request, token: str) -> Template | Redirect:
    # Mail scanners fetch every link in a message: the GET only asks, the button confirms.
    try:
        accounts.read_verification(token, _secret(request))
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
        return Redirect("/login", status_code=303)
    return await render(request, "pages/confirm_link.html", heading="Confirm your email address",
                        text="Press the button to confirm this address and activate your "
                             "account.", action=f"/verify/{token}", button="Confirm my email")


@post("/verify/{token:str}", include_in_schema=False)
async def verify(request: Request, token: str) -> Redirect:
    """Confirming the address proves the visitor reads its mail: the first confirmation
    signs them in (a new session id, as at login). A link used again only confirms."""
    try:
        member = await accounts.verify_and_member(token, _secret(request))
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
        return Redirect("/login", status_code=303)
    if member is None:
        flash(request, "Your email address is already confirmed. Log in to continue.")
        return Redirect("/login", status_code=303)
    _start_member_session(request, member)
    flash(request, "Your email address is confirmed and you are signed in. Post your first "
                   "opportunity!")
    return Redirect("/dashboard", status_code=303)


@get("/login", include_in_schema=False)
async def login_form(request: Request) -> Template:
    return await render(request, "pages/login.html", error=None, email="",
                        next=safe_next(request.query_params.get("next"), ""))


@post("/login", include_in_schema=False)
async def login(request: Request) -> Template | Redirect:
    data = await _form(request)
    email, next_url = data.get("email", "").strip().lower(), safe_next(data.get("next"), "")
    # Counted BEFORE the password is checked: 40 parallel guesses count 40 and only the
    # first LOGIN_ATTEMPTS_PER_ACCOUNT are checked at all. A success clears the count.
    if email and not await ratelimit.hit(request, "login", email, *LOGIN_ATTEMPTS_PER_ACCOUNT):
        raise _too_many()
    try:
        member = await accounts.authenticate(email, data.get("password", ""))
    except accounts.NotVerified as exc:
        async def may_mail(address: str) -> bool:
            return await ratelimit.hit(request, "verify-mail", address,
                                       mailing.RESENDS_PER_ADDRESS_PER_DAY, 24 * 3600)

        message = await mailing.resend_verification(runtime(request).mailer,
                                                     runtime(request).settings, exc.member_id,
                                                     may_mail)
        return await render(request, "pages/login.html", status_code=403, error=message,
                            email=email, next=next_url)
    except accounts.AccountError as exc:
        return await render(request, "pages/login.html", status_code=400, error=str(exc),
                            email=email, next=next_url)
    await ratelimit.reset(request, "login", email, LOGIN_ATTEMPTS_PER_ACCOUNT[1])
    _start_member_session(request, member)
    default = "/staff" if member["is_staff"] and member["institution"] is None else "/dashboard"
    return Redirect(safe_next(data.get("next"), default), status_code=303)


@post("/logout", include_in_schema=False)
async def logout(request: Request) -> Redirect:
    request.clear_session()
    return Redirect("/", status_code=303)


@get("/password-reset", include_in_schema=False)
async def reset_request_form(request: Request) -> Template:
    return await render(request, "pages/reset.html", step="request", sent=False, errors={})


@post("/password-reset", include_in_schema=False)
async def reset_request(request: Request) -> Template:
    email = (await _form(request)).get("email", "").strip().lower()
    if email and await ratelimit.hit(request, "reset", email, *RESETS_PER_ACCOUNT):
        await mailing.send_reset(email, runtime(request).mailer, runtime(request).settings)
    # The same answer whether or not the account exists (and whether or not limited).
    return await render(request, "pages/reset.html", step="request", sent=True, errors={})


@get("/password-reset/{token:str}", include_in_schema=False)
async def reset_form(request: Request, token: str) -> Template:
    return await render(request, "pages/reset.html", step="set", token=token, sent=False, errors={})


@post("/password-reset/{token:str}", include_in_schema=False)
async def reset_set(request: Request, token: str) -> Template | Redirect:
    data = await _form(request)
    try:
        await accounts.reset_password(token, data.get("password", ""), _secret(request))
    except ValidationErrors as exc:
        return await render(request, "pages/reset.html", status_code=400, step="set", token=token,
                            sent=False, errors=exc.errors)
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
        return Redirect("/password-reset", status_code=303)
    flash(request, "Your password has been changed. Log in with the new one.")
    return Redirect("/login", status_code=303)


@post("/dashboard/invite", include_in_schema=False)
async def invite(request: Request, member: dict[str, Any]) -> Redirect:
    email = (await _form(request)).get("email", "")
    if not await ratelimit.hit(request, "invite", str(member["id"]), 20, 24 * 3600):
        raise _too_many()
    try:
        address, sent = await mailing.invite(member, email, runtime(request).mailer,
                                             runtime(request).settings)
    except ValidationErrors as exc:
        flash(request, f"Invitation not sent: the email {exc.errors['email']}.", "error")
        return Redirect("/dashboard#invite", status_code=303)
    flash(request, f"Invitation sent to {address}." if sent else
          "The invitation email could not be sent; please try again later.",
          "success" if sent else "error")
    return Redirect("/dashboard", status_code=303)


@get("/invite/{token:str}", include_in_schema=False)
async def invite_form(request: Request, token: str) -> Template:
    try:
        payload = accounts.read_invite(token, _secret(request))
    except accounts.AccountError as exc:
        return await render(request, "pages/signup.html", status_code=400, invite_error=str(exc),
                            invite=None, values={}, errors={})
    inst = await Institution.select(Institution.name).where(Institution.id == payload["i"]).first().run()
    return await render(request, "pages/signup.html", invite={"token": token, "email": payload["e"],
                        "institution": inst["name"] if inst else ""}, values={}, errors={})


@post("/invite/{token:str}", include_in_schema=False)
async def invite_accept(request: Request, token: str) -> Template | Redirect:
    data = await _form(request)
    try:
        await accounts.accept_invite(token, data, _secret(request))
    except ValidationErrors as exc:
        payload = accounts.read_invite(token, _secret(request))
        inst = await Institution.select(Institution.name).where(
            Institution.id == payload["i"]).first().run()
        return await render(request, "pages/signup.html", status_code=400, values=data,
                            errors=exc.errors, invite={"token": token, "email": payload["e"],
                                                       "institution": inst["name"] if inst else ""})
    except accounts.AccountError as exc:
        flash(request, str(exc), "error")
        return Redirect("/login", status_code=303)
    flash(request, "Welcome! Your account is ready: log in with your email and new password.")
    return Redirect("/login", status_code=303)


# The account pages are public except inviting a colleague, which names `member`.
router = FeatureRouter(
    path="/", dependencies={"member": INSTITUTION_MEMBER}, exception_handlers=LOGIN_REDIRECT,
    route_handlers=[signup_form, signup, signup_sent, signup_resend, verify_page, verify,
                    login_form, login, logout, reset_request_form,
                    reset_request, reset_form, reset_set, invite, invite_form, invite_accept],
)
