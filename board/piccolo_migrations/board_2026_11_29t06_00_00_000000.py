"""The IMG's planner (issue 18): Planner (anonymous or a confirmed address, the calendar
token, the eligibility profile) and ShortlistItem (one saved listing per planner: `key` =
"planner:opportunity" is unique, the project's portable composite uniqueness, so a double
click cannot save a listing twice). Runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.base import OnDelete, OnUpdate
from piccolo.columns.column_types import ForeignKey, Serial, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T06:00:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "planner and shortlist"


class Planner(Table, tablename="planner", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


class Opportunity(Table, tablename="opportunity", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


def _params(default: Any, *, null: bool = False, unique: bool = False, index: bool = False,
            **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": null, "primary_key": False, "unique": unique,
            "index": index, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


def _fk(references: type[Table]) -> dict[str, Any]:
    return _params(None, index=True, references=references, on_delete=OnDelete.cascade,
                   on_update=OnUpdate.cascade, target_column=None)


_NOW = TimestamptzNow()
TABLES: dict[tuple[str, str], list[tuple[str, type, dict[str, Any]]]] = {
    ("Planner", "planner"): [
        ("email", Varchar, _params(None, null=True, unique=True, length=254)),
        ("confirmed_at", Timestamptz, _params(None, null=True)),
        ("created_at", Timestamptz, _params(_NOW)),
        ("calendar_token", Varchar, _params("", unique=True, length=64)),
        ("profile", Text, _params(None, null=True)),
        ("last_signin_at", Timestamptz, _params(None, null=True)),
    ],
    ("ShortlistItem", "shortlist_item"): [
        ("key", Varchar, _params("", unique=True, length=40)),
        ("planner", ForeignKey, _fk(Planner)),
        ("opportunity", ForeignKey, _fk(Opportunity)),
        ("added_at", Timestamptz, _params(_NOW)),
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
