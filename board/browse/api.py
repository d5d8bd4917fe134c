"""The read side of the JSON API: search and one published listing.

The OpenAPI schema lists every vocabulary as an enum (kinds, states, specialties, the yes/no
facets, USMLE steps, sort orders) taken from the field spec and board.core.vocab, with an
example per parameter, so a generated client gets typed choices."""

from __future__ import annotations

from typing import Any

from litestar import Request, get
from litestar.exceptions import NotFoundException, ValidationException
from litestar.openapi.spec import Example, OpenAPIType, Schema
from litestar.params import Parameter

from board.browse.eligibility import Profile
from board.browse.params import parse_profile, parse_search
from board.browse.schemas import OpportunityOut, SearchResponse, vocabulary
from board.browse.serialize import API_HITS, hit_structs, opportunity_struct
from board.browse.view_model import page_hits
from board.core import vocab
from board.core.fields import BY_NAME
from board.indexing.gateway import utcnow
from board.listings import services as listings
from board.listings.visibility import is_visible
from board.web.api_errors import bad_parameter, error_response
from board.web.common import runtime
from board.web.routing import FeatureRouter
from search.engine import SearchResult
from search.index import SearchIndex
from search.query import SORT_NAMES, SearchQuery

_LIST = list[str] | None



def _choices(values: tuple[str, ...], example: str, description: str, *, many: bool = True,
             query: str | None = None) -> Any:
    """A query parameter documented with its allowed values (an enum). Only the schema says
    so: parse_search still does the checking (and accepts other casings, "ny" or "TRUE")."""
    item = Schema(type=OpenAPIType.STRING, enum=list(values))
    shape = ({"type": OpenAPIType.ARRAY, "items": item, "examples": [[example]]} if many else
             {"type": OpenAPIType.STRING, "enum": list(values), "examples": [example]})
    extra: dict[str, Any] = {"one_of": None, **shape}
    if query:
        return Parameter(query=query, default=None, description=description, schema_extra=extra)
    return Parameter(default=None, description=description, schema_extra=extra)


def _facet(name: str, example: str, *, query: str | None = None) -> Any:
    field = BY_NAME[name]
    if field.is_bool:
        return _choices(("true", "false"), example,
                        f"{field.facet_title}: true or false (both: no filter)", query=query)
    return _choices(vocabulary(field.vocabulary or ""), example,
                    f"{field.facet_title}; repeat to select several", query=query)


@get("/api/v1/opportunities", tags=["opportunities"], summary="Search published opportunities",
     description="Facets are disjunctive: each facet's counts ignore that facet's own "
     "selection. Repeat a parameter to select several values.",
     exception_handlers={ValidationException: bad_parameter}, responses={
         400: error_response("A parameter is not valid; `field` names it", 400,
                     "state: unknown value 'ZZ'", "state"),
         503: error_response("The search engine is unavailable; retry", 503,
                     "search is temporarily unavailable")})
