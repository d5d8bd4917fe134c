"""The outreach tracker's tables. TrackerEntry is one program an IMG is pursuing: a listing of
the board (`opportunity`) or one that is not on it (name, contact, URL), with a status, the
last contact, a follow-up date and notes. FollowUpSent is the ledger of follow-up reminders:
one row per (entry, due date), unique through `key` ("entry:YYYY-MM-DD", the project's
portable composite uniqueness), claimed before the mail goes out so no run mails twice.

TrackerEntry is planner-owned: it joins PLANNER_TABLES, so the account's export, deletion
and sign-in merge cover it; FollowUpSent goes with its entry (cascade)."""

from __future__ import annotations

from piccolo.columns import Date, ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table

from board.planner.identity import PLANNER_TABLES
from board.planner.tables import Planner


class TrackerEntry(Table):
    planner = ForeignKey(references=Planner, on_delete=OnDelete.cascade, index=True)
    # NULL: a program that is not on the board (or a listing since deleted from the store).
    opportunity = ForeignKey(
        references=LazyTableReference("Opportunity", module_path="board.store.tables"),
        null=True, on_delete=OnDelete.set_null, index=True)
    program_name = Varchar(length=200, default="")
    contact = Varchar(length=254, default="")
    url = Varchar(length=500, default="")
    status = Varchar(length=20, default="planned")
    last_contact_on = Date(null=True, default=None)
    follow_up_on = Date(null=True, default=None, index=True)
    notes = Text(default="")
    created_at = Timestamptz(default=TimestamptzNow())
    updated_at = Timestamptz(default=TimestamptzNow())
    # When the host was asked to confirm this completion (once per entry).
    host_asked_at = Timestamptz(null=True, default=None)

    # On a sign-in merge, a listing the account already tracks keeps the account's entry
    # (board.planner.merge); programs off the board (no opportunity) are all moved over.
    planner_dedupe = ("opportunity",)


class FollowUpSent(Table):
    key = Varchar(length=40, unique=True)  # "entry:due_on"
    entry = ForeignKey(references=TrackerEntry, on_delete=OnDelete.cascade, index=True)
    due_on = Date()
    sent_at = Timestamptz(default=TimestamptzNow())


TRACKER_TABLE_CLASSES: list[type[Table]] = [TrackerEntry, FollowUpSent]
PLANNER_TABLES.append(TrackerEntry)
