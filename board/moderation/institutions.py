"""Institution names must not be squattable: a moderator bans an unverified institution
(its members lose access, its listings are removed and leave search, its name is freed),
and the daily purge deletes unverified institutions that nobody ever took up."""

from __future__ import annotations

import datetime as dt

from board.indexing import outbox
from board.indexing.gateway import utcnow
from board.listings.services import NotFound
from board.listings.status import Status
from board.store.engine import write_transaction
from board.store.tables import ApiToken, Institution, Member, Opportunity

# An unverified institution whose members never confirmed an address in this many days is
# a squatted or abandoned name.
ABANDONED_DAYS = 30
BANNED_PREFIX = "[banned "


class CannotBan(Exception):
    """Verified institutions are not banned from the queue (that is a bigger decision)."""


def banned_name(institution_id: int, name: str) -> str:
    # The row stays for the record under a name nobody will type, so the real institution
    # can sign up (names are unique) and the ban cannot be undone by a re-signup.
    return f"{BANNED_PREFIX}{institution_id}] {name}"[:200]


async def ban(institution_id: int, now: dt.datetime | None = None) -> int:
    """Ban an unverified institution; returns how many of its listings were removed."""
    now = now or utcnow()
    async with write_transaction():
        inst = await Institution.select(Institution.name, Institution.verified).where(
            Institution.id == institution_id).first().run()
        if inst is None:
            raise NotFound(institution_id)
        if inst["verified"]:
            raise CannotBan("a verified institution cannot be banned from the moderation queue")
        await Institution.update({
            Institution.name: banned_name(institution_id, inst["name"]),
            Institution.banned_at: now, Institution.updated_at: now,
        }).where(Institution.id == institution_id).run()
        # Inactive members can neither log in nor use their sessions or API tokens.
        await Member.update({Member.is_active: False}).where(
            Member.institution == institution_id).run()
        await ApiToken.update({ApiToken.revoked_at: now}).where(
            (ApiToken.institution == institution_id) & ApiToken.revoked_at.is_null()).run()
        removed = await Opportunity.update({
            Opportunity.status: Status.REMOVED, Opportunity.updated_at: now,
        }).where((Opportunity.institution == institution_id)
                 & (Opportunity.status != Status.REMOVED)).returning(Opportunity.id).run()
        await outbox.record([r["id"] for r in removed], "remove")
    return len(removed)


async def set_suspended(institution_id: int, suspended: bool, now: dt.datetime | None = None
                        ) -> int:
    """Suspend (or lift the suspension of) any institution: its published listings leave
    search (board.listings.visibility hides them) and come back when it is lifted; nothing
    is deleted, so it is reversible. Returns how many published listings were re-indexed."""
    now = now or utcnow()
    async with write_transaction():
        updated = await Institution.update({
            Institution.suspended_at: now if suspended else None, Institution.updated_at: now,
        }).where(Institution.id == institution_id).returning(Institution.id).run()
        if not updated:
            raise NotFound(institution_id)
        rows = await Opportunity.select(Opportunity.id).where(
            (Opportunity.institution == institution_id)
            & (Opportunity.status == Status.PUBLISHED)).run()
        await outbox.record([r["id"] for r in rows], "suspend" if suspended else "unsuspend")
    return len(rows)


async def purge_abandoned(now: dt.datetime, days: int = ABANDONED_DAYS) -> int:
    """Delete unverified institutions older than `days` with no member who confirmed an
    email address and no listing that was ever published (an operator's import stays).
    Members, tokens and listings go with them (ON DELETE CASCADE)."""
    cutoff = now - dt.timedelta(days=days)
    candidates = await Institution.select(Institution.id).where(
        (Institution.verified == False) & (Institution.created_at < cutoff)  # noqa: E712
    ).run()
    ids = [r["id"] for r in candidates]
    if not ids:
        return 0
    keep = {r["institution"] for r in await Member.select(Member.institution).where(
        Member.institution.is_in(ids) & Member.email_verified_at.is_not_null()).run()}
    keep |= {r["institution"] for r in await Opportunity.select(Opportunity.institution).where(
        Opportunity.institution.is_in(ids) & Opportunity.published_at.is_not_null()).run()}
    gone = [i for i in ids if i not in keep]
    if gone:
        async with write_transaction():
            await Institution.delete().where(Institution.id.is_in(gone)).run()
    return len(gone)
