"""The web app as `board serve` runs it (uvicorn, one worker, no scheduler), for the search
benchmark: settings from the environment, migrations applied to its own store, access log
off (a log line per request would measure the terminal, not the app).

    python -m bench.search_server PORT      (BENCH_NO_CACHE=1: without the hot-query cache)
"""

from __future__ import annotations

import asyncio
import os
import sys

import uvicorn

from board.app import create_app
from board.runtime import Runtime
from board.settings import load_settings
from board.store import engine as db
from search.result_cache import ResultCache


async def _migrate(url: str) -> None:
    db.configure(url)
    await db.open_store()
    await db.migrate()
    await db.close_store()


def main() -> None:
    settings = load_settings()
    asyncio.run(_migrate(settings.database_url))
    runtime = Runtime.build(settings)
    if os.environ.get("BENCH_NO_CACHE"):
        runtime.gateway.cache = ResultCache(max_entries=0)  # every search asks Meilisearch
    uvicorn.run(create_app(settings, runtime=runtime, with_scheduler=False), host="127.0.0.1",
                port=int(sys.argv[1]), log_level="warning", access_log=False, lifespan="on")


if __name__ == "__main__":
    main()
