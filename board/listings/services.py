"""The listing lifecycle's verbs (the moves they may make are in board.listings.status).
Every transition that changes what search shows writes its outbox event in the same
transaction."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.core.derived import derived_values
from board.core.geo import locate_city
from board.core.moments import as_day
from board.core.validation import ValidationErrors
from board.indexing import outbox
from board.indexing.gateway import as_utc, utcnow
from board.listings.status import (
    TRANSITIONS,
    Status,
    allows,
    expiry_on_publish,
    expiry_on_renew,
    refusal,
    status_on_submit,
)
from board.settings import DEFAULT_LISTING_DAYS
from board.store.engine import write_transaction
from board.store.tables import Institution, Opportunity

MAX_ROW_ID = 2**31 - 1  # ids are 32-bit on PostgreSQL (serial)


class LifecycleError(Exception):
    """A transition that the listing's current status does not allow."""


class NotFound(Exception):
    pass


def _check(verb: str, status: str) -> None:
    if not allows(verb, status):
        raise LifecycleError(refusal(verb, status))


def _expiry_from_date(day: dt.date) -> dt.datetime:
    # A listing "expires on" a date: it stays visible through that whole day (UTC).
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC) + dt.timedelta(days=1)



def row_values(clean: dict[str, Any]) -> dict[str, Any]:
    values = dict(clean)
    if "expires_at" in values:
        values["expires_at"] = _expiry_from_date(values["expires_at"]) if values["expires_at"] else None
    if "city" in clean or "state" in clean:
        point = locate_city(values.get("city") or "", values.get("state") or "")
        values["latitude"], values["longitude"] = point if point else (None, None)
    return values


async def get(opportunity_id: int, institution_id: int | None = None) -> dict[str, Any]:
    """One listing; with `institution_id`, only that institution's (else NotFound, so a
    member of another institution cannot even learn that it exists)."""
    if not 0 < opportunity_id <= MAX_ROW_ID:
        raise NotFound(opportunity_id)  # a URL's huge number would overflow the driver (500)
    query = Opportunity.select(
        Opportunity.all_columns(),
        Opportunity.institution.name.as_alias("institution_name"),
        Opportunity.institution.verified.as_alias("institution_verified"),
        # A suspended institution's listings answer 404 to the public (visibility.is_visible).
        Opportunity.institution.suspended_at.as_alias("institution_suspended_at"),
    ).where(Opportunity.id == opportunity_id)
    if institution_id is not None:
        query = query.where(Opportunity.institution == institution_id)
    row = await query.first().output(load_json=True).run()
    if row is None:
        raise NotFound(opportunity_id)
    return row


async def create(institution_id: int, clean: dict[str, Any], member_id: int | None = None,
                 now: dt.datetime | None = None) -> int:
    now = now or utcnow()
    values = row_values(clean)
    row = Opportunity(institution=institution_id, created_by=member_id, status=Status.DRAFT,
                      created_at=now, updated_at=now, **values)
    await row.save().run()
    return row.id


async def update(opportunity_id: int, clean: dict[str, Any], institution_id: int | None = None,
                 now: dt.datetime | None = None) -> dict[str, Any]:
    """Every edit (dashboard, API, CLI) comes through here: the red flags are recomputed for
    any status, so moderators never see stale ones, and an approved listing whose edit needs
    review (board.listings.review) goes back to pending."""
    from board.listings import review
    from board.listings.red_flags import red_flags

    now = now or utcnow()
    async with write_transaction():
        current = await get(opportunity_id, institution_id)
        _check("edit", current["status"])
        if current["status"] == Status.PUBLISHED and "expires_at" in clean \
                and clean["expires_at"] is None:
            # A live listing without an expiry would be invisible (search wants one), never
            # expire and never get a reminder: refuse rather than store NULL.
            raise ValidationErrors({"expires_at": "a published listing needs an expiry date; "
                                    "give one (at most a year ahead) or renew it"})
        values = row_values({**{k: current[k] for k in ("city", "state")}, **clean})
        # The derived facts follow whatever changed, whoever the caller (board.core.derived).
        values.update(derived_values({**current, **values}))
        values["updated_at"] = now
        if current["status"] == Status.PUBLISHED:
            values["confirmed_at"] = now  # an edit is the host's "still accepting" too
        after = {**current, **values}
        values["review_flags"] = red_flags(after)
        if review.needs_review(current["status"], bool(current["institution_verified"]),
                               current, after):
            # The listing leaves search until a moderator approves the new version, rather
            # than keeping the old one live: no unreviewed content ever reaches IMGs, and
            # there is one version of a listing, not a live one and a shadow one.
            values.update(status=Status.PENDING, submitted_at=now)
        await Opportunity.update(values).where(Opportunity.id == opportunity_id).run()
        if current["status"] == Status.PUBLISHED:
            await outbox.record(opportunity_id, "edit")
    return await get(opportunity_id)


