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
renders chunks; the next chunk is claimed while this one is sent; outcomes are written in the
background (_Recorder). bench/bench_digest.py measures it against a bare aiosmtplib loop."""

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
from board.digests.queries import GROUPS_PER_REQUEST, GroupResult, search_groups
from board.mail import mime
from board.mail.transport import BOUNCED, FAILED, RETRY, SENT, UNKNOWN, Attempt
from board.observability import metrics
from board.store.engine import write_transaction
from board.store.tables import DigestDelivery, Subscriber

log = logging.getLogger("board.digests.tasks")
CHUNK = 100
RECORD_EVERY = CHUNK  # one transaction per chunk, in the background (see _Recorder)


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


async def _ledger(period: str) -> tuple[set[int], set[str]]:
    """Subscribers this period is settled for, and the keys of its "retry" rows."""
    rows = await DigestDelivery.select(DigestDelivery.subscriber, DigestDelivery.key,
                                       DigestDelivery.status).where(
        DigestDelivery.period == period).run()
    return ({r["subscriber"] for r in rows if r["status"] != RETRY},
            {r["key"] for r in rows if r["status"] == RETRY})


def _since(sub: dict[str, Any]) -> dt.datetime:
    value = sub["last_digest_at"] or sub["confirmed_at"]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


# The claim's INSERT written out: building a hundred DigestDelivery objects and their SQL through
# the ORM took more CPU than the rest of the chunk's work but SMTP (bench_digest --profile).
_CLAIM_INSERT = ('INSERT INTO digest_delivery ("key", "subscriber", "period", "status", '
                 '"listing_count", "attempts", "error", "created_at") VALUES ')
_CLAIM_ROW = "({}, {}, {}, 'claimed', {}, 0, '', {})"


async def _claim(batch: list[Pending], period: str, retry_keys: set[str] | None) -> list[Pending]:
    """The subset of `batch` this run now owns: fresh rows inserted, or "retry" rows taken
    back with a compare-and-set on the status. `retry_keys`: the keys that may be "retry"
    (None: any); one transaction, so one commit, per chunk."""
    keys = [p.key for p in batch]
    taken: set[str] = set()
    async with write_transaction():
        if retry_keys is None or any(k in retry_keys for k in keys):
            taken = {r["key"] for r in await DigestDelivery.update(
                {DigestDelivery.status: "claimed"}).where(
                DigestDelivery.key.is_in(keys) & (DigestDelivery.status == RETRY)
            ).returning(DigestDelivery.key).run()}
        fresh = [p for p in batch if p.key not in taken]
        if fresh:
            created = dt.datetime.now(dt.UTC)
            sql = (_CLAIM_INSERT + ", ".join([_CLAIM_ROW] * len(fresh))
                   + ' ON CONFLICT DO NOTHING RETURNING "key"')
            args = [v for p in fresh for v in (p.key, p.sub["id"], period, p.count, created)]
            taken |= {r["key"] for r in await DigestDelivery.raw(sql, *args).run()}
    return [p for p in batch if p.key in taken]


async def _release(unsent: list[Pending]) -> None:
    """Claimed but never handed to SMTP (the run stopped first): back to "retry", so the
    next run this week sends them instead of counting them as possibly delivered."""
    if unsent:
        await DigestDelivery.update({DigestDelivery.status: RETRY}).where(
            DigestDelivery.key.is_in([p.key for p in unsent])
            & (DigestDelivery.status == "claimed")).run()


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


class _Recorder:
    """Writes outcomes in the background, one transaction at a time and in order, while
    the next messages go out: the sender never waits on a commit (nor, on SQLite, on the
    new connection and thread each transaction opens) unless the previous one is still
    running when the next group is due. `flush` waits for the last one (shielded)."""

    def __init__(self, now: dt.datetime):
        self.now = now
        self.task: asyncio.Task | None = None

    async def add(self, done: list[tuple[Pending, Attempt]]) -> None:
        await self.flush()
        if done:
            self.task = asyncio.create_task(_record(done, self.now))

    async def flush(self) -> None:
        if self.task is not None:
            # Shielded: a cancel (shutdown) must not lose the record of messages just sent.
            await asyncio.shield(self.task)
            self.task = None


async def _send(rt: Any, mine: list[Pending], recorder: _Recorder,
                counts: dict[str, int]) -> list[Pending]:
    """Send claimed messages over one connection and hand their outcomes to `recorder`;
    returns what should be retried.

    Outcomes go to the recorder every RECORD_EVERY messages and when the chunk ends for any
    reason: a run cancelled (stopped) mid-chunk still advances `last_digest_at` for what it
    delivered (else next week's digest would repeat their listings), and the messages it
    never started go back to "retry". Only a hard kill can leave rows "claimed" (then
    treated as unknown: never resent), up to two groups of sent ones among them."""
    outcomes: list[tuple[Pending, Attempt]] = []
    pending: list[tuple[Pending, Attempt]] = []
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
                pending.append((p, attempt))
                if len(pending) >= RECORD_EVERY:
                    await recorder.add(pending)
                    pending = []
        await recorder.add(pending)
    except BaseException:
        await recorder.add(pending)
        await recorder.flush()
        await asyncio.shield(_release(mine[started:]))
        raise
    retry = []
    for p, a in outcomes:
        if a.status == RETRY:
            retry.append(p)
        else:
            counts[{SENT: "sent", UNKNOWN: "unknown"}.get(a.status, "failed")] += 1
    return retry


def _prepare(rt: Any, subs: list[dict[str, Any]], result: GroupResult, period: str,
             now: dt.datetime) -> Iterator[Pending | None]:
    """Each subscriber's finished message, or None for one with nothing new. `subs` share
    one filter set (and so `result`); those who also share the moment their digest starts
    from share one rendered, half-encoded message."""
    settings = rt.settings
    secret = settings.signing_keys
    filters = subscriptions.stored_filters(subs[0])
    search_url = f"{settings.base_url}/?{to_query_string(filters, sort='newest')}"
    summary = subscriptions.filter_summary(filters)
    now_ts = int(now.timestamp())
    content: dict[int, tuple[mime.Stencil, int] | None] = {}
    for sub in subs:
        since_ts = int(_since(sub).timestamp())
        if since_ts not in content:
            new = [h for h in result.new if since_ts < result.published[h["id"]] <= now_ts]
            new_ids = {h["id"] for h in new}
            closing = [h for h in result.closing if h["id"] not in new_ids]
            content[since_ts] = (digest_mail.stencil(digest_mail.render_parts(
                settings, summary, new, closing, search_url, period)), len(new)) if new else None
        made = content[since_ts]
        if made is None:
            yield None
            continue
        manage = subscriptions.token_for(sub, "manage", secret)
        # List-Unsubscribe gets a token that can only unsubscribe (see unsubscribe_target).
        unsub = subscriptions.token_for(sub, "unsubscribe", secret)
        data = digest_mail.assemble(
            made[0], settings, to=sub["email"], subscriber_id=sub["id"], period=period, now=now,
            manage_url=f"{settings.base_url}/manage/{manage}",
            unsubscribe_url=f"{settings.base_url}/unsubscribe/{unsub}")
        yield Pending(sub, f"{sub['id']}:{period}", made[1], data)


async def _produce(rt: Any, groups: dict[str, list[dict[str, Any]]], period: str,
                   now: dt.datetime, queue: asyncio.Queue, counts: dict[str, int]) -> None:
    """Search and render chunks while the sender waits on SMTP replies (the sleep(0) lets
    it resume). The searches go a request (GROUPS_PER_REQUEST filter sets) at a time, the
    next one in flight while this one's mails are rendered, so the first mails leave
    before the last filter sets are searched."""
    keys = list(groups)
    specs = [(subscriptions.stored_filters(groups[k][0]), min(_since(s) for s in groups[k]))
             for k in keys]

    def search(start: int) -> asyncio.Task | None:
        if start >= len(keys):
            return None
        return asyncio.create_task(search_groups(rt.gateway, specs[start:start + GROUPS_PER_REQUEST],
                                                 now, rt.settings.unlisted_after_days))

    batch: list[Pending] = []
    ahead = search(0)
    try:
        for start in range(0, len(keys), GROUPS_PER_REQUEST):
            assert ahead is not None
            results = await ahead
            ahead = search(start + GROUPS_PER_REQUEST)
            for k, result in zip(keys[start:start + GROUPS_PER_REQUEST], results, strict=True):
                if result.error:
                    log.warning("digest: skipping filter set %s: %s", k, result.error)
                for item in _prepare(rt, groups[k], result, period, now):
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
        if ahead is not None:
            ahead.cancel()
        await queue.put(None)  # the sender must never wait forever, even after an error


async def _next_claimed(queue: asyncio.Queue, period: str, retry_keys: set[str],
                        counts: dict[str, int]) -> list[Pending] | None:
    batch = await queue.get()
    if batch is None:
        return None
    mine = await _claim(batch, period, retry_keys)
    counts["skipped"] += len(batch) - len(mine)
    return mine


async def run_digest(rt: Any, now: dt.datetime) -> dict[str, int]:
    now = now if now.tzinfo else now.replace(tzinfo=dt.UTC)
    period = digest_mail.period_of(now)
    counts = {"sent": 0, "skipped": 0, "failed": 0, "unknown": 0}
    settled, retry_keys = await _ledger(period)
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for sub in await _eligible():
        if sub["id"] in settled:
            counts["skipped"] += 1
        else:
            groups[sub["filters_key"]].append(sub)
    queue: asyncio.Queue = asyncio.Queue(maxsize=2)
    producer = asyncio.create_task(_produce(rt, groups, period, now, queue, counts))
    retry: list[Pending] = []
    # The next chunk is claimed (a transaction: a commit, on SQLite a disk flush) while this
    # one goes out, rather than the connection waiting on it between chunks.
    ahead = asyncio.ensure_future(_next_claimed(queue, period, retry_keys, counts))
    recorder = _Recorder(now)
    try:
        while (mine := await ahead) is not None:
            ahead = asyncio.ensure_future(_next_claimed(queue, period, retry_keys, counts))
            retry += await _send(rt, mine, recorder, counts)
        await recorder.flush()  # the retries below take back rows recorded as "retry"
    except BaseException:
        producer.cancel()
        if ahead.done() and not ahead.cancelled() and ahead.exception() is None:
            await asyncio.shield(_release(ahead.result() or []))
        else:
            ahead.cancel()  # a claim in flight now may leave its chunk "claimed"
        await recorder.flush()
        raise
    await producer  # a rendering error surfaces here, after what was ready went out
    for delay in rt.mailer.retry_delays:
        if not retry:
            break
        await asyncio.sleep(delay)
        again: list[Pending] = []
        for start in range(0, len(retry), CHUNK):
            mine = await _claim(retry[start:start + CHUNK], period, None)
            counts["skipped"] += len(retry[start:start + CHUNK]) - len(mine)
            again += await _send(rt, mine, recorder, counts)
        await recorder.flush()
        retry = again
    counts["failed"] += len(retry)  # left as "retry": the next run this week tries again
    # For /metrics, "deferred" (retried next run) apart from failures that stay failed.
    metrics.count_digest_mails(sent=counts["sent"], deferred=len(retry),
                               failed=counts["failed"] - len(retry), unknown=counts["unknown"])
    return counts
