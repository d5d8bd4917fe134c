"""Offline geocoding of "City, ST" or a ZIP (GeoNames data from the `zipcodes` package).

Both come from small shipped files made by scripts/make_geo_tables.py and read on first use:
board/data/city_centroids.csv (a city's centroid is the mean of its ZIP coordinates) and
board/data/zip_points.csv. Why not the package at run time: expanding its table cost every
web process ~110 MB resident and its compiled ZIP index ~37 MB; these tables, kept as sorted
keys and float arrays, cost a few MB."""

from __future__ import annotations

import csv
import re
from array import array
from bisect import bisect_left
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"
CENTROIDS_FILE = DATA / "city_centroids.csv"
ZIPS_FILE = DATA / "zip_points.csv"

_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")


class GeoError(ValueError):
    pass


def _norm(city: str) -> str:
    city = re.sub(r"[^a-z0-9 ]", " ", city.casefold())
    city = re.sub(r"\bsaint\b", "st", city)
    return " ".join(city.split())


class PointTable:
    """Sorted keys with their coordinates in two float arrays: a lookup is a bisection, and
    30-40k places take about 2 MB instead of a dict of tuples' 10 MB."""

    def __init__(self, path: Path):
        self.keys: list[str] = []
        self.lat, self.lng = array("d"), array("d")
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)  # header: key,lat,lng
            for key, lat, lng in rows:  # the file is sorted by key
                self.keys.append(key)
                self.lat.append(float(lat))
                self.lng.append(float(lng))

    def get(self, key: str) -> tuple[float, float] | None:
        i = bisect_left(self.keys, key)
        if i < len(self.keys) and self.keys[i] == key:
            return self.lat[i], self.lng[i]
        return None

    def __len__(self) -> int:
        return len(self.keys)


def city_key(city: str, state: str) -> str:
    """The key of a city in city_centroids.csv: `ST:normalised city name`."""
    return f"{state.upper()}:{_norm(city)}"


@cache
def city_centroids() -> PointTable:
    return PointTable(CENTROIDS_FILE)


@cache
def zip_points() -> PointTable:
    return PointTable(ZIPS_FILE)


def locate_city(city: str, state: str) -> tuple[float, float] | None:
    if not city or not state:
        return None
    return city_centroids().get(city_key(city, state))


def locate(text: str) -> tuple[float, float]:
    """`City, ST` or a ZIP -> (lat, lng); GeoError names what could not be found."""
    text = (text or "").strip()
    if _ZIP.match(text):
        point = zip_points().get(text[:5])
        if point is None:
            raise GeoError(f"unknown ZIP code {text!r}")
        return point
    if "," not in text:
        raise GeoError("near must be 'City, ST' (for example 'Houston, TX') or a 5-digit ZIP")
    city, _, state = text.rpartition(",")
    point = locate_city(city.strip(), state.strip())
    if point is None:
        raise GeoError(f"unknown place {text!r}: use 'City, ST' or a 5-digit ZIP")
    return point
