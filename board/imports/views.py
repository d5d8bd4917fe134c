"""Bulk import from the dashboard (/dashboard/import): a thin handler over
board.imports.services; the same validation as `board import`."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.datastructures import UploadFile
from litestar.response import Redirect, Response, Template

from board.core.validation import FIELDS
from board.imports.services import ImportFileError, ImportRejected, import_rows, read_upload
from board.imports.suggestions import template_csv
from board.listings.red_flags import HIGH_FEE_USD
from board.web.common import flash, render, runtime
from board.web.guards import INSTITUTION_MEMBER, LOGIN_REDIRECT
from board.web.routing import FeatureRouter

MAX_UPLOAD_BYTES = 25_000_000
# The page lists problems; thousands of rows of them would only bury the first ones.
MAX_PROBLEMS_SHOWN = 500


async def _import_page(request: Request, status_code: int = 200, **ctx: Any) -> Template:
    ctx.setdefault("file_error", None)
    ctx.setdefault("rejected", None)
    return await render(request, "pages/import.html", status_code=status_code, fields=FIELDS,
                        high_fee=HIGH_FEE_USD, max_problems=MAX_PROBLEMS_SHOWN, **ctx)


@get("/dashboard/import", include_in_schema=False)
async def import_form(request: Request, member: dict[str, Any]) -> Template:
    return await _import_page(request, member=member)


@get("/dashboard/import/template.csv", include_in_schema=False)
async def import_template(request: Request, member: dict[str, Any]) -> Response[str]:
    """The columns to fill, with one example row (it imports as it is)."""
    return Response(template_csv(), media_type="text/csv; charset=utf-8", headers={
        "Content-Disposition": 'attachment; filename="listings-template.csv"'})


@post("/dashboard/import", include_in_schema=False, request_max_body_size=MAX_UPLOAD_BYTES)
async def import_upload(request: Request, member: dict[str, Any]) -> Template | Redirect:
    form = await request.form()
    upload = form.get("file")
    if not isinstance(upload, UploadFile) or not upload.filename:
        return await _import_page(request, 400, member=member,
                                  file_error="choose a CSV or JSON file to upload")
    data = await upload.read()
    try:
        cleaned = await read_upload(upload.filename, data)
    except ImportFileError as exc:
        return await _import_page(request, 400, member=member, file_error=str(exc))
    except ImportRejected as exc:
        return await _import_page(request, 400, member=member, rejected=exc,
                                  filename=upload.filename)
    result = await import_rows(member["institution"], cleaned, mode="submit",
                               member_id=member["id"],
                               listing_days=runtime(request).settings.listing_days)
    flash(request, f"Imported {result.imported} listings from {upload.filename}: "
          f"{result.published} published, {result.pending} waiting for review by a moderator.")
    return Redirect("/dashboard/import", status_code=303)


router = FeatureRouter(
    path="/", dependencies={"member": INSTITUTION_MEMBER}, exception_handlers=LOGIN_REDIRECT,
    route_handlers=[import_form, import_template, import_upload],
)
