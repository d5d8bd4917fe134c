"""The store's two engines, a leaf that piccolo_conf and board.store.engine both import:
SQLite (WAL, busy timeout) and PostgreSQL, built from DATABASE_URL, each releasing its
connection even when BEGIN, COMMIT or ROLLBACK fails."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from pathlib import Path
from urllib.parse import unquote, urlparse

from piccolo.engine.base import Engine
from piccolo.engine.postgres import PostgresEngine, PostgresTransaction
from piccolo.engine.sqlite import SQLiteEngine, SQLiteTransaction, TransactionType

# Writers wait for each other instead of failing with "database is locked".
SQLITE_BUSY_TIMEOUT_S = 30


class ReleasesConnection:
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
        self.__dict__.setdefault("_on_commit", []).append(callback)

    async def _release(self) -> None:
        await self.connection.close()


class _PostgresTransaction(ReleasesConnection, PostgresTransaction):
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


class _SQLiteTransaction(ReleasesConnection, SQLiteTransaction):
    pass


class _PostgresEngine(PostgresEngine):
    def transaction(self, allow_nested: bool = True) -> PostgresTransaction:
        return _PostgresTransaction(engine=self, allow_nested=allow_nested)


class _SQLiteEngine(SQLiteEngine):
    def transaction(self, transaction_type: TransactionType = TransactionType.deferred,
                    allow_nested: bool = True) -> SQLiteTransaction:
        return _SQLiteTransaction(engine=self, transaction_type=transaction_type,
                                  allow_nested=allow_nested)


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
