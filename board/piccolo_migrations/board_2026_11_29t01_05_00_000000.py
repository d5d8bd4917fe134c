"""key_value.hits: a counter the store increments in one statement (rate limits), instead
of reading a JSON count and writing it back, which parallel requests all read the same."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Integer
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T01:05:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "key_value.hits for atomic rate-limit counters"


async def forwards():
    manager = MigrationManager(
        migration_id=ID, app_name="board", description=DESCRIPTION
    )

    manager.add_column(
        table_class_name="KeyValue",
        tablename="key_value",
        column_name="hits",
        db_column_name="hits",
        column_class_name="Integer",
        column_class=Integer,
        params={
            "default": 0,
            "null": False,
            "primary_key": False,
            "unique": False,
            "index": False,
            "index_method": IndexMethod.btree,
            "choices": None,
            "db_column_name": None,
            "secret": False,
        },
        schema=None,
    )

    return manager
