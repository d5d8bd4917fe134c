"""The web app as `board serve` runs it (uvicorn, no scheduler), for the search benchmarks:
settings from the environment, migrations applied to its own store, access log off (a log
line per request would measure the terminal, not the app).

    python -m bench.search_server PORT [WORKERS]   (BENCH_NO_CACHE=1: without the hot-query cache)
"""

from __future__ import annotations

import asyncio
import os
import sys

import uvicorn

from board.app import create_app
from board.runtime import Runtime
from board.serve import UVICORN_OPTIONS
from board.settings import load_settings
from board.store import engine as db
from search.result_cache import ResultCache


async def _migrate(url: str) -> None:
    db.configure(url)
    await db.open_store()
    await db.migrate()
    await db.close_store()


def app():
    """The app one worker serves (a factory, so `WORKERS` > 1 builds one per process)."""
    settings = load_settings()
    runtime = Runtime.build(settings)
    if os.environ.get("BENCH_NO_CACHE"):
        runtime.gateway.cache = ResultCache(max_entries=0)  # every search asks Meilisearch
    return create_app(settings, runtime=runtime, with_scheduler=False, settle_heap=True)


def main() -> None:
    asyncio.run(_migrate(load_settings().database_url))
    workers = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    # The server stack `board serve` uses (its loop and HTTP parser), minus its log level.
    options = {**UVICORN_OPTIONS, "log_level": "warning"}
    uvicorn.run("bench.search_server:app", factory=True, host="127.0.0.1",
                port=int(sys.argv[1]), workers=workers, lifespan="on", **options)


if __name__ == "__main__":
    main()
