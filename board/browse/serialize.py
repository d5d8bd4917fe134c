"""Turning rows and search hits into API structs (and template-friendly dicts)."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import types
import typing
from collections.abc import Callable
from typing import Any

import msgspec
from msgspec import UNSET

from board.browse.schemas import (
    Eligibility,
    Hit,
    InstitutionRef,
    OpportunityOut,
    ReviewSummary,
    VisaWarning,
)
from board.core import event_listing as events
from board.core.derived import as_list
from board.core.fields import (
    BOOL,
    DATE,
    DATETIME,
    INT,
    OPPORTUNITY_FIELDS,
    TRISTATE,
    Field,
    api_type,
)
from board.core.shared_hits import PerHit


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def listing_url(base_url: str, opportunity_id: int) -> str:
    return f"{base_url}/opportunities/{opportunity_id}"


def _converter(field: Field, *, from_row: bool) -> Callable[[Any], Any]:
    # Decided once per field at import, so turning a hit into a struct stays a plain loop.
    if field.type == BOOL:
        return bool
    if field.is_list:
        return as_list
    if field.type == DATETIME and from_row:
        return iso
    if field.type == TRISTATE or api_type(field) == str | None:
        return lambda v: None if v is None or v == "" else v  # not stated
    if field.type == DATE and from_row:
        return iso
    if field.type in (INT, DATE):
        return (lambda v: v or 0) if not field.nullable else (lambda v: v)
    return lambda v: v or ""


_HIT = tuple((f.name, _converter(f, from_row=False))
             for f in OPPORTUNITY_FIELDS if f.in_hits)
def _plain(annotation: Any) -> Any:
    """`annotation` with each vocabulary enum as `str` (the same JSON), else unchanged."""
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        return str
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is list:
        return list[_plain(args[0])]  # type: ignore[misc]
    if isinstance(annotation, types.UnionType):
        return functools.reduce(operator.or_, map(_plain, args))
    return annotation


# Hit as it travels: the same fields, order and defaults, so it encodes to the same JSON, but
# with the vocabularies as plain text. Converting into Hit checked each value against its enum
# (a third of the conversion) to no effect: a value outside one encodes the same either way.
_HIT_WIRE = msgspec.defstruct("HitWire", [
    (f.name, _plain(f.type)) if f.required else
    (f.name, _plain(f.type), f.default if f.default is not msgspec.NODEFAULT else
     msgspec.field(default_factory=f.default_factory))
    for f in msgspec.structs.fields(Hit)], module=__name__)

# What a field not stated (None) becomes where the API's type has no null (False, "", 0).
_NOT_STATED = tuple((name, value) for name, convert in _HIT
                    if (value := convert(None)) is not None)
_ROW = tuple((f.name, _converter(f, from_row=True)) for f in OPPORTUNITY_FIELDS)


def hit_struct(hit: dict[str, Any], base_url: str) -> Any:
    """The API's hit (a Hit, or the HitWire that encodes the same). Documents hold their values
    in the API's types already, so one conversion in C does it (strictly: no coercion); a
    value that is not (a null yes/no, an
    empty list, a document from before a field existed) takes the field-by-field path,
    which says what each "not stated" becomes."""
    values = hit.values()
    # "" and [] convert as they are but mean "not stated" (null) field by field.
    if "" not in values and [] not in values:
        data = {**hit, "url": listing_url(base_url, hit["id"]),
                "highlight": hit.get("highlight") or {}}
        for name, value in _NOT_STATED:
            if data.get(name) is None:
                data[name] = value
        try:
            return msgspec.convert(data, _HIT_WIRE)
        except msgspec.ValidationError:
            pass
    return _hit_struct_by_field(hit, base_url)


_encode = msgspec.json.Encoder().encode


def _encoded_hit(hit: dict[str, Any], base_url: str) -> msgspec.Raw:
    return msgspec.Raw(_encode(hit_struct(hit, base_url)))


_SHARED_HITS: PerHit[msgspec.Raw] = PerHit(_encoded_hit)


def hit_structs(hits: list[dict[str, Any]], base_url: str, *, shared: bool) -> list[Any]:
    """The API's hits. `shared`: the hits are the search's own (no visitor's verdict added),
    so each is built and encoded once per hit (board.core.shared_hits) and goes out as its
    JSON (msgspec.Raw: the same bytes the struct encodes to, in the response's place)."""
    if not shared:
        return [hit_struct(h, base_url) for h in hits]
    get = _SHARED_HITS.get
    return [get(h, base_url) for h in hits]


def _hit_struct_by_field(hit: dict[str, Any], base_url: str) -> Hit:
    values = {name: convert(hit.get(name)) for name, convert in _HIT}
    eligibility = hit.get("eligibility")
    reviews = hit.get("reviews")
    return Hit(
        eligibility=Eligibility(**eligibility) if eligibility else UNSET,
        warnings=[VisaWarning(**w) for w in hit["warnings"]] if "warnings" in hit else UNSET,
        id=hit["id"], institution=InstitutionRef(**hit["institution"]),
        url=listing_url(base_url, hit["id"]), highlight=hit.get("highlight") or {},
        distance_miles=hit.get("distance_miles"),
        reviews=ReviewSummary(**reviews) if reviews is not None else None, **values,
    )


def opportunity_struct(row: dict[str, Any], base_url: str, *,
                       owner: bool = False) -> OpportunityOut:
    """The API's listing; a private join link only for its owner (the public API has no
    visitor shortlist), and an event's next occurrence as in search."""
    upcoming = events.next_start(row, dt.datetime.now(dt.UTC))
    row = {**row, "next_starts_at": int(upcoming.timestamp()) if upcoming else None}
    if not owner:
        row["join_url"] = events.join_link(row)
    values = {name: convert(row.get(name)) for name, convert in _ROW}
    return OpportunityOut(
        id=row["id"],
        institution=InstitutionRef(name=row.get("institution_name"),
                                   verified=bool(row.get("institution_verified"))),
        url=listing_url(base_url, row["id"]), **values,
    )
