"""Response shapes of the JSON API (msgspec Structs: fast to encode, typed in OpenAPI).
Hit and OpportunityOut are built from the field spec (board.core.fields); a field with a
vocabulary is typed by an enum of that vocabulary (board.core.vocab), so the OpenAPI schema
and the clients generated from it list every allowed value."""

from __future__ import annotations

import enum
from typing import Any

import msgspec

from board.core import vocab
from board.core.fields import BOOL, OPPORTUNITY_FIELDS, Field, api_type, hit_fields


def vocabulary(name: str) -> tuple[str, ...]:
    """The values of a field's vocabulary ("kinds", "specialties", "states")."""
    if name == "kinds":
        return vocab.KINDS
    if name == "specialties":
        return vocab.specialties()
    if name == "states":
        return tuple(vocab.states())
    raise KeyError(name)


def _enum(title: str, values: tuple[str, ...]) -> type[enum.StrEnum]:
    # Members named by their values: the OpenAPI enum is the list of values.
    return enum.StrEnum(title, [(v or "NOT_STATED", v) for v in values])  # type: ignore[return-value]


# One named enum per vocabulary, shared by hits and listings (one OpenAPI component each).
# A field that may be left empty (state: remote listings) travels as "" when not stated.
ENUMS: dict[str, type[enum.StrEnum]] = {
    f.name: _enum(f.name.title().replace("_", ""),
                  vocabulary(f.vocabulary) if f.required else ("", *vocabulary(f.vocabulary)))
    for f in OPPORTUNITY_FIELDS if f.vocabulary
}


def _type(f: Field) -> Any:
    return ENUMS.get(f.name) or api_type(f)


class InstitutionRef(msgspec.Struct):
    name: str | None
    verified: bool


def _spec_fields(fields: tuple[Field, ...]) -> list[tuple[str, Any]]:
    # The institution travels as one object, placed right after the city.
    out: list[tuple[str, Any]] = []
    for f in fields:
        out.append((f.name, _type(f)))
        if f.name == "city":
            out.append(("institution", InstitutionRef))
    return out


def _optional(f: Field) -> tuple[str, Any, Any]:
    return (f.name, _type(f), False if f.type == BOOL else None)


# Fields added to hits later carry defaults, so they are optional in the OpenAPI schema.
Hit = msgspec.defstruct("Hit", [
    ("id", int), *_spec_fields(hit_fields(optional=False)), ("url", str), ("highlight", dict[str, str]),
    ("distance_miles", float | None), *(_optional(f) for f in hit_fields(optional=True)),
], module=__name__)

OpportunityOut = msgspec.defstruct("OpportunityOut", [
    ("id", int), *_spec_fields(OPPORTUNITY_FIELDS), ("url", str),
], module=__name__)


class SearchResponse(msgspec.Struct):
    hits: list[Hit]  # type: ignore[valid-type]
    total: int
    page: int
    per_page: int
    pages: int
    facets: dict[str, dict[str, int]]
    facet_stats: dict[str, dict[str, float]]
    took_ms: int
    capped: bool = False


class ErrorBody(msgspec.Struct):
    status_code: int
    detail: str
    field: str | None = None
    errors: dict[str, str] | None = None
