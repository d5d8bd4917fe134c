"""A full `board reindex` of N listings (default 100k) against the raw baseline: the same
Meilisearch ingesting the same documents as one NDJSON payload, measured in the same run.

    .venv/bin/python -m bench.bench_reindex [--quick] [--count 100000] [--batch N] [--rounds 2]

Everything lives in a temporary directory: a migrated SQLite store filled with demo-like
listings, and a Meilisearch of its own. To be fair to both sides:

- the engine is warmed first (its first indexing of a process loads its tokenizer data),
  so neither side pays that alone;
- the sides alternate, raw then reindex, `--rounds` times (A B A B), and the totals compare;
- each reindex starts with a cold Markdown cache, as a `board reindex` process does (the raw
  payload was built, untimed, from the same rows);
- the documents are checked to be the same: a sample of ids fetched from both indexes.

Prints documents/second of each, the ratio (goal: >= 0.9), and the CPU seconds of this
process and of the engine on each side (the machine is shared, so wall time is noisy)."""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import tempfile
import time
from pathlib import Path

os.environ.setdefault("PICCOLO_CONF", "board.piccolo_conf")

from bench.report import emit, row  # noqa: E402

GOAL = 0.9


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


def cpu_seconds(pid: int) -> float:
    """User + system CPU of a process so far (from /proc)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


class Side:
    """Wall and CPU seconds summed over the rounds of one side."""

    def __init__(self) -> None:
        self.wall = self.ours_cpu = self.engine_cpu = 0.0

    async def timed(self, engine_pid: int, work):
        engine, ours, start = cpu_seconds(engine_pid), time.process_time(), time.perf_counter()
        result = await work
        self.wall += time.perf_counter() - start
        self.ours_cpu += time.process_time() - ours
        self.engine_cpu += cpu_seconds(engine_pid) - engine
        return result


async def ingest_raw(client, payload: bytes, count: int) -> None:
    task = await client.add_ndjson("raw", payload, timeout=600)
    await client.wait_task(task, timeout=1800)
    indexed = int((await client.stats("raw"))["numberOfDocuments"])
    assert indexed == count, f"raw baseline indexed {indexed} of {count}"


async def warm_up(client, docs: list[dict]) -> None:
    from board.core.search_spec import INDEX_SPEC
    from board.indexing.reindex import ndjson
    from search import sync

    await sync.apply_settings(client, "warm", INDEX_SPEC)
    await client.wait_task(await client.add_ndjson("warm", ndjson(docs), timeout=600), 600)
    await client.delete_index("warm")


async def same_documents(client, ids: list[int]) -> None:
    """The raw index and the reindexed live one hold the same documents for these ids."""
    found = []
    for index in ("raw", "live"):
        data = await client.request("POST", f"/indexes/{index}/documents/fetch", {
            "filter": f"id IN [{', '.join(map(str, ids))}]", "limit": len(ids)})
        found.append({doc["id"]: doc for doc in data["results"]})
    assert len(found[0]) == len(ids) and found[0] == found[1], "the two sides' documents differ"


async def document_batches(client, index_prefix: str) -> list[int | str]:
    """The sizes of the engine's document batches for the newest index named so: the raw
    payload is one batch; the reindex's payloads are batched as they queue up while the
    engine works (each batch also re-derives prefix and facet data, so fewer is cheaper)."""
    data = await client.request("GET", "/batches", params={"limit": 200})
    newest, sizes = None, []
    for batch in data["results"]:  # newest first, back to the index's settings (its start)
        uids = list(batch["stats"].get("indexUids", {}))
        received = batch["details"].get("receivedDocuments")
        if len(uids) != 1 or not uids[0].startswith(index_prefix) or (
                newest is None and received is None) or newest not in (None, uids[0]):
            continue
        if received is None:
            break
        newest = uids[0]
        # Why the engine closed the batch (Meilisearch >= 1.15), e.g. nothing more queued.
        strategy = batch.get("batchStrategy")
        sizes.append(f"{received} ({strategy})" if strategy else received)
    return sizes[::-1]


async def main(count: int, batch: int | None, rounds: int, distinct: int,
               store: Path | None) -> None:
    from board.core.markdown import plain_text
    from board.core.search_spec import INDEX_SPEC
    from board.indexing.gateway import SearchGateway, document_from_row, load_rows
    from board.indexing.reindex import BATCH, ndjson, reindex
    from board.store import engine as db
    from search import sync
    from search.client import MeiliClient
    from search.server import LocalMeili

    batch = batch or BATCH
    # The baseline's single payload is over Meilisearch's default 100 MB request limit
    # (the reindex keeps its own payloads far below it).
    os.environ["MEILI_HTTP_PAYLOAD_SIZE_LIMIT"] = "2Gb"
    tmp = Path(tempfile.mkdtemp(prefix="bench-reindex-"))
    database = (store or tmp) / f"bench-{count}-{distinct}.sqlite"
    filled = database.exists()
    database.parent.mkdir(parents=True, exist_ok=True)
    db.configure(f"sqlite:///{database}")
    await db.open_store()
    await db.migrate()
    if not filled:
        start = time.perf_counter()
        await fill_store(count, distinct)
        print(f"store: {count} listings ({distinct} distinct descriptions) in "
              f"{time.perf_counter() - start:.1f}s")

    raw, ours = Side(), Side()
    with LocalMeili(tmp / "meili") as meili:
        client = MeiliClient(meili.url, meili.master_key, timeout=60)
        pid = meili.process.pid
        try:
            rows = await load_rows(visible_only=True)
            docs = [document_from_row(r) for r in rows]
            payload = ndjson(docs)
            print(f"documents: {len(rows)}, NDJSON payload {len(payload) / 1e6:.1f} MB")
            await warm_up(client, docs[:2000])
            for n in range(rounds):
                await client.delete_index("raw")
                await sync.apply_settings(client, "raw", INDEX_SPEC)
                await raw.timed(pid, ingest_raw(client, payload, len(rows)))
                plain_text.cache_clear()  # a `board reindex` process starts cold
                result = await ours.timed(pid, reindex(SearchGateway(client, "live"),
                                                       batch=batch, task_timeout=1800))
                assert result.documents == len(rows)
                print(f"round {n + 1}: raw {raw.wall:6.1f}s, reindex {ours.wall:6.1f}s (cumulative)")
            await same_documents(client, random.Random(7).sample([r["id"] for r in rows],
                                                                 min(1000, len(rows))))
            print(f"engine batches of the last reindex (documents each): "
                  f"{await document_batches(client, 'live_')}; of the raw side: "
                  f"{await document_batches(client, 'raw')}")
        finally:
            await client.aclose()
    await db.close_store()
    shutil.rmtree(tmp, ignore_errors=True)

    total = len(rows) * rounds
    raw_rate, ours_rate = total / raw.wall, total / ours.wall
    ratio = ours_rate / raw_rate
    for label, side, rate in (("raw NDJSON ingest", raw, raw_rate),
                              ("board reindex    ", ours, ours_rate)):
        print(f"{label}: {side.wall / rounds:7.1f}s {rate:9.0f} docs/s   CPU per round: "
              f"bench process {side.ours_cpu / rounds:5.1f}s, Meilisearch "
              f"{side.engine_cpu / rounds:5.1f}s")
    print(f"(reindex: batch {batch}; store read + documents + build + check + swap + replay)")
    print(f"ratio reindex/raw : {ratio:.2f}  (goal >= {GOAL}; {rounds} rounds A B)")
    emit("reindex", [row(f"board reindex vs raw NDJSON ingest ({count} docs)", ours_rate,
                         "docs/s", ratio, f">= {GOAL}")])


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=None, help="rows per store read")
    parser.add_argument("--rounds", type=int, default=2, help="raw/reindex pairs (A B A B)")
    parser.add_argument("--distinct", type=int, default=2000,
                        help="distinct listings (descriptions) the copies are made from")
    parser.add_argument("--store", type=Path, default=None,
                        help="keep the filled SQLite store in this folder and reuse it")
    parser.add_argument("--quick", action="store_true", help="10k listings")
    args = parser.parse_args()
    if args.quick:
        args.count = 10_000
    asyncio.run(main(args.count, args.batch, args.rounds, args.distinct, args.store))
