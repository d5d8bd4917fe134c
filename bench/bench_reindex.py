"""A full `board reindex` of N listings (default 100k) against the raw baseline: the same
Meilisearch ingesting the same documents as one NDJSON payload, measured in the same run.

    .venv/bin/python -m bench.bench_reindex [--quick] [--count 100000] [--batch 5000]

Everything lives in a temporary directory: a migrated SQLite store filled with demo-like
listings, and a Meilisearch of its own. Prints documents/second for both and the ratio
(goal: >= 0.8)."""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")

from bench.report import emit, row  # noqa: E402


async def fill_store(count: int, distinct: int = 2000) -> None:
    """`distinct` realistic listings from the demo seeder, then copies of them (each with
    its own title) inserted in bulk until the store holds `count`."""
    import datetime as dt

    from board.seed import seed_demo
    from board.store.tables import Opportunity, OutboxEvent

    await seed_demo(min(count, distinct))
    # A steady-state store: the seed's outbox events were drained long ago.
    await OutboxEvent.update({OutboxEvent.status: "done",
                              OutboxEvent.done_at: dt.datetime(2020, 1, 1, tzinfo=dt.UTC)}).where(
        OutboxEvent.status == "pending").run()
    templates = await Opportunity.select(Opportunity.all_columns(exclude=[Opportunity.id])).run()
    made = len(templates)
    while made < count:
        chunk = []
        for template in templates[: min(500, count - made)]:
            made += 1
            chunk.append(Opportunity(**{**template, "title": f"{template['title']} {made}"}))
        await Opportunity.insert(*chunk).run()


async def raw_baseline(client, payload: bytes, count: int) -> float:
    from board.core.search_spec import INDEX_SPEC
    from search import sync

    await client.delete_index("raw")
    await sync.apply_settings(client, "raw", INDEX_SPEC)
    start = time.perf_counter()
    task = await client.add_ndjson("raw", payload, timeout=600)
    await client.wait_task(task, timeout=1800)
    seconds = time.perf_counter() - start
    indexed = int((await client.stats("raw"))["numberOfDocuments"])
    assert indexed == count, f"raw baseline indexed {indexed} of {count}"
    await client.delete_index("raw")
    return seconds


async def main(count: int, batch: int) -> None:
    from board.indexing.gateway import SearchGateway, document_from_row, load_rows
    from board.indexing.reindex import ndjson, reindex
    from board.store import engine as db
    from search.client import MeiliClient
    from search.server import LocalMeili

    # The baseline's single payload is over Meilisearch's default 100 MB request limit.
    os.environ["MEILI_HTTP_PAYLOAD_SIZE_LIMIT"] = "2Gb"
    tmp = Path(tempfile.mkdtemp(prefix="bench-reindex-"))
    db.configure(f"sqlite:///{tmp / 'bench.sqlite'}")
    await db.open_store()
    await db.migrate()
    start = time.perf_counter()
    await fill_store(count)
    print(f"store: {count} listings in {time.perf_counter() - start:.1f}s")

    with LocalMeili(tmp / "meili") as meili:
        client = MeiliClient(meili.url, meili.master_key, timeout=60)
        try:
            rows = await load_rows(visible_only=True)
            payload = ndjson([document_from_row(r) for r in rows])
            print(f"documents: {len(rows)}, NDJSON payload {len(payload) / 1e6:.1f} MB")
            raw_s = await raw_baseline(client, payload, len(rows))
            result = await reindex(SearchGateway(client, "live"), batch=batch, task_timeout=1800)
            assert result.documents == len(rows)
        finally:
            await client.aclose()
    await db.close_store()
    shutil.rmtree(tmp, ignore_errors=True)

    raw_rate, ours_rate = len(rows) / raw_s, result.documents / result.seconds
    print(f"raw NDJSON ingest : {raw_s:7.1f}s  {raw_rate:9.0f} docs/s")
    print(f"board reindex     : {result.seconds:7.1f}s  {ours_rate:9.0f} docs/s "
          f"(batch {batch}, store read + documents + build + check + swap)")
    print(f"ratio reindex/raw : {ours_rate / raw_rate:.2f}  (goal >= 0.80)")
    emit("reindex", [row(f"board reindex vs raw NDJSON ingest ({count} docs)", ours_rate, "docs/s",
                         ours_rate / raw_rate, ">= 0.8")])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5000)
    parser.add_argument("--quick", action="store_true", help="10k listings")
    args = parser.parse_args()
    if args.quick:
        args.count = 10_000
    asyncio.run(main(args.count, args.batch))
