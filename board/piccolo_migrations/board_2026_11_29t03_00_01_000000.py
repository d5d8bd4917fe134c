"""Existing listings get their total cost: they have no application fee or deposit yet, so
the total is the program fee (NULL stays NULL: not stated). Runs after the columns exist
(a migration's raw steps run before its column changes).

On SQLite, `fee_usd` becomes nullable here: SQLite has no ALTER COLUMN, so the NOT NULL is
dropped from the stored table definition (the documented writable_schema procedure for
changes that do not touch the stored rows). It is the last step of this connection, which
closes afterwards: later connections read the new definition (the procedure's schema-cookie
bump only matters to connections that are already open, and none are during a migration)."""

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.engine import engine_finder
from piccolo.table import Table

ID = "2026-11-29T03:00:01:000000"
VERSION = "1.38.0"
DESCRIPTION = "opportunity: total_cost_usd of existing rows"


class Opportunity(Table, tablename="opportunity", schema=None):
    pass


async def _backfill() -> None:
    await Opportunity.raw(
        "UPDATE opportunity SET total_cost_usd = fee_usd WHERE total_cost_usd IS NULL").run()


_FEE_NOT_NULL = '"fee_usd" INTEGER NOT NULL DEFAULT 0'
_FEE_NULLABLE = '"fee_usd" INTEGER DEFAULT null'


async def _sqlite_fee_nullable() -> None:
    rows = await Opportunity.raw(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'opportunity'").run()
    sql = rows[0]["sql"]
    if _FEE_NOT_NULL not in sql:
        return  # already nullable (a store created from the current tables)
    await Opportunity.raw("PRAGMA writable_schema = ON").run()
    await Opportunity.raw(
        "UPDATE sqlite_master SET sql = {} WHERE type = 'table' AND name = 'opportunity'",
        sql.replace(_FEE_NOT_NULL, _FEE_NULLABLE)).run()
    await Opportunity.raw("PRAGMA writable_schema = OFF").run()


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_raw(_backfill)
    if engine_finder().engine_type == "sqlite":
        manager.add_raw(_sqlite_fee_nullable)
    return manager
