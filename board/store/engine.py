"""The store's engine: SQLite by default (WAL, busy timeout, IMMEDIATE write transactions),
PostgreSQL when DATABASE_URL says so (a pool opened on start-up, closed on shutdown)."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")

# Writers wait for each other instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30


_configured: tuple[str, Engine] | None = None


class _ReleasesConnection:
    """Piccolo 1.38 keeps the connection when BEGIN, COMMIT or ROLLBACK fails: on PostgreSQL
    (a connection terminated by a restart) the pool loses a slot for good, and once all are
    gone every request waits forever; on SQLite (BEGIN IMMEDIATE past the busy timeout) each
    failure leaks an open connection and its thread. Release it whatever happens."""

    async def __aenter__(self):
        if self._parent is not None:
            return self._parent
        self.connection = await self.get_connection()
        try:
            self._prepare()
            await self.begin()
        except BaseException:
            await self._release()
            raise
        self.context = self.engine.current_transaction.set(self)
        return self

    async def __aexit__(self, exception_type, exception, traceback) -> bool:
        if self._parent:
            return exception is None
        try:
            if exception:
                if not self._rolled_back:
                    # A dead connection cannot roll back, but the server already did: the
                    # original error is the one to report.
                    with contextlib.suppress(Exception):
                        await self.rollback()
            elif not self._committed and not self._rolled_back:
                await self.commit()
                for callback in self.__dict__.get("_on_commit", ()):
                    callback()
        finally:
            try:
                await self._release()
            finally:
                self.engine.current_transaction.reset(self.context)
        return exception is None

    def _prepare(self) -> None:
        pass

    def on_commit(self, callback: Callable[[], None]) -> None:
        callbacks = self.__dict__.setdefault("_on_commit", [])
        if callback not in callbacks:  # many writes, one wake-up
            callbacks.append(callback)

    async def _release(self) -> None:
        await self.connection.close()


class _PostgresTransaction(_ReleasesConnection, PostgresTransaction):
    def _prepare(self) -> None:
        self.transaction = self.connection.transaction()

    async def _release(self) -> None:
        try:
            if self.engine.pool:
                await self.engine.pool.release(self.connection)
            else:
                await self.connection.close()
        except Exception:
            self.connection.terminate()  # in a state the pool cannot reset: drop it


class _SQLiteTransaction(_ReleasesConnection, SQLiteTransaction):
    pass


class _PostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _PostgresTransaction(engine=self, allow_nested=allow_nested)


class _SQLiteEngine(SQLiteEngine):
    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _SQLiteTransaction(engine=self, transaction_type=transaction_type,
                                  allow_nested=allow_nested)


class StoreError(Exception):
    """The store cannot be reached or prepared; the message says what to do."""


def engine_from_url(url: str) -> Engine:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        path = unquote(parsed.path)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        return _SQLiteEngine(path=path, timeout=SQLITE_BUSY_TIMEOUT_S)
    return _PostgresEngine(
        config={
            "host": parsed.hostname,
            "port": parsed.port or 5432,
            "user": unquote(parsed.username or ""),
            "password": unquote(parsed.password or ""),
            "database": parsed.path.lstrip("/"),
        }
    )


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
    if isinstance(transaction, _ReleasesConnection):
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
