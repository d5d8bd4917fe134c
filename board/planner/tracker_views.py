"""/tracker: the IMG's outreach tracker (board.planner.tracker). Forms post without
JavaScript (303 back to /tracker, or the page again with the errors at their fields, 400);
with htmx the same responses replace the tracker in place."""

from __future__ import annotations

from typing import Any

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.core.validation import ValidationErrors
from board.planner import completion, tracker
from board.planner.identity import current_planner, is_signed_in
from board.web.common import flash, render, runtime
from board.web.routing import FeatureRouter


async def _page(request: Request, status_code: int = 200, **ctx: Any) -> Template:
    planner = await current_planner(request)
    lists = await tracker.board(planner.id) if planner else {"on_board": [], "off_board": []}
    ctx.setdefault("errors", {})
    ctx.setdefault("values", {})
    ctx.setdefault("form", None)  # which form the errors belong to
    return await render(request, "pages/tracker.html", status_code=status_code,
                        statuses=tracker.STATUSES, signed_in=is_signed_in(planner), **lists,
                        **ctx)


async def _form(request: Request) -> dict[str, str]:
    form = await request.form()
    return {k: str(form.get(k) or "")[:5000] for k in tracker.FIELDS}


def _done(request: Request, message: str) -> Redirect:
    flash(request, message)
    return Redirect("/tracker", status_code=303)


@get("/tracker", include_in_schema=False)
async def tracker_page(request: Request) -> Template:
    return await _page(request)


@post("/tracker/entries", include_in_schema=False)
async def add_program(request: Request) -> Template | Redirect:
    data = await _form(request)
    try:
        clean = tracker.clean_entry(data, on_board=False)
        planner = await current_planner(request, create=True)
        await tracker.add_program(planner.id, clean)  # type: ignore[union-attr]
    except ValidationErrors as exc:
        return await _page(request, 400, errors=exc.errors, values=data, form="new")
    return _done(request, f"Added {clean['program_name']} to your tracker.")


async def _after_status(request: Request, entry_id: int, before: str | None, status: str
                        ) -> str:
    """The flash message; a listing newly marked completed asks its host to confirm."""
    if status != "completed" or before == "completed":
        return "Saved."
    planner = await current_planner(request)
    if not is_signed_in(planner):
        return ("Saved. Sign in with your email so the host can confirm your completion and "
                "you can review the rotation.")
    sent = await completion.ask_host(runtime(request), planner, entry_id)  # type: ignore[arg-type]
    return "Saved. We asked the host to confirm your completion; confirming sends you a link " \
           "to review it." if sent else "Saved."


@post("/tracker/listings/{opportunity_id:int}", include_in_schema=False)
async def track_listing(request: Request, opportunity_id: int) -> Template | Redirect:
    data = await _form(request)
    try:
        clean = tracker.clean_entry(data, on_board=True)
        planner = await current_planner(request, create=True)
        entry_id, before = await tracker.track_listing(planner.id, opportunity_id, clean)  # type: ignore[union-attr]
    except ValidationErrors as exc:
        return await _page(request, 400, errors=exc.errors, values=data,
                           form=f"listing-{opportunity_id}")
    except tracker.NotFound:
        raise NotFoundException("This listing does not exist.") from None
    return _done(request, await _after_status(request, entry_id, before, clean["status"]))


@post("/tracker/entries/{entry_id:int}", include_in_schema=False)
async def update_entry(request: Request, entry_id: int) -> Template | Redirect:
    planner = await current_planner(request)
    try:
        row = await tracker.entry(planner.id if planner else 0, entry_id)
    except tracker.NotFound:
        raise NotFoundException("This tracker entry does not exist.") from None
    data = await _form(request)
    try:
        clean = tracker.clean_entry(data, on_board=row["opportunity"] is not None)
        before = await tracker.update(row["planner"], entry_id, clean)
    except ValidationErrors as exc:
        return await _page(request, 400, errors=exc.errors, values=data, form=f"entry-{entry_id}")
    if row["opportunity"] is None:
        return _done(request, "Saved.")
    return _done(request, await _after_status(request, entry_id, before, clean["status"]))


@post("/tracker/entries/{entry_id:int}/delete", include_in_schema=False)
async def delete_entry(request: Request, entry_id: int) -> Redirect:
    planner = await current_planner(request)
    try:
        await tracker.delete(planner.id if planner else 0, entry_id)
    except tracker.NotFound:
        raise NotFoundException("This tracker entry does not exist.") from None
    return _done(request, "Removed from your tracker.")


router = FeatureRouter(path="/", route_handlers=[tracker_page, add_program, track_listing,
                                                  update_entry, delete_entry])
