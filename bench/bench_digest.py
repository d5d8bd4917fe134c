"""Digest throughput against a bare SMTP loop, measured in the same run.

Builds a temporary SQLite store and a fresh Meilisearch index with N listings and M confirmed
subscribers spread over K distinct filter sets, starts an aiosmtpd sink in its own process,
then times (1) `board.digests.tasks.run_digest` end to end (searches, rendering, ledger, SMTP)
and (2) a bare aiosmtplib loop sending the very messages the digest sent (kept as it sent
them), over one connection to the same server. --rounds (2) repeats the pair with the ledger
reset in between (A B A B), so a burst of other load on the machine is less likely to land on
one side only. Prints mails/second for both and the ratio over all rounds (goal >= 0.8), and
the CPU time per mail of this process and of the sink in each phase: on a shared 2-core
machine the wall-clock ratio moves with the other load; the CPU figures show what the digest
itself costs (a big run builds its messages in a worker process: its CPU is printed apart).

    .venv/bin/python -m bench.bench_digest [--quick] [--rounds 2] [--subscribers 20000]
        [--filter-sets 2000] [--listings 5000] [--profile]
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import datetime as dt
import itertools
import os
import random
import resource
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_TMP = Path(tempfile.mkdtemp(prefix="bench-digest-"))
os.environ["DATABASE_URL"] = f"sqlite:///{_TMP / 'bench.sqlite'}"
os.environ["PICCOLO_CONF"] = "board.piccolo_conf"
os.environ.setdefault("BOARD_VAR_DIR", str(_TMP / "var"))

import aiosmtplib  # noqa: E402

from bench.report import emit, row  # noqa: E402
from board.core import vocab  # noqa: E402
from board.digests.subscriptions import canonical_filters, filters_key  # noqa: E402
from board.digests.tasks import run_digest  # noqa: E402
from board.indexing.gateway import document_from_row, load_rows  # noqa: E402
from board.runtime import Runtime  # noqa: E402
from board.settings import load_settings  # noqa: E402
from board.store import engine as db  # noqa: E402
from board.store.tables import DigestDelivery, Institution, Opportunity, Subscriber  # noqa: E402
from search import sync  # noqa: E402
from search.server import LocalMeili  # noqa: E402

NOW = dt.datetime.now(dt.UTC).replace(microsecond=0)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int | None = None) -> float:
    """User + system CPU time of this process (all threads) or of another one (/proc)."""
    if pid is None:
        return time.process_time()
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def reaped_children_cpu() -> float:
    """CPU time of this process's children that have exited and been waited for: the digest's
    build worker (board.digests.builder), which a run waits for before it returns."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


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


class Tap:
    """Keeps what the digest handed to SMTP (recipient, bytes) so the bare loop sends the
    very same messages: one list append per message, around the real chunk sender."""

    def __init__(self, mailer: Any):
        self.mailer, self.real_chunk, self.sent = mailer, mailer.chunk, []
        mailer.chunk = self.chunk

    def remove(self) -> None:
        self.mailer.chunk = self.real_chunk

    def chunk(self) -> Any:
        tap, real = self, self.real_chunk()

        class Chunk:
            async def __aenter__(self) -> Any:
                await real.__aenter__()
                return self

            async def __aexit__(self, *exc: object) -> None:
                await real.__aexit__(*exc)

            async def send(self, recipient: str, data: bytes) -> Any:
                attempt = await real.send(recipient, data)
                if attempt.status == "sent":
                    tap.sent.append((recipient, data))
                return attempt

        return Chunk()


async def bare_loop(rt: Runtime, port: int, messages: list[tuple[str, bytes]],
                    sink_pid: int) -> tuple[float, float, float]:
    """The digest's own messages again, byte for byte, to the same server: the cost of SMTP
    alone. Returns wall seconds, CPU seconds here and in the sink."""
    sender = rt.mailer.envelope_from
    smtp = aiosmtplib.SMTP(hostname="127.0.0.1", port=port)
    await smtp.connect()
    cpu, sink_cpu = cpu_seconds(), cpu_seconds(sink_pid)
    started = time.perf_counter()
    for to, data in messages:
        await smtp.sendmail(sender, [to], data)
    elapsed = time.perf_counter() - started
    cpu, sink_cpu = cpu_seconds() - cpu, cpu_seconds(sink_pid) - sink_cpu
    await smtp.quit()
    return elapsed, cpu, sink_cpu


