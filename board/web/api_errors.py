"""The JSON API's error body and how handlers document and produce it, shared by every
feature's API (search, listings, reviews, subscriptions): one shape for 400/404/409/503."""

from __future__ import annotations

import msgspec
from litestar import Request, Response
from litestar.exceptions import ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example

# Litestar's own names for query parameters are the Python names; map them back.
PARAM_ALIASES = {"state_": "state"}


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str
    field: str | None = None
    errors: dict[str, str] | None = None


def error_response(description: str, status: int, detail: str,
                   field: str | None = None) -> ResponseSpec:
    """An error answer with a real example (Litestar would invent random strings, and its
    default 400 schema is an array with additionalProperties that generators cannot read)."""
    return ResponseSpec(ErrorBody, description=description, generate_examples=False, examples=[
        Example(value={"status_code": status, "detail": detail, "field": field})])


def bad_parameter(request: Request, exc: ValidationException) -> Response:
    """Litestar's type check of a parameter, answered like every other bad parameter:
    400 with a message that names it (its default detail names only the URL)."""
    errors = exc.extra if isinstance(exc.extra, list) else []
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    name = PARAM_ALIASES.get(str(first.get("key") or ""), str(first.get("key") or "query"))
    message = str(first.get("message") or "is not valid")
    return Response({"status_code": 400, "detail": f"{name}: {message}", "field": name},
                    status_code=400)
