"""The shipped geocoding tables (board/data/city_centroids.csv, zip_points.csv) match what
scripts/make_geo_tables.py computes from the pinned `zipcodes` package, and lookups through
them answer like the package: a stale table after a package upgrade fails here."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest
import zipcodes

from board.core import geo

ROOT = Path(__file__).resolve().parents[3]


def _generator():
    spec = importlib.util.spec_from_file_location("make_geo_tables",
                                                  ROOT / "scripts" / "make_geo_tables.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_city_table_is_what_the_generator_computes():
    gen = _generator()
    places = [z for z in zipcodes.list_all() if z.get("lat") and z.get("long")]
    expected = gen.centroids(places)
    table = geo.city_centroids()
    assert len(table) == len(expected)
    assert all(table.get(key) == point for key, point in expected.items())


def test_zip_lookups_answer_like_the_package():
    table = geo.zip_points()
    everything = zipcodes.list_all()
    assert len(table) == len({z["zip_code"] for z in everything})
    for z in everything[::97]:
        assert geo.locate(z["zip_code"]) == (float(z["lat"]), float(z["long"]))


@pytest.mark.parametrize("text, point", [
    ("Houston, TX", (29.79345, -95.41651)),
    ("Saint Louis, MO", (38.639, -90.28107)),
    ("st. louis, mo", (38.639, -90.28107)),
    ("77030", (29.7041, -95.401)),
    ("77030-1234", (29.7041, -95.401)),
])
def test_locate(text, point):
    assert geo.locate(text) == point


@pytest.mark.parametrize("text, message", [
    ("99999", "don't know the ZIP code 99999"), ("Nowhere, TX", "can't find Nowhere in Texas"),
    ("Xyzzyq", "can't find"),
])
def test_locate_names_what_it_could_not_find(text, message):
    with pytest.raises(geo.GeoError, match=message):
        geo.locate(text)


def test_a_web_process_never_imports_the_zipcodes_package():
    code = ("import sys, board.app; from board.core import geo; geo.locate('Houston, TX'); "
            "geo.locate('10001'); print('zipcodes' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"
