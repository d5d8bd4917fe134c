"""The indexing tests' own Meilisearch, which a test may kill and restart without disturbing
the session server, and a runtime on it."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from board.runtime import Runtime
from board.settings import Settings
from search.server import free_port
from tests.support.outbox import RestartableMeili


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
