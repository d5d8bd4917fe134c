"""The digest's ledger writes: DigestDelivery rows claimed before a message goes out, given
back when it never did, and the outcomes recorded (see board.digests.tasks for the statuses).

Claims and outcomes go a chunk at a time, one transaction each: on SQLite every transaction
opens a connection (and aiosqlite a thread), which cost more than the statements."""

from __future__ import annotations

import asyncio
import datetime as dt
from dataclasses import dataclass
from typing import Any

from board.mail.transport import BOUNCED, FAILED, RETRY, SENT, UNKNOWN, Attempt
from board.store.engine import write_transaction
from board.store.tables import DigestDelivery, Subscriber


@dataclass
class Pending:
    sub: dict[str, Any]
    key: str
    count: int
    data: bytes = b""


async def state(period: str) -> tuple[set[int], set[str]]:
    """Subscribers this period is settled for, and the keys of its "retry" rows."""
    rows = await DigestDelivery.select(DigestDelivery.subscriber, DigestDelivery.key,
                                       DigestDelivery.status).where(
        DigestDelivery.period == period).run()
    return ({r["subscriber"] for r in rows if r["status"] != RETRY},
            {r["key"] for r in rows if r["status"] == RETRY})


# The claim's INSERT written out: building a hundred DigestDelivery objects and their SQL through
# the ORM took more CPU than the rest of the chunk's work but SMTP (bench_digest --profile).
_CLAIM_INSERT = ('INSERT INTO digest_delivery ("key", "subscriber", "period", "status", '
                 '"listing_count", "attempts", "error", "created_at") VALUES ')
_CLAIM_ROW = "({}, {}, {}, 'claimed', {}, 0, '', {})"


async def claim(batch: list[Pending], period: str, retry_keys: set[str] | None) -> list[Pending]:
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


async def release(unsent: list[Pending]) -> None:
    """Claimed but never handed to SMTP (the run stopped first): back to "retry", so the
    next run this week sends them instead of counting them as possibly delivered."""
    if unsent:
        await DigestDelivery.update({DigestDelivery.status: RETRY}).where(
            DigestDelivery.key.is_in([p.key for p in unsent])
            & (DigestDelivery.status == "claimed")).run()


# The two statements of a chunk's outcomes written out too: the ORM took ~2 ms of CPU to
# build an UPDATE .. IN of a hundred values (record: 0.106 -> 0.092 ms of CPU per mail).
_SENT_UPDATE = ('UPDATE digest_delivery SET "status" = \'sent\', "sent_at" = {}, '
                '"attempts" = "attempts" + 1 WHERE "key" IN ')
_ADVANCE_UPDATE = 'UPDATE subscriber SET "last_digest_at" = {} WHERE "id" IN '


def _params(n: int) -> str:
    return "(" + ", ".join(["{}"] * n) + ")"


async def record(done: list[tuple[Pending, Attempt]], now: dt.datetime) -> None:
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
            await DigestDelivery.raw(_SENT_UPDATE + _params(len(sent)),
                                     dt.datetime.now(dt.UTC), *sent).run()
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
            await Subscriber.raw(_ADVANCE_UPDATE + _params(len(advanced)), now, *advanced).run()


class Recorder:
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
            self.task = asyncio.create_task(record(done, self.now))

    async def flush(self) -> None:
        if self.task is not None:
            # Shielded: a cancel (shutdown) must not lose the record of messages just sent.
            await asyncio.shield(self.task)
            self.task = None