async def submit(opportunity_id: int, institution_id: int | None = None,
                 now: dt.datetime | None = None, listing_days: int = DEFAULT_LISTING_DAYS
                 ) -> str:
    """Verified institutions publish on submit unless a red flag needs a moderator."""
    from board.listings.red_flags import red_flags

    now = now or utcnow()
    async with write_transaction():
        row = await get(opportunity_id, institution_id)
        _check("submit", row["status"])
        flags = red_flags(row)
        verified = await Institution.select(Institution.verified, Institution.suspended_at).where(
            Institution.id == row["institution"]).first().run()
        if verified and verified["suspended_at"] is not None:
            raise LifecycleError("your institution is suspended by a moderator: nothing can be "
                                 "submitted until the suspension is lifted")
        status = status_on_submit(bool(verified and verified["verified"]), flags)
        if status == Status.PUBLISHED:
            await _publish(row, now, listing_days)
            return status
        await Opportunity.update({
            Opportunity.status: status, Opportunity.submitted_at: now,
            Opportunity.review_flags: flags, Opportunity.updated_at: now,
        }).where(Opportunity.id == opportunity_id).run()
        return status


async def edit(opportunity_id: int, clean: dict[str, Any], institution_id: int | None = None,
               submit_after: bool = False, listing_days: int = DEFAULT_LISTING_DAYS) -> None:
    """An API PATCH: change the fields, then maybe submit, all or nothing. A refused submit
    (409) must not leave the field change behind, or the client's "failed" request has
    changed a live listing (and its retry would not be the same request)."""
    async with write_transaction():
        if clean:
            await update(opportunity_id, clean, institution_id)
        if submit_after:
            await submit(opportunity_id, institution_id, listing_days=listing_days)


async def _publish(row: dict[str, Any], now: dt.datetime, listing_days: int) -> None:
    from board.listings.review import snapshot

    expires = expiry_on_publish(as_utc(row.get("expires_at")), now, listing_days,
                                as_day(row.get("application_deadline")))
    await Opportunity.update({
        Opportunity.status: Status.PUBLISHED,
        Opportunity.published_at: row.get("published_at") or now,
        Opportunity.submitted_at: row.get("submitted_at") or now,
        Opportunity.expires_at: expires,
        Opportunity.updated_at: now,
        Opportunity.rejection_reason: "",
        Opportunity.approved_values: snapshot(row),
        Opportunity.confirmed_at: now, Opportunity.reported_closed_at: None,
    }).where(Opportunity.id == row["id"]).run()
    await outbox.record(row["id"], "publish")


async def approve(opportunity_id: int, now: dt.datetime | None = None,
                  listing_days: int = DEFAULT_LISTING_DAYS) -> None:
    now = now or utcnow()
    async with write_transaction():
        row = await get(opportunity_id)
        _check("approve", row["status"])
        await _publish(row, now, listing_days)


async def publish_now(opportunity_id: int, now: dt.datetime | None = None,
                      listing_days: int = DEFAULT_LISTING_DAYS) -> None:
    """Staff shortcut (imports with --publish, demo data): publish whatever the status."""
    now = now or utcnow()
    async with write_transaction():
        await _publish(await get(opportunity_id), now, listing_days)


async def reject(opportunity_id: int, reason: str, now: dt.datetime | None = None) -> None:
    now = now or utcnow()
    async with write_transaction():
        row = await get(opportunity_id)
        _check("reject", row["status"])
        await Opportunity.update({
            Opportunity.status: Status.REJECTED, Opportunity.rejection_reason: reason,
            Opportunity.updated_at: now,
        }).where(Opportunity.id == opportunity_id).run()


async def renew(opportunity_id: int, institution_id: int | None = None,
                now: dt.datetime | None = None, listing_days: int = DEFAULT_LISTING_DAYS
                ) -> dt.datetime:
    now = now or utcnow()
    async with write_transaction():
        row = await get(opportunity_id, institution_id)
        _check("renew", row["status"])
        expires = expiry_on_renew(as_utc(row.get("expires_at")), now, listing_days)
        await Opportunity.update({
            Opportunity.status: Status.PUBLISHED, Opportunity.expires_at: expires,
            Opportunity.updated_at: now, Opportunity.confirmed_at: now,
            Opportunity.reported_closed_at: None,
        }).where(Opportunity.id == opportunity_id).run()
        await outbox.record(opportunity_id, "renew")
    return expires


