"""The transactional outbox: every change that alters what search shows writes an event in
the same transaction; the drainer sends the *current* state of each listing to Meilisearch
and marks events done only after the engine's task succeeded.

Writing an event wakes every drainer of this process once the transaction commits (the
module-level `wakeup`), so a change is searchable within about a second and no handler
has to remember to say so."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from board.indexing.gateway import SearchGateway, document_from_row, load_rows, utcnow
from board.listings.visibility import is_visible
from board.store.engine import after_commit, write_transaction
from board.store.tables import KeyValue, OutboxEvent
from search import sync
from search.errors import MeiliError, SearchUnavailable

log = logging.getLogger(__name__)
POISON_AFTER = 8
LEASE_KEY = "lease:outbox-drain"
LEASE_SECONDS = 120


class LeaseBusy(Exception):
    """Another process holds the outbox lease longer than we are willing to wait."""


class Wakeup:
    """Who to wake when events were committed: the drainers running in this process."""

    def __init__(self) -> None:
        self._listeners: list[Callable[[], None]] = []

    def subscribe(self, listener: Callable[[], None]) -> None:
        if listener not in self._listeners:
            self._listeners.append(listener)

    def unsubscribe(self, listener: Callable[[], None]) -> None:
        with contextlib.suppress(ValueError):
            self._listeners.remove(listener)

    def notify(self) -> None:
        for listener in list(self._listeners):
            listener()


wakeup = Wakeup()


async def record(opportunity_ids: list[int] | int, reason: str) -> None:
    """Call inside the transaction that made the change."""
    ids = [opportunity_ids] if isinstance(opportunity_ids, int) else list(opportunity_ids)
    if not ids:
        return
    now = utcnow()
    # In chunks: one INSERT of thousands of rows would pass PostgreSQL's bind-argument limit.
    for start in range(0, len(ids), 1000):
        await OutboxEvent.insert(*[
            OutboxEvent(opportunity_id=i, reason=reason, next_attempt_at=now, created_at=now)
            for i in ids[start:start + 1000]
        ]).run()
    # Before the commit a drainer would not see the events yet (PostgreSQL) or would wait
    # on our write lock (SQLite): wake it once they are there.
    after_commit(wakeup.notify)


def backoff(attempts: int) -> dt.timedelta:
    return dt.timedelta(seconds=min(2 ** attempts, 3600))


async def acquire_lease(key: str, owner: str, now: dt.datetime, seconds: int) -> bool:
    """A lease row in the store: exactly one holder at a time across processes and on both
    engines. The conditional UPDATE is re-checked by PostgreSQL after a concurrent commit
    (READ COMMITTED), and SQLite's IMMEDIATE transaction serialises it; the unique key
    settles two first-ever inserts."""
    until = now + dt.timedelta(seconds=seconds)
    try:
        async with write_transaction():
            taken = await KeyValue.update(
                {KeyValue.value: owner.encode(), KeyValue.expires_at: until}
            ).where(
                (KeyValue.key == key) & (KeyValue.expires_at < now)
            ).returning(KeyValue.id).run()
            if taken:
                return True
            if await KeyValue.exists().where(KeyValue.key == key).run():
                return False
            await KeyValue.insert(KeyValue(key=key, value=owner.encode(), expires_at=until)).run()
    except Exception:  # the unique key: a concurrent first insert won (rolled back)
        if await KeyValue.exists().where(KeyValue.key == key).run():
            return False
        raise
    return True


async def renew_lease(key: str, owner: str, seconds: int = LEASE_SECONDS) -> bool:
    """Extend a lease we hold (long drains and rebuilds); False when it was lost."""
    rows = await KeyValue.update(
        {KeyValue.expires_at: utcnow() + dt.timedelta(seconds=seconds)}
    ).where((KeyValue.key == key) & (KeyValue.value == owner.encode())).returning(KeyValue.id).run()
    return bool(rows)


async def release_lease(key: str, owner: str) -> None:
    await KeyValue.delete().where((KeyValue.key == key) & (KeyValue.value == owner.encode())).run()


@contextlib.asynccontextmanager
async def exclusive(wait: float = 60.0, key: str = LEASE_KEY) -> AsyncIterator[str]:
    """Hold the drain lease (waiting for a running drain to finish): while it is held no
    drainer sends anything, so a reindex swap or a reconcile sees an index nobody else is
    writing to. Yields the owner token (for renew_lease)."""
    owner = uuid.uuid4().hex
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not await acquire_lease(key, owner, utcnow(), LEASE_SECONDS):
        if loop.time() > deadline:
            raise LeaseBusy(f"the search outbox is busy (lease {key!r} held for over {wait:.0f}s)")
        await asyncio.sleep(0.1)
    try:
        yield owner
    finally:
        await release_lease(key, owner)


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
                batch: int = 1000, max_batches: int = 50, wait: float = 10.0) -> DrainResult:
    """Send due events; `now` only decides which events are due (tests move it past a
    backoff). Visibility is always judged with the real clock at send time.

    Every commit wakes the background drainer, so a caller that needs the index current
    (the digest, a test) often finds it holding the lease: wait up to `wait` seconds for
    it, then send what is still due. Periodic drainers pass 0 and just skip."""
    result = DrainResult()
    owner = uuid.uuid4().hex
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    while not await acquire_lease(LEASE_KEY, owner, utcnow(), LEASE_SECONDS):
        if loop.time() >= deadline:
            result.skipped = True
            return result
        await asyncio.sleep(0.05)
    try:
        for _ in range(max_batches):
            moved = await _drain_batch(gateway, now or utcnow(), batch, result)
            if moved < batch or not await renew_lease(LEASE_KEY, owner):
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
    # The row is re-read now, so an older snapshot can never overwrite a newer one.
    rows = {r["id"]: r for r in await load_rows(by_opp)}
    send_now = utcnow()
    docs = [document_from_row(rows[i]) for i in by_opp if i in rows and is_visible(rows[i], send_now)]
    gone = [i for i in by_opp if i not in rows or not is_visible(rows[i], send_now)]
    try:
        await sync.upsert(gateway.client, gateway.index, docs)
        await sync.delete(gateway.client, gateway.index, gone)
    except SearchUnavailable as exc:
        result.errors.append(str(exc))
        return 0  # engine down: nothing marked, nothing counted against the events
    except MeiliError as exc:
        if exc.status in {401, 403}:  # our key, not the documents: wait like for an outage
            result.errors.append(str(exc))
            return 0
        # Isolate the bad document(s) by halving, so one poison row blocks no others and
        # costs O(log n) extra tasks, not one task per document.
        try:
            await _isolate(gateway, by_opp, docs, gone, now, result)
        except SearchUnavailable as exc:
            result.errors.append(str(exc))
            return 0
        return len(events)
    await _mark_done([e["id"] for e in events], now)
    result.upserted += len(docs)
    result.deleted += len(gone)
    result.events += len(events)
    return len(events)


async def _bisect(send: Callable[[list], Awaitable[None]], items: list
                  ) -> tuple[list, list[tuple[Any, MeiliError]]]:
    """Send `items`, halving whatever fails; return (sent, [(item, error)])."""
    if not items:
        return [], []
    try:
        await send(items)
        return items, []
    except MeiliError as exc:
        if len(items) == 1:
            return [], [(items[0], exc)]
    mid = (len(items) + 1) // 2
    ok_a, bad_a = await _bisect(send, items[:mid])
    ok_b, bad_b = await _bisect(send, items[mid:])
    return ok_a + ok_b, bad_a + bad_b


async def _isolate(gateway, by_opp, docs, gone, now, result) -> None:
    client, index = gateway.client, gateway.index
    sent_docs, bad_docs = await _bisect(lambda d: sync.upsert(client, index, d), docs)
    sent_gone, bad_gone = await _bisect(lambda i: sync.delete(client, index, i), gone)
    result.upserted += len(sent_docs)
    result.deleted += len(sent_gone)
    done = [e["id"] for opp in [*(d["id"] for d in sent_docs), *sent_gone] for e in by_opp[opp]]
    result.events += len(done)
    await _mark_done(done, now)
    for item, exc in [*bad_docs, *bad_gone]:
        await _record_failure(by_opp[item["id"] if isinstance(item, dict) else item], exc, now, result)


async def _record_failure(events: list[dict], exc: MeiliError, now: dt.datetime,
                          result: DrainResult) -> None:
    attempts = max(e["attempts"] for e in events) + 1
    poisoned = attempts >= POISON_AFTER
    await OutboxEvent.update({
        OutboxEvent.attempts: attempts,
        OutboxEvent.last_error: exc.code,
        OutboxEvent.next_attempt_at: now + backoff(attempts),
        OutboxEvent.status: "poison" if poisoned else "pending",
    }).where(OutboxEvent.id.is_in([e["id"] for e in events])).run()
    result.failed += 1
    if poisoned:
        result.poisoned += 1
        log.error("outbox: opportunity %s poisoned after %s attempts: %s",
                  events[0]["opportunity_id"], attempts, exc)


async def _mark_done(ids: list[int], now: dt.datetime) -> None:
    for start in range(0, len(ids), 500):
        await OutboxEvent.update({OutboxEvent.status: "done", OutboxEvent.done_at: now}).where(
            OutboxEvent.id.is_in(ids[start:start + 500])).run()


async def pending_count() -> int:
    return await OutboxEvent.count().where(OutboxEvent.status == "pending").run()


async def backlog(now: dt.datetime) -> tuple[int, float]:
    """How many events wait, and how long the oldest has waited in seconds (0 when none)."""
    pending = OutboxEvent.status == "pending"
    count = await OutboxEvent.count().where(pending).run()
    row = await OutboxEvent.select(OutboxEvent.created_at).where(pending).order_by(
        OutboxEvent.created_at).first().run()
    if not row or row["created_at"] is None:
        return count, 0.0
    oldest = row["created_at"] if row["created_at"].tzinfo else row["created_at"].replace(
        tzinfo=dt.UTC)
    return count, max(0.0, (now - oldest).total_seconds())


async def poisoned() -> list[dict]:
    """Events that kept failing: reported (health, job counts), never retried by the drainer."""
    return await OutboxEvent.select(
        OutboxEvent.id, OutboxEvent.opportunity_id, OutboxEvent.attempts, OutboxEvent.last_error
    ).where(OutboxEvent.status == "poison").order_by(OutboxEvent.id).run()


class Drainer:
    """Woken (through `wakeup`) right after a commit that wrote events, so a change is
    searchable within about a second; it also wakes every few seconds, so events left by
    another process, a crash or an engine outage drain on their own once Meilisearch
    answers again."""

    IDLE_SECONDS = 5.0

    def __init__(self, gateway: SearchGateway):
        self.gateway = gateway
        self._event = asyncio.Event()
        self._task: asyncio.Task | None = None
        self._stopping = False
        self._loop_of_task: asyncio.AbstractEventLoop | None = None

    def kick(self) -> None:
        """Drain now. Safe from any thread or loop (a test's, a server thread's)."""
        loop = self._loop_of_task
        try:
            here = asyncio.get_running_loop()
        except RuntimeError:
            here = None
        if loop is None or loop is here:
            self._event.set()
        elif not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closing meanwhile: nothing to wake
                loop.call_soon_threadsafe(self._event.set)

    def start(self) -> None:
        self._stopping = False
        self._event = asyncio.Event()  # bound to the loop that runs the drainer
        self._loop_of_task = asyncio.get_running_loop()
        self._task = asyncio.create_task(self._loop())
        wakeup.subscribe(self.kick)

    async def stop(self, timeout: float = 15.0) -> None:
        """Let a drain in progress finish before stopping. Cancelling it mid-transaction
        can leave SQLite's write lock held by a connection whose loop is gone (aiosqlite
        runs the BEGIN on its own thread), locking the database for the whole process."""
        wakeup.unsubscribe(self.kick)
        task, self._task = self._task, None
        if task is None:
            return
        self._stopping = True
        self._event.set()
        try:
            await asyncio.wait_for(asyncio.shield(task), timeout)
        except (TimeoutError, asyncio.CancelledError, Exception):
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task

    async def _loop(self) -> None:
        while not self._stopping:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._event.wait(), timeout=self.IDLE_SECONDS)
            self._event.clear()
            if self._stopping:
                return
            try:
                result = await drain(self.gateway, wait=0)
            except Exception:  # never let the loop die; the next wake-up retries
                log.exception("outbox drain failed")
                continue
            if result.skipped:
                # Another drainer (or a reindex swap) holds the lease; our kick may concern
                # events it has not seen, so look again shortly instead of in 5 s.
                await asyncio.sleep(0.5)
                self._event.set()
