"""The weekly digest job: `run_digest(rt, now)` (registered as the `digest` job).

Never twice: a DigestDelivery row with the unique key "subscriber_id:period" is claimed
(INSERT .. ON CONFLICT DO NOTHING: losing the insert means someone else has it) before a
message goes out. Statuses:
  claimed  in flight; a hard kill leaves it so, and it is then treated like unknown (a stop
           that the run sees gives the ones it never started back as "retry")
  sent     the server accepted the message
  unknown  the connection died after DATA: the server may have it, so never resent
  retry    4xx (or no connection) after the in-run retries: the next run of the week retries
  failed   5xx (a hard bounce also suppresses the address)
A rerun in the same week only picks up "retry" rows and subscribers never claimed.

The run is a pipeline, so the SMTP connection rarely waits on anything but the server: the
producer searches (a request per GROUPS_PER_REQUEST filter sets, the next one in flight) and
builds the messages (board.digests.builder, in a worker process for a big run); the next
chunk is claimed while this one is sent; outcomes are written in the background
(ledger.Recorder). bench/bench_digest.py measures it against a bare aiosmtplib loop."""

from __future__ import annotations

import asyncio
import collections
import datetime as dt
import logging
from collections import defaultdict
from typing import Any

from board.digests import emails as digest_mail
from board.digests import ledger, subscriptions
from board.digests.builder import Builder, since
from board.digests.queries import GROUPS_PER_REQUEST, search_groups
from board.mail.transport import FAILED, RETRY, SENT, UNKNOWN, Attempt
from board.observability import metrics
from board.store.tables import Subscriber

log = logging.getLogger("board.digests.tasks")
CHUNK = 100  # also what one transaction records, in the background (see ledger.Recorder)
BUILD_GROUPS = 5  # filter sets built at a time (~50 mails at 10 subscribers a set)
BUILDS_AHEAD = 6


async def _eligible() -> list[dict[str, Any]]:
    return await Subscriber.select(
        Subscriber.id, Subscriber.email, Subscriber.filters, Subscriber.filters_key,
        Subscriber.token, Subscriber.confirmed_at, Subscriber.last_digest_at,
    ).where(
        Subscriber.confirmed_at.is_not_null() & Subscriber.unsubscribed_at.is_null()
        & (Subscriber.paused == False) & (Subscriber.suppressed == False)  # noqa: E712
    ).order_by(Subscriber.id).run()


async def _send(rt: Any, mine: list[ledger.Pending], recorder: ledger.Recorder,
                counts: dict[str, int]) -> list[ledger.Pending]:
    """Send claimed messages over one connection and hand their outcomes to `recorder`;
    returns what should be retried.

    The outcomes go to the recorder when the chunk ends for any reason: a run cancelled
    (stopped) mid-chunk still advances `last_digest_at` for what it delivered (else next
    week's digest would repeat their listings), and the messages it never started go back
    to "retry". Only a hard kill can leave rows "claimed" (then treated as unknown: never
    resent), up to two chunks of sent ones among them."""
    outcomes: list[tuple[ledger.Pending, Attempt]] = []
    started = 0
    try:
        async with rt.mailer.chunk() as sender:
            for p in mine:
                started += 1  # from here on it may reach the server: never released
                try:
                    attempt = await sender.send(p.sub["email"], p.data)
                except Exception as exc:  # one bad recipient never stops the run
                    log.exception("digest to subscriber %s failed", p.sub["id"])
                    attempt = Attempt(FAILED, None, f"{type(exc).__name__}: {exc}")
                outcomes.append((p, attempt))
    except BaseException:
        await recorder.add(outcomes)
        await recorder.flush()
        await asyncio.shield(ledger.release(mine[started:]))
        raise
    await recorder.add(outcomes)
    retry = []
    for p, a in outcomes:
        if a.status == RETRY:
            retry.append(p)
        else:
            counts[{SENT: "sent", UNKNOWN: "unknown"}.get(a.status, "failed")] += 1
    return retry


