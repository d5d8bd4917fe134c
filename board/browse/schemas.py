"""Response shapes of the JSON API (msgspec Structs: fast to encode, typed in OpenAPI).
Hit and OpportunityOut are built from the field spec (board.core.fields); a field with a
vocabulary is typed by an enum of that vocabulary (board.core.vocab), so the OpenAPI schema
and the clients generated from it list every allowed value."""

from __future__ import annotations

import enum
from typing import Any

import msgspec
from msgspec import UNSET, UnsetType

from board.core import vocab
from board.core.fields import (
    BOOL,
    CHOICE,
    LIST,
    OPPORTUNITY_FIELDS,
    STRING_VOCABULARIES,
    Field,
    api_type,
    hit_fields,
)


def vocabulary(name: str) -> tuple[str, ...]:
    """The values of a field's vocabulary ("kinds", "specialties", "states")."""
    if name == "kinds":
        return vocab.KINDS
    if name == "specialties":
        return vocab.specialties()
    if name == "states":
        return tuple(vocab.states())
    return tuple(vocab.CHOICES[name])  # payees, refund_policies, open_to, visa_statuses...


def _enum(title: str, values: tuple[str, ...]) -> type[enum.StrEnum]:
    # Members named by their values: the OpenAPI enum is the list of values.
    return enum.StrEnum(title, [(v or "NOT_STATED", v) for v in values])  # type: ignore[return-value]


# One named enum per vocabulary, shared by hits and listings (one OpenAPI component each).
# kind/specialty/state travel as "" when not stated (state: remote listings); the IMG facts'
# choices as null, and their lists as arrays of the enum (null when not stated).
def _enum_type(f: Field) -> Any:
    if f.type == CHOICE and f.vocabulary in STRING_VOCABULARIES:
        values = vocabulary(f.vocabulary)
        return _enum(f.name.title().replace("_", ""), values if f.required else ("", *values))
    if f.type == CHOICE:
        return _enum(f.name.title().replace("_", ""), vocabulary(f.vocabulary or "")) | None
    if f.type == LIST:
        return list[_enum(f.name.title().replace("_", ""),  # type: ignore[misc]
                          vocabulary(f.vocabulary or ""))] | None
    return None


ENUMS: dict[str, Any] = {f.name: t for f in OPPORTUNITY_FIELDS if f.vocabulary
                         if (t := _enum_type(f)) is not None}


def _type(f: Field) -> Any:
    return ENUMS.get(f.name) or api_type(f)


class InstitutionRef(msgspec.Struct):
    name: str | None
    verified: bool


class Eligibility(msgspec.Struct):
    verdict: str  # eligible | not_eligible | unknown
    reasons: list[str]


class VisaWarning(msgspec.Struct):
    code: str  # b1b2_hands_on | b1b2_unpaid_research | j1_not_sponsored
    text: str
    href: str  # where the about page explains it


class ReviewSummary(msgspec.Struct):
    """A listing's participant reviews: rating and rates are null below 3 reviews."""
    count: int = 0
    rating: float | None = None
    letter_rate: float | None = None
    costs_as_advertised_rate: float | None = None


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
    # Only when the search carries an eligibility profile (UNSET: left out of the JSON).
    ("eligibility", Eligibility | UnsetType, UNSET),
    ("warnings", list[VisaWarning] | UnsetType, UNSET),
    ("reviews", ReviewSummary | None, None),
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


