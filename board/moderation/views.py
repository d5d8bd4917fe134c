"""The staff area (/staff): the pending queue (approve, reject with a reason that is mailed
to the poster), institutions to verify, open reports, removing a listing, and job runs.
Anonymous visitors are sent to the login page; members who are not staff get a 404."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import urlparse

from litestar import Request, get, post
from litestar.exceptions import NotFoundException
from litestar.response import Redirect, Template

from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.moderation import institutions as squatting
from board.moderation import job_history, rejections
from board.moderation import queries as moderation
from board.moderation.notices import institution_verified, listing_approved
from board.moderation.reports import CATEGORIES as REPORT_CATEGORIES
from board.web.common import flash, render, runtime
from board.web.guards import LOGIN_REDIRECT, STAFF
from board.web.routing import FeatureRouter, flash_and_redirect

log = logging.getLogger("board.moderation")
OPTS: dict[str, Any] = {"include_in_schema": False}
MAX_REASON = 2000


async def _field(request: Request, name: str) -> str:
    form = await request.form()
    value = form.get(name)
    return str(value).replace("\x00", "").strip()[:MAX_REASON] if isinstance(value, str) else ""


def _back_path(request: Request, default: str = "/staff") -> str:
    # Return to the staff page the form was on; only paths inside the staff area.
    path = urlparse(request.headers.get("referer", "")).path
    return path if path.startswith("/staff") else default


def _back(request: Request, default: str = "/staff") -> Redirect:
    return Redirect(_back_path(request, default), status_code=303)


@get("/staff", **OPTS)
async def queue(request: Request, staff: dict[str, Any]) -> Template:
    scams = [g for g in await moderation.reports_by_listing() if g["scam"]]
    return await render(request, "pages/staff.html", section="queue", scams=scams,
                        pending=await moderation.pending_queue(),
                        tab_counts=await moderation.tab_counts())


@get("/staff/institutions", **OPTS)
async def institutions(request: Request, staff: dict[str, Any]) -> Template:
    return await render(request, "pages/staff_institutions.html", section="institutions",
                        institutions=await moderation.unverified_institutions(),
                        suspended=await moderation.suspended_institutions(),
                        tab_counts=await moderation.tab_counts())


@get("/staff/reports", **OPTS)
async def reports(request: Request, staff: dict[str, Any]) -> Template:
    groups = await moderation.reports_by_listing()
    return await render(request, "pages/staff_reports.html", section="reports", groups=groups,
                        reports=[r for g in groups for r in g["reports"]],
                        categories=REPORT_CATEGORIES, tab_counts=await moderation.tab_counts())


@get("/staff/jobs", **OPTS)
async def jobs(request: Request, staff: dict[str, Any]) -> Template:
    schedule = request.app.state.get("job_schedule")  # set by board.app from jobs.table
    return await render(request, "pages/staff_jobs.html", section="jobs",
                        jobs=job_history.summarise(await moderation.recent_job_runs(),
                                                   schedule(utcnow()) if schedule else {},
                                                   await job_history.last_successes()),
                        tab_counts=await moderation.tab_counts())


async def _listing(opportunity_id: int) -> dict[str, Any]:
    try:
        return await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException("This listing does not exist.") from None


@post("/staff/opportunities/{opportunity_id:int}/approve", **OPTS)
async def approve(request: Request, staff: dict[str, Any], opportunity_id: int) -> Redirect:
    row = await _listing(opportunity_id)
    await listings.approve(opportunity_id, listing_days=runtime(request).settings.listing_days)
    await listing_approved(row, runtime(request).mailer, runtime(request).settings)
    flash(request, f"Approved and published: {row['title']}")
    return _back(request)


@post("/staff/opportunities/{opportunity_id:int}/reject", **OPTS)
async def reject(request: Request, staff: dict[str, Any], opportunity_id: int) -> Redirect:
    row = await _listing(opportunity_id)
    reason = await _field(request, "reason")
    if len(reason) < 5:
        flash(request, "Rejecting needs a reason (at least 5 characters) for the poster.", "error")
        return _back(request)
    failed = await rejections.reject(row, reason, runtime(request).mailer,
                                     runtime(request).settings)
    flash(request, f"Rejected: {row['title']}" + (f" ({failed} notification mail(s) failed)"
                                                   if failed else ""), "error" if failed else "success")
    return _back(request)


@post("/staff/opportunities/{opportunity_id:int}/remove", **OPTS)
async def remove(request: Request, staff: dict[str, Any], opportunity_id: int) -> Redirect:
    return await _remove(request, opportunity_id)


async def _remove(request: Request, opportunity_id: int) -> Redirect:
    row = await _listing(opportunity_id)
    await listings.remove(opportunity_id)
    flash(request, f"Removed: {row['title']} (its page now answers 410 Gone).")
    return _back(request)


@post("/staff/remove", **OPTS)
async def remove_by_id(request: Request, staff: dict[str, Any]) -> Redirect:
    """Remove a listing by id or by its URL (pasted from a complaint)."""
    raw = (await _field(request, "listing")).rstrip("/").rsplit("/", 1)[-1]
    if not (raw.isascii() and raw.isdigit() and len(raw) < 19):  # "²".isdigit() is true too
        flash(request, "listing: give a listing id or its /opportunities/<id> link.", "error")
        return _back(request)
    return await _remove(request, int(raw))


@post("/staff/institutions/{institution_id:int}/verify", **OPTS)
async def verify(request: Request, staff: dict[str, Any], institution_id: int) -> Redirect:
    try:
        queued = await moderation.verify_institution(institution_id)
        await institution_verified(institution_id, runtime(request).mailer,
                                   runtime(request).settings)
    except listings.NotFound:
        raise NotFoundException("This institution does not exist.") from None
    flash(request, f"Institution verified ({queued} published listing(s) updated in search).")
    return _back(request, "/staff/institutions")


@post("/staff/institutions/{institution_id:int}/ban", **OPTS)
async def ban(request: Request, staff: dict[str, Any], institution_id: int) -> Redirect:
    try:
        removed = await squatting.ban(institution_id)
    except listings.NotFound:
        raise NotFoundException("This institution does not exist.") from None
    except squatting.CannotBan as exc:
        flash(request, str(exc).capitalize() + ".", "error")
        return _back(request, "/staff/institutions")
    flash(request, f"Institution banned: its members cannot log in, {removed} listing(s) removed.")
    return _back(request, "/staff/institutions")


@post("/staff/institutions/{institution_id:int}/suspend", **OPTS)
async def suspend(request: Request, staff: dict[str, Any], institution_id: int) -> Redirect:
    return await _suspension(request, staff, institution_id, True)


@post("/staff/institutions/{institution_id:int}/unsuspend", **OPTS)
async def unsuspend(request: Request, staff: dict[str, Any], institution_id: int) -> Redirect:
    return await _suspension(request, staff, institution_id, False)


async def _suspension(request: Request, staff: dict[str, Any], institution_id: int,
                      suspended: bool) -> Redirect:
    try:
        count = await squatting.set_suspended(institution_id, suspended)
    except listings.NotFound:
        raise NotFoundException("This institution does not exist.") from None
    # No audit table exists: the log line is the record of who did it.
    log.info("institution %s %s by staff member %s", institution_id,
             "suspended" if suspended else "unsuspended", staff.get("id"))
    flash(request, f"Institution suspended: {count} published listing(s) leave search and it "
                   "cannot submit until you lift the suspension." if suspended else
          f"Suspension lifted: {count} published listing(s) return to search.")
    return _back(request, "/staff/institutions")


@post("/staff/reports/{report_id:int}/resolve", **OPTS)
async def resolve(request: Request, staff: dict[str, Any], report_id: int) -> Redirect:
    form = await request.form()
    resolution = await _field(request, "resolution") or "resolved"
    try:
        opportunity_id = await moderation.resolve_report(report_id, resolution)
    except listings.NotFound:
        raise NotFoundException("This report does not exist or is already resolved.") from None
    if form.get("remove_listing"):
        try:
            await listings.remove(opportunity_id)
        except listings.LifecycleError:
            pass  # already removed: nothing more to do
    flash(request, "Report resolved" + (" and listing removed." if form.get("remove_listing") else "."))
    return _back(request, "/staff/reports")


@post("/staff/reports/resolve", **OPTS)
async def resolve_bulk(request: Request, staff: dict[str, Any]) -> Redirect:
    """Resolve all open reports of the ticked listings (optionally removing them)."""
    form = await request.form()
    ids = sorted({int(v) for v in form.getall("opportunity", []) if str(v).isdigit()
                  and 0 < int(v) <= listings.MAX_ROW_ID})
    if not ids:
        flash(request, "Tick at least one listing.", "error")
        return _back(request, "/staff/reports")
    resolution = await _field(request, "resolution") or "resolved"
    count = await moderation.resolve_listing_reports(ids, resolution)
    removed = 0
    if form.get("remove_listing"):
        for opportunity_id in ids:
            try:
                await listings.remove(opportunity_id)
                removed += 1
            except listings.LifecycleError:
                pass  # already removed
    flash(request, f"{count} report(s) of {len(ids)} listing(s) resolved"
          + (f", {removed} listing(s) removed." if removed else "."))
    return _back(request, "/staff/reports")


# Only staff; a move the listing's status refuses comes back, as an error message, to the
# staff page the form was on.
router = FeatureRouter(
    path="/", dependencies={"staff": STAFF},
    exception_handlers={**LOGIN_REDIRECT,
                        listings.LifecycleError: flash_and_redirect(_back_path)},
    route_handlers=[queue, institutions, reports, jobs, approve, reject, remove, remove_by_id,
                    verify, ban, suspend, unsuspend, resolve_bulk, resolve],
)
