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
background (ledger.Recorder). bench/bench_digest.py measures it against a bare aiosmtplib loop."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

from board.browse.params import to_query_string
from board.digests import emails as digest_mail
from board.digests import ledger, subscriptions
from board.digests.queries import GROUPS_PER_REQUEST, GroupResult, search_groups
from board.mail import mime
from board.mail.transport import FAILED, RETRY, SENT, UNKNOWN, Attempt
from board.observability import metrics
from board.store.tables import Subscriber

log = logging.getLogger("board.digests.tasks")
CHUNK = 100  # also what one transaction records, in the background (see ledger.Recorder)


async def _eligible() -> list[dict[str, Any]]:
    return await Subscriber.select(
        Subscriber.id, Subscriber.email, Subscriber.filters, Subscriber.filters_key,
        Subscriber.token, Subscriber.confirmed_at, Subscriber.last_digest_at,
    ).where(
        Subscriber.confirmed_at.is_not_null() & Subscriber.unsubscribed_at.is_null()
        & (Subscriber.paused == False) & (Subscriber.suppressed == False)  # noqa: E712
    ).order_by(Subscriber.id).run()


def _since(sub: dict[str, Any]) -> dt.datetime:
    value = sub["last_digest_at"] or sub["confirmed_at"]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


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


def _prepare(rt: Any, subs: list[dict[str, Any]], result: GroupResult, period: str,
             now: dt.datetime) -> Iterator[ledger.Pending | None]:
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
        yield ledger.Pending(sub, f"{sub['id']}:{period}", made[1], data)


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

    batch: list[ledger.Pending] = []
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
