"""Digest throughput against a bare SMTP loop, measured in the same run.

Builds a temporary SQLite store and a fresh Meilisearch index with N listings and M confirmed
subscribers spread over K distinct filter sets, starts an aiosmtpd sink in its own process,
then times (1) `board.digest.run_digest` end to end (searches, rendering, ledger, SMTP) and
(2) a bare aiosmtplib loop sending the same number of pre-rendered messages over one
connection. Prints mails/second for both and the ratio (goal >= 0.5).

    .venv/bin/python -m bench.bench_digest [--quick] [--subscribers 20000] [--filter-sets 2000]
        [--listings 5000]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import itertools
import os
import random
import secrets
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="bench-digest-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.sqlite'}"
os.environ["PICCOLO_CONF"] = "board.piccolo_conf"
os.environ.setdefault("BOARD_VAR_DIR", str(_TMP / "var"))

import aiosmtplib  # noqa: E402

from bench.report import emit, row  # noqa: E402
from board.core import vocab  # noqa: E402
from board.core.search_spec import HIT_FIELDS, INDEX_SPEC  # noqa: E402
from board.digests import emails as digest_mail  # noqa: E402
from board.digests.subscriptions import canonical_filters, filters_key  # noqa: E402
from board.digests.tasks import run_digest  # noqa: E402
from board.indexing.gateway import document_from_row, load_rows  # noqa: E402
from board.runtime import Runtime  # noqa: E402
from board.settings import load_settings  # noqa: E402
from board.store import engine as db  # noqa: E402
from board.store.tables import DigestDelivery, Institution, Opportunity, Subscriber  # noqa: E402
from search import sync  # noqa: E402
from search.engine import shape_hit  # noqa: E402
from search.query import SearchQuery  # noqa: E402
from search.server import LocalMeili  # noqa: E402

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_sink(port: int) -> subprocess.Popen:
    proc = subprocess.Popen([sys.executable, "-m", "aiosmtpd", "-n", "-l", f"127.0.0.1:{port}",
                             "-c", "aiosmtpd.handlers.Sink"])
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("error: the aiosmtpd sink did not start")


def filter_sets(count: int) -> list[dict]:
    states = list(vocab.states())[:50]
    combos = itertools.product([None, "true"], [None, "true"], vocab.KINDS, states)
    out = []
    for lor, hands, kind, state in combos:
        f: dict = {"state": [state], "kind": [kind]}
        if hands:
            f["hands_on"] = [hands]
        if lor:
            f["lor_offered"] = [lor]
        out.append(canonical_filters(f))
        if len(out) == count:
            break
    return out


async def seed(rt: Runtime, listings: int, subscribers: int, sets: int) -> None:
    rng = random.Random(7)
    states = list(vocab.states())[:50]
    insts = []
    for i in range(50):
        inst = Institution(name=f"Bench Hospital {i}", city="Springfield", state=states[i],
                           verified=True)
        await inst.save().run()
        insts.append(inst.id)
    rows = []
    for i in range(listings):
        published = NOW - dt.timedelta(hours=rng.uniform(1, 24 * 6))
        deadline = (NOW + dt.timedelta(days=rng.randint(1, 90))).date()
        rows.append(Opportunity(
            institution=insts[i % 50], kind=vocab.KINDS[i % 5], title=f"Bench opportunity {i}",
            specialty="Internal medicine", state=states[rng.randrange(50)], city="Springfield",
            hands_on=rng.random() < 0.5, lor_offered=rng.random() < 0.5, fee_usd=rng.choice([0, 500]),
            application_deadline=deadline, apply_url="https://example.org/apply",
            status="published", published_at=published, expires_at=NOW + dt.timedelta(days=60)))
    for start in range(0, len(rows), 1000):
        await Opportunity.insert(*rows[start:start + 1000]).run()
    docs = [document_from_row(r) for r in await load_rows()]
    await sync.upsert(rt.client, rt.settings.meili_index, docs, timeout=300)
    fsets = filter_sets(sets)
    subs = []
    for i in range(subscribers):
        f = fsets[i % len(fsets)]
        subs.append(Subscriber(email=f"reader{i}@bench.example", filters=f, filters_key=filters_key(f),
                               token=secrets.token_hex(32), confirmed_at=NOW - dt.timedelta(days=8)))
    for start in range(0, len(subs), 1000):
        await Subscriber.insert(*subs[start:start + 1000]).run()


async def bare_loop(rt: Runtime, port: int, count: int) -> float:
    """Messages as large as the digest's: rendered by the digest templates from real
    documents, as many listings as the digest mails held on average."""
    rows = await DigestDelivery.select(DigestDelivery.listing_count).run()
    per_mail = max(1, round(sum(r["listing_count"] for r in rows) / max(1, len(rows))))
    raw = (await rt.client.fetch_documents(rt.settings.meili_index, HIT_FIELDS,
                                           limit=per_mail + 3))["results"]
    docs = [shape_hit(doc, SearchQuery(), INDEX_SPEC) for doc in raw]  # the shape the digest's hits have
    parts = digest_mail.render_parts(rt.settings, ["State: Texas"], docs[:per_mail], docs[per_mail:],
                                     rt.settings.base_url, "2026-W01")
    sender = rt.mailer.envelope_from
    messages = [(f"reader{i}@bench.example", digest_mail.assemble(
        parts, rt.settings, to=f"reader{i}@bench.example", subscriber_id=i, period="2026-W01",
        manage_url="https://x.example/manage/t", unsubscribe_url="https://x.example/u/t", now=NOW))
        for i in range(count)]
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    started = time.perf_counter()
    for to, data in messages:
        await smtp.sendmail(sender, [to], data)
    elapsed = time.perf_counter() - started
    await smtp.quit()
    return elapsed


async def main(args: argparse.Namespace) -> None:
    meili = LocalMeili(_TMP / "meili", os.environ.get("MEILI_BIN", ""))
    meili.start()
    port = free_port()
    sink = start_sink(port)
    try:
        base = load_settings(environ={"DATABASE_URL": os.environ["DATABASE_URL"],
                                      "BOARD_VAR_DIR": str(_TMP / "var")}, env_file=_TMP / "none")
        settings = dataclasses.replace(base, meili_url=meili.url, meili_master_key=meili.master_key,
                                       meili_index="bench_digest", smtp_url=f"smtp://127.0.0.1:{port}",
                                       search_timeout=30.0)
        db.configure(settings.database_url)
        await db.open_store()
        await db.migrate()
        rt = Runtime.build(settings)
        await rt.start()
        t = time.perf_counter()
        await seed(rt, args.listings, args.subscribers, args.filter_sets)
        print(f"seeded {args.listings} listings, {args.subscribers} subscribers, "
              f"{args.filter_sets} filter sets in {time.perf_counter() - t:.1f}s")
        t = time.perf_counter()
        if args.profile:
            import cProfile
            import pstats

            prof = cProfile.Profile()
            prof.enable()
        counts = await run_digest(rt, NOW)
        digest_s = time.perf_counter() - t
        if args.profile:
            prof.disable()
            pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
        sent = counts["sent"]
        if not sent:
            raise SystemExit(f"error: the digest sent nothing: {counts}")
        bare_s = await bare_loop(rt, port, sent)
        digest_rate, bare_rate = sent / digest_s, sent / bare_s
        print(f"digest: {counts} in {digest_s:.2f}s -> {digest_rate:.0f} mails/s")
        print(f"bare aiosmtplib loop: {sent} mails in {bare_s:.2f}s -> {bare_rate:.0f} mails/s")
        print(f"ratio digest/bare: {digest_rate / bare_rate:.2f}x (goal >= 0.5x)")
        result = [row("digest vs bare SMTP loop", digest_rate, "mails/s", digest_rate / bare_rate,
                      ">= 0.5")]
        await rt.client.delete_index(settings.meili_index)
        await rt.stop()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
        meili.stop()
    emit("digest", result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--filter-sets", type=int, default=2_000)
    parser.add_argument("--listings", type=int, default=5_000)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of the digest")
    parser.add_argument("--quick", action="store_true", help="2k subscribers, 200 sets, 1k listings")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.filter_sets, args.listings = 2_000, 200, 1_000
    asyncio.run(main(args))
