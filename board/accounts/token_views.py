"""API tokens of an institution (/dashboard/tokens): create (shown once), list, revoke.
Thin handlers over board.accounts.tokens."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.accounts import tokens
from board.core.validation import ValidationErrors
from board.web.common import flash, render, runtime
from board.web.guards import INSTITUTION_MEMBER, LOGIN_REDIRECT
from board.web.routing import FeatureRouter


async def _tokens_page(request: Request, member: dict[str, Any], status_code: int = 200,
                       **ctx: Any) -> Template:
    ctx.setdefault("errors", {})
    ctx.setdefault("new_token", None)
    ctx.setdefault("name", "")
    return await render(request, "pages/tokens.html", status_code=status_code, member=member,
                        tokens=await tokens.list_for(member["institution"]),
                        api_url=f"{runtime(request).settings.base_url}/api/v1/opportunities",
                        **ctx)


@get("/dashboard/tokens", include_in_schema=False)
async def tokens_page(request: Request, member: dict[str, Any]) -> Template:
    return await _tokens_page(request, member)


@post("/dashboard/tokens", include_in_schema=False)
async def token_create(request: Request, member: dict[str, Any]) -> Template:
    name = str((await request.form()).get("name") or "")[:500]
    try:
        _, token = await tokens.create(member["institution"], member["id"], name)
    except ValidationErrors as exc:
        return await _tokens_page(request, member, 400, errors=exc.errors, name=name)
    # Rendered, not redirected: the token must never sit in a session or a URL, nor in a
    # cache.
    page = await _tokens_page(request, member, new_token=token,
                              new_token_name=tokens.clean_name(name))
    page.headers["Cache-Control"] = "no-store"
    return page


@get("/dashboard/tokens/{token_id:int}/revoke", include_in_schema=False)
async def token_revoke_confirm(request: Request, member: dict[str, Any], token_id: int
                               ) -> Template:
    """Revoking breaks whatever system uses the token: a page asks first (no JavaScript
    needed); the POST revokes."""
    found = [t for t in await tokens.list_for(member["institution"])
             if t["id"] == token_id and t["revoked_at"] is None]
    if not found:
        raise NotFoundException("This token does not exist or is already revoked.")
    return await render(request, "pages/confirm_action.html",
                        heading=f"Revoke the token “{found[0]['name']}”?",
                        text="Every request that uses it will be refused from now on; this "
                             "cannot be undone (create a new token instead).",
                        action=f"/dashboard/tokens/{token_id}/revoke", button="Revoke the token",
                        cancel="/dashboard/tokens")


@post("/dashboard/tokens/{token_id:int}/revoke", include_in_schema=False)
async def token_revoke(request: Request, member: dict[str, Any], token_id: int) -> Redirect:
    try:
        await tokens.revoke(token_id, member["institution"])
    except tokens.TokenNotFound:
        raise NotFoundException("This token does not exist.") from None
    flash(request, "The token was revoked: requests that use it are now refused.")
    return Redirect("/dashboard/tokens", status_code=303)


router = FeatureRouter(
    path="/", dependencies={"member": INSTITUTION_MEMBER}, exception_handlers=LOGIN_REDIRECT,
    route_handlers=[tokens_page, token_create, token_revoke_confirm, token_revoke],
)