async def _set_status(opportunity_id: int, verb: str, institution_id: int | None,
                      now: dt.datetime | None) -> None:
    now = now or utcnow()
    status = TRANSITIONS[verb].target
    async with write_transaction():
        row = await get(opportunity_id, institution_id)
        _check(verb, row["status"])
        values: dict[Any, Any] = {Opportunity.status: status, Opportunity.updated_at: now}
        if status == Status.CLOSED:
            values[Opportunity.closed_at] = now
        await Opportunity.update(values).where(Opportunity.id == opportunity_id).run()
        await outbox.record(opportunity_id, verb)


async def close(opportunity_id: int, institution_id: int | None = None,
                now: dt.datetime | None = None) -> None:
    await _set_status(opportunity_id, "close", institution_id, now)


async def reopen(opportunity_id: int, institution_id: int | None = None,
                 now: dt.datetime | None = None) -> str:
    """Undo a close. A listing that was live and whose expiry is still ahead goes straight
    back to search (re-indexed through the outbox) unless its content changed since the
    moderator's approval; anything else becomes a draft to submit again, so a reopen never
    skips a review. Returns the new status."""
    from board.listings.review import changed_fields

    now = now or utcnow()
    async with write_transaction():
        row = await get(opportunity_id, institution_id)
        _check("reopen", row["status"])
        expires = as_utc(row.get("expires_at"))
        approved = row.get("approved_values")
        live_again = (row.get("published_at") is not None and expires is not None
                      and expires > now and isinstance(approved, dict)
                      and not changed_fields(approved, row))
        status = Status.PUBLISHED if live_again else Status.DRAFT
        await Opportunity.update({
            Opportunity.status: status, Opportunity.updated_at: now, Opportunity.closed_at: None,
        }).where(Opportunity.id == opportunity_id).run()
        if live_again:
            await outbox.record(opportunity_id, "reopen")
    return str(status)


async def remove(opportunity_id: int, now: dt.datetime | None = None) -> None:
    await _set_status(opportunity_id, "remove", None, now)


async def delete_draft_or_close(opportunity_id: int, institution_id: int) -> str:
    """API DELETE: a draft disappears; anything else is closed (its link keeps working)."""
    row = await get(opportunity_id, institution_id)
    if row["status"] == Status.DRAFT:
        await Opportunity.delete().where(Opportunity.id == opportunity_id).run()
        return "deleted"
    if row["status"] in {Status.CLOSED, Status.REMOVED}:
        return row["status"]
    await close(opportunity_id, institution_id)
    return "closed"


# PostgreSQL: one statement flips the listings and writes their outbox events, so no ids
# travel to Python (100k expiring listings would also overflow asyncpg's 32767 arguments).
_EXPIRE_PG = (
    "WITH expired AS (UPDATE opportunity SET status = {}, updated_at = {} "
    "WHERE status = {} AND expires_at <= {} RETURNING id), "
    "events AS (INSERT INTO outbox_event (opportunity_id, reason, status, attempts, "
    "next_attempt_at, last_error, created_at) "
    "SELECT id, 'expire', 'pending', 0, {}, '', {} FROM expired RETURNING 1) "
    "SELECT count(*) AS expired FROM events"
)


async def expire_due(now: dt.datetime) -> int:
    """One set-based UPDATE of every published listing past its expiry, and their outbox
    events, in one transaction; a second run finds nothing to do."""
    from board.store.engine import is_sqlite

    if not is_sqlite():
        written = utcnow()
        (source,) = TRANSITIONS["expire"].sources
        rows = await Opportunity.raw(_EXPIRE_PG, str(Status.EXPIRED), now, str(source), now,
                                     written, written).run()
        outbox.wakeup.notify()  # one autocommitted statement: its events are there now
        return int(rows[0]["expired"])
    async with write_transaction():
        rows = await Opportunity.update({
            Opportunity.status: Status.EXPIRED, Opportunity.updated_at: now,
        }).where(
            Opportunity.status.is_in(list(TRANSITIONS["expire"].sources))
            & (Opportunity.expires_at <= now)
        ).returning(Opportunity.id).run()
        ids = [r["id"] for r in rows]
        await outbox.record(ids, "expire")
    return len(ids)
