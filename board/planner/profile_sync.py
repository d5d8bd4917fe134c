"""The signed-in IMG's eligibility profile follows the profile cookie.

The search page keeps the visitor's profile in a cookie (board.browse.profile) and sets or
deletes it when the profile changes. This `before_send` hook watches for that Set-Cookie on
the way out and, when the session belongs to a signed-in IMG, stores the same profile on the
account (deleted cookie = profile cleared), so the search page needs no knowledge of
accounts and the cookie behaviour stays exactly as it is. Signing in on another device sets
the cookie from the account (board.planner.views)."""

from __future__ import annotations

from http.cookies import SimpleCookie

from litestar.types import Message, Scope

from board.browse import profile as saved_profile
from board.planner.account import dump_profile
from board.planner.identity import SESSION_KEY
from board.planner.tables import Planner


def profile_cookie(message: Message) -> str | None:
    """The value the response sets for the profile cookie ("" = deleted); None if untouched."""
    prefix = saved_profile.COOKIE.encode() + b"="
    for name, value in message.get("headers") or ():
        if name.lower() == b"set-cookie" and value.startswith(prefix):
            cookie = SimpleCookie()
            cookie.load(value.decode("latin-1"))
            morsel = cookie.get(saved_profile.COOKIE)
            if morsel is None:
                return None
            deleted = morsel["max-age"] in ("0", 0) or "1970" in morsel["expires"]
            return "" if deleted else morsel.value
    return None


async def remember_profile(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    value = profile_cookie(message)
    if value is None:
        return
    session = scope.get("session")
    planner_id = session.get(SESSION_KEY) if isinstance(session, dict) else None
    if not isinstance(planner_id, int):
        return
    stored = dump_profile(saved_profile.decode(value)) if value else None
    # Accounts only: an anonymous planner's profile lives in its cookie alone.
    await Planner.update({Planner.profile: stored}).where(
        (Planner.id == planner_id) & Planner.email.is_not_null()).run()
