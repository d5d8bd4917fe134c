"""What each feature's router is built from: `FeatureRouter` (a litestar Router that can share
a path with another feature's router) and `flash_and_redirect` (an error shown on the page
the visitor returns to)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from litestar import Request, Response, Router
from litestar.response import Redirect

from board.web.common import flash


def _is_automatic_options(handler: Any) -> bool:
    fn = getattr(handler, "fn", None)
    return getattr(fn, "__qualname__", "").startswith("HTTPRoute.create_options_handler")


class FeatureRouter(Router):
    """A Router whose paths may also be served by another feature's router (GET
    /api/v1/opportunities is browse's, POST is listings').

    Litestar gives every route an automatic OPTIONS handler; two routers mounted on the same
    path would each bring one and the app refuses the second. Mounted, this router hands over
    only the handlers it declares, so the app makes the one OPTIONS answer for the merged
    path, with every method in its Allow header, as when all handlers sat on the app."""

    @property
    def route_handler_method_map(self) -> dict[str, Any]:
        mapping = super().route_handler_method_map
        return {path: {method: handler for method, handler in handlers.items()
                       if not _is_automatic_options(handler)}
                for path, handlers in mapping.items()}


def flash_and_redirect(to: str | Callable[[Request], str]) -> Callable[[Request, Exception], Response]:
    """A router-level exception handler for HTML forms: a refusal (a lifecycle move the
    listing's status does not allow) is flashed as an error on the page the visitor goes back
    to rather than shown as an error page. `to` is a path or, for pages that return to where
    the form was, a function of the request."""

    def handler(request: Request, exc: Exception) -> Response:
        flash(request, str(exc).capitalize() + ".", "error")
        return Redirect(to if isinstance(to, str) else to(request), status_code=303)

    return handler
