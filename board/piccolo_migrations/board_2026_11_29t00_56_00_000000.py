"""One subscription per (email, filters): a unique index, so two concurrent subscribes of
the same search cannot both insert a row (each would then get its own weekly digest).

Existing rows are normalised first (lower-case email, filters with sorted values and the
key recomputed the way board.digests.subscriptions.filters_key computes it), then
duplicates are merged: the active (confirmed, not unsubscribed) row wins, else the oldest.
Raw SQL that runs on SQLite and PostgreSQL alike."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from piccolo.apps.migrations.auto.migration_manager import MigrationManager
from piccolo.columns.column_types import Serial
from piccolo.columns.indexes import IndexMethod
from piccolo.table import Table

ID = "2026-11-29T00:56:00:000000"
VERSION = "1.38.0"
DESCRIPTION = "unique (email, filters_key) on subscriber"

class Subscriber(Table, tablename="subscriber", schema=None):
    id = Serial(null=False, primary_key=True, unique=False, index=False,
                index_method=IndexMethod.btree, choices=None, db_column_name="id", secret=False)


def _key(filters: dict[str, Any]) -> tuple[dict[str, list[str]], str]:
    # Frozen copy of filters_key (a migration must not change when the app's code does).
    clean = {k: sorted(str(x) for x in (v if isinstance(v, list) else [v]))
             for k, v in filters.items()}
    text = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return clean, hashlib.sha256(text.encode()).hexdigest()


# A row loses to any row of the same (email, key) with a lower (rank, id); rank 0 = active.
_LOSERS = (
    "SELECT s.id FROM subscriber s WHERE EXISTS (SELECT 1 FROM subscriber t "
    "WHERE t.email = s.email AND t.filters_key = s.filters_key AND t.id <> s.id AND ("
    "(CASE WHEN t.confirmed_at IS NOT NULL AND t.unsubscribed_at IS NULL THEN 0 ELSE 1 END) "
    "< (CASE WHEN s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL THEN 0 ELSE 1 END) "
    "OR ((CASE WHEN t.confirmed_at IS NOT NULL AND t.unsubscribed_at IS NULL THEN 0 ELSE 1 END) "
    "= (CASE WHEN s.confirmed_at IS NOT NULL AND s.unsubscribed_at IS NULL THEN 0 ELSE 1 END) "
    "AND t.id < s.id)))"
)
DELETE_DELIVERIES = "DELETE FROM digest_delivery WHERE subscriber IN (" + _LOSERS + ")"
DELETE_SUBSCRIBERS = "DELETE FROM subscriber WHERE id IN (" + _LOSERS + ")"
CREATE_INDEX = ("CREATE UNIQUE INDEX IF NOT EXISTS subscriber_email_filters_key_unique "
                "ON subscriber (email, filters_key)")
DROP_INDEX = "DROP INDEX IF EXISTS subscriber_email_filters_key_unique"


async def _normalise_and_dedupe() -> None:
    rows = await Subscriber.raw("SELECT id, email, filters, filters_key FROM subscriber").run()
    for row in rows:
        filters = row["filters"]
        if isinstance(filters, str):
            filters = json.loads(filters or "{}")
        clean, key = _key(filters or {})
        email = (row["email"] or "").strip().lower()
        if key != row["filters_key"] or email != row["email"]:
            await Subscriber.raw(
                "UPDATE subscriber SET email = {}, filters = {}, filters_key = {} WHERE id = {}",
                email, json.dumps(clean, sort_keys=True), key, row["id"]).run()
    # Deliveries first: SQLite may run without foreign-key enforcement (no cascade).
    await Subscriber.raw(DELETE_DELIVERIES).run()
    await Subscriber.raw(DELETE_SUBSCRIBERS).run()
    await Subscriber.raw(CREATE_INDEX).run()


async def forwards():
    manager = MigrationManager(migration_id=ID, app_name="board", description=DESCRIPTION)
    manager.add_raw(_normalise_and_dedupe)

    async def _drop_index() -> None:
        await Subscriber.raw(DROP_INDEX).run()

    manager.add_raw_backwards(_drop_index)
    return manager
