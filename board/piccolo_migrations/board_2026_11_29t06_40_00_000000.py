"""A moderator can suspend an institution (issue 17): while `suspended_at` is set its
listings leave search and it cannot submit; clearing it lifts the suspension."""

from __future__ import annotations

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Timestamptz
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T06:40:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "institution suspension"


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_column(
        table_class_name="Institution", tablename="institution", column_name="suspended_at",
        db_column_name="suspended_at", column_class_name="Timestamptz", column_class=Timestamptz,
        params={"default": None, "null": True, "primary_key": False, "unique": False,
                "index": False, "index_method": IndexMethod.btree, "choices": None,
                "db_column_name": None, "secret": False},
        schema=None)
    return manager
