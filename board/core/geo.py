"""Offline geocoding of what people type in "Near": a ZIP, "Chicago", "Chicago IL",
"Chicago, IL", "Houston Texas", "Boston, Massachusetts" (GeoNames data from `zipcodes`).

Both tables are small shipped files made by scripts/make_geo_tables.py and read on first use:
board/data/city_centroids.csv (a city's centroid is the mean of its ZIP coordinates, with its
number of ZIP codes) and board/data/zip_points.csv. Why not the package at run time: expanding
its table cost every web process ~110 MB resident; these tables cost a few MB.

A city named without a state picks the match with the most ZIP codes: the data has no
population, and the number of ZIP codes is a fair proxy for it (Springfield, IL over
Springfield, VT); the other matches come back so the page can ask "did you mean"."""

from __future__ import annotations

import csv
import difflib
import re
from array import array
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from board.core import vocab

DATA = Path(__file__).resolve().parent.parent / "data"
CENTROIDS_FILE = DATA / "city_centroids.csv"
ZIPS_FILE = DATA / "zip_points.csv"

_ZIP = re.compile(r"^\d{5}(?:-\d{4})?$")
MAX_ALTERNATIVES = 3


class GeoError(ValueError):
    """A place that could not be found; `suggestions` are "City, ST" labels to offer."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()):
        super().__init__(message)
        self.suggestions = suggestions


@dataclass(frozen=True)
class Place:
    label: str                      # "Chicago, IL" or "60601"
    point: tuple[float, float]
    alternatives: tuple[str, ...] = ()  # other places of the same name, most ZIP codes first


def _norm(city: str) -> str:
    city = re.sub(r"[^a-z0-9 ]", " ", city.casefold())
    city = re.sub(r"\bsaint\b", "st", city)
    return " ".join(city.split())


class PointTable:
    """Sorted keys with their coordinates in float arrays: a lookup is a bisection, and
    30-40k places take about 2 MB instead of a dict of tuples' 10 MB. An optional fourth
    column (a city's number of ZIP codes) is its weight."""

    def __init__(self, path: Path):
        self.keys: list[str] = []
        self.lat, self.lng = array("d"), array("d")
        self.weight = array("l")
        with path.open(encoding="utf-8", newline="") as fh:
            rows = csv.reader(fh)
            next(rows)  # header: key,lat,lng[,zips]
            for key, lat, lng, *rest in rows:  # the file is sorted by key
                self.keys.append(key)
                self.lat.append(float(lat))
                self.lng.append(float(lng))
                self.weight.append(int(rest[0]) if rest else 1)

    def get(self, key: str) -> tuple[float, float] | None:
        i = self.index(key)
        return (self.lat[i], self.lng[i]) if i is not None else None

    def index(self, key: str) -> int | None:
        i = bisect_left(self.keys, key)
        return i if i < len(self.keys) and self.keys[i] == key else None

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


@cache
def _states() -> dict[str, str]:
    """Normalised state code or name -> USPS code ("il", "illinois" -> "IL")."""
    out: dict[str, str] = {}
    for code, name in vocab.states().items():
        out[code.lower()] = code
        out[_norm(name)] = code
    return out


@cache
def _by_name() -> tuple[list[str], list[int]]:
    """City names sorted (name, table index), for "a city without a state" and type-ahead."""
    table = city_centroids()
    pairs = sorted((key.partition(":")[2], i) for i, key in enumerate(table.keys)
                   if table.lat[i] or table.lng[i])  # APO/FPO have no place
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _label(i: int) -> str:
    table = city_centroids()
    state, _, name = table.keys[i].partition(":")
    return f"{name.title()}, {state}"


def _matches(name: str) -> list[int]:
    """Table indexes of every city called `name` (normalised), most ZIP codes first."""
    names, idx = _by_name()
    lo = bisect_left(names, name)
    hits = []
    while lo < len(names) and names[lo] == name:
        hits.append(idx[lo])
        lo += 1
    weight = city_centroids().weight
    return sorted(hits, key=lambda i: -weight[i])


def locate_city(city: str, state: str) -> tuple[float, float] | None:
    if not city or not state:
        return None
    return city_centroids().get(city_key(city, state))


def _split_state(text: str) -> tuple[str, str | None]:
    """("Chicago", "IL") from "Chicago, IL", "Chicago IL" or "Houston Texas"; a trailing
    word that is no state leaves the whole text as the city."""
    if "," in text:
        city, _, state = text.rpartition(",")
        code = _states().get(_norm(state))
        if code is None:
            raise GeoError(f"We don't know the state \u201c{state.strip()}\u201d. "
                           "Try a city and state, like Chicago, IL, or a 5-digit ZIP.")
        return city.strip(), code
    words = text.split()
    for n in (3, 2, 1):  # "District of Columbia", "New York", "TX"
        if len(words) > n:
            code = _states().get(_norm(" ".join(words[-n:])))
            if code is not None:
                return " ".join(words[:-n]), code
    return text, None


def resolve(text: str) -> Place:
    """What a visitor typed in "Near" -> a Place; GeoError says, in people's words, what
    could not be found and offers close places."""
    text = " ".join((text or "").split())
    if _ZIP.match(text):
        point = zip_points().get(text[:5])
        if point is None:
            raise GeoError(f"We don't know the ZIP code {text}. Check it, or enter a city.")
        return Place(text[:5], point)
    if not _norm(text):
        raise GeoError("Enter a city (like Chicago, IL) or a 5-digit ZIP.")
    city, state = _split_state(text)
    table = city_centroids()
    if state is not None:
        i = table.index(city_key(city, state))
        if i is not None:
            return Place(_label(i), (table.lat[i], table.lng[i]))
        elsewhere = tuple(_label(j) for j in _matches(_norm(city))[:MAX_ALTERNATIVES])
        raise GeoError(f"We can't find {city.strip() or text} in {vocab.states()[state]}.",
                       elsewhere or _close(city))
    found = _matches(_norm(city))
    if not found:
        raise GeoError(f"We can't find \u201c{text}\u201d. Try a city and state, like "
                       "Chicago, IL, or a 5-digit ZIP.", _close(city))
    best = found[0]
    return Place(_label(best), (table.lat[best], table.lng[best]),
                 tuple(_label(j) for j in found[1:1 + MAX_ALTERNATIVES]))


def _close(city: str) -> tuple[str, ...]:
    """The largest cities whose names are close to a misspelt one ("Houstn" -> Houston, TX);
    on the error path only (a scan of ~20k names)."""
    names = sorted(set(_by_name()[0]))
    close = difflib.get_close_matches(_norm(city), names, n=MAX_ALTERNATIVES, cutoff=0.8)
    return tuple(_label(_matches(name)[0]) for name in close)


def locate(text: str) -> tuple[float, float]:
    """What a visitor typed in "Near" -> (lat, lng) (see `resolve`)."""
    return resolve(text).point


def suggest(prefix: str, limit: int = 8) -> tuple[str, ...]:
    """"City, ST" labels of the cities whose name starts with `prefix` (a state after it
    narrows them), most ZIP codes first: the Near box's suggestions as you type."""
    try:
        city, state = _split_state(prefix)
    except GeoError:  # "Chicago, I": the state is still being typed
        city, state = prefix.partition(",")[0], None
    if not _norm(city):
        city, state = prefix, None
    name = _norm(city)
    if not name:
        return ()
    names, idx = _by_name()
    lo = bisect_left(names, name)
    hits: list[int] = []
    while lo < len(names) and names[lo].startswith(name) and len(hits) < 2000:
        if state is None or city_centroids().keys[idx[lo]].startswith(state + ":"):
            hits.append(idx[lo])
        lo += 1
    weight = city_centroids().weight
    hits.sort(key=lambda i: -weight[i])
    return tuple(_label(i) for i in hits[:limit])
