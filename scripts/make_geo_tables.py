"""Regenerate board/data/city_centroids.csv and board/data/zip_points.csv from the `zipcodes`
package (GeoNames data), which board.core.geo reads instead of the package at run time.

A city's centroid is the mean of its ZIP coordinates, keyed `ST:normalised name`
(board.core.geo.city_key), with its number of ZIP codes (the package has no population: the
ZIP count is the proxy geo uses to pick the largest city of a name given without a state). Both files are sorted by key (geo bisects them). Run after
upgrading `zipcodes`, and commit the files:

    .venv/bin/python scripts/make_geo_tables.py
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import zipcodes

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from board.core.geo import CENTROIDS_FILE, ZIPS_FILE, city_key  # noqa: E402


def _fmt(value: float) -> str:
    return f"{value:.5f}".rstrip("0").rstrip(".")


def centroids(places: list[dict]) -> dict[str, tuple[float, float]]:
    sums: dict[str, list[float]] = {}
    for z in places:
        acc = sums.setdefault(city_key(z["city"], z["state"]), [0.0, 0.0, 0])
        acc[0] += float(z["lat"])
        acc[1] += float(z["long"])
        acc[2] += 1
    return {k: (round(v[0] / v[2], 5), round(v[1] / v[2], 5)) for k, v in sums.items()}


def zip_counts(places: list[dict]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for z in places:
        key = city_key(z["city"], z["state"])
        counts[key] = counts.get(key, 0) + 1
    return counts


def write(path: Path, points: dict[str, tuple[float, float]],
          counts: dict[str, int] | None = None) -> None:
    with path.open("w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh, lineterminator="\n")
        out.writerow(["key", "lat", "lng", *(["zips"] if counts else [])])
        for key in sorted(points):
            row = [key, _fmt(points[key][0]), _fmt(points[key][1])]
            out.writerow(row + ([str(counts[key])] if counts else []))
    print(f"{path.relative_to(ROOT)}: {len(points)} places (zipcodes {zipcodes.__version__})")


def main() -> None:
    places = [z for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    write(CENTROIDS_FILE, centroids(places), zip_counts(places))
    zips: dict[str, tuple[float, float]] = {}
    for z in places:
        zips.setdefault(z["zip_code"], (float(z["lat"]), float(z["long"])))
    write(ZIPS_FILE, zips)


if __name__ == "__main__":
    main()