async def _produce(rt: Any, groups: dict[str, list[dict[str, Any]]], period: str,
                   now: dt.datetime, queue: asyncio.Queue, counts: dict[str, int]) -> None:
    """Search and build chunks while the sender waits on SMTP replies. The searches go a
    request (GROUPS_PER_REQUEST filter sets) at a time, the next one in flight while this
    one's mails are built (board.digests.builder: in a worker process for a big run), and
    the mails of the request before are queued meanwhile, so the first mails leave before
    the last filter sets are searched."""
    keys = list(groups)
    specs = [(subscriptions.stored_filters(groups[k][0]), min(since(s) for s in groups[k]))
             for k in keys]
    builder = Builder(rt.settings, period, now, sum(len(g) for g in groups.values()))

    def search(start: int) -> asyncio.Task | None:
        if start >= len(keys):
            return None
        return asyncio.create_task(search_groups(rt.gateway, specs[start:start + GROUPS_PER_REQUEST],
                                                 now, rt.settings.unlisted_after_days))

    batch: list[ledger.Pending] = []

    async def put(built: list[list[ledger.Pending | None]]) -> None:
        nonlocal batch
        for items in built:
            for item in items:
                if item is None:
                    counts["skipped"] += 1
                    continue
                batch.append(item)
                if len(batch) == CHUNK:
                    await queue.put(batch)
                    batch = []

    ahead = search(0)
    # Built a few filter sets at a time, in order, up to BUILDS_AHEAD batches ahead of
    # the queue: the first chunk is ready soon, and the worker never idles for long.
    building: collections.deque[asyncio.Future] = collections.deque()
    try:
        for start in range(0, len(keys), GROUPS_PER_REQUEST):
            assert ahead is not None
            results = await ahead
            ahead = search(start + GROUPS_PER_REQUEST)
            here = keys[start:start + GROUPS_PER_REQUEST]
            for k, result in zip(here, results, strict=True):
                if result.error:
                    log.warning("digest: skipping filter set %s: %s", k, result.error)
            for i in range(0, len(here), BUILD_GROUPS):
                building.append(asyncio.ensure_future(builder.build(
                    [(groups[k], r) for k, r in zip(here[i:i + BUILD_GROUPS],
                                                    results[i:i + BUILD_GROUPS], strict=True)])))
                while len(building) > BUILDS_AHEAD:
                    await put(await building.popleft())
        while building:
            await put(await building.popleft())
        if batch:
            await queue.put(batch)
        await builder.close()
    finally:
        for task in (ahead, *building):
            if task is not None:
                task.cancel()
        builder.abandon()
        await queue.put(None)  # the sender must never wait forever, even after an error


async def _claimed(batch: list[ledger.Pending], period: str, retry_keys: set[str] | None,
                   counts: dict[str, int]) -> list[ledger.Pending]:
    """What of `batch` this run now owns; the rest is someone else's (counted skipped)."""
    mine = await ledger.claim(batch, period, retry_keys)
    counts["skipped"] += len(batch) - len(mine)
    return mine


async def _next_claimed(queue: asyncio.Queue, period: str, retry_keys: set[str],
                        counts: dict[str, int]) -> list[ledger.Pending] | None:
    batch = await queue.get()
    return None if batch is None else await _claimed(batch, period, retry_keys, counts)


async def run_digest(rt: Any, now: dt.datetime) -> dict[str, int]:
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    period = digest_mail.period_of(now)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0}
    settled, retry_keys = await ledger.state(period)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sub in await _eligible():
        if sub["id"] in settled:
            counts["skipped"] += 1
        else:
            groups[sub["filters_key"]].append(sub)
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    producer = asyncio.create_task(_produce(rt, groups, period, now, queue, counts))
    retry: list[ledger.Pending] = []
    # The next chunk is claimed (a transaction: a commit, on SQLite a disk flush) while this
    # one goes out, rather than the connection waiting on it between chunks.
    ahead = asyncio.ensure_future(_next_claimed(queue, period, retry_keys, counts))
    recorder = ledger.Recorder(now)
    try:
        while (mine := await ahead) is not None:
            ahead = asyncio.ensure_future(_next_claimed(queue, period, retry_keys, counts))
            retry += await _send(rt, mine, recorder, counts)
        await recorder.flush()  # the retries below take back rows recorded as "retry"
    except BaseException:
        producer.cancel()
        if ahead.done() and not ahead.cancelled() and ahead.exception() is None:
            await asyncio.shield(ledger.release(ahead.result() or []))
        else:
            ahead.cancel()  # a claim in flight now may leave its chunk "claimed"
        await recorder.flush()
        raise
    await producer  # a rendering error surfaces here, after what was ready went out
    for delay in rt.mailer.retry_delays:
        if not retry:
            break
        await asyncio.sleep(delay)
        again: list[ledger.Pending] = []
        for start in range(0, len(retry), CHUNK):
            mine = await _claimed(retry[start:start + CHUNK], period, None, counts)
            again += await _send(rt, mine, recorder, counts)
        await recorder.flush()
        retry = again
    counts["failed"] += len(retry)  # left as "retry": the next run this week tries again
    # For /metrics, "deferred" (retried next run) apart from failures that stay failed.
    metrics.count_digest_mails(sent=counts["sent"], deferred=len(retry),
                               failed=counts["failed"] - len(retry), unknown=counts["unknown"])
    return counts
