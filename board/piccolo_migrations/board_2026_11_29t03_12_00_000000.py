"""Reviews from participants only (issue 15): the host's recorded completions and the
participants' reviews (one per completion)."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Date, Integer, Text, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T03:12:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "completions and reviews"


def _params(default: Any, *, null: bool = False, unique: bool = False, index: bool = False,
            **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": null, "primary_key": False, "unique": unique,
            "index": index, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


_NOW = TimestamptzNow()
TABLES: dict[tuple[str, str], list[tuple[str, type, dict[str, Any]]]] = {
    ("Completion", "completion"): [
        ("opportunity_id", Integer, _params(0, index=True)),
        ("institution_id", Integer, _params(0, index=True)),
        ("participant_email", Varchar, _params("", length=254)),
        ("starts_on", Date, _params(None, null=True)),
        ("ends_on", Date, _params(None, null=True)),
        ("created_at", Timestamptz, _params(_NOW)),
    ],
    ("Review", "review"): [
        ("completion_id", Integer, _params(0, unique=True)),
        ("opportunity_id", Integer, _params(0, index=True)),
        ("institution_id", Integer, _params(0, index=True)),
        ("overall", Integer, _params(0)),
        ("teaching", Integer, _params(0)),
        ("hands_on", Integer, _params(0)),
        ("organisation", Integer, _params(0)),
        ("letter", Varchar, _params("", length=12)),
        ("costs_as_advertised", Boolean, _params(False)),
        ("body", Text, _params("")),
        ("display_name", Varchar, _params("", length=120)),
        ("status", Varchar, _params("shown", index=True, length=10)),
        ("hidden_reason", Text, _params("")),
        ("reply", Text, _params("")),
        ("replied_at", Timestamptz, _params(None, null=True)),
        ("created_at", Timestamptz, _params(_NOW)),
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
