"""Resident memory of one web process, as production runs it: `board serve --no-scheduler`
(one uvicorn worker, the embedded Meilisearch in its own process, not counted) over the demo
data, after serving searches (text, facets, `near` by city and by ZIP) and listing pages.

Prints VmRSS of the web process (from /proc) right after start and after the traffic, and
its peak (VmHWM), each as a ratio of the 120 MB budget per worker. It also checks that the
server said "serving" only once the demo data was searchable (every seeded listing found).

    .venv/bin/python -m bench.bench_memory [--count 300] [--requests 200] [--quick]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from bench.report import emit, row

BUDGET_MB = 120.0
PLACES = ["Houston, TX", "Chicago, IL", "New York, NY", "Boston, MA", "Saint Louis, MO",
          "10001", "77030", "60611", "94110"]
WORDS = ["cardiology", "research", "observership", "surgery", "clinic", "mentorship", ""]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> dict[str, float]:
    status = Path(f"/proc/{pid}/status").read_text()
    return {k: int(re.search(rf"{k}:\s+(\d+) kB", status).group(1)) / 1024
            for k in ("VmRSS", "VmHWM")}


def board(env: dict[str, str], *args: str) -> None:
    subprocess.run([sys.executable, "-m", "board", *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def wait_serving(proc: subprocess.Popen, port: int, timeout: float = 120.0) -> None:
    """Read the server's output until it says "serving", then until /healthz answers."""
    deadline = time.monotonic() + timeout
    for line in proc.stdout:
        if "serving on" in line:
            break
        if time.monotonic() > deadline:
            raise SystemExit("board serve did not say 'serving' in time")
    else:
        raise SystemExit(f"board serve exited ({proc.wait()}) before serving")
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code < 500:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise SystemExit("/healthz did not answer")


def traffic(base: str, requests: int, rng: random.Random) -> tuple[int, int]:
    """Searches (API and page) and listing pages; returns (requests sent, listings found)."""
    with httpx.Client(base_url=base, timeout=30) as client:
        first = client.get("/api/v1/opportunities", params={"per_page": 50}).json()
        found = int(first["total"])
        deadline = time.monotonic() + 120
        while not first["hits"] and time.monotonic() < deadline:  # not ready at "serving"
            time.sleep(0.5)
            first = client.get("/api/v1/opportunities", params={"per_page": 50}).json()
        ids = [h["id"] for h in first["hits"]]
        for n in range(requests):
            pick = n % 4
            params = {"q": rng.choice(WORDS)}
            if pick == 0:
                params |= {"near": rng.choice(PLACES), "radius_miles": 200}
            if pick == 1:
                client.get(f"/opportunities/{rng.choice(ids)}").raise_for_status()
                continue
            path = "/" if pick == 2 else "/api/v1/opportunities"
            client.get(path, params=params).raise_for_status()
    return requests, found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="demo listings to seed")
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--quick", action="store_true", help="fewer requests")
    args = parser.parse_args()
    requests = 100 if args.quick or os.environ.get("BENCH_QUICK") else args.requests
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as tmp:
        port = free_port()
        env = {**os.environ, "BOARD_VAR_DIR": tmp, "PORT": str(port), "HOST": "127.0.0.1",
               "DATABASE_URL": f"sqlite:///{tmp}/board.sqlite"}
        for name in ("MEILI_URL", "MEILI_MASTER_KEY", "REDIS_URL"):
            env.pop(name, None)  # the embedded Meilisearch, a store of our own
        board(env, "migrate")
        board(env, "seed", "--demo", "--count", str(args.count))
        proc = subprocess.Popen([sys.executable, "-m", "board", "serve", "--no-scheduler"],
                                env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                text=True)
        try:
            wait_serving(proc, port)
            started = rss_mb(proc.pid)
            sent, found = traffic(f"http://127.0.0.1:{port}", requests, random.Random(7))
            after = rss_mb(proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
    print(f"web process, {args.count} demo listings, {sent} requests "
          f"(first search found {found} of {args.count})")
    rows = [("rss after start", started["VmRSS"]), ("rss after traffic", after["VmRSS"]),
            ("rss peak", after["VmHWM"])]
    for label, mb in rows:
        print(f"  {label:<18} {mb:7.1f} MB  ({mb / BUDGET_MB:.2f} of the {BUDGET_MB:.0f} MB budget)")
    if found != args.count:
        print(f"  NOT READY: 'serving' was printed with {found} of {args.count} listings searchable")
    emit("memory", [row(f"web worker {label} vs {BUDGET_MB:.0f} MB budget", mb, "MB", mb / BUDGET_MB,
                        "<= 1") for label, mb in rows]
         + [row("listings searchable at 'serving'", found, "listings", found / args.count, "1")])


if __name__ == "__main__":
    main()
