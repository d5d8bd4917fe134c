"""/guides and /guides/{slug}: the guides of board/guides, rendered."""

from __future__ import annotations

from litestar import Request, get
from litestar.exceptions import NotFoundException
from litestar.response import Template

from board.guides.library import guide, guides
from board.web.common import render
from board.web.routing import FeatureRouter


@get("/guides", include_in_schema=False)
async def guide_index(request: Request) -> Template:
    return await render(request, "pages/guides.html", guides=list(guides().values()))


@get("/guides/{slug:str}", include_in_schema=False)
async def guide_page(request: Request, slug: str) -> Template:
    found = guide(slug)
    if found is None:
        raise NotFoundException("There is no guide at this address.")
    return await render(request, "pages/guide.html", guide=found)


router = FeatureRouter(path="/", route_handlers=[guide_index, guide_page])
