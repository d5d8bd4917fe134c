"""The import service against the real store: submit rules, one transaction, and a large file
(its time is printed, not asserted: the machine is shared)."""

from __future__ import annotations

import time

import pytest

from board.imports import services as importer
from board.store.tables import Opportunity, OutboxEvent
from tests.support.factories import make_institution
from tests.support.import_samples import csv_bytes, sample_rows


async def test_submitted_rows_publish_for_verified_unless_flagged(store):
    inst = await make_institution("Verified General", verified=True)
    rows = sample_rows(4)
    rows[1]["fee_usd"] = "9000"
    rows[2]["description"] = "A guaranteed letter of recommendation for every observer!"
    result = await importer.import_file(inst, "x.csv", csv_bytes(rows), mode="submit")
    assert (result.imported, result.published, result.pending) == (4, 2, 2)
    stored = {r["id"]: r for r in await Opportunity.select().output(load_json=True).run()}
    flagged = stored[result.ids[1]]
    assert flagged["status"] == "pending" and flagged["review_flags"] == [
        "fee above $5,000", "total cost above $3,000 without refund terms"]
    assert stored[result.ids[2]]["review_flags"][0].startswith("promises a guaranteed letter")
    assert stored[result.ids[0]]["status"] == "published"
    events = await OutboxEvent.select(OutboxEvent.opportunity_id).run()
    assert sorted(e["opportunity_id"] for e in events) == sorted([result.ids[0], result.ids[3]])


async def test_submitted_rows_of_an_unverified_institution_wait_for_review(store):
    inst = await make_institution("Unverified Clinic", verified=False)
    result = await importer.import_file(inst, "x.csv", csv_bytes(sample_rows(3)), mode="submit")
    assert (result.published, result.pending) == (0, 3)
    assert {r["status"] for r in await Opportunity.select(Opportunity.status).run()} == {"pending"}
    assert await OutboxEvent.count().run() == 0


async def test_expires_at_of_a_row_is_kept_when_publishing(store):
    inst = await make_institution()
    rows = sample_rows(2)
    rows[0]["expires_at"] = "2099-01-01"  # too far: rejected by validation
    with pytest.raises(importer.ImportRejected, match="1 of 2 rows"):
        await importer.import_file(inst, "x.csv", csv_bytes(rows, [*rows[0]]), mode="publish")
    import datetime as dt

    soon = (dt.date.today() + dt.timedelta(days=20)).isoformat()
    rows[0]["expires_at"] = soon
    result = await importer.import_file(inst, "x.csv", csv_bytes(rows, [*rows[0]]), mode="publish")
    first = await Opportunity.select(Opportunity.expires_at).where(
        Opportunity.id == result.ids[0]).first().run()
    assert first["expires_at"].date().isoformat() > soon  # visible through that whole day


async def test_a_failure_mid_import_leaves_nothing(store):
    inst = await make_institution()
    cleaned = importer.validate_rows(sample_rows(importer.BATCH + 10))

    def boom(count: int) -> None:  # the second batch fails after the first was written
        if count < importer.BATCH:
            raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        await importer.import_rows(inst, cleaned, mode="publish", progress=boom)
    assert await Opportunity.count().run() == 0
    assert await OutboxEvent.count().run() == 0


async def test_20k_rows_import_in_one_go(store):
    inst = await make_institution()
    data = csv_bytes(sample_rows(20_000))
    started = time.perf_counter()
    result = await importer.import_file(inst, "big.csv", data, mode="publish")
    took = time.perf_counter() - started
    print(f"\nimported 20,000 rows ({len(data) / 1e6:.1f} MB) in {took:.1f} s")
    assert result.imported == 20_000
    assert await Opportunity.count().run() == 20_000
    assert await OutboxEvent.count().run() == 20_000
