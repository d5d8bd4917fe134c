"""GET /api/v1/opportunities/{id}/reviews: a published listing's shown reviews, newest first,
with the summary (scores and rates null below 3 reviews)."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.params import Parameter

from board.browse.schemas import ReviewSummary
from board.listings.status import Status
from board.reviews import queries
from board.store.tables import Opportunity
from board.web.api_errors import bad_parameter, error_response
from board.web.routing import FeatureRouter


class ReviewOut(msgspec.Struct):
    id: int
    created_at: str
    author: str
    overall: int
    teaching: int
    hands_on_as_advertised: int
    organisation: int
    letter_received: str  # yes | no | did_not_ask
    costs_as_advertised: bool
    text: str
    reply: str | None


class ReviewsResponse(msgspec.Struct):
    opportunity_id: int
    summary: ReviewSummary
    reviews: list[ReviewOut]


def _out(row: dict[str, Any]) -> ReviewOut:
    return ReviewOut(
        id=row["id"], created_at=row["created_at"].isoformat(), author=row["display_name"],
        overall=row["overall"], teaching=row["teaching"], hands_on_as_advertised=row["hands_on"],
        organisation=row["organisation"], letter_received=row["letter"],
        costs_as_advertised=bool(row["costs_as_advertised"]), text=row["body"],
        reply=row["reply"] or None)


@get("/api/v1/opportunities/{opportunity_id:int}/reviews", tags=["opportunities"],
     summary="The reviews of a listing (participants only)",
     exception_handlers={ValidationException: bad_parameter}, responses={
         400: error_response("The id is out of range", 400,
                             "opportunity_id: Expected `int` <= 2147483647", "opportunity_id"),
         404: error_response("No published listing with this id", 404,
                             "no published opportunity 12")})
async def listing_reviews(opportunity_id: int = Parameter(ge=1, le=2**31 - 1)) -> ReviewsResponse:
    row = await Opportunity.select(Opportunity.status).where(
        Opportunity.id == opportunity_id).first().run()
    if row is None or row["status"] not in (Status.PUBLISHED, Status.EXPIRED, Status.CLOSED):
        raise NotFoundException(f"no published opportunity {opportunity_id}")
    rows = await queries.shown(opportunity_id=opportunity_id)
    return ReviewsResponse(opportunity_id=opportunity_id,
                           summary=ReviewSummary(**queries.public_summary(rows)),
                           reviews=[_out(r) for r in rows])


router = FeatureRouter(path="/", route_handlers=[listing_reviews])
