"""`board reindex`: a new index built beside the live one, checked, swapped atomically, the
old one dropped, and changes made during the build replayed. Searches running meanwhile
never see an empty, partial or failing index."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import uuid

import pytest

from board.browse.params import parse_search
from board.indexing.gateway import SearchGateway
from board.indexing.reindex import ReindexError, reindex
from board.listings import services as listings
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all, index_state, store_state


async def _indexes(client) -> set[str]:
    data = await client.request("GET", "/indexes", params={"limit": 1000})
    return {i["uid"] for i in data["results"]}


async def _seed(n: int) -> list[int]:
    inst = await make_institution()
    return [await make_listing(inst, title=f"Family medicine observership {k}") for k in range(n)]


async def test_reindex_creates_a_missing_live_index(runtime):
    await runtime.drainer.stop()
    ids = await _seed(7)
    gw = SearchGateway(runtime.client, f"fresh_{uuid.uuid4().hex[:8]}")
    try:
        result = await reindex(gw, batch=3)
        assert result.created and result.documents == 7
        assert sorted(await index_state(gw.client, gw.index)) == ids
        assert not {i for i in await _indexes(gw.client) if i.startswith(gw.index + "_")}
    finally:
        await gw.client.delete_index(gw.index)


async def test_searches_during_a_reindex_always_see_a_whole_index_and_a_build_time_edit_survives(
        runtime):
    ids = await _seed(40)
    await drain_all(runtime.gateway)
    everything = parse_search({})
    totals: list[int] = []
    stop = asyncio.Event()

    async def search_loop() -> None:
        while not stop.is_set():
            result = await runtime.gateway.search(everything)
            totals.append(result.total)
            assert len(result.hits) == min(result.total, everything.per_page)
            await asyncio.sleep(0)

    async def edit_during_build(_: int) -> None:
        if edited:
            return
        edited.append(ids[5])
        await listings.update(ids[5], {"title": "Zyzzyva neurology observership"})
        # The drainer sends it to the live index, which is about to be swapped away.
        await drain_all(runtime.gateway)
        assert ids[5] in await index_state(runtime.client, runtime.gateway.index)

    edited: list[int] = []
    searcher = asyncio.create_task(search_loop())
    try:
        result = await reindex(runtime.gateway, batch=8, on_batch=edit_during_build)
        await asyncio.sleep(0.1)  # a few searches against the swapped-in index too
    finally:
        stop.set()
        await searcher  # re-raises any search error or partial page
    assert not result.created and result.documents == 40 and result.replayed >= 1
    assert totals and set(totals) == {40}
    await drain_all(runtime.gateway)
    found = await runtime.gateway.search(parse_search({"q": "Zyzzyva"}))
    assert [h["id"] for h in found.hits] == [ids[5]]
    assert await index_state(runtime.client, runtime.gateway.index) == await store_state()
    assert not {i for i in await _indexes(runtime.client) if i.startswith(runtime.gateway.index + "_")}


async def test_a_count_mismatch_aborts_before_the_swap(runtime):
    await runtime.drainer.stop()
    await _seed(6)
    await drain_all(runtime.gateway)
    before = await index_state(runtime.client, runtime.gateway.index)
    live = runtime.gateway.index

    async def intruder(_: int) -> None:
        # Someone writes a stray document into the index being built.
        new = next(i for i in await _indexes(runtime.client) if i.startswith(live + "_"))
        task = await runtime.client.add_documents(new, [{"id": 999_999, "title": "stray"}])
        await runtime.client.wait_task(task)

    with pytest.raises(ReindexError, match="count mismatch"):
        await reindex(runtime.gateway, batch=100, on_batch=intruder)
    assert await index_state(runtime.client, live) == before
    assert not {i for i in await _indexes(runtime.client) if i.startswith(live + "_")}


def _cli(settings, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": settings.database_url, "MEILI_URL": settings.meili_url,
           "MEILI_MASTER_KEY": settings.meili_master_key, "MEILI_INDEX": settings.meili_index,
           "BOARD_VAR_DIR": str(settings.var_dir)}
    # `python -m board.cli` would import board.cli twice (as __main__ and as itself).
    entry = "import sys; from board.cli import main; sys.exit(main())"
    return subprocess.run([sys.executable, "-c", entry, "reindex", *args], env=env,
                          capture_output=True, text=True, timeout=300)


async def test_board_reindex_command_rebuilds_and_reports(runtime):
    await runtime.drainer.stop()
    ids = await _seed(5)
    done = await asyncio.to_thread(_cli, runtime.settings, "--batch", "2")
    assert done.returncode == 0, done.stderr
    assert "5 listings" in done.stdout
    assert sorted(await index_state(runtime.client, runtime.gateway.index)) == ids


async def test_board_reindex_with_the_engine_unreachable_is_one_error_line(runtime):
    import dataclasses

    from search.server import free_port

    dead = dataclasses.replace(runtime.settings, meili_url=f"http://127.0.0.1:{free_port()}")
    done = await asyncio.to_thread(_cli, dead)
    assert done.returncode == 1
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: search engine unavailable")
