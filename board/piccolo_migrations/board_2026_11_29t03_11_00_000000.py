"""Visitor corrections (issue 15): Report.category (a structured reason) and
Report.reporter_hash (a salted hash of the reporter's address or IP and the day, never the
raw value; purged after 90 days). Also backfills the previous migration's confirmed_at:
published listings count as confirmed when they were published."""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial, Varchar
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T03:11:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "structured reports; confirmed_at backfill"


class Opportunity(Table, tablename="opportunity", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


def _params(default: Any, *, index: bool = False, **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": False, "primary_key": False, "unique": False,
            "index": index, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


async def _backfill() -> None:
    await Opportunity.raw(
        "UPDATE opportunity SET confirmed_at = COALESCE(published_at, updated_at) "
        "WHERE status = 'published' AND confirmed_at IS NULL").run()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_raw(_backfill)
    for name, default, length, index in (("category", "other", 20, True),
                                         ("reporter_hash", "", 64, True)):
        manager.add_column(table_class_name="Report", tablename="report", column_name=name,
                           db_column_name=name, column_class_name="Varchar",
                           column_class=Varchar,
                           params=_params(default, index=index, length=length), schema=None)
    return manager
