"""The engine's answer decoded into typed structs, and a hit shaped for callers.

Each hit comes back twice over: its fields, and `_formatted` with every retrieved field again
(highlighted). Decoding into dicts built ~55 entries per hit that were then copied field by
field; a struct per spec (built once) keeps only the four formatted fields that are shown,
and `asdict` (in C) hands out a hit's fields in the spec's order in one call."""

from __future__ import annotations

import html
import math
from collections import OrderedDict
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

import msgspec

from search.documents import HL_POST, HL_PRE
from search.index_settings import IndexSpec
from search.query import SearchQuery

_asdict = msgspec.structs.asdict


class Formatted(msgspec.Struct):
    """The highlighted and cropped text the engine formats (the rest of `_formatted` is a
    plain copy of the hit and is skipped while decoding)."""

    title: str | None = None
    institution_name: str | None = None
    city: str | None = None
    description: str | None = None


_EMPTY = Formatted()
# Where the engine's underscored names land (a struct field cannot start with "_").
_FORMATTED, _GEO = "formatted__", "geo__"


_TYPES: dict[int, tuple[IndexSpec, type, msgspec.json.Decoder, msgspec.json.Decoder]] = {}


def answer_types(spec: IndexSpec) -> tuple[type, msgspec.json.Decoder]:
    """(EngineAnswer, a decoder of {"results": [EngineAnswer, ...]}) for `spec`'s hits.
    An answer's hits stay undecoded (msgspec.Raw): HitMemo decodes only the ones it has not
    shaped before."""
    known = _types(spec)
    return known[1], known[2]


def _types(spec: IndexSpec) -> tuple[IndexSpec, type, msgspec.json.Decoder, msgspec.json.Decoder]:
    # Keyed by identity: hashing a spec (every field and synonym) cost more per search than
    # the lookup saves. The spec is kept in the entry, so its id cannot be reused.
    known = _TYPES.get(id(spec))
    if known is None or known[0] is not spec:
        known = _TYPES[id(spec)] = (spec, *_build_types(spec))
    return known


def _build_types(spec: IndexSpec) -> tuple[type, msgspec.json.Decoder, msgspec.json.Decoder]:
    fields = [(name, Any, None) for name in spec.hit_fields if not name.startswith("_")]
    hit = msgspec.defstruct("EngineHit", [*fields, (_FORMATTED, Formatted | None, None),
                                          (_GEO, dict[str, Any] | None, None)],
                            rename={_FORMATTED: "_formatted", _GEO: "_geo"}, module=__name__)
    answer = msgspec.defstruct("EngineAnswer", [
        ("hits", list[msgspec.Raw], []),
        ("facetDistribution", dict[str, dict[str, int]], {}),
        ("facetStats", dict[str, dict[str, float]], {}),
        ("totalHits", int | None, None),
        ("estimatedTotalHits", int | None, None),
        ("totalPages", int | None, None),
    ], module=__name__)
    multi = msgspec.defstruct("MultiAnswer", [("results", list[answer])],  # type: ignore[valid-type]
                              module=__name__)
    return answer, msgspec.json.Decoder(multi), msgspec.json.Decoder(hit)


def safe_highlight(text: str | None) -> str:
    """Escape everything, then turn the sentinels (which cannot be in indexed text) into
    <mark> tags: the only markup in a highlight is ours."""
    escaped = html.escape(text or "")
    return escaped.replace(HL_PRE, "<mark>").replace(HL_POST, "</mark>")


def haversine_miles(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(
        (lon2 - lon1) / 2) ** 2
    return 3958.7613 * 2 * math.asin(math.sqrt(h))


def highlights(formatted: Formatted | None, title: str | None) -> dict[str, str]:
    """A hit's `highlight` (safe HTML); `title`: the hit's own, when none came formatted."""
    formatted = formatted or _EMPTY
    shown = formatted.title
    return {
        "title": safe_highlight(shown if shown is not None else title),
        "institution": safe_highlight(formatted.institution_name),
        "city": safe_highlight(formatted.city),
        "description": safe_highlight(formatted.description),
    }


def distance_miles(origin: tuple[float, float] | None,
                   geo: dict[str, Any] | None) -> float | None:
    return round(haversine_miles(origin, (geo["lat"], geo["lng"])), 1) if origin and geo else None


def _finish(hit: dict[str, Any], formatted: Formatted | None, geo: dict[str, Any] | None,
            query: SearchQuery) -> dict[str, Any]:
    hit["institution"] = {"name": hit.pop("institution_name", None),
                          "verified": bool(hit.pop("institution_verified", None))}
    hit["highlight"] = highlights(formatted, hit.get("title"))
    hit["distance_miles"] = distance_miles(query.geo, geo)
    return hit


def shape_hit(raw: Any, query: SearchQuery, spec: IndexSpec) -> dict[str, Any]:
    """A hit as callers see it: its fields (absent ones None) in the spec's order, then
    `institution`, `highlight` (safe HTML) and `distance_miles`. `raw` is a decoded struct
    or, from tests and the in-memory index, a dict in the engine's shape."""
    if isinstance(raw, dict):
        formatted = raw.get("_formatted")
        hit = {k: raw.get(k) for k in spec.hit_fields if not k.startswith("_")}
        return _finish(hit, msgspec.convert(formatted, Formatted) if formatted else None,
                       raw.get("_geo"), query)
    hit = _asdict(raw)
    return _finish(hit, hit.pop(_FORMATTED), hit.pop(_GEO), query)


V = TypeVar("V")


class RawMemo(Generic[V]):
    """Values built from the engine's exact bytes for a hit (and `extra`: whatever else they
    depend on). The key is the whole hit as the engine wrote it, so a changed listing or
    highlight is a new entry and nothing can be stale; old entries age out (least recently
    used). A value is shared: callers only read it, as they do a cached SearchResult."""

    def __init__(self, max_entries: int = 8192):
        self.max_entries = max_entries
        self._entries: OrderedDict[tuple[bytes, Any], V] = OrderedDict()

    def values(self, raws: Sequence[Any], extra: Any,
               build: Callable[[bytes], V | None]) -> list[V] | None:
        """One value per hit; None as soon as `build` gives None for one."""
        entries, out = self._entries, []
        for raw in raws:
            key = (bytes(raw), extra)
            value = entries.get(key)
            if value is None:
                value = build(key[0])
                if value is None:
                    return None
                if self.max_entries:
                    entries[key] = value
                    if len(entries) > self.max_entries:
                        entries.popitem(last=False)
            else:
                entries.move_to_end(key)
            out.append(value)
        return out


class HitMemo(RawMemo[dict[str, Any]]):
    """Shaped hits, by the engine's bytes and the search's origin (the distance depends on
    it). Distinct searches keep returning the same listings with the same highlights (on the
    search benchmark, half of a first pass's hits were seen before), and shaping one
    (decoding, escaping four highlights) was a tenth of a JSON search's CPU."""

    def shape(self, raws: Sequence[Any], query: SearchQuery, spec: IndexSpec
              ) -> list[dict[str, Any]]:
        decode = _types(spec)[3].decode
        return self.values(raws, query.geo,  # type: ignore[return-value]
                           lambda raw: shape_hit(decode(raw), query, spec))
