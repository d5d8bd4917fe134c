"""Search benchmark: 20k synthetic listings in a fresh Meilisearch index, then the same mix of
searches sent by a load generator to (1) raw Meilisearch running the identical multi-search
body, (2) our JSON API and (3) our HTML page, both served by uvicorn in a subprocess.
Prints throughput and p99 for each and the ratios against raw Meilisearch.

    .venv/bin/python -m bench.bench_search [--quick] [--docs 20000] [--workers 16]
        [--seconds 12] [--rounds 4] [--no-cache] [--profile]

With --profile every search carries an eligibility profile (graduation year, USMLE, visa,
student: eligible-only filtering in the engine, verdicts and warnings per hit) and selects two
of the issue-14 facets (payee, setting).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import subprocess
import sys
import tempfile
import time
from http.cookiejar import DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import msgspec

from bench.report import emit, row
from board.browse.params import canonical_pairs, parse_search
from board.core import vocab
from board.core.geo import locate_city
from board.core.search_spec import INDEX_SPEC
from board.reviews.summary import public_summary
from search import sync
from search.client import MeiliClient
from search.documents import build_document
from search.engine import build_queries
from search.server import LocalMeili, free_port

CITIES = [("Houston", "TX"), ("Dallas", "TX"), ("Austin", "TX"), ("Chicago", "IL"),
          ("New York", "NY"), ("Brooklyn", "NY"), ("Boston", "MA"), ("Miami", "FL"),
          ("Tampa", "FL"), ("Cleveland", "OH"), ("Columbus", "OH"), ("Seattle", "WA"),
          ("Los Angeles", "CA"), ("San Diego", "CA"), ("Phoenix", "AZ"), ("Atlanta", "GA"),
          ("Detroit", "MI"), ("Baltimore", "MD"), ("Philadelphia", "PA"), ("Pittsburgh", "PA"),
          ("Nashville", "TN"), ("Denver", "CO"), ("Minneapolis", "MN"), ("Newark", "NJ")]
WORDS = ("rounds clinic attending resident inpatient outpatient ward teaching conference case "
         "patients research publication mentorship letter hands-on observation shadowing "
         "department hospital academic community university program weeks rotation").split()
KINDS = vocab.KINDS


def synthetic_documents(count: int, rng: random.Random) -> list[dict[str, Any]]:
    specialties = vocab.main_specialties()
    now = int(time.time())
    docs = []
    for n in range(1, count + 1):
        city, state = rng.choice(CITIES)
        lat, lng = locate_city(city, state) or (None, None)
        specialty = rng.choice(specialties)
        kind = rng.choice(KINDS)
        published = now - rng.randint(0, 50) * 86400
        docs.append(build_document({
            "id": n, "title": f"{specialty} {kind} at {city} program {n % 97}",
            "description": " ".join(rng.choice(WORDS) for _ in range(40)), "kind": kind,
            "specialty": specialty, "state": state, "state_name": vocab.states()[state],
            "city": city, "institution_name": f"{city} General Hospital {n % 13}",
            "institution_verified": rng.random() < 0.8, "status": "published",
            "fee_usd": rng.choice((0, 0, 0, 100, 250, 500, 1000, 2500)),
            "duration_weeks": rng.choice((2, 4, 4, 8, 12)),
            "max_years_since_graduation": rng.choice((None, None, 3, 5, 10)),
            "published_at": _iso(published), "updated_at": _iso(published),
            "expires_at": _iso(published + 60 * 86400),
            "application_deadline": time.strftime("%Y-%m-%d", time.gmtime(
                published + rng.randint(10, 90) * 86400)),
            "latitude": lat, "longitude": lng,
            **{b: rng.random() < 0.4 for b in (
                "remote", "hands_on", "lor_offered", "ecfmg_required", "usmle_step1_required",
                "usmle_step2ck_required", "b1b2_accepted", "j1_sponsored")},
            **img_facts(rng),
            "reviews": synthetic_reviews(rng),
        }, INDEX_SPEC.bool_fields, INDEX_SPEC.plain_fields))
    return docs


def synthetic_reviews(rng: random.Random) -> dict[str, Any]:
    """The review summary a real document carries (board.indexing.gateway.load_rows): most
    listings have none, some one or two (count only), a few enough for scores."""
    count = rng.choice((0, 0, 0, 0, 1, 2, 3, 5))
    rows = [{"overall": rng.randint(1, 5), "teaching": rng.randint(1, 5),
             "hands_on": rng.randint(1, 5), "organisation": rng.randint(1, 5),
             "letter": rng.choice(("yes", "no", "did_not_ask")),
             "costs_as_advertised": rng.random() < 0.8} for _ in range(count)]
    return public_summary(rows)


def _maybe(rng: random.Random, value: Any, stated: float = 0.7) -> Any:
    return value if rng.random() < stated else None  # the rest: not stated


def img_facts(rng: random.Random) -> dict[str, Any]:
    """The issue-14 facts, each left not stated for about a third of the listings."""
    visas = ("b1b2", "j1", "f1", "h1b", "h4", "ead", "permanent_resident", "citizen")
    return {
        "payee": _maybe(rng, rng.choice(("institution", "physician", "intermediary"))),
        "setting": _maybe(rng, rng.choice(("inpatient", "outpatient", "both"))),
        "refund_policy": _maybe(rng, rng.choice(("full", "partial", "visa_denial_only", "none"))),
        "lor_policy": _maybe(rng, rng.choice(("none", "on_request", "standard"))),
        "hands_on_level": _maybe(rng, rng.randint(0, 4)),
        "open_to": _maybe(rng, rng.choice((["graduate"], ["student"], ["student", "graduate"]))),
        "visa_statuses": _maybe(rng, sorted(rng.sample(visas, rng.randint(1, 4)))),
    }


PROFILE = [("graduation_year", "2020"), ("usmle", "step1"), ("visa", "b1b2"),
           ("student", "false")]


def _iso(ts: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts))


def query_mix(rng: random.Random, count: int, profile: bool = False
              ) -> list[list[tuple[str, str]]]:
    """Search page parameter lists a visitor would produce: text, facets, eligibility,
    distance and sorts, mixed (with `profile`: the profile and two new facets on every one)."""
    specialties = vocab.main_specialties()
    mix = []
    for _ in range(count):
        p: list[tuple[str, str]] = []
        if rng.random() < 0.4:
            p.append(("q", rng.choice(["cardiology", "research", "pediatrics", "surgery clinic",
                                       "observership houston", "neurolgy", "hands-on"])))
        if rng.random() < 0.5:
            p += [("state", s) for s in rng.sample([s for _, s in CITIES], rng.randint(1, 3))]
        if rng.random() < 0.4:
            p.append(("specialty", rng.choice(specialties)))
        if rng.random() < 0.3:
            p.append(("kind", rng.choice(KINDS)))
        if rng.random() < 0.3:
            p.append(("hands_on", "true"))
        if rng.random() < 0.3:
            p.append(("fee_max", str(rng.choice((0, 500)))))
        if profile:
            p += PROFILE
            p += [("payee", v) for v in rng.sample(("institution", "physician"), rng.randint(1, 2))]
            p += [("setting", rng.choice(("outpatient", "both")))]
        elif rng.random() < 0.2:
            p += [("graduation_year", "2019"), ("usmle", "step1")]
        if rng.random() < 0.15:
            p += [("near", "Houston, TX"), ("radius_miles", "100")]
        p.append(("sort", rng.choice(["relevance", "newest", "deadline", "fee"])))
        mix.append(canonical_pairs(p))  # the form's URL: a default parameter would be a 302
    return mix


class Tally:
    """Requests, errors, busy time and latencies of one target, summed over rounds."""

    def __init__(self, name: str, pids: tuple[int, ...] = ()):
        self.name = name
        self.pids = pids  # processes whose CPU time this target costs
        self.latencies: list[float] = []
        self.errors = 0
        self.elapsed = 0.0
        self.cpu = 0.0

    @property
    def rps(self) -> float:
        return len(self.latencies) / self.elapsed if self.elapsed else 0.0

    @property
    def p99_ms(self) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000 if ordered else 0.0

    def report(self) -> None:
        cpu = self.cpu / len(self.latencies) * 1000 if self.latencies else 0.0
        print(f"{self.name:<16} {len(self.latencies):>6} req  {self.rps:>8.1f} req/s  "
              f"p99 {self.p99_ms:>7.1f} ms  server CPU {cpu:>5.2f} ms/req  errors {self.errors}",
              flush=True)


def cpu_seconds(pids: tuple[int, ...]) -> float:
    """User + system CPU time of processes (Linux /proc), 0 where unavailable."""
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        except (OSError, ValueError, IndexError):
            pass
    return total


async def load(tally: Tally, send, jobs: list[Any], workers: int, seconds: float,
               max_requests: int) -> None:
    """`workers` concurrent loops over `jobs` for `seconds` (or `max_requests`)."""
    counter = iter(range(max_requests))
    stop_at = time.perf_counter() + seconds

    async def worker() -> None:
        for i in counter:
            if time.perf_counter() > stop_at:
                return
            started = time.perf_counter()
            ok = await send(jobs[i % len(jobs)])
            tally.latencies.append(time.perf_counter() - started)
            tally.errors += not ok

    began, cpu = time.perf_counter(), cpu_seconds(tally.pids)
    await asyncio.gather(*(worker() for _ in range(workers)))
    tally.elapsed += time.perf_counter() - began
    tally.cpu += cpu_seconds(tally.pids) - cpu


def start_server(tmp: Path, meili: LocalMeili, index: str, cache: bool, workers: int = 1
                 ) -> tuple[subprocess.Popen, str]:
    port = free_port()
    env = {**os.environ, **({} if cache else {"BENCH_NO_CACHE": "1"}),
           "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite'}",
           "PICCOLO_CONF": "board.piccolo_conf", "MEILI_URL": meili.url,
           "MEILI_MASTER_KEY": meili.master_key, "MEILI_INDEX": index,
           "BOARD_VAR_DIR": str(tmp / "var"), "BASE_URL": f"http://127.0.0.1:{port}"}
    log = (tmp / "server.log").open("wb")
    proc = subprocess.Popen([sys.executable, "-m", "bench.search_server", str(port), str(workers)],
                            env=env, stdout=log, stderr=subprocess.STDOUT, cwd=Path(__file__).parent.parent)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 400  # a loaded machine, several workers: startup is slow
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("error: the web server exited: "
                             + (tmp / "server.log").read_text(errors="replace")[-800:])
        try:
            if httpx.get(f"{url}/api/v1/opportunities?per_page=1", timeout=1).status_code == 200:
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.terminate()
    raise SystemExit("error: the web server did not answer within 400 s")


async def run(args: argparse.Namespace, tmp: Path, meili: LocalMeili) -> list[dict]:
    rng = random.Random(42)
    index = "bench_search"
    client = MeiliClient(meili.url, meili.master_key, timeout=30.0)
    started = time.perf_counter()
    await sync.apply_settings(client, index, INDEX_SPEC)
    docs = synthetic_documents(args.docs, rng)
    payload = b"\n".join(msgspec.json.encode(d) for d in docs)
    await client.wait_task(await client.add_ndjson(index, payload), timeout=300)
    print(f"indexed {args.docs} listings in {time.perf_counter() - started:.1f} s", flush=True)
    mix = query_mix(rng, 60, profile=args.profile)
    bodies = [msgspec.json.encode({"queries": build_queries(index, parse_search(_multi(p)), INDEX_SPEC)})
              for p in mix]
    proc, url = start_server(tmp, meili, index, cache=not args.no_cache)
    headers = {"Content-Type": "application/json", "Authorization": f"Bearer {meili.master_key}"}
    limits = httpx.Limits(max_connections=args.workers, max_keepalive_connections=args.workers)
    try:
        async with httpx.AsyncClient(limits=limits, timeout=30) as http:
            # Each search stands for a different visitor: no saved-profile cookie carries
            # over (it would turn a search without a profile into a redirect to one).
            http.cookies.jar.set_policy(DefaultCookiePolicy(allowed_domains=[]))
            async def raw(body: bytes) -> bool:
                r = await http.post(f"{meili.url}/multi-search", content=body, headers=headers)
                return r.status_code == 200

            async def api(params) -> bool:
                return (await http.get(f"{url}/api/v1/opportunities", params=params)).status_code == 200

            async def page(params) -> bool:
                # A browser follows the page's redirect (the saved profile added to the URL).
                return (await http.get(f"{url}/", params=params,
                                       follow_redirects=True)).status_code == 200

            meili_pid, web_pid = meili.process.pid, proc.pid  # type: ignore[union-attr]
            targets = [(Tally("raw Meilisearch", (meili_pid,)), raw, bodies),
                       (Tally("JSON API", (meili_pid, web_pid)), api, mix),
                       (Tally("HTML page", (meili_pid, web_pid)), page, mix)]
            for _, send, jobs in targets:  # warm-up: connections, caches, first renders
                await load(Tally("warm-up"), send, jobs, args.workers, 1.0, 300)
            # Short interleaved rounds: the machine's load drifts, and each target should
            # see the same drift, so the ratios stay meaningful.
            for _ in range(args.rounds):
                for tally, send, jobs in targets:
                    await load(tally, send, jobs, args.workers, args.seconds / args.rounds,
                               args.max_requests // args.rounds)
    finally:
        proc.terminate()
        proc.wait(10)
        await client.aclose()
    for tally, _, _ in targets:
        tally.report()
    base = targets[0][0].rps or 1.0
    rows = []
    for (tally, _, _), goal in zip(targets[1:], (0.6, 0.5), strict=True):
        print(f"{tally.name}/raw throughput ratio: {tally.rps / base:.2f} (goal >= {goal}); "
              f"p99 ratio {tally.p99_ms / (targets[0][0].p99_ms or 1.0):.2f}", flush=True)
        rows.append(row(f"{tally.name} vs raw Meilisearch ({args.docs} docs)", tally.rps, "req/s",
                        tally.rps / base, f">= {goal}"))
    return rows


def _multi(pairs: list[tuple[str, str]]):
    from litestar.datastructures import MultiDict

    return MultiDict(pairs)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--docs", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=12.0, help="per target, all rounds")
    parser.add_argument("--max-requests", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=4)
    parser.add_argument("--profile", action="store_true",
                        help="an eligibility profile and two new facets on every search")
    parser.add_argument("--no-cache", action="store_true",
                        help="serve without the hot-query cache (every search asks Meilisearch)")
    parser.add_argument("--quick", action="store_true", help="2k listings, 4 s per target")
    args = parser.parse_args()
    if args.quick:
        args.docs, args.seconds, args.rounds = 2_000, 4.0, 2
    with tempfile.TemporaryDirectory(prefix="bench-search-") as tmp:
        meili = LocalMeili(Path(tmp) / "meili", os.environ.get("MEILI_BIN", ""))
        meili.start()
        try:
            rows = asyncio.run(run(args, Path(tmp), meili))
        finally:
            meili.stop()
    emit("search", rows)


if __name__ == "__main__":
    main()
