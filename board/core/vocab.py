"""Vocabularies shipped with the product: opportunity kinds, US states and ACGME specialties."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

KINDS: tuple[str, ...] = ("observership", "externship", "clerkship", "research", "mentorship")
INSTITUTION_KINDS: tuple[str, ...] = ("hospital", "university", "clinic", "research lab")
USMLE_STEPS: tuple[str, ...] = ("step1", "step2ck", "none")


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@cache
def states() -> dict[str, str]:
    """USPS code -> name, states first then DC and territories, as the data lists them."""
    return {r["usps"]: r["name"] for r in _rows("states.csv")}


@cache
def specialties() -> tuple[str, ...]:
    return tuple(r["name"] for r in _rows("specialties.csv"))


@cache
def main_specialties() -> tuple[str, ...]:
    """Core specialties (not subspecialties): the short list used for demo data."""
    return tuple(r["name"] for r in _rows("specialties.csv") if r["category"] == "specialty")


@cache
def specialty_lookup() -> dict[str, str]:
    """Case-insensitive name -> canonical name, so imports accept 'internal medicine'."""
    return {name.casefold(): name for name in specialties()}


def canonical_specialty(value: str) -> str | None:
    return specialty_lookup().get(value.strip().casefold())
