"""The outreach tracker (issue 18): TrackerEntry (a planner's program, on the board or not:
status, last contact, follow-up date, notes, when the host was asked to confirm a
completion) and FollowUpSent (the follow-up reminder ledger: `key` = "entry:due_on" is
unique, so a due date is mailed once). Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import Date, ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.date import DateNow
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T06:20:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "outreach tracker and follow-up ledger"


class Planner(Table, tablename="planner", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


class Opportunity(Table, tablename="opportunity", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


class TrackerEntry(Table, tablename="tracker_entry", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


def _params(default: Any, *, null: bool = False, unique: bool = False, index: bool = False,
            **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": null, "primary_key": False, "unique": unique,
            "index": index, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


def _fk(references: type[Table], on_delete: OnDelete, null: bool = False) -> dict[str, Any]:
    return _params(None, null=null, index=True, references=references, on_delete=on_delete,
                   on_update=OnUpdate.cascade, target_column=None)


_NOW = TimestamptzNow()
TABLES: dict[tuple[str, str], list[tuple[str, type, dict[str, Any]]]] = {
    ("TrackerEntry", "tracker_entry"): [
        ("planner", ForeignKey, _fk(Planner, OnDelete.cascade)),
        ("opportunity", ForeignKey, _fk(Opportunity, OnDelete.set_null, null=True)),
        ("program_name", Varchar, _params("", length=200)),
        ("contact", Varchar, _params("", length=254)),
        ("url", Varchar, _params("", length=500)),
        ("status", Varchar, _params("planned", length=20)),
        ("last_contact_on", Date, _params(None, null=True)),
        ("follow_up_on", Date, _params(None, null=True, index=True)),
        ("notes", Text, _params("")),
        ("created_at", Timestamptz, _params(_NOW)),
        ("updated_at", Timestamptz, _params(_NOW)),
        ("host_asked_at", Timestamptz, _params(None, null=True)),
    ],
    ("FollowUpSent", "follow_up_sent"): [
        ("key", Varchar, _params("", unique=True, length=40)),
        ("entry", ForeignKey, _fk(TrackerEntry, OnDelete.cascade)),
        ("due_on", Date, _params(DateNow())),
        ("sent_at", Timestamptz, _params(_NOW)),
    ],
}


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    for (class_name, tablename), columns in TABLES.items():
        manager.add_table(class_name=class_name, tablename=tablename, schema=None, columns=None)
        for name, cls, params in columns:
            manager.add_column(table_class_name=class_name, tablename=tablename,
                               column_name=name, db_column_name=name,
                               column_class_name=cls.__name__, column_class=cls,
                               params=params, schema=None)
    return manager
