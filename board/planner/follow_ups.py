"""The `follow-ups` job: on each due follow-up date of a tracker entry, one mail to the IMG
("You wrote to X 14 days ago; time to follow up").

Once per (entry, due date), never twice across runs or schedulers: the FollowUpSent ledger
row is claimed (a unique key) before the mail goes out, and given back if the mail fails so
the next run retries. Only confirmed addresses are mailed: an anonymous planner has none, a
deleted account's entries are gone with it, and a program that answered (accepted,
declined, completed) needs no reminder."""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from board.mail.delivery import send
from board.mail.render import Email
from board.planner.tracker import FINISHED
from board.planner.tracker_tables import FollowUpSent, TrackerEntry
from board.settings import Settings

log = logging.getLogger(__name__)
# A date missed by more than this (the scheduler was down, or the date was set in the past)
# is not mailed about: the reminder would no longer be timely.
CATCH_UP_DAYS = 7


def ledger_key(entry_id: int, due_on: dt.date) -> str:
    return f"{entry_id}:{due_on.isoformat()}"


async def due(today: dt.date) -> list[dict[str, Any]]:
    return await TrackerEntry.select(
        TrackerEntry.id, TrackerEntry.program_name, TrackerEntry.contact, TrackerEntry.url,
        TrackerEntry.last_contact_on, TrackerEntry.follow_up_on, TrackerEntry.opportunity,
        TrackerEntry.planner.email.as_alias("email"),
        TrackerEntry.opportunity.title.as_alias("listing_title"),
        TrackerEntry.opportunity.institution.name.as_alias("institution_name"),
    ).where(
        (TrackerEntry.follow_up_on <= today)
        & (TrackerEntry.follow_up_on > today - dt.timedelta(days=CATCH_UP_DAYS))
        & TrackerEntry.status.not_in(sorted(FINISHED))
        & TrackerEntry.planner.email.is_not_null()
        & TrackerEntry.planner.confirmed_at.is_not_null()
    ).order_by(TrackerEntry.id).run()


async def _claim(entry_id: int, due_on: dt.date, now: dt.datetime) -> bool:
    rows = await FollowUpSent.insert(FollowUpSent(
        key=ledger_key(entry_id, due_on), entry=entry_id, due_on=due_on, sent_at=now,
    )).on_conflict(action="DO NOTHING").returning(FollowUpSent.id).run()
    return bool(rows)


def _context(row: dict[str, Any], settings: Settings) -> dict[str, Any]:
    if row["opportunity"] is not None and row["listing_title"]:
        name = f"{row['institution_name']} ({row['listing_title']})"
        url = f"{settings.base_url}/opportunities/{row['opportunity']}"
    else:
        name, url = row["program_name"], row["url"]
    last = row["last_contact_on"]
    return {"name": name, "contact": row["contact"], "url": url,
            "days": (row["follow_up_on"] - last).days if last else None,
            "due_on": row["follow_up_on"].isoformat(),
            "tracker_url": f"{settings.base_url}/tracker"}


async def send_follow_ups(rt: Any, now: dt.datetime) -> dict[str, int]:
    settings: Settings = rt.settings
    rows = await due(now.date())
    sent = failed = 0
    for row in rows:
        if not await _claim(row["id"], row["follow_up_on"], now):
            continue  # mailed by an earlier run
        try:
            await send(rt.mailer, settings, Email("follow_up", row["email"],
                                                  _context(row, settings)))
            sent += 1
        except Exception as exc:  # give the claim back: the next run retries this one
            failed += 1
            log.warning("follow-up mail for tracker entry %s failed: %s", row["id"], exc)
            await FollowUpSent.delete().where(
                FollowUpSent.key == ledger_key(row["id"], row["follow_up_on"])).run()
    return {"due": len(rows), "sent": sent, "failed": failed}
