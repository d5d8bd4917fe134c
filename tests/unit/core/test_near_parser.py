"""The "Near" box accepts what people type (board.core.geo.resolve): a ZIP, a city with or
without its state, the state as a code or a name, with or without a comma; a city named
without a state is the one with the most ZIP codes, the others offered as "did you mean"."""

from __future__ import annotations

import pytest

from board.core import geo

CHICAGO = geo.resolve("Chicago, IL").point


@pytest.mark.parametrize("text", ["Chicago", "chicago", "Chicago IL", "Chicago, IL",
                                  "  Chicago ,  il ", "Chicago Illinois", "Chicago, Illinois"])
def test_chicago_in_every_spelling(text):
    place = geo.resolve(text)
    assert place.label == "Chicago, IL" and place.point == CHICAGO


@pytest.mark.parametrize("text, label", [
    ("Houston Texas", "Houston, TX"), ("Boston, Massachusetts", "Boston, MA"),
    ("New York", "New York, NY"), ("New York, New York", "New York, NY"),
    ("Washington DC", "Washington, DC"), ("Washington, District of Columbia", "Washington, DC"),
    ("Salt Lake City Utah", "Salt Lake City, UT"), ("Saint Louis", "St Louis, MO"),
    ("Kansas City", "Kansas City, MO"), ("60601", "60601"), ("60601-1234", "60601"),
])
def test_places(text, label):
    assert geo.resolve(text).label == label


def test_an_ambiguous_city_picks_the_largest_and_offers_the_others():
    place = geo.resolve("Springfield")
    assert place.label == "Springfield, IL"
    assert "Springfield, MA" in place.alternatives and "Springfield, MO" in place.alternatives
    assert len(place.alternatives) <= geo.MAX_ALTERNATIVES
    assert geo.resolve("Springfield, MO").alternatives == ()  # a state given: no question


def test_a_city_in_the_wrong_state_offers_where_it_is():
    with pytest.raises(geo.GeoError, match="can't find Houston in Vermont") as err:
        geo.resolve("Houston, VT")
    assert err.value.suggestions[0] == "Houston, TX"


@pytest.mark.parametrize("text, message, suggestion", [
    ("Houstn", "can't find \u201cHoustn\u201d", "Houston, TX"),
    ("Chicgo, IL", "can't find Chicgo in Illinois", "Chicago, IL"),
    ("Chicago, ZZ", "don't know the state \u201cZZ\u201d", None),
    ("99999", "don't know the ZIP code", None),
    (" , ", "Enter a city", None),
])
def test_errors_speak_to_people(text, message, suggestion):
    with pytest.raises(geo.GeoError, match=message) as err:
        geo.resolve(text)
    if suggestion:
        assert suggestion in err.value.suggestions


def test_suggestions_as_you_type():
    assert geo.suggest("chi")[0] == "Chicago, IL"
    assert geo.suggest("Springfield MO") == ("Springfield, MO",)
    assert geo.suggest("Chicago, I")[0] == "Chicago, IL"  # the state half typed
    assert geo.suggest("") == () and len(geo.suggest("s")) == 8