async def reset_ledger() -> None:
    """Back to before the digest ran: no ledger rows, nobody mailed yet."""
    await DigestDelivery.delete(force=True).run()
    await Subscriber.update({Subscriber.last_digest_at: None}, force=True).run()


async def one_round(rt: Runtime, port: int, sink_pid: int, totals: dict[str, list],
                    profile: bool) -> None:
    """The digest, then the bare loop replaying its messages; rates and CPU per mail."""
    tap = Tap(rt.mailer)
    cpu, sink_cpu, worker_cpu = cpu_seconds(), cpu_seconds(sink_pid), reaped_children_cpu()
    t = time.perf_counter()
    if profile:
        import cProfile
        import pstats

        prof = cProfile.Profile()
        prof.enable()
    try:
        counts = await run_digest(rt, NOW)
    finally:
        tap.remove()
    digest_s = time.perf_counter() - t
    cpu, sink_cpu = cpu_seconds() - cpu, cpu_seconds(sink_pid) - sink_cpu
    worker_cpu = reaped_children_cpu() - worker_cpu
    if profile:
        prof.disable()
        pstats.Stats(prof).sort_stats("cumulative").print_stats(30)
    sent = counts["sent"]
    if not sent or sent != len(tap.sent):
        raise SystemExit(f"error: the digest sent {counts}, the tap saw {len(tap.sent)}")
    bare_s, bare_cpu, bare_sink_cpu = await bare_loop(rt, port, tap.sent, sink_pid)
    digest_rate, bare_rate = sent / digest_s, sent / bare_s
    mean_kb = sum(len(d) for _, d in tap.sent) / sent / 1024
    print(f"  digest: {counts} in {digest_s:.2f}s -> {digest_rate:.0f} mails/s; CPU per mail: "
          f"{1000 * cpu / sent:.2f} ms here + {1000 * worker_cpu / sent:.2f} ms in the build "
          f"worker, {1000 * sink_cpu / sent:.2f} ms in the sink")
    print(f"  bare aiosmtplib loop, the same {sent} messages ({mean_kb:.1f} KB mean) in "
          f"{bare_s:.2f}s -> {bare_rate:.0f} mails/s; CPU per mail: "
          f"{1000 * bare_cpu / sent:.2f} ms here, {1000 * bare_sink_cpu / sent:.2f} ms in the sink")
    print(f"  ratio digest/bare: {digest_rate / bare_rate:.2f}x")
    totals["digest"][0] += sent
    totals["digest"][1] += digest_s
    totals["bare"][0] += sent
    totals["bare"][1] += bare_s


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
        totals = {"digest": [0, 0.0], "bare": [0, 0.0]}  # mails, seconds
        for n in range(args.rounds):
            print(f"round {n + 1} of {args.rounds}")
            if n:
                await reset_ledger()
            await one_round(rt, port, sink.pid, totals, profile=args.profile and not n)
        digest_rate = totals["digest"][0] / totals["digest"][1]
        bare_rate = totals["bare"][0] / totals["bare"][1]
        print(f"ratio digest/bare over {args.rounds} rounds (A B A B): {digest_rate / bare_rate:.2f}x "
              f"({digest_rate:.0f} vs {bare_rate:.0f} mails/s; goal >= 0.8x)")
        result = [row("digest vs bare SMTP loop", digest_rate, "mails/s", digest_rate / bare_rate,
                      ">= 0.8")]
        await rt.client.delete_index(settings.meili_index)
        await rt.stop()
    finally:
        sink.terminate()
        sink.wait(timeout=10)
        meili.stop()
        shutil.rmtree(_TMP, ignore_errors=True)  # the store and the index: tens of MB a run
    emit("digest", result)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--subscribers", type=int, default=20_000)
    parser.add_argument("--filter-sets", type=int, default=2_000)
    parser.add_argument("--listings", type=int, default=5_000)
    parser.add_argument("--rounds", type=int, default=2,
                        help="digest then bare loop, this many times (A B A B)")
    parser.add_argument("--profile", action="store_true",
                        help="print a cProfile of the first round's digest")
    parser.add_argument("--quick", action="store_true", help="2k subscribers, 200 sets, 1k listings")
    args = parser.parse_args()
    if args.quick:
        args.subscribers, args.filter_sets, args.listings = 2_000, 200, 1_000
    asyncio.run(main(args))
