"""The `expire` job against the single raw SQL UPDATE it stands for, on PostgreSQL, in
the same run: 1M listings of which 100k are past their expiry (shrink with --rows).

Uses BENCH_DATABASE_URL when set; otherwise starts a throwaway PostgreSQL cluster (initdb +
pg_ctl as the postgres user, on a free port) and removes it at the end. Between runs the
expired rows are put back to "published" and the outbox emptied, so every run starts from
the same data. Each side runs --repeat times, interleaved; the best time of each is kept.

    .venv/bin/python -m bench.bench_expire [--quick] [--rows 1000000] [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")

from bench.report import emit, row  # noqa: E402
from board.store import engine as db  # noqa: E402
from board.store.tables import Institution, Opportunity, OutboxEvent  # noqa: E402
from jobs import bodies  # noqa: E402

NOW = dt.datetime(2031, 1, 15, 10, 0, tzinfo=dt.UTC)
GOAL = 1.5
RAW_UPDATE = ("UPDATE opportunity SET status = 'expired', updated_at = {} "
              "WHERE status = 'published' AND expires_at <= {}")


class _StoreOnly:
    """The job body's runtime, minus search: the bench measures the store work, and the
    drainer kick is a no-op here (the drain is its own job)."""

    def kick(self) -> None:
        pass


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def throwaway_postgres() -> Iterator[str]:
    pg_bin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    root = Path(tempfile.mkdtemp(prefix="bench-expire-pg-"))
    shutil.chown(root, "postgres", "postgres")
    port = _free_port()

    def as_postgres(*cmd: str) -> None:
        subprocess.run(["runuser", "-u", "postgres", "--", *cmd], check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    as_postgres(str(pg_bin / "initdb"), "-D", str(root / "data"), "-A", "trust", "-U", "postgres")
    as_postgres(str(pg_bin / "pg_ctl"), "-D", str(root / "data"), "-l", str(root / "log"), "-w",
                "-o", f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off", "start")
    try:
        as_postgres(str(pg_bin / "psql"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres",
                    "-qc", "CREATE DATABASE bench")
        yield f"postgresql://postgres@127.0.0.1:{port}/bench"
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):
            as_postgres(str(pg_bin / "pg_ctl"), "-D", str(root / "data"), "-m", "fast", "-w", "stop")
        shutil.rmtree(root, ignore_errors=True)


async def generate(rows: int) -> None:
    """rows listings, every tenth past its expiry at NOW, in one INSERT .. SELECT."""
    await OutboxEvent.delete(force=True).run()
    await Opportunity.delete(force=True).run()
    inst = Institution(name=f"Bench Hospital {time.time_ns()}")
    await inst.save().run()
    await Opportunity.raw(
        "INSERT INTO opportunity (institution, kind, title, specialty, state, city, status, "
        "published_at, expires_at, created_at, updated_at) "
        "SELECT {}, 'observership', 'Bench listing ' || g, 'Internal medicine', 'TX', 'Houston', "
        "'published', {}::timestamptz - interval '30 days', "
        "{}::timestamptz + CASE WHEN g % 10 = 0 THEN -1 ELSE 1 END * (1 + g % 29) * interval '1 day', "
        "{}::timestamptz - interval '30 days', {}::timestamptz - interval '30 days' "
        "FROM generate_series(1, {}::int) AS g",
        inst.id, NOW, NOW, NOW, NOW, rows).run()
    await Opportunity.raw("VACUUM ANALYZE opportunity").run()


async def reset() -> None:
    """Back to the generated state: nothing expired, no outbox rows."""
    await Opportunity.raw("UPDATE opportunity SET status = 'published', "
                          "updated_at = {}::timestamptz - interval '30 days' "
                          "WHERE status = 'expired'", NOW).run()
    await Opportunity.raw("TRUNCATE outbox_event").run()
    await Opportunity.raw("VACUUM ANALYZE opportunity").run()
    await Opportunity.raw("VACUUM ANALYZE outbox_event").run()


async def timed_raw() -> tuple[float, int]:
    start = time.perf_counter()
    async with db.write_transaction():
        await Opportunity.raw(RAW_UPDATE, NOW, NOW).run()
    elapsed = time.perf_counter() - start
    return elapsed, await Opportunity.count().where(Opportunity.status == "expired").run()


async def timed_job() -> tuple[float, int]:
    start = time.perf_counter()
    counts = await bodies.expire(_StoreOnly(), NOW)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - start
    events = await OutboxEvent.count().run()
    assert events == counts["expired"], (events, counts)
    return elapsed, counts["expired"]


async def main(rows: int, repeat: int) -> None:
    url = os.environ.get("BENCH_DATABASE_URL")
    with contextlib.ExitStack() as stack:
        if not url:
            url = stack.enter_context(throwaway_postgres())
        db.configure(url)
        await db.open_store()
        try:
            await db.migrate()
            t0 = time.perf_counter()
            await generate(rows)
            print(f"generated {rows:,} listings ({rows // 10:,} past expiry) "
                  f"in {time.perf_counter() - t0:.1f}s")
            raw_times, job_times = [], []
            for _ in range(repeat):
                await reset()
                elapsed, n = await timed_raw()
                raw_times.append(elapsed)
                print(f"  raw UPDATE   {elapsed * 1000:9.1f} ms  ({n:,} rows)")
                await reset()
                elapsed, n = await timed_job()
                job_times.append(elapsed)
                print(f"  expire job   {elapsed * 1000:9.1f} ms  ({n:,} rows + outbox events)")
        finally:
            await db.close_store()
    raw, job = min(raw_times), min(job_times)
    ratio = job / raw
    median_ratio = statistics.median(job_times) / statistics.median(raw_times)
    print(f"best raw UPDATE: {raw * 1000:.1f} ms; best expire job: {job * 1000:.1f} ms; "
          f"ratio {ratio:.2f}x (goal <= {GOAL}x): {'OK' if ratio <= GOAL else 'OVER GOAL'}; "
          f"median ratio {median_ratio:.2f}x")
    emit("expire", [row(f"expire job vs raw UPDATE ({rows // 10:,} rows)", job * 1000, "ms", ratio,
                        f"<= {GOAL}")])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="100k listings, one repeat")
    args = parser.parse_args()
    if args.quick:
        args.rows, args.repeat = 100_000, 1
    asyncio.run(main(args.rows, args.repeat))
