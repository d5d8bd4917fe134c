"""Dashboard tools of an institution: bulk import (/dashboard/import) and API tokens
(/dashboard/tokens). Thin handlers over board.importer and board.tokens."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board import tokens
from board.import_formats import ImportFileError, read_rows
from board.importer import ImportRejected, import_rows, validate_rows
from board.red_flags import HIGH_FEE_USD
from board.validation import FIELDS, ValidationErrors
from board.web.common import flash, render, runtime
from board.web.guards import LOGIN_REDIRECT, require_institution_member

MAX_UPLOAD_BYTES = 25_000_000
# The page lists problems; thousands of rows of them would only bury the first ones.
MAX_PROBLEMS_SHOWN = 500


async def _import_page(request: Request, status_code: int = 200, **ctx: Any) -> Template:
    ctx.setdefault("file_error", None)
    ctx.setdefault("rejected", None)
    return await render(request, "pages/import.html", status_code=status_code, fields=FIELDS,
                        high_fee=HIGH_FEE_USD, max_problems=MAX_PROBLEMS_SHOWN, **ctx)


@get("/dashboard/import", include_in_schema=False, exception_handlers=LOGIN_REDIRECT)
async def import_form(request: Request) -> Template:
    member = await require_institution_member(request)
    return await _import_page(request, member=member)


@post("/dashboard/import", include_in_schema=False, exception_handlers=LOGIN_REDIRECT,
      request_max_body_size=MAX_UPLOAD_BYTES)
async def import_upload(request: Request) -> Template | Redirect:
    member = await require_institution_member(request)
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_page(request, 400, member=member,
                                  file_error="choose a CSV or JSON file to upload")
    data = await upload.read()
    try:
        cleaned = validate_rows(read_rows(upload.filename, data))
    except ImportFileError as exc:
        return await _import_page(request, 400, member=member, file_error=str(exc))
    except ImportRejected as exc:
        return await _import_page(request, 400, member=member, rejected=exc,
                                  filename=upload.filename)
    result = await import_rows(member["institution"], cleaned, mode="submit",
                               member_id=member["id"],
                               listing_days=runtime(request).settings.listing_days)
    runtime(request).kick()
    flash(request, f"Imported {result.imported} listings from {upload.filename}: "
          f"{result.published} published, {result.pending} waiting for review by a moderator.")
    return Redirect("/dashboard/import", status_code=303)


async def _tokens_page(request: Request, member: dict[str, Any], status_code: int = 200,
                       **ctx: Any) -> Template:
    ctx.setdefault("errors", {})
    ctx.setdefault("new_token", None)
    ctx.setdefault("name", "")
    return await render(request, "pages/tokens.html", status_code=status_code, member=member,
                        tokens=await tokens.list_for(member["institution"]),
                        api_url=f"{runtime(request).settings.base_url}/api/v1/opportunities",
                        **ctx)


@get("/dashboard/tokens", include_in_schema=False, exception_handlers=LOGIN_REDIRECT)
async def tokens_page(request: Request) -> Template:
    return await _tokens_page(request, await require_institution_member(request))


@post("/dashboard/tokens", include_in_schema=False, exception_handlers=LOGIN_REDIRECT)
async def token_create(request: Request) -> Template:
    member = await require_institution_member(request)
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


@post("/dashboard/tokens/{token_id:int}/revoke", include_in_schema=False,
      exception_handlers=LOGIN_REDIRECT)
async def token_revoke(request: Request, token_id: int) -> Redirect:
    member = await require_institution_member(request)
    try:
        await tokens.revoke(token_id, member["institution"])
    except tokens.TokenNotFound:
        raise NotFoundException("This token does not exist.") from None
    flash(request, "The token was revoked: requests that use it are now refused.")
    return Redirect("/dashboard/tokens", status_code=303)


HANDLERS = [import_form, import_upload, tokens_page, token_create, token_revoke]
