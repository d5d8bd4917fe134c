"""Shared helpers for handlers: the runtime, the current member, rendering, flash."""

from __future__ import annotations

from typing import Any

from litestar import MediaType, Request
from litestar.response import Template

from board.core.passwords import session_stamp
from board.planner.context import page_context as planner_context
from board.runtime import Runtime
from board.store.tables import Member


def runtime(request: Request) -> Runtime:
    return request.app.state.runtime


async def current_member(request: Request) -> dict[str, Any] | None:
    """The logged-in member (a dict with institution_name), cached on the request."""
    if "current_member" in request.state:
        return request.state.current_member
    member = None
    member_id = request.session.get("member_id") if request.scope.get("session") else None
    if member_id:
        member = await Member.select(
            Member.all_columns(),
            Member.institution.name.as_alias("institution_name"),
            Member.institution.verified.as_alias("institution_verified"),
        ).where((Member.id == member_id) & (Member.is_active == True)).first().run()  # noqa: E712
        stored_hash = member.pop("password_hash") if member else None
        if member is None or request.session.get("stamp") != session_stamp(stored_hash):
            # Deactivated, or the password changed since this session logged in: end it.
            request.session.clear()
            member = None
    request.state.current_member = member
    return member


def pop_flash(request: Request) -> dict[str, str] | None:
    if not request.scope.get("session"):
        return None
    return request.session.pop("flash", None)


def flash(request: Request, message: str, kind: str = "success") -> None:
    request.session["flash"] = {"message": message, "kind": kind}


async def render(request: Request, template: str, status_code: int = 200,
                 **context: Any) -> Template:
    context.setdefault("current_member", await current_member(request))
    context.setdefault("flash", pop_flash(request))
    context.setdefault("settings", runtime(request).settings)
    for key, value in (await planner_context(request)).items():
        context.setdefault(key, value)  # Save buttons' state, the header's Shortlist count
    # The type stated: Litestar would guess it from the name (mimetypes) on every page.
    return Template(template_name=template, context=context, status_code=status_code,
                    media_type=MediaType.HTML if template.endswith(".html") else None)


def is_htmx(request: Request) -> bool:
    return request.headers.get("hx-request") == "true"
