"""Reconfirmation (issue 15): Opportunity.confirmed_at / full_until / reported_closed_at and
the reconfirm job's ledger table. (Published listings are backfilled by the next migration:
Piccolo runs a migration's raw steps before its new columns exist.)"""

from __future__ import annotations

from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Date, Integer, Timestamptz, Varchar
from piccolo.columns.defaults.timestamptz import TimestamptzNow
from piccolo.columns.indexes import IndexMethod

ID = "2026-11-29T03:10:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "listing reconfirmation"


def _params(default: Any, *, null: bool, unique: bool = False, index: bool = False,
            **extra: Any) -> dict[str, Any]:
    return {"default": default, "null": null, "primary_key": False, "unique": unique,
            "index": index, "index_method": IndexMethod.btree, "choices": None,
            "db_column_name": None, "secret": False, **extra}


def _column(manager: MigrationManager, table: str, tablename: str, name: str, cls: type,
            params: dict[str, Any]) -> None:
    manager.add_column(table_class_name=table, tablename=tablename, column_name=name,
                       db_column_name=name, column_class_name=cls.__name__, column_class=cls,
                       params=params, schema=None)


async def forwards() -> MigrationManager:
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    _column(manager, "Opportunity", "opportunity", "confirmed_at", Timestamptz,
            _params(None, null=True, index=True))
    _column(manager, "Opportunity", "opportunity", "full_until", Date, _params(None, null=True))
    _column(manager, "Opportunity", "opportunity", "reported_closed_at", Timestamptz,
            _params(None, null=True))
    manager.add_table(class_name="ReconfirmMail", tablename="reconfirm_mail", schema=None,
                      columns=None)
    _column(manager, "ReconfirmMail", "reconfirm_mail", "key", Varchar,
            _params("", null=False, unique=True, length=120))
    _column(manager, "ReconfirmMail", "reconfirm_mail", "opportunity_id", Integer,
            _params(0, null=False, index=True))
    _column(manager, "ReconfirmMail", "reconfirm_mail", "reason", Varchar,
            _params("due", null=False, length=20))
    _column(manager, "ReconfirmMail", "reconfirm_mail", "sent_at", Timestamptz,
            _params(TimestamptzNow(), null=False))
    return manager