async def search_opportunities(
    request: Request,
    q: str | None = Parameter(default=None, max_length=200, description="Text query",
                              examples=[Example(value="cardiology observership")]),
    kind: _LIST = _facet("kind", "observership"),
    specialty: _LIST = _facet("specialty", "Internal medicine"),
    state_: _LIST = _facet("state", "NY", query="state"),
    hands_on: _LIST = _facet("hands_on", "true"),
    lor_offered: _LIST = _facet("lor_offered", "true"),
    b1b2_accepted: _LIST = _facet("b1b2_accepted", "true"),
    j1_sponsored: _LIST = _facet("j1_sponsored", "true"),
    remote: _LIST = _facet("remote", "false"),
    payee: _LIST = _facet("payee", "institution"),
    refund_policy: _LIST = _facet("refund_policy", "full"),
    lor_policy: _LIST = _facet("lor_policy", "standard"),
    setting: _LIST = _facet("setting", "inpatient"),
    open_to: _LIST = _facet("open_to", "graduate"),
    visa_statuses: _LIST = _facet("visa_statuses", "b1b2"),
    fee_max: int | None = Parameter(default=None, ge=0, le=100000, description=(
        "Highest program fee in USD; not stated never matches"), examples=[Example(value=500)]),
    cost_max: int | None = Parameter(default=None, ge=0, le=400000, description=(
        "total_cost_usd at most (application fee + program fee + deposit unless fully "
        "refundable); not stated never matches"), examples=[Example(value=1000)]),
    hands_on_min: int | None = Parameter(default=None, ge=0, le=4, description=(
        "hands_on_level at least (0 observes only ... 4 orders and procedures under "
        "supervision); not stated never matches"), examples=[Example(value=2)]),
    graduation_year: int | None = Parameter(
        default=None, ge=1950, le=2100, description="Profile: the year you graduated (or will)",
        examples=[Example(value=2019)]),
    usmle: _LIST = _choices(vocab.USMLE_STEPS, "step1",
                            "Profile: USMLE steps passed (repeat), or none"),
    ecfmg_certified: bool | None = Parameter(
        default=None, description="Profile: false for not (yet) ECFMG certified",
        examples=[Example(value=False)]),
    visa: str | None = _choices(tuple(vocab.CHOICES["visa_statuses"]), "b1b2",
                                "Profile: the visa status you would hold", many=False),
    student: bool | None = Parameter(default=None, description=(
        "Profile: true for a final-year student, false for a graduate"),
        examples=[Example(value=False)]),
    eligible_only: bool | None = Parameter(default=None, description=(
        "With a profile (graduation_year, usmle, ecfmg_certified, visa, student): hide "
        "listings whose stated requirements rule you out (default true); false shows all "
        "with a verdict each"), examples=[Example(value=True)]),
    near: str | None = Parameter(default=None, max_length=100,
                                 description="'City, ST' or a 5-digit ZIP",
                                 examples=[Example(value="Houston, TX")]),
    radius_miles: int | None = Parameter(default=None, ge=1, le=500, examples=[Example(value=50)]),
    sort: str | None = _choices(SORT_NAMES, "newest", "Order of the hits (default relevance; "
                                "distance needs near)", many=False),
    confirmed_within_days: int | None = Parameter(
        default=None, ge=1, le=3650, description="Only listings the host confirmed open within "
        "this many days", examples=[Example(value=30)]),
    page: int | None = Parameter(default=None, ge=1, le=10000, examples=[Example(value=1)]),
    per_page: int | None = Parameter(default=None, ge=1, le=50, examples=[Example(value=20)]),
) -> SearchResponse:
    profile = parse_profile(request.query_params)
    rt = runtime(request)
    query = parse_search(request.query_params,
                         unlisted_after_days=rt.settings.unlisted_after_days)
    # Without a profile every visitor gets the same hits: encoded from the engine's bytes.
    result = await rt.gateway.search(query, shape=bool(profile))
    return SearchResponse(
        hits=await _hits(rt.gateway, result, query, profile, rt.settings.base_url),
        total=result.total, page=result.page,
        per_page=result.per_page, pages=result.pages, facets=result.facets,
        facet_stats=result.facet_stats, took_ms=result.took_ms, capped=result.capped,
    )


async def _hits(gateway: SearchIndex, result: SearchResult, query: SearchQuery, profile: Profile,
                base_url: str) -> list[Any]:
    """The result's hits as the API sends them: straight from the engine's bytes when it
    asked for them unshaped (serialize.API_HITS); shaped, with the visitor's verdicts, when
    it did not or when a hit needs that path."""
    if result.raw_hits is not None:
        encoded = API_HITS.encode(result.raw_hits, query.geo, base_url)
        if encoded is not None:
            return encoded
    shaped = (gateway.shape_hits(result.raw_hits, query) if result.raw_hits is not None
              else result.hits)
    hits = await page_hits(shaped, profile, utcnow().year)
    return hit_structs(hits, base_url, shared=not profile)


@get("/api/v1/opportunities/{opportunity_id:int}", tags=["opportunities"],
     summary="One published listing", exception_handlers={ValidationException: bad_parameter},
     responses={
         # Declared so the schema shows our error body, not Litestar's default one (whose
         # `extra` is an "array with additionalProperties" that generators cannot read).
         400: error_response("The id is out of range", 400,
                     "opportunity_id: Expected `int` <= 2147483647", "opportunity_id"),
         404: error_response("No published listing with this id", 404, "no published opportunity 12")})
async def get_opportunity(request: Request,
                          opportunity_id: int = Parameter(ge=1, le=2**31 - 1,
                                                          examples=[Example(value=12)])
                          ) -> OpportunityOut:
    try:
        row = await listings.get(opportunity_id)
    except listings.NotFound:
        raise NotFoundException(f"no published opportunity {opportunity_id}") from None
    if not is_visible(row, utcnow()):
        raise NotFoundException(f"no published opportunity {opportunity_id}")
    return opportunity_struct(row, runtime(request).settings.base_url)


router = FeatureRouter(path="/", route_handlers=[search_opportunities, get_opportunity])
