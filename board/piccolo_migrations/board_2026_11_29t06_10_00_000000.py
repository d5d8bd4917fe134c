"""The `event` kind (issue 18): Opportunity.starts_at / ends_at (the first occurrence),
timezone (IANA), recurrence (an RFC 5545 RRULE, "" = once), online, join_url and whether the
join link is public (else shown only to visitors who saved the event)."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Boolean, Timestamptz, Varchar
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T06:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "event kind fields"


def _params(default: Any, *, null: bool = False, **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": null, "primary_key": False, "unique": False,
            "index": False, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


COLUMNS: list[tuple[str, type, dict[str, Any]]] = [
    ("starts_at", Timestamptz, _params(None, null=True)),
    ("ends_at", Timestamptz, _params(None, null=True)),
    ("timezone", Varchar, _params("", length=64)),
    ("recurrence", Varchar, _params("", length=300)),
    ("online", Boolean, _params(False)),
    ("join_url", Varchar, _params("", length=500)),
    ("join_url_public", Boolean, _params(False)),
]


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    for name, cls, params in COLUMNS:
        manager.add_column(table_class_name="Opportunity", tablename="opportunity",
                           column_name=name, db_column_name=name,
                           column_class_name=cls.__name__, column_class=cls, params=params,
                           schema=None)
    return manager
