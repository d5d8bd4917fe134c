"""Static content pages: About, Privacy, Contact."""

from __future__ import annotations

from litestar import Request, get
from litestar.response import Template

from board.web.common import render
from board.web.routing import FeatureRouter


@get("/about", include_in_schema=False)
async def about(request: Request) -> Template:
    return await render(request, "pages/about.html")


@get("/privacy", include_in_schema=False)
async def privacy(request: Request) -> Template:
    return await render(request, "pages/privacy.html")


@get("/contact", include_in_schema=False)
async def contact(request: Request) -> Template:
    return await render(request, "pages/contact.html")


router = FeatureRouter(path="/", route_handlers=[about, privacy, contact])
