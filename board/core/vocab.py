"""Vocabularies shipped with the product: opportunity kinds, US states and ACGME specialties."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data"

KINDS: tuple[str, ...] = ("observership", "externship", "clerkship", "research", "mentorship",
                          "event")
# "physician": an individual doctor offering mentoring or an observership (no website needed).
INSTITUTION_KINDS: tuple[str, ...] = ("hospital", "university", "clinic", "research lab",
                                      "physician")
USMLE_STEPS: tuple[str, ...] = ("step1", "step2ck", "none")

# The values (and how a visitor reads them) of the later choice and list fields
# (board.core.fields names them by key). Values are contract (CONTRACT.md, "More fields").
CHOICES: dict[str, dict[str, str]] = {
    "refund_policies": {"full": "Full refund", "partial": "Partial refund",
                        "visa_denial_only": "Refund only if the visa is denied",
                        "none": "No refund"},
    "payees": {"institution": "The institution", "physician": "A physician",
               "intermediary": "A company in between (intermediary)"},
    "lor_policies": {"none": "No letters", "on_request": "A letter on request",
                     "standard": "A letter for every participant who completes it"},
    "ehr_access": {"none": "No access", "read": "Can read", "write": "Can write notes"},
    "settings": {"inpatient": "Inpatient", "outpatient": "Outpatient",
                 "both": "Inpatient and outpatient"},
    "open_to": {"student": "Final-year medical students", "graduate": "Graduates"},
    "visa_statuses": {"b1b2": "B-1/B-2 visitor", "j1": "J-1", "f1": "F-1", "h1b": "H-1B",
                      "h4": "H-4", "ead": "EAD (work permit)",
                      "permanent_resident": "Permanent resident", "citizen": "US citizen"},
    # An INT field's labels: the level's value is the key, as text.
    "hands_on_levels": {"0": "Observes only", "1": "Takes histories",
                        "2": "Examines and presents on rounds",
                        "3": "Writes notes in the EHR under supervision",
                        "4": "Orders and procedures under supervision"},
}


def choice_label(vocabulary: str, value: object) -> str:
    """How a stored value reads ("visa_denial_only" -> "Refund only if the visa is denied")."""
    return CHOICES.get(vocabulary, {}).get(str(value), str(value))


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
