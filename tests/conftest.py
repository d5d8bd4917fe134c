"""Test set-up against real servers: a Meilisearch process started for the session (a
missing binary is a failure, not a skip), a temporary SQLite file or the PostgreSQL named
by TEST_DATABASE_URL (migrated with the committed migrations), and a real SMTP server."""

from __future__ import annotations

import dataclasses
import os
import tempfile
import uuid
from pathlib import Path

import pytest

os.environ["PICCOLO_CONF"] = "board.piccolo_conf"
_TMP = Path(tempfile.mkdtemp(prefix="board-tests-"))
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL") or f"sqlite:///{_TMP / 'test.sqlite'}"
# Import-time engine of board.piccolo_conf must not touch the developer's var/ database.
os.environ["DATABASE_URL"] = TEST_DATABASE_URL
os.environ.setdefault("BOARD_VAR_DIR", str(_TMP / "var"))

from board.runtime import Runtime  # noqa: E402
from board.settings import Settings, load_settings  # noqa: E402
from board.store import engine as db  # noqa: E402
from board.store.tables import ALL_TABLES  # noqa: E402
from search.server import LocalMeili  # noqa: E402
from tests.support.app import Borrowed, app_client  # noqa: E402
from tests.support.mail import SmtpSink  # noqa: E402
from tests.support.redis import RedisServer  # noqa: E402


@pytest.fixture(scope="session")
def tmp_root() -> Path:
    return _TMP


@pytest.fixture(scope="session")
def meili(tmp_root: Path):
    server = LocalMeili(tmp_root / "meili", os.environ.get("MEILI_BIN", ""))
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
async def migrated_db():
    db.configure(TEST_DATABASE_URL)
    await db.open_store()
    await db.migrate()
    yield TEST_DATABASE_URL
    await db.close_store()


async def clear_tables() -> None:
    for table in reversed(ALL_TABLES):
        await table.delete(force=True).run()


@pytest.fixture
async def store(migrated_db):
    """An empty, migrated store for one test."""
    await clear_tables()
    yield migrated_db


@pytest.fixture
def settings(meili: LocalMeili, store: str, tmp_path: Path) -> Settings:
    base = load_settings(environ={"DATABASE_URL": store}, env_file=tmp_path / "none.env")
    return dataclasses.replace(
        base, meili_url=meili.url, meili_master_key=meili.master_key,
        meili_index=f"test_{uuid.uuid4().hex[:10]}", var_dir=tmp_path / "var",
        base_url="http://testserver.local",
    )


@pytest.fixture
async def runtime(settings: Settings):
    """A started runtime (index created with its settings) whose index is dropped after."""
    rt = Runtime.build(settings)
    await rt.start()
    yield rt
    await rt.client.delete_index(settings.meili_index)
    await rt.drainer.stop()
    await rt.client.aclose()


@pytest.fixture
async def client(runtime: Runtime):
    """An HTTP client for the real app (in process, in this event loop), sharing `runtime`."""
    from board.app import create_app

    app = create_app(runtime.settings, runtime=Borrowed(runtime))
    async with app_client(app) as c:
        c.app = app  # type: ignore[attr-defined]
        yield c


@pytest.fixture(scope="session")
def redis_server(tmp_root: Path):
    """A real Redis for the REDIS_URL tests (started only when a test asks for it)."""
    server = RedisServer(tmp_root / "redis").start()
    yield server
    server.stop()


@pytest.fixture
def smtp():
    sink = SmtpSink()
    sink.start()
    yield sink
    sink.stop()
