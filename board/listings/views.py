"""The institution's dashboard: its listings (status, expiry, views, apply clicks) and the
lifecycle actions: create, edit, preview, submit, renew, close. Everything is looked up with
the member's institution id, so another institution's listing is a 404."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.core import vocab
from board.core.derived import as_list
from board.core.event_listing import form_time
from board.core.fields import form_sections
from board.core.markdown import render_markdown
from board.core.validation import (
    BOOL_FIELDS,
    FIELDS,
    LIST_FIELDS,
    TRISTATE_FIELDS,
    ValidationErrors,
    validate_opportunity,
)
from board.indexing.gateway import as_utc, utcnow
from board.listings import services as listings
from board.listings.status import Status, allowed_verbs, allows, closing_soon
from board.listings.visibility import PRIVATE_STATUSES, is_visible
from board.store.tables import Member, Opportunity
from board.web.common import flash, render, runtime
from board.web.guards import INSTITUTION_MEMBER, LOGIN_REDIRECT, MEMBER
from board.web.routing import FeatureRouter, flash_and_redirect

OPTS: dict[str, Any] = {"include_in_schema": False}


async def _own(member: dict[str, Any], opportunity_id: int) -> dict[str, Any]:
    try:
        return await listings.get(opportunity_id, member["institution"])
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None


def _json_list(value: Any) -> list[str]:
    # listings.get returns JSON columns as stored text.
    if isinstance(value, str):
        value = json.loads(value or "[]")
    return list(value or [])


def _form_values(row: dict[str, Any]) -> dict[str, Any]:
    """A stored listing as the form shows it (dates as ISO strings, None as empty)."""
    values: dict[str, Any] = {}
    for name in FIELDS:
        value = row.get(name)
        if name == "expires_at" and value is not None:
            value = (as_utc(value) - dt.timedelta(seconds=1)).date()  # stored as end of that day
        if name in LIST_FIELDS:
            values[name] = as_list(value) or []
        elif name in ("starts_at", "ends_at"):  # an event's local time, in its own zone
            values[name] = form_time(row, name)
        else:
            values[name] = value if isinstance(value, bool) else ("" if value is None else str(value))
    for name in TRISTATE_FIELDS:  # yes / no / not stated as the radio buttons' values
        values[name] = "" if row.get(name) is None else ("true" if row.get(name) else "false")
    return values


async def _submitted(request: Request) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {}
    for name in FIELDS:
        if name in BOOL_FIELDS:
            data[name] = name in form  # an unticked checkbox is simply absent
        elif name in LIST_FIELDS:  # ticked boxes; none ticked = not stated
            data[name] = [str(v)[:100] for v in form.getall(name, [])][:20]
        else:
            data[name] = str(form.get(name) or "")[:25_000]
    return data


def _form_context(**extra: Any) -> dict[str, Any]:
    return {"kinds": vocab.KINDS, "specialties": vocab.specialties(), "states": vocab.states(),
            "choices": vocab.CHOICES, "form_sections": form_sections(), **extra}


# Any account may ask for /dashboard: a staff-only account is sent on to /staff.
@get("/dashboard", dependencies={"member": MEMBER}, **OPTS)
async def dashboard(request: Request, member: dict[str, Any]) -> Template | Redirect:
    if member.get("institution") is None:
        if member.get("is_staff"):
            return Redirect("/staff", status_code=303)
        raise NotFoundException("This account does not belong to an institution.")
    rows = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.status, Opportunity.expires_at,
        Opportunity.views, Opportunity.apply_clicks, Opportunity.review_flags,
        Opportunity.rejection_reason, Opportunity.updated_at,
    ).where(Opportunity.institution == member["institution"]).order_by(
        Opportunity.updated_at, ascending=False).output(load_json=True).run()
    colleagues = await Member.select(Member.name, Member.email, Member.email_verified_at).where(
        Member.institution == member["institution"]).order_by(Member.created_at).run()
    # Each row carries the buttons its status allows (from the one transition table).
    rows = [{**r, "actions": allowed_verbs(r["status"])} for r in rows]
    return await render(request, "pages/dashboard.html", listings=rows,
                        colleagues=colleagues, now=utcnow())


@get("/dashboard/opportunities/new", **OPTS)
async def new_form(request: Request, member: dict[str, Any]) -> Template:
    return await render(request, "pages/listing_form.html", listing=None, errors={},
                        values={}, **_form_context())


@post("/dashboard/opportunities/new", **OPTS)
async def create(request: Request, member: dict[str, Any]) -> Template | Redirect:
    data = await _submitted(request)
    try:
        clean = validate_opportunity(data)
    except ValidationErrors as exc:
        return await render(request, "pages/listing_form.html", status_code=400, listing=None,
                            errors=exc.errors, values=data, **_form_context())
    opp_id = await listings.create(member["institution"], clean, member_id=member["id"])
    flash(request, "Draft saved. Check the preview, then submit it for publication.")
    return Redirect(f"/dashboard/opportunities/{opp_id}/preview", status_code=303)


@get("/dashboard/opportunities/{opportunity_id:int}/edit", **OPTS)
async def edit_form(request: Request, member: dict[str, Any], opportunity_id: int) -> Template:
    row = await _own(member, opportunity_id)
    return await render(request, "pages/listing_form.html", listing=row, errors={},
                        values=_form_values(row), **_form_context())


@post("/dashboard/opportunities/{opportunity_id:int}/edit", **OPTS)
async def edit(request: Request, member: dict[str, Any], opportunity_id: int) -> Template | Redirect:
    row = await _own(member, opportunity_id)
    data = await _submitted(request)
    try:
        clean = validate_opportunity(data)
        if clean.get("expires_at") is None and row["status"] != Status.DRAFT:
            clean.pop("expires_at", None)  # an empty field keeps the running expiry
        saved = await listings.update(opportunity_id, clean, institution_id=member["institution"])
    except ValidationErrors as exc:
        return await render(request, "pages/listing_form.html", status_code=400, listing=row,
                            errors=exc.errors, values=data, **_form_context())
    back_to_review = saved["status"] == Status.PENDING and row["status"] != Status.PENDING
    flash(request, "Changes saved." + (" They are live." if saved["status"] == Status.PUBLISHED
                                       else " The listing waits for a moderator's review."
                                       if back_to_review else ""))
    return Redirect(f"/dashboard/opportunities/{opportunity_id}/preview", status_code=303)


@get("/dashboard/opportunities/{opportunity_id:int}/preview", **OPTS)
async def preview(request: Request, member: dict[str, Any], opportunity_id: int) -> Template:
    from board.listings.red_flags import red_flags

    row = await _own(member, opportunity_id)
    now = utcnow()
    return await render(
        request, "pages/listing_preview.html", listing=row, open=is_visible(row, now), owner=True,
        private=row["status"] in PRIVATE_STATUSES,
        description_html=render_markdown(row["description"]), json_ld=None,
        state_name=vocab.states().get(row["state"] or "", ""),
        actions=allowed_verbs(row["status"]),
        flags=_json_list(row["review_flags"]) or (red_flags(row) if allows("submit", row["status"])
                                                  else []),
        closing_soon=closing_soon(row.get("application_deadline"), now),
    )


@post("/dashboard/opportunities/{opportunity_id:int}/submit", **OPTS)
async def submit(request: Request, member: dict[str, Any], opportunity_id: int) -> Redirect:
    await _own(member, opportunity_id)
    status = await listings.submit(opportunity_id, member["institution"],
                                   listing_days=runtime(request).settings.listing_days)
    if status == Status.PUBLISHED:
        flash(request, "Published: the listing is now searchable.")
    else:
        row = await listings.get(opportunity_id, member["institution"])
        why = "; ".join(_json_list(row["review_flags"])) or "your institution is not verified yet"
        flash(request, f"Submitted for review by a moderator ({why}).", "info")
    return Redirect("/dashboard", status_code=303)


@post("/dashboard/opportunities/{opportunity_id:int}/renew", **OPTS)
async def renew(request: Request, member: dict[str, Any], opportunity_id: int) -> Redirect:
    await _own(member, opportunity_id)
    expires = await listings.renew(opportunity_id, member["institution"],
                                   listing_days=runtime(request).settings.listing_days)
    flash(request, f"Renewed: the listing now runs until {expires.date().isoformat()}.")
    return Redirect("/dashboard", status_code=303)


@post("/dashboard/opportunities/{opportunity_id:int}/close", **OPTS)
async def close(request: Request, member: dict[str, Any], opportunity_id: int) -> Redirect:
    await _own(member, opportunity_id)
    await listings.close(opportunity_id, member["institution"])
    flash(request, "Closed: the listing no longer accepts applicants; its link still works.")
    return Redirect("/dashboard", status_code=303)


# Every dashboard page needs an institution's member; a move the listing's status refuses
# comes back to the dashboard as an error message.
router = FeatureRouter(
    path="/", dependencies={"member": INSTITUTION_MEMBER},
    exception_handlers={**LOGIN_REDIRECT,
                        listings.LifecycleError: flash_and_redirect("/dashboard")},
    route_handlers=[dashboard, new_form, create, edit_form, edit, preview, submit, renew, close],
)
