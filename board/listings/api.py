"""The write side of the JSON API: create, edit and close an institution's listings with
`Authorization: Bearer <API token>`, through the same validation (board.validation) and
lifecycle (board.listings) as the dashboard forms. Another institution's listing is 404."""

from __future__ import annotations

import json
from typing import Any

import msgspec
from litestar import Request, delete, patch, post
from litestar.exceptions import NotAuthorizedException, NotFoundException
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import Body, Parameter

from board.accounts import tokens
from board.accounts.tokens import TokenIdentity
from board.browse.schemas import OpportunityOut
from board.browse.serialize import opportunity_struct
from board.core import vocab
from board.core.fields import BY_NAME
from board.core.validation import (
    BOOL_FIELDS,
    DATE_FIELDS,
    DATETIME_FIELDS,
    FIELDS,
    INT_RANGES,
    LIST_FIELDS,
    TEXT_LIMITS,
    TRISTATE_FIELDS,
    ValidationErrors,
    validate_opportunity,
)
from board.listings import services as listings
from board.store.engine import write_transaction
from board.web.api_errors import ErrorBody
from board.web.common import runtime
from board.web.routing import FeatureRouter

SECURITY = [{"BearerToken": []}]
TAGS = ["opportunities (institutions)"]


class OpportunityWritten(OpportunityOut):
    """The listing as stored, with why a moderator must review it (when it is pending)."""

    review_flags: list[str] = []
    rejection_reason: str = ""


class Deleted(msgspec.Struct):
    id: int
    status: str  # "deleted" (a draft) or "closed" (its public link keeps working)


def _body_schema(partial: bool) -> dict[str, Any]:
    """The request body described field by field (the handler takes a plain object so that
    every problem is reported by the shared validation, naming the field)."""
    props: dict[str, Any] = {}
    for name in FIELDS:
        vocabulary = BY_NAME[name].vocabulary
        if name in BOOL_FIELDS:
            props[name] = {"type": "boolean"}
        elif name in TRISTATE_FIELDS:
            props[name] = {"type": ["boolean", "null"], "description": "null: not stated"}
        elif name in LIST_FIELDS:
            props[name] = {"type": ["array", "null"], "uniqueItems": True,
                           "items": {"type": "string", "enum": list(vocab.CHOICES[str(vocabulary)])},
                           "description": "null or []: not stated"}
        elif vocabulary in vocab.CHOICES and name not in INT_RANGES:
            props[name] = {"type": ["string", "null"],
                           "enum": [*vocab.CHOICES[str(vocabulary)], "", None],
                           "description": "empty or null: not stated"}
        elif name in INT_RANGES:
            lo, hi = INT_RANGES[name]
            props[name] = {"type": ["integer", "null"], "minimum": lo, "maximum": hi}
        elif name in DATE_FIELDS:
            props[name] = {"type": ["string", "null"], "format": "date"}
        elif name in DATETIME_FIELDS:
            props[name] = {"type": ["string", "null"], "format": "date-time",
                           "description": "events; without an offset: in `timezone`"}
        elif name == "kind":
            props[name] = {"type": "string", "enum": list(vocab.KINDS)}
        elif name == "title":
            props[name] = {"type": "string", "minLength": 5, "maxLength": 200}
        elif name == "state":
            props[name] = {"type": "string", "enum": list(vocab.states()),
                           "description": "USPS code; required unless remote"}
        elif name == "apply_url":
            props[name] = {"type": "string", "format": "uri", "description": "https only"}
        elif name == "apply_email":
            props[name] = {"type": "string", "format": "email"}
        elif name == "specialty":
            props[name] = {"type": "string", "enum": list(vocab.specialties()),
                           "description": "an ACGME specialty name"}
        else:
            props[name] = {"type": "string", "maxLength": TEXT_LIMITS.get(name, 20_000)}
    props["submit"] = {"type": "boolean", "default": not partial, "description": (
        "submit for publication: a verified institution's listing is published unless a red "
        "flag needs a moderator; otherwise it waits for review")}
    schema: dict[str, Any] = {"type": "object", "properties": props, "additionalProperties": False}
    if not partial:
        schema["required"] = ["title", "kind", "specialty"]
    return schema


ERRORS = {
    400: ResponseSpec(ErrorBody, generate_examples=False,
                      description="A field is not valid; `field` names it"),
    401: ResponseSpec(ErrorBody, generate_examples=False,
                      description="Missing, unknown or revoked API token"),
    404: ResponseSpec(ErrorBody, generate_examples=False,
                      description="No such listing for this token's institution"),
    409: ResponseSpec(ErrorBody, generate_examples=False,
                      description="The listing's status does not allow this"),
}


