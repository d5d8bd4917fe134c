"""A Litestar Store in the database, so sessions and rate-limit counters are shared by every
web worker (and survive restarts) without another server to run."""

from __future__ import annotations

import datetime as dt
import hashlib

from litestar.stores.base import NamespacedStore

from board.store.tables import KeyValue


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _until(expires_in: int | dt.timedelta | None) -> dt.datetime | None:
    if expires_in is None:
        return None
    seconds = expires_in.total_seconds() if isinstance(expires_in, dt.timedelta) else expires_in
    return _now() + dt.timedelta(seconds=seconds)


# Valid on SQLite (3.35+) and PostgreSQL alike; the values travel as parameters.
_INCREMENT = ("INSERT INTO key_value (key, value, expires_at, hits) VALUES ({}, {}, {}, 1) "
              "ON CONFLICT (key) DO UPDATE SET hits = key_value.hits + 1 RETURNING hits")


class DatabaseStore(NamespacedStore):
    def __init__(self, namespace: str = "litestar"):
        super().__init__()
        self.namespace = namespace

    def with_namespace(self, namespace: str) -> DatabaseStore:
        return DatabaseStore(f"{self.namespace}:{namespace}")

    def _key(self, key: str) -> str:
        full = f"{self.namespace}:{key}"
        if len(full) > 200 or not full.isprintable():
            # Visitor-supplied parts (an email typed at login) may be huge or hold NUL, which
            # PostgreSQL refuses in text: store those under a digest, never truncated.
            digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
            full = f"{self.namespace}:sha256:{digest}"
        return full

    async def set(self, key: str, value: str | bytes, expires_in: int | dt.timedelta | None = None
                  ) -> None:
        data = value.encode() if isinstance(value, str) else value
        full = self._key(key)
        until = _until(expires_in)
        updated = await KeyValue.update({KeyValue.value: data, KeyValue.expires_at: until}).where(
            KeyValue.key == full).returning(KeyValue.id).run()
        if not updated:
            try:
                await KeyValue.insert(KeyValue(key=full, value=data, expires_at=until)).run()
            except Exception:  # a concurrent insert of the same key: last write wins
                await KeyValue.update({KeyValue.value: data, KeyValue.expires_at: until}).where(
                    KeyValue.key == full).run()

    async def get(self, key: str, renew_for: int | dt.timedelta | None = None) -> bytes | None:
        full = self._key(key)
        row = await KeyValue.select(KeyValue.value, KeyValue.expires_at).where(
            KeyValue.key == full).first().run()
        if row is None:
            return None
        expires = row["expires_at"]
        if expires is not None:
            expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
            if expires <= _now():
                await KeyValue.delete().where(KeyValue.key == full).run()
                return None
            if renew_for is not None:
                await KeyValue.update({KeyValue.expires_at: _until(renew_for)}).where(
                    KeyValue.key == full).run()
        return bytes(row["value"])

    async def delete(self, key: str) -> None:
        await KeyValue.delete().where(KeyValue.key == self._key(key)).run()

    async def delete_all(self) -> None:
        await KeyValue.delete().where(KeyValue.key.like(f"{self.namespace}:%")).run()

    async def exists(self, key: str) -> bool:
        return await self.get(key) is not None

    async def expires_in(self, key: str) -> int | None:
        row = await KeyValue.select(KeyValue.expires_at).where(
            KeyValue.key == self._key(key)).first().run()
        if row is None or row["expires_at"] is None:
            return None
        expires = row["expires_at"]
        expires = expires if expires.tzinfo else expires.replace(tzinfo=dt.UTC)
        return max(0, int((expires - _now()).total_seconds()))

    async def incr(self, key: str, expires_in: int) -> int:
        """Add one to the counter `key` and return the new count, in ONE statement: parallel
        callers (several workers) each get their own count, none is lost. A new row expires
        in `expires_in` seconds; an existing one keeps its expiry (callers put the time
        window in the key, so no clock comparison is needed in SQL)."""
        rows = await KeyValue.raw(_INCREMENT, self._key(key), b"", _until(expires_in)).run()
        return int(rows[0]["hits"])

    async def purge_expired(self) -> int:
        rows = await KeyValue.delete().where(KeyValue.expires_at < _now()).returning(
            KeyValue.id).run()
        return len(rows)
