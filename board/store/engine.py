"""The store's engine: SQLite by default (WAL, busy timeout, IMMEDIATE write transactions),
PostgreSQL when DATABASE_URL says so (a pool opened on start-up, closed on shutdown)."""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine
from piccolo.engine.sqlite import SQLiteEngine, TransactionType

from board.store.drivers import SQLITE_BUSY_TIMEOUT_S, ReleasesConnection, engine_from_url

os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")


_configured: tuple[str, Engine] | None = None


class StoreError(Exception):
    """The store cannot be reached or prepared; the message says what to do."""


def configure(url: str) -> Engine:
    """Point every table (and Piccolo's migration table) at one engine for this URL."""
    from piccolo.apps.migrations.tables import Migration

    from board import piccolo_conf
    from board.store.tables import ALL_TABLES

    global _configured
    if _configured is not None and _configured[0] == url:
        return _configured[1]  # one engine (and one pool) per URL per process
    engine = engine_from_url(url)
    _configured = (url, engine)
    piccolo_conf.DB = engine
    for table in [*ALL_TABLES, Migration]:
        table._meta.db = engine
    return engine


def current_engine() -> Engine:
    from board.store.tables import Opportunity

    return Opportunity._meta.db


def is_sqlite(engine: Engine | None = None) -> bool:
    return isinstance(engine or current_engine(), SQLiteEngine)


def write_transaction():
    """A transaction that reads then writes: IMMEDIATE on SQLite so two writers never
    deadlock on a lock upgrade; a normal transaction on PostgreSQL."""
    engine = current_engine()
    if isinstance(engine, SQLiteEngine):
        return engine.transaction(transaction_type=TransactionType.immediate)
    return engine.transaction()


def after_commit(callback: Callable[[], None]) -> None:
    """Run `callback` once the current write transaction has committed (never if it rolls
    back); at once when no transaction is open (the statement already committed)."""
    transaction = current_engine().current_transaction.get()
    if isinstance(transaction, ReleasesConnection):
        transaction.on_commit(callback)
    else:
        callback()


async def open_store(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, SQLiteEngine):
        try:
            with sqlite3.connect(engine.path, timeout=SQLITE_BUSY_TIMEOUT_S) as conn:
                conn.execute("PRAGMA journal_mode=WAL")
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open SQLite database {engine.path}: {exc}") from exc
        return
    try:
        await engine.start_connection_pool(min_size=1, max_size=10, timeout=10)
    except Exception as exc:  # asyncpg raises many kinds; all mean "cannot connect"
        raise StoreError(f"cannot connect to PostgreSQL ({exc}); check DATABASE_URL") from exc


async def close_store(engine: Engine | None = None) -> None:
    engine = engine or current_engine()
    if isinstance(engine, PostgresEngine) and engine.pool is not None:
        await engine.close_connection_pool()


async def migrate() -> list[str]:
    """Apply committed migrations that have not run yet; return the ids that ran."""
    from piccolo.apps.migrations.commands.forwards import ForwardsMigrationManager
    from piccolo.apps.migrations.tables import Migration

    manager = ForwardsMigrationManager(app_name="board")
    await manager.create_migration_table()
    before = set(await Migration.get_migrations_which_ran(app_name="board"))
    result = await manager.run()
    if not result.success:
        raise StoreError(f"migration failed: {result.message}")
    after = set(await Migration.get_migrations_which_ran(app_name="board"))
    return sorted(after - before)


async def ping() -> None:
    from board.store.tables import Institution

    await Institution.select(Institution.id).limit(1).run()
