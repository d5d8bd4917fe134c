"""Zero-downtime rebuild of the search index: fill `<live>_<timestamp>` beside the live
index, check it, swap the two atomically, drop the old one, then replay what changed while
the new one was being built. Searches keep hitting a complete index the whole time."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import gc
import inspect
import time
from collections.abc import Awaitable, Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import msgspec

from board.core.search_spec import INDEX_SPEC
from board.indexing import outbox
from board.indexing.bulk_read import ListingReader
from board.indexing.gateway import SearchGateway, document_from_row, utcnow
from board.listings.visibility import visible_where
from board.store.engine import write_transaction
from board.store.tables import Opportunity, OutboxEvent
from search import sync
from search.errors import MeiliError

BATCH = 5000
# The first read is small so the engine has work within moments of the start.
FIRST_BATCH = 1000
# Under Meilisearch's default 100 MB request limit (MEILI_HTTP_PAYLOAD_SIZE_LIMIT), and big
# enough that the second of the fill's sends (SEND_SHARE) is one payload.
PAYLOAD_CAP = 64 * 1024 * 1024
# The engine indexes, as one batch, every payload queued while it worked on the previous one,
# and each batch costs it more than its documents (merging into the index built so far,
# re-deriving prefix and facet data): sent as built, 100k listings made 4 batches, e.g.
# [1000, 10000, 40000, 49000], and ~9% more engine CPU than one payload. So the fill sends
# three times: the first read (work for the engine at once), the rest of this share of the
# listings when it is built (work while the rest is built; at most one payload), and the rest
# at the end. The share keeps the engine busy until the end (with 0.2 it went idle first,
# and then took the first of the final payloads as a batch of its own)...
SEND_SHARE = 0.35
# ...or earlier when that much is held (memory).
HOLD_CAP = 256 * 1024 * 1024
# A drain batch stamps done_at with the time it started, a moment before it reads rows
# and sends them; the slack keeps such a batch that overlapped the build start in the replay.
REPLAY_SLACK = dt.timedelta(minutes=1)
_encode = msgspec.json.Encoder()

OnBatch = Callable[[int], Awaitable[None] | None]


class ReindexError(Exception):
    """The new index is not trustworthy; the live index was left untouched."""


@dataclass
class ReindexResult:
    index: str
    documents: int
    replayed: int
    seconds: float
    created: bool

    @property
    def per_second(self) -> float:
        return self.documents / self.seconds if self.seconds else 0.0


def build_name(live: str, now: dt.datetime) -> str:
    return f"{live}_{now.strftime('%Y%m%d%H%M%S%f')}"


def ndjson(docs: list[dict[str, Any]]) -> bytes:
    return _encode.encode_lines(docs)


def payloads(docs: list[dict[str, Any]], cap: int | None = None) -> list[bytes]:
    """`docs` as NDJSON bodies of at most `cap` bytes each (halved until they fit): the
    engine refuses a request over its payload limit (100 MB by default)."""
    body = ndjson(docs)
    if len(body) <= (cap or PAYLOAD_CAP) or len(docs) == 1:
        return [body]
    half = len(docs) // 2
    return [*payloads(docs[:half], cap), *payloads(docs[half:], cap)]


def fitting(bodies: list[bytes], cap: int | None = None) -> int:
    """How many of the first `bodies` fit in one payload of at most `cap` bytes (at least one)."""
    groups = _groups(bodies, cap)
    return len(groups[0]) if groups else 0


def joined(bodies: list[bytes], cap: int | None = None) -> list[bytes]:
    """Consecutive NDJSON bodies joined into as few as fit under `cap` (fewer tasks)."""
    return [b"".join(group) for group in _groups(bodies, cap)]


def _groups(bodies: list[bytes], cap: int | None) -> list[list[bytes]]:
    """Consecutive bodies grouped under `cap` bytes each; a body over it is a group alone."""
    out: list[list[bytes]] = []
    group: list[bytes] = []
    size = 0
    for body in bodies:
        if group and size + len(body) > (cap or PAYLOAD_CAP):
            out.append(group)
            group, size = [], 0
        group.append(body)
        size += len(body)
    if group:
        out.append(group)
    return out


async def visible_count(now: dt.datetime) -> int:
    return await Opportunity.count().where(visible_where(now)).run()


async def reindex(gateway: SearchGateway, *, batch: int = BATCH, on_batch: OnBatch | None = None,
                  task_timeout: float = 600.0) -> ReindexResult:
    client, live = gateway.client, gateway.index
    started = utcnow()
    clock = time.perf_counter()
    mark = await _max_event_id()
    created = await client.get_index(live) is None
    if created:
        # An empty live index first, so the swap path is the same as for a rebuild.
        await sync.apply_settings(client, live, INDEX_SPEC)
    new = build_name(live, started)
    await client.delete_index(new)
    await sync.apply_settings(client, new, INDEX_SPEC)
    try:
        with collector_paused():
            loaded = await _fill(gateway, new, started, batch, on_batch, task_timeout)
        count = int((await client.stats(new))["numberOfDocuments"])
        if count != loaded:
            raise ReindexError(f"count mismatch: the store has {loaded} visible listings, the new "
                               f"index {new} holds {count}; the live index was not swapped")
        # No drainer may be mid-send to the live index while it is swapped away.
        async with outbox.exclusive(wait=task_timeout):
            await client.swap_indexes(live, new)
    except BaseException:
        await client.delete_index(new)
        raise
    await client.delete_index(new)  # after the swap, `new` names the old index
    replayed = await _replay(mark, started)
    await outbox.drain(gateway, wait=0)  # skipped when a drainer is already at it: it sends them
    return ReindexResult(live, loaded, replayed, time.perf_counter() - clock, created)


async def _max_event_id() -> int:
    row = await OutboxEvent.select(OutboxEvent.id).order_by(OutboxEvent.id, ascending=False) \
        .limit(1).first().run()
    return row["id"] if row else 0


async def _fill(gateway: SearchGateway, index: str, now: dt.datetime, batch: int,
                on_batch: OnBatch | None, task_timeout: float) -> int:
    """Pipelined: while one batch's documents are built (in a worker thread), the next
    batch is read (in the other, on SQLite) and the earlier payloads are uploaded and
    indexed. Payloads are enqueued without waiting for their tasks, in three goes (see
    SEND_SHARE), so the engine indexes them in about three batches; only the final wait
    is on the critical path. The first read is small, so the engine starts working at once."""
    client = gateway.client
    loop = asyncio.get_running_loop()
    # One thread reads, one builds; the event loop's thread only sends and waits.
    workers = ThreadPoolExecutor(2, "reindex")
    reader = ListingReader(now, workers)
    sends: list[asyncio.Task] = []
    held: list[bytes] = []
    loaded = 0
    send_until = max(int(await visible_count(now) * SEND_SHARE), FIRST_BATCH)

    def send(bodies: list[bytes]) -> None:
        for body in bodies:
            sends.append(asyncio.create_task(client.add_ndjson(index, body,
                                                               timeout=task_timeout)))

    reading = asyncio.create_task(reader.read(0, min(batch, FIRST_BATCH)))
    try:
        while rows := await reading:
            sent_before = loaded
            loaded += len(rows)
            reading = asyncio.create_task(reader.read(rows[-1]["id"], batch))
            bodies = await loop.run_in_executor(workers, _encoded_documents, rows, now)
            held += bodies
            if not sent_before or sum(map(len, held)) >= HOLD_CAP:
                send(joined(held))
                held = []
            elif sent_before < send_until <= loaded:
                # One payload: the engine, idle by now, would take a first one alone.
                fit = fitting(held)
                send([b"".join(held[:fit])])
                held = held[fit:]
            if on_batch is not None:
                maybe = on_batch(len(rows))
                if inspect.isawaitable(maybe):
                    await maybe
        send(joined(held))
        for task in sends:
            await client.wait_task(await task, timeout=task_timeout)
    except MeiliError as exc:
        raise ReindexError(f"Meilisearch rejected the new index {index}: {exc}") from exc
    finally:
        for pending in (*sends, reading):
            pending.cancel()
        await asyncio.gather(*sends, reading, return_exceptions=True)  # nothing left dangling
        reader.close()
        workers.shutdown(wait=False)
    return loaded


def _encoded_documents(rows: list[dict[str, Any]], now: dt.datetime) -> list[bytes]:
    return payloads([document_from_row(r, now, consume=True) for r in rows])


@contextlib.contextmanager
def collector_paused():
    """The cyclic garbage collector off while the store is read and documents built: both
    allocate a few containers per listing and free them all (no cycles), yet every 700 of
    them made the collector walk the young objects, and now and then the whole heap: a
    fifth of the build's CPU and a third of the reading's. A full reindex runs in its own
    process (`board reindex`), and the little cyclic garbage it makes meanwhile (a few
    objects per batch) is collected when the collector resumes."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


async def _replay(mark: int, started: dt.datetime) -> int:
    """Changes drained during the build went to the index that is now gone: write fresh
    outbox events for them, so the normal drain sends their current rows to the new live
    index (and a crash right now loses nothing). Events still pending need no replay (they
    drain to the new index anyway); one drained before the build began sent a row no newer
    than the one the build read."""
    rows = await OutboxEvent.select(OutboxEvent.opportunity_id).where(
        (OutboxEvent.id > mark) | (OutboxEvent.done_at >= started - REPLAY_SLACK)
    ).distinct().run()
    ids = sorted({r["opportunity_id"] for r in rows})
    async with write_transaction():
        for start in range(0, len(ids), 1000):
            await outbox.record(ids[start:start + 1000], "reindex")
    return len(ids)
