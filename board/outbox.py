"""The transactional outbox: every change that alters what search shows writes an event in
the same transaction; the drainer sends the *current* state of each listing to Meilisearch
and marks events done only after the engine's task succeeded."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import uuid
from dataclasses import dataclass, field

from board.db import write_transaction
from board.search_gateway import SearchGateway, document_from_row, is_visible, load_rows, utcnow
from board.tables import KeyValue, OutboxEvent
from search import sync
from search.errors import MeiliError, SearchUnavailable

log = logging.getLogger(__name__)
POISON_AFTER = 8
LEASE_KEY = "lease:outbox-drain"
LEASE_SECONDS = 120


async def record(opportunity_ids: list[int] | int, reason: str) -> None:
    """Call inside the transaction that made the change."""
    ids = [opportunity_ids] if isinstance(opportunity_ids, int) else list(opportunity_ids)
    if not ids:
        return
    now = utcnow()
    await OutboxEvent.insert(*[
        OutboxEvent(opportunity_id=i, reason=reason, next_attempt_at=now, created_at=now)
        for i in ids
    ]).run()


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** attempts, 3600))


async def acquire_lease(key: str, owner: str, now: dt.datetime, seconds: int) -> bool:
    """A lease row in the store: exactly one holder at a time across processes. The
    conditional UPDATE is re-checked by PostgreSQL after a concurrent commit, and SQLite's
    IMMEDIATE transaction serialises it."""
    until = now + dt.timedelta(seconds=seconds)
    async with write_transaction():
        taken = await KeyValue.update(
            {KeyValue.value: owner.encode(), KeyValue.expires_at: until}
        ).where(
            (KeyValue.key == key) & (KeyValue.expires_at < now)
        ).returning(KeyValue.id).run()
        if taken:
            return True
        exists = await KeyValue.exists().where(KeyValue.key == key).run()
        if exists:
            return False
        try:
            await KeyValue.insert(KeyValue(key=key, value=owner.encode(), expires_at=until)).run()
        except Exception:  # a concurrent insert won the unique key
            return False
    return True


async def release_lease(key: str, owner: str) -> None:
    await KeyValue.delete().where((KeyValue.key == key) & (KeyValue.value == owner.encode())).run()


@dataclass
class DrainResult:
    upserted: int = 0
    deleted: int = 0
    events: int = 0
    failed: int = 0
    poisoned: int = 0
    skipped: bool = False
    errors: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        return {"upserted": self.upserted, "deleted": self.deleted, "events": self.events,
                "failed": self.failed, "poisoned": self.poisoned}


async def drain(gateway: SearchGateway, now: dt.datetime | None = None,
                batch: int = 1000, max_batches: int = 50) -> DrainResult:
    result = DrainResult()
    owner = uuid.uuid4().hex
    if not await acquire_lease(LEASE_KEY, owner, now or utcnow(), LEASE_SECONDS):
        result.skipped = True
        return result
    try:
        for _ in range(max_batches):
            moved = await _drain_batch(gateway, now or utcnow(), batch, result)
            if moved < batch:
                break
    finally:
        await release_lease(LEASE_KEY, owner)
    return result


async def _drain_batch(gateway: SearchGateway, now: dt.datetime, batch: int,
                       result: DrainResult) -> int:
    events = await OutboxEvent.select(
        OutboxEvent.id, OutboxEvent.opportunity_id, OutboxEvent.attempts
    ).where(
        (OutboxEvent.status == "pending") & (OutboxEvent.next_attempt_at <= now)
    ).order_by(OutboxEvent.id).limit(batch).run()
    if not events:
        return 0
    by_opp: dict[int, list[dict]] = {}
    for ev in events:
        by_opp.setdefault(ev["opportunity_id"], []).append(ev)
    rows = {r["id"]: r for r in await load_rows(by_opp)}
    # Visibility is judged at send time with the real clock: the row is re-read now.
    send_now = utcnow()
    docs = [document_from_row(rows[i]) for i in by_opp if i in rows and is_visible(rows[i], send_now)]
    gone = [i for i in by_opp if i not in rows or not is_visible(rows[i], send_now)]
    try:
        await sync.upsert(gateway.client, gateway.index, docs)
        await sync.delete(gateway.client, gateway.index, gone)
    except SearchUnavailable as exc:
        result.errors.append(str(exc))
        return 0  # engine down: nothing marked, nothing counted against the events
    except MeiliError:
        # Isolate the bad document(s): retry one by one so one poison row blocks no others.
        await _one_by_one(gateway, by_opp, docs, gone, now, result)
        return len(events)
    await _mark_done([e["id"] for e in events], now)
    result.upserted += len(docs)
    result.deleted += len(gone)
    result.events += len(events)
    return len(events)


async def _one_by_one(gateway, by_opp, docs, gone, now, result) -> None:
    for doc in docs:
        await _send_single(gateway, by_opp[doc["id"]], now, result, upsert=doc)
    for i in gone:
        await _send_single(gateway, by_opp[i], now, result, delete=i)


async def _send_single(gateway, events, now, result, upsert=None, delete=None) -> None:
    try:
        if upsert is not None:
            await sync.upsert(gateway.client, gateway.index, [upsert])
            result.upserted += 1
        else:
            await sync.delete(gateway.client, gateway.index, [delete])
            result.deleted += 1
    except MeiliError as exc:
        attempts = max(e["attempts"] for e in events) + 1
        poisoned = attempts >= POISON_AFTER
        ids = [e["id"] for e in events]
        await OutboxEvent.update({
            OutboxEvent.attempts: attempts,
            OutboxEvent.last_error: exc.code,
            OutboxEvent.next_attempt_at: now + backoff(attempts),
            OutboxEvent.status: "poison" if poisoned else "pending",
        }).where(OutboxEvent.id.is_in(ids)).run()
        result.failed += 1
        if poisoned:
            result.poisoned += 1
            log.error("outbox: opportunity %s poisoned after %s attempts: %s",
                      events[0]["opportunity_id"], attempts, exc)
        return
    result.events += len(events)
    await _mark_done([e["id"] for e in events], now)


async def _mark_done(ids: list[int], now: dt.datetime) -> None:
    for start in range(0, len(ids), 500):
        await OutboxEvent.update({OutboxEvent.status: "done", OutboxEvent.done_at: now}).where(
            OutboxEvent.id.is_in(ids[start:start + 500])).run()


async def pending_count() -> int:
    return await OutboxEvent.count().where(OutboxEvent.status == "pending").run()


class Drainer:
    """Kicked right after a commit so a change is searchable within about a second; the
    scheduled `drain` job covers anything a kick missed (another process, a crash)."""

    def __init__(self, gateway: SearchGateway):
        self.gateway = gateway
        self._event = asyncio.Event()
        self._task: asyncio.Task | None = None

    def kick(self) -> None:
        self._event.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._loop())

    async def stop(self) -> None:
        if self._task:
            self._task.cancel()
            try:
                await self._task
            except (asyncio.CancelledError, Exception):
                pass

    async def _loop(self) -> None:
        while True:
            try:
                await asyncio.wait_for(self._event.wait(), timeout=5.0)
            except TimeoutError:
                pass
            self._event.clear()
            try:
                await drain(self.gateway)
            except Exception:  # never let the loop die; the next kick retries
                log.exception("outbox drain failed")
