"""Who is planning: the signed-in IMG or the visitor's anonymous planner.

Both live in the server-side session under one key, "planner_id": an anonymous planner's row
has no email; signing in (board.planner.signin) points the session at the account's planner,
whose email is confirmed. Signing out forgets the key, so the visitor starts a fresh, empty
anonymous planner next time one is needed.

PLANNER_TABLES lists the planner-owned tables of other modules (each has a `planner` foreign
key): they append to it at import, and export, delete and the sign-in merge cover them."""

from __future__ import annotations

import secrets
from typing import Any

from litestar.connection import ASGIConnection
from piccolo.table import Table

from board.planner.tables import Planner

SESSION_KEY = "planner_id"
# Other modules' planner-owned tables (a `planner` ForeignKey to Planner). A table may set a
# class attribute `planner_dedupe = ("column", ...)`: on a sign-in merge, an anonymous row
# whose values there equal a row the account already has is dropped instead of moved.
PLANNER_TABLES: list[type[Table]] = []


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


def _session(request: ASGIConnection) -> dict[str, Any] | None:
    # A request the session middleware did not see has no session (and so no planner).
    session = request.scope.get("session")
    return session if isinstance(session, dict) else None


async def create_planner(**values: Any) -> Planner:
    planner = Planner(calendar_token=new_calendar_token(), **values)
    await planner.save().run()
    return planner


async def current_planner(request: ASGIConnection, *, create: bool = False) -> Planner | None:
    """The signed-in IMG's planner, else this session's anonymous one; None when the session
    has none and `create` is False (a page that only reads never makes a row)."""
    cache = request.state.get("planner")
    if cache is not None:
        return cache
    session = _session(request)
    planner_id = session.get(SESSION_KEY) if session else None
    planner = None
    if isinstance(planner_id, int):
        planner = await Planner.objects().where(Planner.id == planner_id).first().run()
        if planner is None and session is not None:
            session.pop(SESSION_KEY, None)  # deleted account or store reset: start afresh
    if planner is None and create:
        planner = await create_planner()
        if session is None:
            request.scope["session"] = session = {}  # type: ignore[typeddict-item]
        session[SESSION_KEY] = planner.id
    if planner is not None:
        request.state.planner = planner
    return planner


def is_signed_in(planner: Planner | None) -> bool:
    """An IMG account: a planner whose address a magic link confirmed."""
    return bool(planner is not None and planner.email and planner.confirmed_at)
