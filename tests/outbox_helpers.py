"""Shared by the outbox, reindex and reconcile tests: a Meilisearch of their own that a test
may kill and restart (on the same port and data) without disturbing the session server,
a runtime on it, and "what the index holds" vs "what the store shows"."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest

from board.indexing import outbox
from board.indexing.gateway import SearchGateway, load_rows, utcnow
from board.listings.visibility import is_visible
from board.runtime import Runtime
from board.settings import Settings
from board.store.tables import OutboxEvent
from search.client import MeiliClient
from search.documents import to_timestamp
from search.server import LocalMeili, free_port


class RestartableMeili(LocalMeili):
    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def up(self) -> None:
        if not self.running:
            self.start()

    def down(self) -> None:
        self.kill()  # abrupt, like a crash: no graceful shutdown


@pytest.fixture(scope="module")
def own_meili(tmp_path_factory: pytest.TempPathFactory):
    """A fixed port for the module's lifetime, so a restart comes back at the same URL."""
    server = RestartableMeili(Path(tmp_path_factory.mktemp("own-meili")), port=free_port())
    server.start()
    yield server
    server.stop()


@pytest.fixture
async def own_runtime(own_meili: RestartableMeili, settings: Settings):
    own_meili.up()
    rt = Runtime.build(dataclasses.replace(settings, meili_url=own_meili.url,
                                           meili_master_key=own_meili.master_key))
    await rt.start()
    yield rt
    await rt.drainer.stop()
    own_meili.up()
    await rt.client.delete_index(rt.gateway.index)
    await rt.client.aclose()


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
