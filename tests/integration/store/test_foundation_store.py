"""The store: committed migrations, SQLite WAL and busy timeout, atomic write transactions."""

from __future__ import annotations

import sqlite3

import pytest

from board.indexing import outbox
from board.listings import services as listings
from board.store import engine as db
from board.store.tables import Institution, Opportunity, OutboxEvent
from tests.support.factories import make_institution, make_listing


async def test_migrations_are_committed_and_idempotent(store):
    assert await db.migrate() == []  # everything already applied by the session fixture
    for table in (Institution, Opportunity, OutboxEvent):
        assert await table.count().run() == 0


async def test_engine_is_prepared_for_concurrency(store):
    """SQLite runs in WAL mode with a busy timeout; PostgreSQL through an open pool."""
    engine = db.current_engine()
    if db.is_sqlite(engine):
        with sqlite3.connect(engine.path) as conn:
            assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert engine.connection_kwargs["timeout"] == db.SQLITE_BUSY_TIMEOUT_S
    else:
        assert engine.pool is not None


async def test_publish_writes_listing_and_outbox_event_together(store):
    inst = await make_institution()
    opp = await make_listing(inst)
    row = await listings.get(opp)
    assert row["status"] == "published"
    assert row["expires_at"] is not None
    events = await OutboxEvent.select().where(OutboxEvent.opportunity_id == opp).run()
    assert [e["reason"] for e in events] == ["publish"]


async def test_failed_transaction_leaves_no_listing_and_no_event(store):
    inst = await make_institution()

    class Boom(Exception):
        pass

    with pytest.raises(Boom):
        async with db.write_transaction():
            row = Opportunity(institution=inst, kind="research", title="Half written",
                              specialty="Pathology", status="published")
            await row.save().run()
            await outbox.record(row.id, "publish")
            raise Boom
    assert await Opportunity.count().run() == 0
    assert await OutboxEvent.count().run() == 0


async def test_editing_a_live_listing_into_a_red_flag_sends_it_back_to_moderation(store):
    inst = await make_institution(verified=True)
    opp = await make_listing(inst)
    row = await listings.update(opp, {"description": "A guaranteed letter of recommendation!"})
    assert row["status"] == "pending"
    assert any("guaranteed" in flag for flag in row["review_flags"])
    reasons = await OutboxEvent.select(OutboxEvent.reason).where(
        OutboxEvent.opportunity_id == opp).run()
    assert [r["reason"] for r in reasons] == ["publish", "edit"]
    calm = await make_listing(inst)
    assert (await listings.update(calm, {"title": "Cardiology Observership"}))["status"] == "published"