BEARER_CHALLENGE = {"WWW-Authenticate": 'Bearer realm="imgboard"'}


async def _identity(request: Request) -> TokenIdentity:
    raw = tokens.bearer_token(request.headers.get("authorization"))
    if raw is None:
        raise NotAuthorizedException(
            headers=BEARER_CHALLENGE,
            detail="send your API token as `Authorization: Bearer <token>` (create one on /dashboard/tokens)")
    identity = await tokens.authenticate(raw)
    if identity is None:
        raise NotAuthorizedException(headers=BEARER_CHALLENGE,
                                     detail="this API token is not valid or has been revoked")
    return identity


def _submit_flag(body: dict[str, Any], default: bool) -> bool:
    value = body.pop("submit", default)
    if not isinstance(value, bool):
        raise ValidationErrors({"submit": "must be true or false"})
    return value


async def _owned(opportunity_id: int, identity: TokenIdentity) -> dict[str, Any]:
    try:
        return await listings.get(opportunity_id, identity.institution_id)
    except listings.NotFound:
        raise NotFoundException(f"no opportunity {opportunity_id} belongs to this token's "
                                "institution") from None


def _written(request: Request, row: dict[str, Any]) -> OpportunityWritten:
    out = opportunity_struct(row, runtime(request).settings.base_url, owner=True)
    flags = row.get("review_flags") or []
    if isinstance(flags, str):  # Piccolo returns JSON columns as text unless asked
        flags = json.loads(flags)
    return OpportunityWritten(**msgspec.structs.asdict(out), review_flags=list(flags),
                              rejection_reason=row.get("rejection_reason") or "")


@post("/api/v1/opportunities", tags=TAGS, security=SECURITY, status_code=201,
      summary="Create a listing (and submit it)", responses=ERRORS,
      description="Creates a listing for the token's institution. With `submit` (default "
      "true) it is submitted at once: status `published` or `pending`; else a `draft`.")
async def create_opportunity(
    request: Request,
    data: dict[str, Any] = Body(schema_extra=_body_schema(partial=False)),
) -> OpportunityWritten:
    identity = await _identity(request)
    body = dict(data)
    submit = _submit_flag(body, default=True)
    clean = validate_opportunity(body)
    # One transaction: a draft left behind by a failed submit (store lost mid-request, 503)
    # would be duplicated by the client's retry.
    async with write_transaction():
        opp_id = await listings.create(identity.institution_id, clean, member_id=identity.member_id)
        if submit:
            await listings.submit(opp_id, identity.institution_id,
                                  listing_days=runtime(request).settings.listing_days)
    return _written(request, await listings.get(opp_id))


@patch("/api/v1/opportunities/{opportunity_id:int}", tags=TAGS, security=SECURITY,
       summary="Change some fields of a listing", responses=ERRORS,
       description="Only the fields given change; the cross-field rules see the result. "
       "A published listing is updated in search within seconds. `submit: true` submits "
       "a draft or rejected listing.")
async def update_opportunity(
    request: Request, opportunity_id: int,
    data: dict[str, Any] = Body(schema_extra=_body_schema(partial=True)),
) -> OpportunityWritten:
    identity = await _identity(request)
    current = await _owned(opportunity_id, identity)
    body = dict(data)
    submit = _submit_flag(body, default=False)
    clean = validate_opportunity(body, existing={k: current[k] for k in FIELDS}) if body else {}
    await listings.edit(opportunity_id, clean, identity.institution_id, submit_after=submit,
                        listing_days=runtime(request).settings.listing_days)
    return _written(request, await listings.get(opportunity_id))


@delete("/api/v1/opportunities/{opportunity_id:int}", tags=TAGS, security=SECURITY,
        status_code=200, summary="Delete a draft or close a listing", responses=ERRORS,
        description="A draft is deleted. Any other listing is closed: it leaves search, and "
        "its page says that it no longer accepts applicants.")
async def delete_opportunity(request: Request,
                             opportunity_id: int = Parameter(ge=1, le=2**31 - 1)) -> Deleted:
    identity = await _identity(request)
    await _owned(opportunity_id, identity)
    try:
        status = await listings.delete_draft_or_close(opportunity_id, identity.institution_id)
    except listings.NotFound:
        raise NotFoundException(f"no opportunity {opportunity_id}") from None
    return Deleted(id=opportunity_id, status=status)


router = FeatureRouter(path="/", route_handlers=[create_opportunity, update_opportunity, delete_opportunity])
