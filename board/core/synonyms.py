"""The words people type for a specialty, mapped to the ACGME names the vocabulary holds.

IMGs and coordinators write "OBGYN", "peds", "IM" or "cardiology"; the vocabulary only knows
"Obstetrics and gynecology", "Pediatrics", "Internal medicine", "Cardiovascular disease".
Search (query words and the specialty facet), the posting form's type-ahead and the import's
"did you mean" all resolve through this one table so they never disagree."""

from __future__ import annotations

import difflib
from functools import lru_cache

from board.core import vocab

# Lower-case alias -> exact ACGME name. Only aliases a person would really type; a name that
# is already in the vocabulary resolves by itself (case-insensitively).
SPECIALTY_ALIASES: dict[str, str] = {
    "obgyn": "Obstetrics and gynecology",
    "ob/gyn": "Obstetrics and gynecology",
    "ob-gyn": "Obstetrics and gynecology",
    "ob gyn": "Obstetrics and gynecology",
    "obstetrics": "Obstetrics and gynecology",
    "gynecology": "Obstetrics and gynecology",
    "peds": "Pediatrics",
    "paeds": "Pediatrics",
    "paediatrics": "Pediatrics",
    "pediatric": "Pediatrics",
    "im": "Internal medicine",
    "medicine": "Internal medicine",
    "internal med": "Internal medicine",
    "em": "Emergency medicine",
    "er": "Emergency medicine",
    "emergency": "Emergency medicine",
    "fm": "Family medicine",
    "family practice": "Family medicine",
    "cardiology": "Cardiovascular disease",
    "cardio": "Cardiovascular disease",
    "gi": "Gastroenterology",
    "heme/onc": "Hematology and medical oncology",
    "hem/onc": "Hematology and medical oncology",
    "oncology": "Medical oncology",
    "onc": "Medical oncology",
    "pulm": "Pulmonary disease",
    "pulmonology": "Pulmonary disease",
    "pccm": "Pulmonary disease and critical care medicine",
    "id": "Infectious disease",
    "infectious diseases": "Infectious disease",
    "endo": "Endocrinology, diabetes, and metabolism",
    "endocrinology": "Endocrinology, diabetes, and metabolism",
    "neuro": "Neurology",
    "neurosurgery": "Neurological surgery",
    "psych": "Psychiatry",
    "gen surg": "Surgery",
    "general surgery": "Surgery",
    "ortho": "Orthopaedic surgery",
    "orthopedics": "Orthopaedic surgery",
    "orthopedic surgery": "Orthopaedic surgery",
    "ent": "Otolaryngology - Head and Neck Surgery",
    "otolaryngology": "Otolaryngology - Head and Neck Surgery",
    "derm": "Dermatology",
    "radiology": "Radiology-diagnostic",
    "diagnostic radiology": "Radiology-diagnostic",
    "rads": "Radiology-diagnostic",
    "pathology": "Pathology-anatomic and clinical",
    "path": "Pathology-anatomic and clinical",
    "anesthesia": "Anesthesiology",
    "gas": "Anesthesiology",
    "pm&r": "Physical medicine and rehabilitation",
    "pmr": "Physical medicine and rehabilitation",
    "physiatry": "Physical medicine and rehabilitation",
    "rad onc": "Radiation oncology",
    "nephro": "Nephrology",
    "rheum": "Rheumatology",
    "ophtho": "Ophthalmology",
    "optho": "Ophthalmology",
    "plastics": "Plastic surgery",
    "uro": "Urology",
    "preventive medicine": "Public health and general preventive medicine",
    "public health": "Public health and general preventive medicine",
}


@lru_cache(maxsize=1)
def _by_lower() -> dict[str, str]:
    names = {name.lower(): name for name in vocab.specialties()}
    # An alias never shadows a real name, and never points outside the vocabulary.
    aliases = {k: v for k, v in SPECIALTY_ALIASES.items() if v in vocab.specialties()}
    return {**aliases, **names}


def resolve_specialty(text: str) -> str | None:
    """The ACGME name `text` means (an exact name in any case, or a known alias), else None."""
    key = " ".join(text.strip().lower().split())
    return _by_lower().get(key)


def suggest_specialty(text: str) -> str | None:
    """The closest ACGME name for a misspelt or unknown specialty, for a "did you mean"."""
    exact = resolve_specialty(text)
    if exact:
        return exact
    key = " ".join(text.strip().lower().split())
    close = difflib.get_close_matches(key, list(_by_lower()), n=1, cutoff=0.75)
    return _by_lower()[close[0]] if close else None


# Aliases that are ordinary words would widen unrelated searches ("gas", "path"), and an
# alias that is already a word of its name ("medicine", "obstetrics") finds those anyway.
_NOT_QUERY_WORDS = frozenset({"gas", "path", "er", "id"})


def query_synonyms() -> dict[str, list[str]]:
    """The alias table as the search engine's one-way synonyms for the words of `q`
    ("obgyn" also finds "obstetrics and gynecology"), handed to `search` as data."""
    out: dict[str, list[str]] = {}
    for alias, name in SPECIALTY_ALIASES.items():
        if alias in _NOT_QUERY_WORDS or alias in name.lower().split():
            continue
        out[alias] = [name.lower()]
    return out
