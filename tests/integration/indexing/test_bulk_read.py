"""The reindex's own store reader (board.indexing.bulk_read) gives the documents the ordinary
path gives (`load_rows` + `document_from_row`), byte for byte, on the store the session runs
(SQLite: its own tuple reading and conversions; PostgreSQL: Piccolo's path), and hides the
same listings: expired, unpublished, and those of a suspended institution."""

from __future__ import annotations

import datetime as dt

from board.indexing.bulk_read import NOT_IN_DOCUMENTS, ListingReader
from board.indexing.gateway import document_from_row, load_rows
from board.indexing.reindex import ndjson
from board.moderation import institutions
from board.reviews import services as reviews
from board.seed import seed_demo
from board.store.tables import Completion, Opportunity
from tests.support.factories import make_closed, make_draft, make_institution, make_listing

REVIEW = {"overall": "4", "teaching": "5", "hands_on": "3", "organisation": "4",
          "letter": "yes", "costs_as_advertised": "yes", "body": "Good teaching rounds.",
          "show_name": "no", "country": "Peru"}


async def _all_read(now: dt.datetime, batch: int) -> list[dict]:
    reader = ListingReader(now)
    rows, after = [], 0
    try:
        while page := await reader.read(after, batch):
            assert len(page) <= batch
            rows += page
            after = page[-1]["id"]
    finally:
        reader.close()
    return rows


async def _review(inst: int, opp: int, n: int) -> None:
    completion = Completion(opportunity_id=opp, institution_id=inst,
                            participant_email=f"img{n}@example.org")
    await completion.save().run()
    await reviews.submit_review(completion.id, reviews.clean_review(REVIEW))


async def test_the_reindex_reader_gives_the_ordinary_documents_and_hides_the_same(store):
    now = dt.datetime.now(dt.UTC)
    await seed_demo(40)  # every kind of listing the demo knows, events included
    inst = await make_institution()
    reviewed = await make_listing(inst, title="Reviewed observership", fee_usd=None,
                                  visa_statuses=["b1b2"], description="*Rounds*\ue000 daily")
    for n in range(3):  # three reviews: the summary has scores
        await _review(inst, reviewed, n)
    # Columns no document reads, filled, change nothing.
    await Opportunity.update({Opportunity.visa_notes: "B1/B2 letter on request",
                              Opportunity.views: 12}).where(Opportunity.id == reviewed).run()
    hidden = [await make_draft(inst), await make_closed(inst)]
    suspended = await make_institution(name="Suspended Hospital")
    hidden.append(await make_listing(suspended, title="Suspended listing"))
    await institutions.set_suspended(suspended, True)

    expected = [document_from_row(r, now) for r in await load_rows(visible_only=True, now=now)]
    rows = await _all_read(now, batch=7)
    assert not set(NOT_IN_DOCUMENTS) & set(rows[0])
    documents = [document_from_row(r, now, consume=True) for r in rows]
    assert ndjson(documents) == ndjson(expected)
    ids = [d["id"] for d in documents]
    assert len(ids) >= 40 and ids == sorted(ids) and not set(hidden) & set(ids)
    mine = next(d for d in documents if d["id"] == reviewed)
    assert mine["reviews"]["count"] == 3 and mine["reviews"]["rating"] == 4.0
    assert any(d["kind"] == "event" and d.get("next_starts_at") for d in documents)


async def test_an_empty_store_reads_nothing(store):
    assert await _all_read(dt.datetime.now(dt.UTC), batch=5) == []
