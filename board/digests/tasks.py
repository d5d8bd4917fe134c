"""The weekly digest job: `run_digest(rt, now)` (registered as the `digest` job).

Never twice: a DigestDelivery row with the unique key "subscriber_id:period" is claimed
(INSERT .. ON CONFLICT DO NOTHING: losing the insert means someone else has it) before a
message goes out. Statuses:
  claimed  in flight; a crash leaves it so, and it is then treated like unknown
  sent     the server accepted the message
  unknown  the connection died after DATA: the server may have it, so never resent
  retry    4xx (or no connection) after the in-run retries: the next run of the week retries
  failed   5xx (a hard bounce also suppresses the address)
A rerun in the same week only picks up "retry" rows and subscribers never claimed."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from board.browse.params import to_query_string
from board.digests import emails as digest_mail
from board.digests import subscriptions
from board.digests.queries import search_groups
from board.mail.transport import BOUNCED, FAILED, RETRY, SENT, UNKNOWN, Attempt
from board.observability import metrics
from board.store.engine import write_transaction
from board.store.tables import DigestDelivery, Subscriber

log = logging.getLogger("board.digests.tasks")
CHUNK = 100
RECORD_EVERY = 20


@dataclass
class Pending:
    sub: dict[str, Any]
    key: str
    count: int
    data: bytes = b""


async def _eligible() -> list[dict[str, Any]]:
    return await Subscriber.select(
        Subscriber.id, Subscriber.email, Subscriber.filters, Subscriber.filters_key,
        Subscriber.token, Subscriber.confirmed_at, Subscriber.last_digest_at,
    ).where(
        Subscriber.confirmed_at.is_not_null() & Subscriber.unsubscribed_at.is_null()
        & (Subscriber.paused == False) & (Subscriber.suppressed == False)  # noqa: E712
    ).order_by(Subscriber.id).run()


async def _settled(period: str) -> set[int]:
    rows = await DigestDelivery.select(DigestDelivery.subscriber).where(
        (DigestDelivery.period == period) & (DigestDelivery.status != RETRY)).run()
    return {r["subscriber"] for r in rows}


def _since(sub: dict[str, Any]) -> dt.datetime:
    value = sub["last_digest_at"] or sub["confirmed_at"]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def _claim(batch: list[Pending], period: str) -> list[Pending]:
    """The subset of `batch` this run now owns: fresh rows inserted, or "retry" rows taken
    back with a compare-and-set on the status."""
    keys = [p.key for p in batch]
    taken = {r["key"] for r in await DigestDelivery.update(
        {DigestDelivery.status: "claimed"}).where(
        DigestDelivery.key.is_in(keys) & (DigestDelivery.status == RETRY)
    ).returning(DigestDelivery.key).run()}
    fresh = [DigestDelivery(key=p.key, subscriber=p.sub["id"], period=period, status="claimed",
                            listing_count=p.count) for p in batch if p.key not in taken]
    if fresh:
        inserted = await DigestDelivery.insert(*fresh).on_conflict(action="DO NOTHING").returning(
            DigestDelivery.key).run()
        taken |= {r["key"] for r in inserted}
    return [p for p in batch if p.key in taken]


async def _record(done: list[tuple[Pending, Attempt]], now: dt.datetime) -> None:
    """Write the outcomes of a few messages in ONE transaction, a statement per outcome kind
    rather than two per message: per-message commits (a connection and an fsync each on
    SQLite) were most of the digest's time (bench/bench_digest.py --profile)."""
    if not done:
        return
    sent = [p.key for p, a in done if a.status == SENT]
    # Delivered, or possibly delivered: the next digest starts from this run.
    advanced = [p.sub["id"] for p, a in done if a.status in {SENT, UNKNOWN}]
    bounced = [p.sub["id"] for p, a in done if a.status == BOUNCED]
    async with write_transaction():
        if sent:
            await DigestDelivery.update({
                DigestDelivery.status: SENT, DigestDelivery.sent_at: dt.datetime.now(dt.UTC),
                DigestDelivery.attempts: DigestDelivery.attempts + 1,
            }).where(DigestDelivery.key.is_in(sent)).run()
        for p, a in done:
            if a.status == SENT:
                continue
            status = FAILED if a.status == BOUNCED else a.status
            error = f"{a.code or ''} {a.detail}".strip()[:500]
            await DigestDelivery.update({
                DigestDelivery.status: status, DigestDelivery.error: error,
                DigestDelivery.attempts: DigestDelivery.attempts + 1,
            }).where(DigestDelivery.key == p.key).run()
        if bounced:
            await Subscriber.update({Subscriber.suppressed: True}).where(
                Subscriber.id.is_in(bounced)).run()
        if advanced:
            await Subscriber.update({Subscriber.last_digest_at: now}).where(
                Subscriber.id.is_in(advanced)).run()


