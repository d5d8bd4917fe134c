"""The outreach tracker: what an IMG keeps about each program it pursues (the shortlisted
listings of the board, and programs that are not on it): a status, the last contact, a
follow-up date and notes. Forms are checked here (errors named per field); every change is
scoped to the planner that owns the entry, so an id in a URL cannot touch another's rows.

Marking an on-board listing "completed" asks its host to confirm the completion
(board.planner.completion), which is what opens the review link."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlparse

from board.core.validation import ValidationErrors
from board.indexing.gateway import utcnow
from board.planner.shortlist import shortlist_ids
from board.planner.tracker_tables import FollowUpSent, TrackerEntry
from board.store.tables import Opportunity

STATUSES: dict[str, str] = {
    "planned": "Planned", "contacted": "Contacted", "applied": "Applied",
    "interview": "Interview", "accepted": "Accepted", "declined": "Declined",
    "completed": "Completed",
}
# No reminder to follow up on a program that has answered or is over.
FINISHED = frozenset({"accepted", "declined", "completed"})
FIELDS = ("program_name", "contact", "url", "status", "last_contact_on", "follow_up_on", "notes")
LIMITS = {"program_name": 200, "contact": 254, "url": 500, "notes": 4000}
MAX_ENTRIES = 200  # a season's outreach, with room; stops a script filling the store


class NotFound(Exception):
    pass


def _date(value: str, name: str, errors: dict[str, str]) -> dt.date | None:
    if not value:
        return None
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        errors[name] = "give the date as YYYY-MM-DD"
        return None
    if not 2000 <= day.year <= 2100:
        errors[name] = "give a date between 2000 and 2100"
        return None
    return day


def clean_entry(data: Mapping[str, Any], *, on_board: bool) -> dict[str, Any]:
    """The form's values checked; ValidationErrors({field: message}) otherwise. A listing of
    the board takes its name, contact and URL from the listing, so only the rest is read."""
    values = {k: str(data.get(k) or "").replace("\x00", "").strip() for k in FIELDS}
    errors: dict[str, str] = {}
    for name, limit in LIMITS.items():
        if len(values[name]) > limit:
            errors[name] = f"at most {limit} characters"
    if values["status"] not in STATUSES:
        errors["status"] = "choose one of " + ", ".join(STATUSES.values()).lower()
    out: dict[str, Any] = {"status": values["status"], "notes": values["notes"]}
    if not on_board:
        if not values["program_name"]:
            errors["program_name"] = "give the program's name"
        url = values["url"]
        if url and (urlparse(url).scheme not in {"http", "https"} or not urlparse(url).netloc):
            errors["url"] = "give a web address starting with https://"
        out.update(program_name=values["program_name"], contact=values["contact"], url=url)
    last = _date(values["last_contact_on"], "last_contact_on", errors)
    follow = _date(values["follow_up_on"], "follow_up_on", errors)
    if last and follow and follow < last:
        errors["follow_up_on"] = "must not be before the last contact"
    if errors:
        raise ValidationErrors(errors)
    out.update(last_contact_on=last, follow_up_on=follow)
    return out


async def _listing_titles(ids: list[int]) -> dict[int, dict[str, Any]]:
    if not ids:
        return {}
    rows = await Opportunity.select(
        Opportunity.id, Opportunity.title, Opportunity.status, Opportunity.apply_email,
        Opportunity.apply_url, Opportunity.institution.name.as_alias("institution_name"),
    ).where(Opportunity.id.is_in(ids)).run()
    return {r["id"]: r for r in rows}


async def entries_of(planner_id: int) -> list[dict[str, Any]]:
    return await TrackerEntry.select().where(TrackerEntry.planner == planner_id).order_by(
        TrackerEntry.created_at).order_by(TrackerEntry.id).run()


async def board(planner_id: int) -> dict[str, list[dict[str, Any]]]:
    """The tracker page's two lists: the shortlisted listings (each with its entry, or None
    while nothing is tracked) plus tracked listings no longer shortlisted, and the programs
    that are not on the board."""
    entries = await entries_of(planner_id)
    by_listing = {e["opportunity"]: e for e in entries if e["opportunity"] is not None}
    ids = await shortlist_ids(planner_id)
    ids += [i for i in by_listing if i not in ids]
    listings = await _listing_titles(ids)
    on_board = [{"listing": listings[i], "entry": by_listing.get(i)} for i in ids if i in listings]
    off_board = [e for e in entries if e["opportunity"] is None]
    return {"on_board": on_board, "off_board": off_board}


async def entry(planner_id: int, entry_id: int) -> dict[str, Any]:
    row = await TrackerEntry.select().where(
        (TrackerEntry.id == entry_id) & (TrackerEntry.planner == planner_id)).first().run()
    if row is None:
        raise NotFound(entry_id)
    return row


async def add_program(planner_id: int, clean: dict[str, Any]) -> int:
    if await TrackerEntry.count().where(TrackerEntry.planner == planner_id).run() >= MAX_ENTRIES:
        raise ValidationErrors({"program_name": f"the tracker holds at most {MAX_ENTRIES} programs"})
    now = utcnow()
    row = TrackerEntry(planner=planner_id, created_at=now, updated_at=now, **clean)
    await row.save().run()
    return row.id


async def track_listing(planner_id: int, opportunity_id: int, clean: dict[str, Any]
                        ) -> tuple[int, str | None]:
    """Create or update the entry of a listing of the board; returns the entry id and the
    status it had before (None for a new entry)."""
    if not await Opportunity.exists().where(
            (Opportunity.id == opportunity_id) & Opportunity.published_at.is_not_null()).run():
        raise NotFound(opportunity_id)
    existing = await TrackerEntry.select(TrackerEntry.id, TrackerEntry.status).where(
        (TrackerEntry.planner == planner_id) & (TrackerEntry.opportunity == opportunity_id)
    ).first().run()
    if existing:
        await update(planner_id, existing["id"], clean)
        return existing["id"], existing["status"]
    return await add_program(planner_id, {**clean, "opportunity": opportunity_id}), None


async def update(planner_id: int, entry_id: int, clean: dict[str, Any]) -> str:
    """Returns the status the entry had before."""
    before = await entry(planner_id, entry_id)
    await TrackerEntry.update({**{getattr(TrackerEntry, k): v for k, v in clean.items()},
                               TrackerEntry.updated_at: utcnow()}).where(
        TrackerEntry.id == entry_id).run()
    return before["status"]


async def delete(planner_id: int, entry_id: int) -> None:
    await entry(planner_id, entry_id)
    # The ledger first: SQLite may run without foreign-key enforcement.
    await FollowUpSent.delete().where(FollowUpSent.entry == entry_id).run()
    await TrackerEntry.delete().where(TrackerEntry.id == entry_id).run()
