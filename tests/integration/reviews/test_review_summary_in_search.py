"""The review summary rides in the listing's search document (a search does no store query
for it): publishing, hiding, showing and withdrawing a review re-send the listing through
the outbox, and the API hit and the result card follow, against real Meilisearch."""

from __future__ import annotations

from board.indexing.gateway import document_from_row, load_rows
from board.reviews import services
from board.reviews.summary import public_summary
from board.store.tables import Completion, Review
from search import sync
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

FORM = {"overall": "4", "teaching": "4", "hands_on": "3", "organisation": "5", "letter": "yes",
        "costs_as_advertised": "yes", "body": "Good teaching rounds.", "show_name": "no",
        "country": "Peru"}
EMPTY = public_summary([])


async def _completion(inst: int, opp: int, n: int) -> int:
    row = Completion(opportunity_id=opp, institution_id=inst,
                     participant_email=f"img{n}@example.org")
    await row.save().run()
    return row.id


async def _document(runtime, opp: int) -> dict:
    docs = await runtime.client.fetch_documents(runtime.settings.meili_index, ["id", "reviews"])
    return next(d for d in docs["results"] if d["id"] == opp)


async def _hit(client, opp: int) -> dict:
    hits = (await client.get("/api/v1/opportunities",
                             params={"q": "Summarised", "per_page": 50})).json()["hits"]
    return next(h for h in hits if h["id"] == opp)


async def test_review_changes_reach_the_search_document_and_the_hit(runtime, client):
    inst = await make_institution()
    opp = await make_listing(inst, title="Summarised cardiology observership")
    await drain_all(runtime.gateway)
    assert (await _document(runtime, opp))["reviews"] == EMPTY
    assert (await _hit(client, opp))["reviews"] == EMPTY

    completion = await _completion(inst, opp, 1)
    await services.submit_review(completion, services.clean_review(FORM))
    await drain_all(runtime.gateway)
    one = {**EMPTY, "count": 1}
    assert (await _document(runtime, opp))["reviews"] == one
    assert (await _hit(client, opp))["reviews"] == one
    page = (await client.get("/", params={"q": "Summarised"})).text
    assert "1 review<" in page  # the result card's badge, read from the hit

    review = (await Review.select(Review.id).first().run())["id"]
    await services.hide(review, "Names a person")
    await drain_all(runtime.gateway)
    assert (await _hit(client, opp))["reviews"] == EMPTY
    await services.show(review)
    await drain_all(runtime.gateway)
    assert (await _hit(client, opp))["reviews"] == one
    await services.withdraw(completion)
    await drain_all(runtime.gateway)
    assert (await _hit(client, opp))["reviews"] == EMPTY


async def test_a_held_review_changes_nothing_in_search(runtime, client):
    inst = await make_institution()
    opp = await make_listing(inst, title="Summarised held observership")
    completion = await _completion(inst, opp, 2)
    held = services.clean_review({**FORM, "body": "Pay https://broker.example first"})
    assert (await services.submit_review(completion, held))["status"] == "held"
    await drain_all(runtime.gateway)
    assert (await _hit(client, opp))["reviews"] == EMPTY


async def test_a_document_indexed_without_the_summary_is_looked_up(runtime, client):
    # Documents indexed before they carried `reviews` (until `board reindex`) still show the
    # right summary: page_hits reads those few from the store.
    inst = await make_institution()
    opp = await make_listing(inst, title="Summarised legacy observership")
    await services.submit_review(await _completion(inst, opp, 3), services.clean_review(FORM))
    await drain_all(runtime.gateway)
    row = (await load_rows([opp]))[0]
    del row["reviews"]
    legacy = document_from_row(row)
    await sync.upsert(runtime.client, runtime.settings.meili_index, [legacy])
    assert "reviews" not in await _document(runtime, opp)
    assert (await _hit(client, opp))["reviews"] == {**EMPTY, "count": 1}
