"""Shared by the outbox, reindex and reconcile tests: a Meilisearch that a test may kill and
restart (on the same port and data) without disturbing the session server (the fixtures on
it are in tests/integration/indexing/conftest.py), "what the index holds" vs "what the store
shows", and waiting for the outbox to carry a change into search."""

from __future__ import annotations

import asyncio

import httpx

from board.indexing import outbox
from board.indexing.gateway import SearchGateway, load_rows, utcnow
from board.listings.visibility import is_visible
from board.store.tables import OutboxEvent
from search.client import MeiliClient
from search.documents import to_timestamp
from search.server import LocalMeili


class RestartableMeili(LocalMeili):
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def up(self) -> None:
        if not self.running:
            self.start()

    def down(self) -> None:
        self.kill()  # abrupt, like a crash: no graceful shutdown


async def drain_all(gateway: SearchGateway, now=None, rounds: int = 200) -> None:
    """Drain until nothing due is pending; a background drainer holding the lease just
    means waiting a little for it."""
    for _ in range(rounds):
        result = await outbox.drain(gateway, now=now)
        due = await OutboxEvent.count().where(
            (OutboxEvent.status == "pending") & (OutboxEvent.next_attempt_at <= (now or utcnow()))
        ).run()
        if not result.skipped and not result.errors and due == 0:
            return
        await asyncio.sleep(0.05)
    raise AssertionError("the outbox did not drain")


async def index_state(client: MeiliClient, index: str) -> dict[int, tuple[int, str]]:
    data = await client.fetch_documents(index, ["id", "updated_at_ts", "title"], limit=10_000)
    return {d["id"]: (d["updated_at_ts"], d["title"]) for d in data["results"]}


async def store_state() -> dict[int, tuple[int, str]]:
    now = utcnow()
    rows = await load_rows(visible_only=True, now=now)
    return {r["id"]: (to_timestamp(r["updated_at"]), r["title"]) for r in rows
            if is_visible(r, now)}


async def eventually_equal(client: MeiliClient, index: str, timeout: float = 60.0) -> None:
    """Poll until the index equals the store (a wait for the system to converge, not a
    timing assertion: the deadline is generous and only bounds a hang)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            have = await index_state(client, index)
        except Exception:  # the engine may still be starting
            have = None
        want = await store_state()
        if have == want:
            return
        if loop.time() > deadline:
            raise AssertionError(f"index never matched the store: index={have} store={want}")
        await asyncio.sleep(0.2)


async def wait_for_search(client: httpx.AsyncClient, predicate, attempts: int = 100, **params):
    """Poll the search API until `predicate(hits)` holds (the outbox drains in the
    background after a kick); fail with the last answer otherwise. Not a timing assertion:
    the limit only stops a broken drain from hanging the suite."""
    hits: list = []
    for _ in range(attempts):
        page = await client.get("/api/v1/opportunities", params={"per_page": 50, **params})
        hits = page.json()["hits"]
        if predicate(hits):
            return hits
        await asyncio.sleep(0.1)
    raise AssertionError(f"search never matched; last hits: {hits}")
