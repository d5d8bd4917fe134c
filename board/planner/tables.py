"""The planner's tables. Planner is a visitor's (anonymous) or an IMG's (email confirmed by a
magic link) planning state; ShortlistItem is one saved listing, unique per (planner,
opportunity) through its `key` column ("planner:opportunity", the project's portable
composite uniqueness).

Opportunity is referenced lazily: board.store.tables lists these tables in ALL_TABLES (so the
engine, the migrations and the test store cover them), and importing it here would be a
circle."""

from __future__ import annotations

from piccolo.columns import ForeignKey, Text, Timestamptz, Varchar
from piccolo.columns.base import OnDelete
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.reference import LazyTableReference
from piccolo.table import Table


class Planner(Table):
    # NULL = anonymous (a visitor's session); set once a magic link confirmed the address.
    email = Varchar(length=254, null=True, default=None, unique=True)
    confirmed_at = Timestamptz(null=True, default=None)
    created_at = Timestamptz(default=TimestamptzNow())
    # The secret of the subscribable calendar URL (/calendar.ics?token=...).
    calendar_token = Varchar(length=64, unique=True)
    # The eligibility profile (board.browse.profile's fields) as JSON text; NULL = none kept.
    profile = Text(null=True, default=None)
    # Account/session bookkeeping: when the IMG last signed in (None for anonymous).
    last_signin_at = Timestamptz(null=True, default=None)


class ShortlistItem(Table):
    key = Varchar(length=40, unique=True)  # "planner:opportunity" (board.planner.shortlist)
    planner = ForeignKey(references=Planner, on_delete=OnDelete.cascade, index=True)
    opportunity = ForeignKey(
        references=LazyTableReference("Opportunity", module_path="board.store.tables"),
        on_delete=OnDelete.cascade, index=True)
    added_at = Timestamptz(default=TimestamptzNow())


PLANNER_TABLE_CLASSES: list[type[Table]] = [Planner, ShortlistItem]
