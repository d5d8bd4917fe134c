"""The specialty facet's type-to-filter box: an htmx partial with the options that match what
the visitor typed, counted under the current search (Meilisearch facet search). Without
JavaScript the page already lists every option, and `facet_q` on the page filters it."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from litestar import Request, get
from litestar.datastructures import MultiDict
from litestar.response import Response, Template
from markupsafe import Markup

from board.browse import facet_lists
from board.browse import view_model as search_view
from board.browse.labels import FACET_TITLES
from board.browse.params import ParamError, parse_search
from board.core import geo
from board.web.common import render, runtime
from board.web.routing import FeatureRouter

# "alert" (a digest's manage token) and "subscribe_email" (the inline subscribe box's field,
# inside the search form) belong to board.digests.inline, not to the search.
VIEW_PARAMS = frozenset({"facet", "facet_q", "alert", "subscribe_email"})
MAX_FACET_Q = 100


def search_params_only(params: Any) -> MultiDict:
    """The query string without the view-only parameters, ready for `parse_search`."""
    items = params.multi_items() if hasattr(params, "multi_items") else list(params.items())
    return MultiDict([(k, v) for k, v in items if k not in VIEW_PARAMS])


def facet_text(params: Mapping[str, Any]) -> str:
    text = str(params.get("facet_q") or "").strip()
    if len(text) > MAX_FACET_Q:
        raise ParamError("facet_q", f"must be at most {MAX_FACET_Q} characters")
    return text


@get("/partials/facet-search", include_in_schema=False)
async def facet_search(request: Request) -> Template:
    params = request.query_params
    facet = str(params.get("facet") or "")
    if facet not in facet_lists.SEARCHABLE_FACETS:
        raise ParamError("facet", "must be one of " + ", ".join(facet_lists.SEARCHABLE_FACETS))
    text = facet_text(params)
    query = dataclasses.replace(parse_search(
        search_params_only(params),
        unlisted_after_days=runtime(request).settings.unlisted_after_days), page=1, per_page=1)
    gateway = runtime(request).gateway
    state = search_view.current_params(params)
    # The exact counts of every value come with the normal search (disjunctive: the facet's
    # own selection left out); facet search adds typo-tolerant matches for the typed text.
    result = await gateway.search(query)
    engine_counts = await gateway.facet_values(query, facet, text) if text else {}
    options = facet_lists.facet_options(facet, result.facets.get(facet, {}),
                                        tuple(state.get(facet, [])))
    options = facet_lists.matching_options(options, text, engine_counts)
    return await render(request, "partials/facet_options.html", options_html=(
        facet_lists.options_html(FACET_TITLES[facet], options, text)))


@get("/partials/places", include_in_schema=False)
async def place_suggestions(near: str = "") -> Response[str]:
    """The Near box's suggestions as you type: the <option>s of its <datalist>, largest
    cities first ("chi" -> Chicago, IL). Without JavaScript the box takes free text anyway."""
    options = geo.suggest(near[:MAX_FACET_Q]) if len(near.strip()) >= 2 else ()
    html = Markup("").join(Markup('<option value="{}"></option>').format(o) for o in options)
    return Response(str(html), media_type="text/html")


router = FeatureRouter(path="/", route_handlers=[facet_search, place_suggestions])
