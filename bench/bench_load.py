"""Load profile against the served app: `board serve --workers 2` and `--workers 4`, one
`board jobs run` scheduler, PostgreSQL and a Meilisearch of our own. The mix: 70% searches
with random facets, 20% listing pages, 10% writes through the write API (create, edit).

For each worker count: throughput and latency at rising concurrency, the saturation point
(where more clients stop adding throughput) and searches' p50/p95/p99 at half that load, as
ratios against one client measured in the same run. Then an outage: Meilisearch killed in the
middle of a run and restarted; the answers during it must be 503s, never 500s, and search must
recover by itself.

    .venv/bin/python -m bench.bench_load [--quick] [--requests 600] [--seed-count 400]
        [--database-url postgresql://...]   (default: a throwaway cluster, needs root)
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from bench.report import emit, row
from board.core import vocab
from search.server import LocalMeili, free_port

WORDS = ["cardiology", "research", "observership", "surgery", "pediatrics", "clinic",
         "internal", "mentorship", "neurology", "oncology", ""]
BOOLS = ["hands_on", "lor_offered", "b1b2_accepted", "j1_sponsored", "remote"]
LEVELS = (1, 4, 8, 16, 32)
KEEPER = ThreadPoolExecutor(max_workers=1)
OWN: list[int] = []  # listings the bench created (the token's institution may edit only those)


def throwaway_postgres(root: Path) -> tuple[str, callable]:
    pgbin = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    root.chmod(0o755)  # mkdtemp's 0700 would keep the postgres user out of its own data dir
    data = root / "pg"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    port = free_port()
    as_pg = ["runuser", "-u", "postgres", "--"]
    subprocess.run([*as_pg, pgbin / "initdb", "-D", data / "data", "-A", "trust", "-U", "postgres"],
                   check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_pg, pgbin / "pg_ctl", "-D", data / "data", "-l", data / "log", "-w", "-o",
                    f"-p {port} -k {data} -c listen_addresses=127.0.0.1 -c max_connections=200",
                    "start"], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*as_pg, "psql", "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "-qc",
                    "CREATE DATABASE board_bench"], check=True, stdout=subprocess.DEVNULL)

    def stop() -> None:
        subprocess.run([*as_pg, pgbin / "pg_ctl", "-D", data / "data", "-m", "fast", "-w", "stop"],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return f"postgresql://postgres@127.0.0.1:{port}/board_bench", stop


def board(env: dict[str, str], *args: str, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "board", *args], env=env, **kw)


def prepare(env: dict[str, str], seed_count: int) -> str:
    for args in (["migrate"], ["seed", "--demo", "--count", str(seed_count)]):
        if board(env, *args, stdout=subprocess.DEVNULL).wait() != 0:
            raise SystemExit(f"error: board {' '.join(args)} failed")
    code = ("import asyncio\nfrom board.store import engine as db\nfrom board.accounts import tokens\n"
            "from board.store.tables import Institution\n"
            "async def go():\n db.configure(__import__('os').environ['DATABASE_URL'])\n"
            " await db.open_store()\n"
            " inst = await Institution.select(Institution.id).where(Institution.verified == True)"
            ".first().run()\n print((await tokens.create(inst['id'], None, 'bench'))[1])\n"
            " await db.close_store()\nasyncio.run(go())\n")
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True,
                         check=True)
    return out.stdout.strip().splitlines()[-1]


def searchable_ids(base: str, want: int) -> list[int]:
    """Wait for the drainers to index the seeded listings; their ids for the page requests."""
    for _ in range(600):
        try:
            hits = httpx.get(f"{base}/api/v1/opportunities", params={"per_page": 50}, timeout=10)
            if hits.status_code == 200 and hits.json()["total"] >= want:
                return [h["id"] for h in hits.json()["hits"]]
        except httpx.HTTPError:
            pass  # still starting
        time.sleep(0.5)
    raise SystemExit("error: the seeded listings never became searchable")


def random_search() -> dict:
    params: dict[str, list[str] | str] = {}
    if word := random.choice(WORDS):
        params["q"] = word
    if random.random() < 0.5:
        params["state"] = random.sample(sorted(vocab.states())[:50], random.randint(1, 3))
    if random.random() < 0.4:
        params["specialty"] = random.sample(list(vocab.specialties())[:40], random.randint(1, 2))
    if random.random() < 0.4:
        params["kind"] = random.sample(list(vocab.KINDS), random.randint(1, 2))
    for flag in random.sample(BOOLS, random.randint(0, 2)):
        params[flag] = "true"
    if random.random() < 0.3:
        params["fee_max"] = str(random.choice([0, 500, 2000]))
    params["sort"] = random.choice(["relevance", "newest", "deadline", "fee"])
    params["page"] = str(random.randint(1, 3))
    return params


class Load:
    def __init__(self, url: str, token: str, ids: list[int]):
        self.url, self.token, self.ids = url, token, ids
        self.latency: dict[str, list[float]] = {"search": [], "page": [], "write": []}
        self.status: Counter = Counter()
        self.timeline: list[tuple[float, str, int]] = []
        self.stop = False  # ends a run early (the outage run is as long as its outage)

    async def one(self, client: httpx.AsyncClient) -> None:
        roll = random.random()
        start = time.perf_counter()
        if roll < 0.7:
            kind = "search"
            resp = await client.get("/api/v1/opportunities", params=random_search())
        elif roll < 0.9:
            kind = "page"
            resp = await client.get(f"/opportunities/{random.choice(self.ids)}")
        else:
            kind = "write"
            auth = {"Authorization": f"Bearer {self.token}"}
            if OWN and random.random() < 0.5:
                resp = await client.patch(f"/api/v1/opportunities/{random.choice(OWN)}",
                                          json={"fee_usd": random.randint(0, 900)}, headers=auth)
            else:
                resp = await client.post("/api/v1/opportunities", headers=auth, json={
                    "title": f"Bench Observership {random.randint(1, 10**9)}",
                    "kind": "observership", "specialty": "Anesthesiology", "state": "TX",
                    "city": "Houston", "fee_usd": 0, "apply_url": "https://bench.example.org/a"})
                if resp.status_code == 201:
                    OWN.append(resp.json()["id"])
        elapsed = time.perf_counter() - start
        self.latency[kind].append(elapsed)
        self.status[(kind, resp.status_code)] += 1
        self.timeline.append((time.perf_counter(), kind, resp.status_code))

    async def run(self, requests: int, concurrency: int, during=None) -> float:
        queue = iter(range(requests))
        limits = httpx.Limits(max_connections=concurrency)
        async with httpx.AsyncClient(base_url=self.url, timeout=30, limits=limits) as client:
            async def worker() -> None:
                for _ in queue:
                    if self.stop:
                        break
                    try:
                        await self.one(client)
                    except httpx.HTTPError as exc:
                        self.status[("transport", type(exc).__name__)] += 1
            start = time.perf_counter()
            tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
            if during is not None:
                await during(self)
            await asyncio.gather(*tasks)
            return time.perf_counter() - start


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def describe(load: Load, seconds: float, label: str) -> float:
    total = sum(load.status.values())
    rps = total / seconds
    errors = {f"{k}:{s}": n for (k, s), n in load.status.items()
              if not (isinstance(s, int) and 200 <= s < 300)}
    s = load.latency["search"]
    print(f"  {label:<26} {rps:7.1f} req/s  search p50/p95/p99 {pct(s, 50):6.1f}/{pct(s, 95):6.1f}/"
          f"{pct(s, 99):6.1f} ms  page p95 {pct(load.latency['page'], 95):6.1f}  write p95 "
          f"{pct(load.latency['write'], 95):6.1f}  non-2xx {errors or 0}")
    return rps


async def profile(url: str, token: str, ids: list[int], requests: int) -> dict:
    print("  warm-up")
    await Load(url, token, ids).run(min(requests, 200), 8)
    results = {}
    for level in LEVELS:
        load = Load(url, token, ids)
        seconds = await load.run(requests, level)
        results[level] = (describe(load, seconds, f"{level} clients"), load)
    best = max(results.values(), key=lambda r: r[0])[0]
    saturation = next(level for level in LEVELS if results[level][0] >= 0.9 * best)
    half = max(1, saturation // 2)
    load = Load(url, token, ids)
    seconds = await load.run(requests, half)
    describe(load, seconds, f"half load: {half} clients")
    base = pct(results[1][1].latency["search"], 95)
    print(f"  saturation at ~{saturation} clients ({best:.0f} req/s); search p95 at half load "
          f"{pct(load.latency['search'], 95):.1f} ms = {pct(load.latency['search'], 95) / base:.2f}x "
          f"the single-client p95 ({base:.1f} ms)")
    return {"rps": best, "saturation": saturation, "single": results[1][0]}


async def outage(url: str, token: str, ids: list[int], meili: LocalMeili, requests: int) -> int:
    async def chaos(load: Load) -> None:
        await asyncio.sleep(2.0)
        meili.kill()
        load.killed_at = time.perf_counter()
        print("  Meilisearch killed")
        await asyncio.sleep(4.0)
        # Started from a thread that outlives this run: LocalMeili's child dies with the
        # thread that spawned it (PR_SET_PDEATHSIG), and asyncio.run's default executor
        # threads exit when the run ends.
        await asyncio.get_running_loop().run_in_executor(KEEPER, meili.start)
        load.restarted_at = time.perf_counter()
        print("  Meilisearch restarted")
        await asyncio.sleep(8.0)
        load.stop = True

    load = Load(url, token, ids)
    seconds = await load.run(10**9, 8, during=chaos)
    describe(load, seconds, "outage run (8 clients)")
    during = Counter(s for t, k, s in load.timeline
                     if k == "search" and load.killed_at <= t <= load.restarted_at)
    after = [(t, s) for t, k, s in load.timeline if k == "search" and t > load.restarted_at]
    first_ok = next((t - load.restarted_at for t, s in after if s == 200), None)
    fives = sum(n for (_, s), n in load.status.items() if s == 500)
    print(f"  searches while down: {dict(during)}; 500s in the whole run: {fives}")
    tail = Counter(s for _, s in after[len(after) // 2:])
    print(f"  first search 200 {first_ok if first_ok is None else round(first_ok, 2)} s after the"
          f" restart; last half of the searches after it: {dict(tail)}")
    return fives


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--requests", type=int, default=600)
    ap.add_argument("--seed-count", type=int, default=400)
    ap.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    ap.add_argument("--quick", action="store_true", help="150 requests per level, 100 listings")
    args = ap.parse_args()
    if args.quick:
        args.requests, args.seed_count = 150, 100
    root = Path(tempfile.mkdtemp(prefix="bench-load-"))
    stops = []
    procs: list[subprocess.Popen] = []
    try:
        url = args.database_url
        if not url:
            url, stop = throwaway_postgres(root)
            stops.append(stop)
        meili = LocalMeili(root / "meili", port=free_port())
        meili.start()
        stops.append(meili.stop)
        env = {**os.environ, "DATABASE_URL": url, "MEILI_URL": meili.url,
               "MEILI_MASTER_KEY": meili.master_key, "BOARD_VAR_DIR": str(root / "var"),
               "MEILI_INDEX": "bench_load"}
        token = prepare(env, args.seed_count)
        scheduler = board(env, "jobs", "run", stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(scheduler)
        summary = {}
        for workers in (2, 4):
            port = free_port()
            log = open(root / f"serve-{workers}.log", "wb")
            server = board({**env, "PORT": str(port)}, "serve", "--no-scheduler", "--workers",
                           str(workers), stdout=log, stderr=subprocess.STDOUT)
            procs.append(server)
            base = f"http://127.0.0.1:{port}"
            for _ in range(300):
                if server.poll() is not None:
                    tail = (root / f"serve-{workers}.log").read_text()[-2000:]
                    raise SystemExit(f"error: board serve exited: {tail}")
                try:
                    if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
            ids = searchable_ids(base, args.seed_count // 2)
            print(f"== {workers} web workers + 1 scheduler, PostgreSQL, Meilisearch")
            summary[workers] = asyncio.run(profile(base, token, ids, args.requests))
            if workers == 2:
                print("== outage: Meilisearch killed mid-run, then restarted (2 workers)")
                fives = asyncio.run(outage(base, token, ids, meili, args.requests))
            server.terminate()
            server.wait(30)
        print(f"== 4 vs 2 workers: throughput {summary[4]['rps'] / summary[2]['rps']:.2f}x")
        rows = [row(f"{w} workers at saturation vs 1 client", summary[w]["rps"], "req/s",
                    summary[w]["rps"] / summary[w]["single"]) for w in (2, 4)]
        rows.append(row("4 vs 2 workers", summary[4]["rps"], "req/s",
                        summary[4]["rps"] / summary[2]["rps"], "> 1"))
        rows.append(row("500s during a Meilisearch outage", fives, "responses", None, "0"))
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(30)
                except subprocess.TimeoutExpired:
                    proc.kill()
        for stop in reversed(stops):
            stop()
        shutil.rmtree(root, ignore_errors=True)
    emit("load", rows)


if __name__ == "__main__":
    main()
