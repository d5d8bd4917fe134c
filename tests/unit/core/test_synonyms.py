"""The specialty words people type resolve to the ACGME names, and only to real ones."""

from __future__ import annotations

import pytest

from board.core import synonyms, vocab


def test_every_alias_points_into_the_vocabulary() -> None:
    names = set(vocab.specialties())
    assert {v for v in synonyms.SPECIALTY_ALIASES.values()} <= names


@pytest.mark.parametrize(("typed", "name"), [
    ("OBGYN", "Obstetrics and gynecology"),
    ("  peds ", "Pediatrics"),
    ("IM", "Internal medicine"),
    ("em", "Emergency medicine"),
    ("Cardiology", "Cardiovascular disease"),
    ("internal   MEDICINE", "Internal medicine"),
])
def test_resolve_known_words(typed: str, name: str) -> None:
    assert synonyms.resolve_specialty(typed) == name


def test_unknown_word_resolves_to_nothing() -> None:
    assert synonyms.resolve_specialty("astrology") is None


def test_suggest_fixes_a_typo_and_gives_up_on_nonsense() -> None:
    assert synonyms.suggest_specialty("Dermatolgy") == "Dermatology"
    assert synonyms.suggest_specialty("qqqq zzzz") is None
