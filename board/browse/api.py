"""The read side of the JSON API: search and one published listing."""

from __future__ import annotations

from litestar import Request, Response, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Parameter

from board.browse.eligibility import annotate
from board.browse.params import parse_profile, parse_search
from board.browse.schemas import ErrorBody, OpportunityOut, SearchResponse
from board.browse.serialize import hit_struct, opportunity_struct
from board.core import vocab
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.visibility import is_visible
from board.reviews import queries as review_queries
from board.web.common import runtime
from board.web.routing import FeatureRouter

_LIST = list[str] | None


def _choices(vocabulary: str) -> str:
    return "one of " + ", ".join(vocab.CHOICES[vocabulary]) + " (repeat for several; disjunctive)"

# Litestar's own names for query parameters are the Python names; map them back.
_PARAM_ALIASES = {"state_": "state"}


def _bad_parameter(request: Request, exc: ValidationException) -> Response:
    """Litestar's type check of a query parameter, answered like every other bad parameter:
    400 with a message that names it (its default detail names only the URL)."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    name = _PARAM_ALIASES.get(str(first.get("key") or ""), str(first.get("key") or "query"))
    message = str(first.get("message") or "is not valid")
    return Response({"status_code": 400, "detail": f"{name}: {message}", "field": name},
                    status_code=400)


@get("/api/v1/opportunities", tags=["opportunities"], summary="Search published opportunities",
     description="Facets are disjunctive: each facet's counts ignore that facet's own "
     "selection. Repeat a parameter to select several values.",
     exception_handlers={ValidationException: _bad_parameter}, responses={
         400: ResponseSpec(ErrorBody, description="A parameter is not valid; `field` names it"),
         503: ResponseSpec(ErrorBody, description="The search engine is unavailable; retry")})
async def search_opportunities(
    request: Request,
    q: str | None = Parameter(default=None, max_length=200, description="Text query"),
    kind: _LIST = None, specialty: _LIST = None,
    state_: _LIST = Parameter(query="state", default=None, description="USPS codes"),
    hands_on: _LIST = None, lor_offered: _LIST = None, b1b2_accepted: _LIST = None,
    j1_sponsored: _LIST = None, remote: _LIST = None,
    payee: _LIST = Parameter(default=None, description=_choices("payees")),
    refund_policy: _LIST = Parameter(default=None, description=_choices("refund_policies")),
    lor_policy: _LIST = Parameter(default=None, description=_choices("lor_policies")),
    setting: _LIST = Parameter(default=None, description=_choices("settings")),
    open_to: _LIST = Parameter(default=None, description=_choices("open_to")),
    visa_statuses: _LIST = Parameter(default=None, description=_choices("visa_statuses")),
    fee_max: int | None = Parameter(default=None, ge=0, le=100000,
                                    description="program fee at most (USD); not stated never matches"),
    cost_max: int | None = Parameter(default=None, ge=0, le=400000, description=(
        "total_cost_usd at most (application fee + program fee + deposit unless fully "
        "refundable); not stated never matches")),
    hands_on_min: int | None = Parameter(default=None, ge=0, le=4, description=(
        "hands_on_level at least (0 observes only ... 4 orders and procedures under "
        "supervision); not stated never matches")),
    graduation_year: int | None = Parameter(default=None, ge=1950, le=2100),
    usmle: _LIST = None,
    ecfmg_certified: bool | None = None,
    visa: str | None = Parameter(default=None, description=(
        "Profile: one visa status (b1b2 j1 f1 h1b h4 ead permanent_resident citizen)")),
    student: bool | None = Parameter(default=None, description=(
        "Profile: true for a final-year student, false for a graduate")),
    eligible_only: bool | None = Parameter(default=None, description=(
        "With a profile (graduation_year, usmle, ecfmg_certified, visa, student): hide "
        "listings whose stated requirements rule it out (default true); false shows all")),
    near: str | None = Parameter(default=None, max_length=100,
                                 description="'City, ST' or a 5-digit ZIP"),
    radius_miles: int | None = Parameter(default=None, ge=1, le=500),
    sort: str | None = Parameter(default=None,
                                 description="relevance | newest | deadline | fee | distance | cost "
                                 "(total_cost_usd ascending, not stated last) | confirmed"),
    confirmed_within_days: int | None = Parameter(
        default=None, ge=1, le=3650, description="Only listings the host confirmed open within "
        "this many days"),
    page: int | None = Parameter(default=None, ge=1, le=10000),
    per_page: int | None = Parameter(default=None, ge=1, le=50),
) -> SearchResponse:
    profile = parse_profile(request.query_params)
    rt = runtime(request)
    query = parse_search(request.query_params,
                         unlisted_after_days=rt.settings.unlisted_after_days)
    result = await rt.gateway.search(query)
    base = rt.settings.base_url
    hits = annotate(result.hits, profile, utcnow().year) if profile else result.hits
    # From the store: a new review shows at once, without a reindex. Copies: the result
    # may be a cached one.
    reviews = await review_queries.summaries(h["id"] for h in hits)
    hits = [{**h, "reviews": reviews.get(h["id"])} for h in hits]
    return SearchResponse(
        hits=[hit_struct(h, base) for h in hits], total=result.total, page=result.page,
        per_page=result.per_page, pages=result.pages, facets=result.facets,
        facet_stats=result.facet_stats, took_ms=result.took_ms, capped=result.capped,
    )


@get("/api/v1/opportunities/{opportunity_id:int}", tags=["opportunities"],
     summary="One published listing", responses={
         404: ResponseSpec(ErrorBody, description="No published listing with this id")})
async def get_opportunity(request: Request,
                          opportunity_id: int = Parameter(ge=1, le=2**31 - 1)) -> OpportunityOut:
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException(f"no published opportunity {opportunity_id}") from None
    if not is_visible(row, utcnow()):
        raise NotFoundException(f"no published opportunity {opportunity_id}")
    return opportunity_struct(row, runtime(request).settings.base_url)


router = FeatureRouter(path="/", route_handlers=[search_opportunities, get_opportunity])
