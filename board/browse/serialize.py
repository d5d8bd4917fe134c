"""Turning rows and search hits into API structs (and template-friendly dicts)."""

from __future__ import annotations

import datetime as dt
import enum
import functools
import operator
import types
import typing
from collections.abc import Callable, Sequence
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
from search.answers import Formatted, RawMemo, distance_miles, highlights


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


class _Extras(msgspec.Struct):
    """What the engine sends beside a hit's own fields (the struct below skips them)."""

    institution_name: Any = None
    institution_verified: Any = None
    formatted: Formatted | None = msgspec.field(name="_formatted", default=None)
    geo: dict[str, Any] | None = msgspec.field(name="_geo", default=None)


_DOC_FIELDS = {name for name, _ in _HIT}
# HitWire's fields in HitWire's order, so it encodes to the same JSON: the document's fields
# may also be null or absent (both None; turned into what "not stated" is below), and the
# ones that do not come from the document are filled in after decoding.
_API_DOC = msgspec.defstruct("ApiDoc", [
    (f.name, f.type | None, None) if f.name in _DOC_FIELDS else
    (f.name, f.type) if f.name == "id" else
    (f.name, f.type, None if f.required else f.default)
    for f in msgspec.structs.fields(_HIT_WIRE)], module=__name__)
_decode_doc = msgspec.json.Decoder(_API_DOC).decode
_decode_extras = msgspec.json.Decoder(_Extras).decode


def encoded_api_hit(raw: bytes, origin: tuple[float, float] | None,
                    base_url: str) -> msgspec.Raw | None:
    """The API's JSON for one hit straight from the engine's bytes for it: what shape_hit,
    page_hits (without a profile) and hit_struct make of it, without the dicts in between (a
    tenth of a JSON search's CPU on the distinct-search benchmark). None when the hit needs
    that path: a value of another type, or no review summary (page_hits looks it up)."""
    try:
        doc = _decode_doc(raw)
        extras = _decode_extras(raw)
    except msgspec.ValidationError:
        return None
    if doc.reviews is None:
        return None
    doc.highlight = highlights(extras.formatted, doc.title)
    values = msgspec.structs.astuple(doc)  # a scan of these is 3x faster than of `raw`
    if "" in values or [] in values:
        # An empty text or list is "not stated": hit_struct's field-by-field path.
        for name, convert in _HIT:
            value = getattr(doc, name)
            if value == "" or value == []:
                setattr(doc, name, convert(value))
    for name, value in _NOT_STATED:
        if getattr(doc, name) is None:
            setattr(doc, name, value)
    doc.institution = InstitutionRef(name=extras.institution_name,
                                     verified=bool(extras.institution_verified))
    doc.url = listing_url(base_url, doc.id)
    doc.distance_miles = distance_miles(origin, extras.geo)
    return msgspec.Raw(_encode(doc))


class ApiHits(RawMemo[msgspec.Raw]):
    """Encoded API hits by the engine's bytes for them, the search's origin and the base URL
    (search.answers.RawMemo)."""

    def encode(self, raws: Sequence[Any], origin: tuple[float, float] | None,
               base_url: str) -> list[msgspec.Raw] | None:
        """Each hit's JSON, or None when one of them needs the shaped path."""
        return self.values(raws, (origin, base_url),
                           lambda raw: encoded_api_hit(raw, origin, base_url))


API_HITS = ApiHits()


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
