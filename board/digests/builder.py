"""Building the digest's messages: each subscriber's finished bytes from the search result of
their filter set (used by board.digests.tasks).

It is CPU work (Jinja and css-inline once per distinct content; per subscriber two signed
link tokens, the headers and the footer's base64). SMTP is lock-step: the connection waits
for the server's reply to every command, so the sender and the SMTP server mostly take turns
on one core. A big run therefore builds in a worker process, which uses the other core while
they do; built in the event loop, every mail's building delayed some reply being read
(bench/bench_digest.py, 20k subscribers: 0.72-0.77x a bare aiosmtplib loop, ~1.0x after). A
small run (tests, a young board) builds in the event loop, a filter set at a time: starting
a process would cost more than it saves.

The worker is forked: it starts in milliseconds with the code already imported, and only
computes (no I/O, no event loop, no database), so the threads it does not inherit do not
matter; a forked pool worker leaves by os._exit, touching none of the parent's connections."""

from __future__ import annotations

import asyncio
import datetime as dt
import multiprocessing
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from board.browse.params import to_query_string
from board.digests import emails as digest_mail
from board.digests import subscriptions
from board.digests.ledger import Pending
from board.digests.queries import GroupResult
from board.mail import mime
from board.settings import Settings

PROCESS_FROM = 1000  # eligible subscribers from which a run builds in a worker process

# One filter set's subscribers and its search result.
Group = tuple[list[dict[str, Any]], GroupResult]


def since(sub: dict[str, Any]) -> dt.datetime:
    value = sub["last_digest_at"] or sub["confirmed_at"]
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def prepare(settings: Settings, subs: list[dict[str, Any]], result: GroupResult, period: str,
            now: dt.datetime) -> Iterator[Pending | None]:
    """Each subscriber's finished message, or None for one with nothing new. `subs` share
    one filter set (and so `result`); those who also share the moment their digest starts
    from share one rendered, half-encoded message."""
    secret = settings.signing_keys
    filters = subscriptions.stored_filters(subs[0])
    search_url = f"{settings.base_url}/?{to_query_string(filters, sort='newest')}"
    summary = subscriptions.filter_summary(filters)
    now_ts = int(now.timestamp())
    content: dict[int, tuple[mime.Stencil, int] | None] = {}
    for sub in subs:
        since_ts = int(since(sub).timestamp())
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


def build(settings: Settings, groups: list[Group], period: str,
          now: dt.datetime) -> list[list[tuple[int, bytes] | None]]:
    """`prepare` for many groups at once, in the worker process: only each message's
    listing count and bytes go back (the parent holds the subscribers)."""
    return [[None if p is None else (p.count, p.data)
             for p in prepare(settings, subs, result, period, now)] for subs, result in groups]


def slim(subs: list[dict[str, Any]], result: GroupResult, now: dt.datetime) -> GroupResult:
    """`result` as `prepare` will use it for `subs`, cheaper to send to the worker: a new
    listing that no subscriber will see listed (past the first MAX_NEW after their start)
    keeps only its id (it still counts, and still keeps it out of "closing soon"): up to
    NEW_LIMIT hits a filter set, of which a message lists MAX_NEW, need not all be pickled."""
    now_ts = int(now.timestamp())
    shown: set[int] = set()
    for since_ts in {int(since(s).timestamp()) for s in subs}:
        listed = 0
        for h in result.new:
            if listed == digest_mail.MAX_NEW:
                break
            if since_ts < result.published[h["id"]] <= now_ts:
                shown.add(h["id"])
                listed += 1
    new = [h if h["id"] in shown else {"id": h["id"]} for h in result.new]
    return GroupResult(new, result.closing, result.error, result.published)


class Builder:
    """Builds groups of messages in a worker process, or in the event loop for a small run;
    `close()` when done, `abandon()` on the way out of an error or a stop."""

    def __init__(self, settings: Settings, period: str, now: dt.datetime, subscribers: int):
        self.settings, self.period, self.now = settings, period, now
        self.pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork")) \
            if subscribers >= PROCESS_FROM else None

    async def build(self, groups: list[Group]) -> list[list[Pending | None]]:
        if self.pool is None:
            out = []
            for subs, result in groups:
                out.append(list(prepare(self.settings, subs, result, self.period, self.now)))
                await asyncio.sleep(0)  # the sender reads its replies between filter sets
            return out
        made = await asyncio.get_running_loop().run_in_executor(
            self.pool, build, self.settings,
            [(subs, slim(subs, result, self.now)) for subs, result in groups], self.period,
            self.now)
        return [[None if m is None else Pending(sub, f"{sub['id']}:{self.period}", *m)
                 for sub, m in zip(subs, messages, strict=True)]
                for (subs, _), messages in zip(groups, made, strict=True)]

    async def close(self) -> None:
        """After the last batch: the worker exits (and is waited for, off the loop)."""
        if self.pool is not None:
            await asyncio.to_thread(self.pool.shutdown)
            self.pool = None

    def abandon(self) -> None:
        """On an error or a stop: queued batches are dropped, a busy worker finishes its
        batch, then exits."""
        if self.pool is not None:
            self.pool.shutdown(wait=False, cancel_futures=True)
            self.pool = None
