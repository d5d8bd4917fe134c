"""Offline geocoding of "City, ST" or a ZIP with the `zipcodes` package (GeoNames data).

City centroids are the mean of the city's ZIP coordinates, computed once per process."""

from __future__ import annotations

import re
from functools import cache

import zipcodes

_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")


class GeoError(ValueError):
    pass


def _norm(city: str) -> str:
    city = re.sub(r"[^a-z0-9 ]", " ", city.casefold())
    city = re.sub(r"\bsaint\b", "st", city)
    return " ".join(city.split())


@cache
def city_centroids() -> dict[tuple[str, str], tuple[float, float]]:
    sums: dict[tuple[str, str], list[float]] = {}
    for z in zipcodes.list_all():
        if not z.get("lat") or not z.get("long"):
            continue
        key = (_norm(z["city"]), z["state"])
        acc = sums.setdefault(key, [0.0, 0.0, 0])
        acc[0] += float(z["lat"])
        acc[1] += float(z["long"])
        acc[2] += 1
    return {k: (round(v[0] / v[2], 5), round(v[1] / v[2], 5)) for k, v in sums.items()}


def locate_city(city: str, state: str) -> tuple[float, float] | None:
    if not city or not state:
        return None
    return city_centroids().get((_norm(city), state.upper()))


def locate(text: str) -> tuple[float, float]:
    """`City, ST` or a ZIP -> (lat, lng); GeoError names what could not be found."""
    text = (text or "").strip()
    if _ZIP.match(text):
        try:
            found = zipcodes.matching(text[:5])
        except (ValueError, TypeError) as exc:
            raise GeoError(f"unknown ZIP code {text!r}") from exc
        if not found or not found[0].get("lat"):
            raise GeoError(f"unknown ZIP code {text!r}")
        return float(found[0]["lat"]), float(found[0]["long"])
    if "," not in text:
        raise GeoError("near must be 'City, ST' (for example 'Houston, TX') or a 5-digit ZIP")
    city, _, state = text.rpartition(",")
    point = locate_city(city.strip(), state.strip())
    if point is None:
        raise GeoError(f"unknown place {text!r}: use 'City, ST' or a 5-digit ZIP")
    return point
