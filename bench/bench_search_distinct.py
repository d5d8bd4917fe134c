"""Search benchmark on the cache-miss path: 20k synthetic listings and ~4,000 DISTINCT searches
generated from a seed (text, 1-2 states, specialty, kind, hands-on, sort), so the hot-query
cache (which bench_search.py mostly measures) rarely answers. The same searches go to
(1) raw Meilisearch as the identical disjunctive multi-search body (built by the same
`build_queries` and filter builder the app uses), (2) `GET /api/v1/opportunities` and
(3) `GET /` (HTML), A B C A B C in one run so every target sees the same drift of a shared
machine. Load: wrk with 16 keep-alive connections (a Lua script walks the request list from
a random offset per thread); `--client httpx` uses an asyncio/httpx generator instead.

    .venv/bin/python -m bench.bench_search_distinct [--docs 20000] [--searches 4000]
        [--connections 16] [--seconds 40] [--rounds 2] [--workers 1] [--client wrk|httpx]

The last stdout line is `BENCH-JSON: {...}` for bench/run_all.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import tempfile
import time
import urllib.parse
from pathlib import Path

import httpx
import msgspec

from bench.bench_search import CITIES, KINDS, Tally, load, start_server, synthetic_documents
from bench.report import emit, row
from board.browse.params import canonical_pairs, parse_search
from board.core import vocab
from board.core.search_spec import INDEX_SPEC
from search import sync
from search.client import MeiliClient
from search.engine import build_queries
from search.server import LocalMeili

TEXTS = ["cardiology", "research", "pediatrics", "surgery clinic", "observership houston",
         "neurolgy", "hands-on", "teaching rounds", "mentorship letter", "inpatient ward",
         "oncology", "internal medicine", "shadowing", "academic program", "community hospital"]
SORTS = ["relevance", "newest", "deadline", "fee"]
# Lua for wrk: one request per line of REQUESTS ("GET<TAB>path" or "POST<TAB>path<TAB>body"),
# each thread from its own random offset; done() prints one JSON line wrk's summary lacks.
WRK_LUA = r"""
local lines = {}
for line in io.lines(os.getenv("BENCH_REQUESTS")) do lines[#lines + 1] = line end
local threads = {}
function setup(thread) thread:set("id", #threads + 1); threads[#threads + 1] = thread end
function init(args)
  math.randomseed(id * 7919 + os.time())
  pos = math.random(#lines)
  headers = {["Content-Type"] = "application/json",
             ["Authorization"] = "Bearer " .. os.getenv("BENCH_KEY")}
  pages = {["Cookie"] = os.getenv("BENCH_COOKIE")}
end
function request()
  pos = pos % #lines + 1
  local method, path, body = lines[pos]:match("^(%u+)\t([^\t]+)\t?(.*)$")
  if method == "POST" then return wrk.format("POST", path, headers, body) end
  return wrk.format("GET", path, pages)
end
function done(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRK-JSON {"requests": %d, "seconds": %f, "p99_us": %d, "p50_us": %d, ' ..
    '"errors": %d, "kinds": "connect %d read %d write %d status %d timeout %d"}\n',
    summary.requests, summary.duration / 1e6, latency:percentile(99), latency:percentile(50),
    e.connect + e.read + e.write + e.status + e.timeout, e.connect, e.read, e.write, e.status,
    e.timeout))
end
"""


def distinct_searches(rng: random.Random, count: int) -> list[list[tuple[str, str]]]:
    """`count` different search-page parameter lists, as a varied user base produces them."""
    specialties = vocab.main_specialties()
    states = sorted({s for _, s in CITIES})
    seen: set[tuple] = set()
    out: list[list[tuple[str, str]]] = []
    while len(out) < count:
        p: list[tuple[str, str]] = []
        if rng.random() < 0.6:
            p.append(("q", rng.choice(TEXTS)))
        if rng.random() < 0.7:
            p += [("state", s) for s in rng.sample(states, rng.randint(1, 2))]
        if rng.random() < 0.6:
            p.append(("specialty", rng.choice(specialties)))
        if rng.random() < 0.4:
            p.append(("kind", rng.choice(KINDS)))
        if rng.random() < 0.3:
            p.append(("hands_on", "true"))
        p.append(("sort", rng.choice(SORTS)))
        # The URL the search form leads to: a default parameter would get the page's 302 to
        # its canonical URL, a cheap answer that is not a search.
        p = canonical_pairs(p)
        key = tuple(sorted(p))
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out


class Result:
    """One target's figures summed over rounds: requests, seconds, per-round p99s, CPU."""

    def __init__(self, name: str):
        self.name, self.requests, self.seconds, self.errors = name, 0, 0.0, 0
        self.p99s: list[float] = []
        self.cpu_meili = self.cpu_web = self.cpu_load = 0.0

    def add(self, requests: int, seconds: float, p99_ms: float, errors: int,
            cpu: tuple[float, float, float]) -> None:
        self.requests += requests
        self.seconds += seconds
        self.errors += errors
        self.p99s.append(p99_ms)
        self.cpu_meili += cpu[0]
        self.cpu_web += cpu[1]
        self.cpu_load += cpu[2]

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    @property
    def p99_ms(self) -> float:
        # The rounds are equally long: their mean p99 is the run's (the worst is printed too).
        return sum(self.p99s) / len(self.p99s) if self.p99s else 0.0


def process_tree(pid: int) -> tuple[int, ...]:
    """`pid` and its children (uvicorn's workers when --workers > 1)."""
    try:
        kids = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        kids = []
    return (pid, *(int(k) for k in kids))


def cpu_seconds(pids: tuple[int, ...]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


def rss_mb(pids: tuple[int, ...]) -> float:
    total = 0
    for pid in pids:
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


def load_cpu() -> float:
    """CPU of the load generator so far: finished child processes (wrk) and this process
    (the httpx client; idle while wrk runs)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime + time.process_time()


def run_wrk(base_url: str, requests_file: Path, lua: Path, key: str, seconds: float,
            connections: int, cookie: str = "") -> tuple[int, float, float, int]:
    env = {**os.environ, "BENCH_REQUESTS": str(requests_file), "BENCH_KEY": key,
           "BENCH_COOKIE": cookie}
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "--timeout", "10s",
                          "-s", str(lua), base_url], env=env, capture_output=True, text=True,
                         check=True).stdout
    data = json.loads(next(line for line in out.splitlines()
                           if line.startswith("WRK-JSON "))[len("WRK-JSON "):])
    if data["errors"]:
        print(f"  wrk errors against {base_url}: {data['kinds']}", flush=True)
    return data["requests"], data["seconds"], data["p99_us"] / 1000, data["errors"]


async def run_httpx(send, jobs: list, seconds: float, connections: int
                    ) -> tuple[int, float, float, int]:
    tally = Tally("round")
    await load(tally, send, random.sample(jobs, len(jobs)), connections, seconds, 10**9)
    return len(tally.latencies), tally.elapsed, tally.p99_ms, tally.errors


async def run(args: argparse.Namespace, tmp: Path, meili: LocalMeili) -> list[Result]:
    rng = random.Random(args.seed)
    index = "bench_search"
    client = MeiliClient(meili.url, meili.master_key, timeout=30.0)
    started = time.perf_counter()
    await sync.apply_settings(client, index, INDEX_SPEC)
    docs = synthetic_documents(args.docs, rng)
    await client.wait_task(await client.add_ndjson(
        index, b"\n".join(msgspec.json.encode(d) for d in docs)), timeout=300)
    await client.aclose()
    print(f"indexed {args.docs} listings in {time.perf_counter() - started:.1f} s", flush=True)
    searches = distinct_searches(rng, args.searches)
    queries = [urllib.parse.urlencode(p) for p in searches]
    bodies = [msgspec.json.encode({"queries": build_queries(
        index, parse_search(_multi(p)), INDEX_SPEC)}).decode() for p in searches]
    files = {"raw": tmp / "raw.tsv", "api": tmp / "api.tsv", "html": tmp / "html.tsv"}
    files["raw"].write_text("".join(f"POST\t/multi-search\t{b}\n" for b in bodies))
    files["api"].write_text("".join(f"GET\t/api/v1/opportunities?{q}\n" for q in queries))
    files["html"].write_text("".join(f"GET\t/?{q}\n" for q in queries))
    lua = tmp / "bench.lua"
    lua.write_text(WRK_LUA)
    proc, url = start_server(tmp, meili, index, cache=True, workers=args.workers)
    results = [Result("raw Meilisearch"), Result("JSON API"), Result("HTML page")]
    names = ["raw", "api", "html"]
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {meili.master_key}"}
    spy = None
    try:
        web = process_tree(proc.pid)
        if args.profile:  # py-spy samples the web process; SIGINT makes it write the file
            spy = subprocess.Popen([args.py_spy, "record", "--pid", str(proc.pid), "--nonblocking",
                                    "--format", "raw", "--gil", "-r", "250", "-o", args.profile],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        # A visitor's browser sends back the CSRF cookie its first page set; without it every
        # page would mint and sign a new token, which only a first visit does.
        first = httpx.get(url + "/", timeout=30)
        cookie = "; ".join(f"{k}={v}" for k, v in first.cookies.items())
        async with httpx.AsyncClient(limits=httpx.Limits(max_connections=args.connections),
                                     timeout=30, cookies=first.cookies) as http:
            async def raw(body: str) -> bool:
                r = await http.post(f"{meili.url}/multi-search", content=body, headers=headers)
                return r.status_code == 200

            async def api(qs: str) -> bool:
                return (await http.get(f"{url}/api/v1/opportunities?{qs}")).status_code == 200

            async def page(qs: str) -> bool:
                return (await http.get(f"{url}/?{qs}")).status_code == 200

            senders = {"raw": (raw, bodies), "api": (api, queries), "html": (page, queries)}
            per = args.seconds / args.rounds
            for round_ in range(args.rounds + 1):  # round 0 warms connections and templates
                for name, result in zip(names, results, strict=True):
                    if name not in args.targets:
                        continue
                    meili_pid = (meili.process.pid,)  # type: ignore[union-attr]
                    # The load generator's CPU too: on 2 cores it competes with both servers,
                    # and a response that costs it more (two reads for one answer) shows.
                    cpu = cpu_seconds(meili_pid), cpu_seconds(web), load_cpu()
                    seconds = per if round_ else 2.0
                    if args.client == "wrk":
                        base = meili.url if name == "raw" else url
                        figures = run_wrk(base, files[name], lua, meili.master_key, seconds,
                                          args.connections, cookie)
                    else:
                        send, jobs = senders[name]
                        figures = await run_httpx(send, jobs, seconds, args.connections)
                    if round_:
                        result.add(*figures, cpu=(cpu_seconds(meili_pid) - cpu[0],
                                                  cpu_seconds(web) - cpu[1],
                                                  load_cpu() - cpu[2]))
                        print(f"  round {round_} {result.name:<16} {figures[0] / figures[1]:>7.1f}"
                              f" req/s  p99 {figures[2]:>6.1f} ms  load {os.getloadavg()[0]:.2f}",
                              flush=True)
        problems = [line for line in (tmp / "server.log").read_text(errors="replace").splitlines()
                    if "WARNING" in line or "ERROR" in line]
        if problems:
            print(f"server log: {len(problems)} warnings/errors, first: {problems[0][:300]}")
        print(f"web server RSS after the run: {rss_mb(web):.0f} MB "
              f"({len(web)} process{'es' if len(web) > 1 else ''})", flush=True)
    finally:
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(60)
        proc.terminate()
        proc.wait(15)
    return results


def report(results: list[Result], args: argparse.Namespace) -> None:
    raw = results[0]
    print(f"\n{args.searches} distinct searches, {args.docs} listings, {args.connections} "
          f"connections, {args.client}, {args.workers} web worker(s), load average "
          f"{os.getloadavg()[0]:.2f}")
    print("| target | requests/s | p99 (mean of rounds / worst) | ratio to raw | Meilisearch CPU "
          "ms/req | web CPU ms/req | load generator CPU ms/req | errors |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    results = [r for r in results if r.requests]  # the targets --targets left out
    for r in results:
        per = 1000 / r.requests if r.requests else 0.0
        web = f"{r.cpu_web * per:.2f}" if r is not raw else "-"
        print(f"| {r.name} | {r.rps:.0f} | {r.p99_ms:.0f} ms / {max(r.p99s):.0f} ms "
              f"| {r.rps / (raw.rps or 1):.2f} | {r.cpu_meili * per:.2f} | {web} "
              f"| {r.cpu_load * per:.2f} | {r.errors} |")
    goals = {"JSON API": 0.8, "HTML page": 0.6}
    for r in results[1:]:
        goal = goals[r.name]
        print(f"{r.name}/raw: {r.rps / (raw.rps or 1):.2f} (goal >= {goal}); p99 ratio "
              f"{r.p99_ms / (raw.p99_ms or 1):.2f} (goal <= 2)")
    rows = [{**row(r.name, r.rps, "req/s", r.rps / (raw.rps or 1),
                   f">= {goals[r.name]}" if r.name in goals else None),
             "p99_ms": round(r.p99_ms, 1)} for r in results]
    emit("search_distinct", rows)


def _multi(pairs: list[tuple[str, str]]):
    from litestar.datastructures import MultiDict

    return MultiDict(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--searches", type=int, default=4_000)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=40.0, help="per target, all rounds")
    parser.add_argument("--rounds", type=int, default=2, help="A B C rounds after a warm-up")
    parser.add_argument("--workers", type=int, default=1, help="uvicorn worker processes")
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--client", choices=("wrk", "httpx"),
                        default="wrk" if shutil.which("wrk") else "httpx")
    parser.add_argument("--profile", metavar="FILE",
                        help="py-spy the web process over the run (collapsed stacks into FILE)")
    parser.add_argument("--py-spy", default=shutil.which("py-spy") or "py-spy")
    parser.add_argument("--quick", action="store_true", help="2k listings, 400 searches, 8 s")
    parser.add_argument("--targets", default="raw,api,html",
                        help="comma-separated subset of raw,api,html (raw is the ratios' base)")
    args = parser.parse_args()
    args.targets = {t.strip() for t in args.targets.split(",")} | {"raw"}
    if args.quick:
        args.docs, args.searches, args.seconds, args.rounds = 2_000, 400, 8.0, 1
    if args.client == "httpx":
        print("wrk not found: using the asyncio/httpx load generator (keep-alive), which "
              "spends the same cores as the servers", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-distinct-") as tmp:
        meili = LocalMeili(Path(tmp) / "meili", os.environ.get("MEILI_BIN", ""))
        meili.start()
        try:
            results = asyncio.run(run(args, Path(tmp), meili))
        finally:
            meili.stop()
    report(results, args)


if __name__ == "__main__":
    main()
