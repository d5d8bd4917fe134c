"""Readable labels for search filters, shared by the search page (facet lists, chips) and the
digest (its filter summary). Pure: no web framework, no URLs."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from board.browse.eligibility import VISA_LABELS
from board.core import vocab
from board.core.fields import BOOL, FACET_FIELDS
from board.core.search_spec import BOOLEAN_FACETS

# Titles and yes/no wording come from the field spec, so a new facet is labelled where it
# is declared.
FACET_TITLES = {f.name: f.facet_title for f in FACET_FIELDS}
BOOL_LABELS = {f.name: f.facet_labels for f in FACET_FIELDS if f.type == BOOL}
USMLE_LABELS = {"step1": "Step 1 passed", "step2ck": "Step 2 CK passed", "none": "no step yet"}
# The vocabulary of each choice facet (payee, refund_policy, open_to...): its value labels.
CHOICE_VOCABULARIES = {f.name: f.vocabulary for f in FACET_FIELDS if f.vocabulary in vocab.CHOICES}
PARAM_TITLES = {"graduation_year": "Graduated", "fee_max": "Fee up to $",
                "cost_max": "Total cost up to $", "hands_on_min": "Hands-on level at least",
                "near": "Near",
                "radius_miles": "Within (miles)", "ecfmg_certified": "ECFMG certified",
                "usmle": "USMLE", "q": "Text"}
# Paging and ordering change what is shown, not what matches: never an active filter.
NOT_FILTERS = frozenset({"page", "per_page", "sort"})


def value_label(name: str, value: str) -> str:
    """How one facet value reads in a list or a chip ("true" -> "Letter offered")."""
    if name in BOOLEAN_FACETS:
        return BOOL_LABELS[name][0 if value == "true" else 1]
    if name == "state":
        return vocab.states().get(value, value)
    if name == "kind":
        return value.capitalize()
    if name in CHOICE_VOCABULARIES:
        return vocab.choice_label(str(CHOICE_VOCABULARIES[name]), value)
    return value


def filter_label(name: str, value: str) -> str:
    """One active filter as a short sentence, e.g. "State: New York" or "Free only"."""
    if name == "fee_max":
        if value == "0":
            return "Free only"
        # ASCII digits only: "²".isdigit() is true but int("²") raises.
        plain = value.isascii() and value.isdigit() and len(value) < 30
        return f"Fee up to ${int(value):,}" if plain else f"Fee up to ${value}"
    if name == "cost_max":
        plain = value.isascii() and value.isdigit() and len(value) < 30
        if plain and int(value) == 0:
            return "Free only (total cost)"
        return f"Total cost up to ${int(value):,}" if plain else f"Total cost up to ${value}"
    if name == "hands_on_min":
        plain = value.isascii() and value.isdigit() and len(value) < 3
        level = vocab.choice_label("hands_on_levels", value).lower() if plain else value
        return f"Hands-on at least level {value}: {level}"
    if name == "usmle":
        return "USMLE: " + USMLE_LABELS.get(value, value)
    if name == "visa":
        return "Visa: " + VISA_LABELS.get(value, value)
    if name == "student":
        return "Final-year student" if value == "true" else "Graduate"
    if name == "eligible_only":
        return "Eligible only" if value != "false" else "Including listings I am not eligible for"
    if name == "ecfmg_certified":
        return "ECFMG certified" if value == "true" else "Not ECFMG certified"
    title = FACET_TITLES.get(name) or PARAM_TITLES.get(name, name)
    return f"{title}: {value_label(name, value)}"


def active_filters(state: Mapping[str, Sequence[str]]) -> Iterator[tuple[str, str, str]]:
    """(parameter, value, label) for every value that filters the results, in order."""
    for name, values in state.items():
        if name in NOT_FILTERS:
            continue
        if name == "radius_miles" and not state.get("near"):
            continue  # a radius without a place filters nothing: no chip, not "active"
        for value in values:
            yield name, value, filter_label(name, value)


def filter_summary(state: Mapping[str, Sequence[str]]) -> list[str]:
    """Readable lines such as "State: New York" ("All listings" when there is no filter)."""
    return [label for _, _, label in active_filters(state)] or ["All listings"]