async def _send(rt: Any, batch: list[Pending], period: str, now: dt.datetime,
                counts: dict[str, int]) -> list[Pending]:
    """Claim, send over one connection, record; returns what should be retried.

    Outcomes are written every RECORD_EVERY messages and, shielded, when the chunk ends for
    any reason: a run cancelled (stopped) mid-chunk still advances `last_digest_at` for what
    it delivered, else next week's digest would repeat their listings. Only a hard kill can
    leave up to RECORD_EVERY rows "claimed" (then treated as unknown: never resent)."""
    mine = await _claim(batch, period)
    counts["skipped"] += len(batch) - len(mine)
    outcomes: list[tuple[Pending, Attempt]] = []
    pending: list[tuple[Pending, Attempt]] = []
    # The previous group's transaction commits while the next messages go out (SQLite's
    # commit waits on a disk flush in its thread); one group at a time, in order.
    recording: asyncio.Task | None = None
    try:
        async with rt.mailer.chunk() as sender:
            for p in mine:
                try:
                    attempt = await sender.send(p.sub["email"], p.data)
                except Exception as exc:  # one bad recipient never stops the run
                    log.exception("digest to subscriber %s failed", p.sub["id"])
                    attempt = Attempt(FAILED, None, f"{type(exc).__name__}: {exc}")
                outcomes.append((p, attempt))
                pending.append((p, attempt))
                if len(pending) >= RECORD_EVERY:
                    if recording is not None:
                        await asyncio.shield(recording)
                    recording = asyncio.create_task(_record(pending, now))
                    pending = []
    finally:
        # Shielded: a cancel (shutdown) must not lose the record of messages just sent.
        if recording is not None:
            await asyncio.shield(recording)
        await asyncio.shield(_record(pending, now))
    retry = []
    for p, a in outcomes:
        if a.status == RETRY:
            retry.append(p)
        else:
            counts[{SENT: "sent", UNKNOWN: "unknown"}.get(a.status, "failed")] += 1
    return retry


def _prepare(rt: Any, subs: list[dict[str, Any]], results: list, period: str,
             now: dt.datetime) -> Iterator[Pending | None]:
    """Each subscriber's finished message, or None for one with nothing new."""
    settings = rt.settings
    secret = settings.signing_keys
    cache: dict[tuple, digest_mail.Parts] = {}
    now_ts = int(now.timestamp())
    for sub, result in zip(subs, results, strict=True):
        since_ts = int(_since(sub).timestamp())
        new = [h for h in result.new if since_ts < result.published[h["id"]] <= now_ts]
        if not new:
            yield None
            continue
        new_ids = {h["id"] for h in new}
        closing = [h for h in result.closing if h["id"] not in new_ids]
        filters = subscriptions.stored_filters(sub)
        ck = (sub["filters_key"], tuple(new_ids), tuple(h["id"] for h in closing))
        parts = cache.get(ck)
        if parts is None:
            search_url = f"{settings.base_url}/?{to_query_string(filters, sort='newest')}"
            parts = cache[ck] = digest_mail.render_parts(
                settings, subscriptions.filter_summary(filters), new, closing, search_url, period)
        manage = subscriptions.token_for(sub, "manage", secret)
        # List-Unsubscribe gets a token that can only unsubscribe (see unsubscribe_target).
        unsub = subscriptions.token_for(sub, "unsubscribe", secret)
        data = digest_mail.assemble(
            parts, settings, to=sub["email"], subscriber_id=sub["id"], period=period, now=now,
            manage_url=f"{settings.base_url}/manage/{manage}",
            unsubscribe_url=f"{settings.base_url}/unsubscribe/{unsub}")
        yield Pending(sub, f"{sub['id']}:{period}", len(new), data)


async def _produce(items: Iterator[Pending | None], queue: asyncio.Queue,
                   counts: dict[str, int]) -> None:
    """Render chunks while the sender waits on SMTP replies (the sleep(0) lets it resume)."""
    batch: list[Pending] = []
    try:
        for item in items:
            if item is None:
                counts["skipped"] += 1
            else:
                batch.append(item)
            if len(batch) == CHUNK:
                await queue.put(batch)
                batch = []
            await asyncio.sleep(0)
        if batch:
            await queue.put(batch)
    finally:
        await queue.put(None)  # the sender must never wait forever, even after an error


async def run_digest(rt: Any, now: dt.datetime) -> dict[str, int]:
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    period = digest_mail.period_of(now)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0}
    settled = await _settled(period)
    todo = []
    for sub in await _eligible():
        if sub["id"] in settled:
            counts["skipped"] += 1
        else:
            todo.append(sub)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sub in todo:
        groups[sub["filters_key"]].append(sub)
    keys = list(groups)
    specs = [(subscriptions.stored_filters(groups[k][0]), min(_since(s) for s in groups[k]))
             for k in keys]
    results = await search_groups(rt.gateway, specs, now, rt.settings.unlisted_after_days)
    ordered_subs, ordered_results = [], []
    for k, result in zip(keys, results, strict=True):
        if result.error:
            log.warning("digest: skipping filter set %s: %s", k, result.error)
        ordered_subs += groups[k]
        ordered_results += [result] * len(groups[k])
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    producer = asyncio.create_task(
        _produce(_prepare(rt, ordered_subs, ordered_results, period, now), queue, counts))
    retry: list[Pending] = []
    try:
        while (batch := await queue.get()) is not None:
            retry += await _send(rt, batch, period, now, counts)
    except BaseException:
        producer.cancel()
        raise
    await producer  # a rendering error surfaces here, after what was ready went out
    for delay in rt.mailer.retry_delays:
        if not retry:
            break
        await asyncio.sleep(delay)
        again: list[Pending] = []
        for start in range(0, len(retry), CHUNK):
            again += await _send(rt, retry[start:start + CHUNK], period, now, counts)
        retry = again
    counts["failed"] += len(retry)  # left as "retry": the next run this week tries again
    # For /metrics, "deferred" (retried next run) apart from failures that stay failed.
    metrics.count_digest_mails(sent=counts["sent"], deferred=len(retry),
                               failed=counts["failed"] - len(retry), unknown=counts["unknown"])
    return counts
