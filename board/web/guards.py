"""Who may see a page, declared once per router instead of checked by hand in each handler.

A router provides the logged-in member under a parameter name (`member`, `staff`) through one
of three dependencies: MEMBER (any account), INSTITUTION_MEMBER (an account of an institution:
a staff-only account has no dashboard) and STAFF (a member who is not staff -> 404, so the
staff area does not even admit it exists). An anonymous visitor raises LoginRequired, which
LOGIN_REDIRECT (set on the router) turns into a 303 to the login page."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from litestar import Request, Response
from litestar.di import Provide
from litestar.exceptions import NotFoundException
from litestar.response import Redirect

from board.web.common import current_member


class LoginRequired(Exception):
    def __init__(self, next_path: str):
        super().__init__(next_path)
        self.next_path = next_path


def _to_login(request: Request, exc: LoginRequired) -> Response:
    return Redirect(f"/login?next={quote(exc.next_path, safe='/')}", status_code=303)


LOGIN_REDIRECT: dict[Any, Any] = {LoginRequired: _to_login}


def safe_next(value: str | None, default: str = "/dashboard") -> str:
    """Only a path on this site: never `//evil.example` or `https://...` (open redirect)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    return value


async def require_member(request: Request) -> dict[str, Any]:
    member = await current_member(request)
    if member is None:
        # After logging in a GET comes back to its page; a form POST cannot be replayed.
        path = request.url.path if request.method == "GET" else "/dashboard"
        raise LoginRequired(path)
    return member


async def require_institution_member(request: Request) -> dict[str, Any]:
    member = await require_member(request)
    if member.get("institution") is None:
        # A staff-only account has no institution and so no dashboard.
        raise NotFoundException("This account does not belong to an institution.")
    return member


async def require_staff(request: Request) -> dict[str, Any]:
    member = await require_member(request)
    if not member.get("is_staff"):
        raise NotFoundException("Not found.")
    return member


# Router-level `dependencies`: a handler that names the parameter gets the checked member.
MEMBER = Provide(require_member)
INSTITUTION_MEMBER = Provide(require_institution_member)
STAFF = Provide(require_staff)

