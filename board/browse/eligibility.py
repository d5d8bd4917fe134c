"""An IMG's eligibility profile against one listing: a verdict, the reasons behind it, and
visa-fit warnings. Pure functions over plain mappings (a search hit or a store row), computed
for the page of hits only; the eligible-only filter itself runs in the engine
(search.query.eligibility_clauses), and tests keep the two in step: a listing the engine
hides is exactly one whose verdict here is `not_eligible`.

"Not stated" is never "no": a listing that does not state what a verdict needs makes it
`unknown`, which the eligible-only filter keeps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from board.core.derived import as_list
from board.core.vocab import CHOICES

ELIGIBLE, NOT_ELIGIBLE, UNKNOWN = "eligible", "not_eligible", "unknown"
# How the profile form names each status (the vocabulary's values, in its order).
VISA_LABELS: dict[str, str] = {
    "b1b2": "B-1/B-2 visitor", "j1": "J-1 exchange visitor", "f1": "F-1 student",
    "h1b": "H-1B worker", "h4": "H-4 dependent", "ead": "work permit (EAD)",
    "permanent_resident": "permanent resident", "citizen": "US citizen",
}
VISA_STATUSES: tuple[str, ...] = tuple(CHOICES["visa_statuses"])
# "This program takes participants ..." completed for each status.
VISA_PHRASES: dict[str, str] = {
    "b1b2": "on a B-1/B-2 visitor visa", "j1": "on a J-1 visa", "f1": "on an F-1 visa",
    "h1b": "on an H-1B visa", "h4": "on an H-4 visa", "ead": "with a work permit (EAD)",
    "permanent_resident": "who are permanent residents", "citizen": "who are US citizens",
}
VISA_HELP = "/guides/visas-for-observerships"  # the guide (board/guides); anchors per warning
VISA_GUIDE = {"b1b2_hands_on": f"{VISA_HELP}#b-1-b-2-visitor-visa",
              "b1b2_unpaid_research": f"{VISA_HELP}#research-on-a-visitor-visa",
              "j1_not_sponsored": f"{VISA_HELP}#j-1-exchange-visitor"}
HANDS_ON_LEVELS = ("observes only", "takes histories", "examines and presents on rounds",
                   "writes notes in the EHR under supervision",
                   "orders and does procedures under supervision")


@dataclass(frozen=True)
class Profile:
    graduation_year: int | None = None
    usmle: tuple[str, ...] = ()  # passed steps ("step1", "step2ck") or ("none",)
    ecfmg_certified: bool | None = None
    visa: str | None = None
    student: bool | None = None  # True: final-year student; False: graduate

    def __bool__(self) -> bool:
        return any(v not in (None, ()) for v in (self.graduation_year, self.usmle,
                                                self.ecfmg_certified, self.visa, self.student))


@dataclass(frozen=True)
class Verdict:
    verdict: str
    reasons: tuple[str, ...]
    warnings: tuple[dict[str, str], ...]

    def as_dict(self) -> dict[str, Any]:
        return {"eligibility": {"verdict": self.verdict, "reasons": list(self.reasons)},
                "warnings": [dict(w) for w in self.warnings]}


def _years(n: int) -> str:
    return f"{n} year{'s' if n != 1 else ''}"


def _graduation(profile: Profile, listing: Mapping[str, Any], year: int):
    if profile.graduation_year is None:
        return None
    limit = listing.get("max_years_since_graduation")
    if limit is None:  # the field's "empty" means no limit, not "not stated"
        return None
    since = max(0, year - profile.graduation_year)
    if since > int(limit):
        return NOT_ELIGIBLE, (f"graduated in {profile.graduation_year}; this program takes "
                              f"graduates of the last {_years(int(limit))}")
    return ELIGIBLE, f"graduated in {profile.graduation_year}, within its {_years(int(limit))}"


def _usmle(profile: Profile, listing: Mapping[str, Any]):
    if not profile.usmle:
        return []
    passed = set(profile.usmle) - {"none"}
    out = []
    for step, label in (("step1", "Step 1"), ("step2ck", "Step 2 CK")):
        required = listing.get(f"usmle_{step}_required")
        if required is None:
            out.append((UNKNOWN, f"the host does not state whether USMLE {label} is required"))
        elif required and step not in passed:
            out.append((NOT_ELIGIBLE, f"requires USMLE {label}"))
    return out


def _ecfmg(profile: Profile, listing: Mapping[str, Any]):
    if profile.ecfmg_certified is not False:
        return None
    required = listing.get("ecfmg_required")
    if required is None:
        return UNKNOWN, "the host does not state whether ECFMG certification is required"
    if required:
        return NOT_ELIGIBLE, "requires ECFMG certification"
    return None


def _visa(profile: Profile, listing: Mapping[str, Any]):
    if profile.visa is None:
        return None
    statuses = as_list(listing.get("visa_statuses"))
    phrase = VISA_PHRASES.get(profile.visa, profile.visa)
    if statuses is None:
        return UNKNOWN, "the host does not state which visa statuses may take part"
    if profile.visa not in statuses:
        return NOT_ELIGIBLE, f"this program does not list participants {phrase}"
    return ELIGIBLE, f"takes participants {phrase}"


def _student(profile: Profile, listing: Mapping[str, Any]):
    if profile.student is None:
        return None
    open_to = as_list(listing.get("open_to"))
    if open_to is None:
        return UNKNOWN, "the host does not state whether it takes students or graduates"
    if profile.student and "student" not in open_to:
        return NOT_ELIGIBLE, "this program takes graduates only"
    if not profile.student and "graduate" not in open_to:
        return NOT_ELIGIBLE, "this program takes final-year students only"
    return None


def warnings_for(profile: Profile, listing: Mapping[str, Any]) -> list[dict[str, str]]:
    """Visa-fit warnings: information and "ask the host", never a ruling."""
    out: list[dict[str, str]] = []
    kind = listing.get("kind")
    if profile.visa == "b1b2":
        level = listing.get("hands_on_level")
        if level is not None and int(level) >= 2:
            out.append({"code": "b1b2_hands_on", "href": VISA_HELP, "text": (
                f"Hands-on level {int(level)} ({HANDS_ON_LEVELS[min(int(level), 4)]}) goes "
                "beyond observing, and visitors on a B-1/B-2 visa are generally limited to "
                "observing; ask the host whether your status allows it.")})
        if kind == "research" and not listing.get("stipend_usd"):
            out.append({"code": "b1b2_unpaid_research", "href": VISA_HELP, "text": (
                "Unpaid research on a B-1/B-2 visa can count as work a visitor may not do; "
                "ask the host and its international office before you travel.")})
    if profile.visa == "j1" and not listing.get("j1_sponsored"):
        what = "observerships rarely do" if kind == "observership" else "do not assume it will"
        out.append({"code": "j1_not_sponsored", "href": VISA_HELP, "text": (
            f"This listing does not say it sponsors a J-1 visa ({what}); ask the host "
            "which visa it expects before you apply.")})
    for warning in out:  # each links to its own section of the visa guide
        warning["href"] = VISA_GUIDE[warning["code"]]
    return out


def assess(profile: Profile, listing: Mapping[str, Any], year: int) -> Verdict:
    """The verdict of one listing for one profile; `year` is the current year."""
    checks = [_graduation(profile, listing, year), *_usmle(profile, listing),
              _ecfmg(profile, listing), _visa(profile, listing), _student(profile, listing)]
    found = [c for c in checks if c is not None]
    failed = [why for verdict, why in found if verdict == NOT_ELIGIBLE]
    unknown = [why for verdict, why in found if verdict == UNKNOWN]
    if failed:
        verdict, reasons = NOT_ELIGIBLE, failed
    elif unknown:
        verdict, reasons = UNKNOWN, unknown
    else:
        verdict, reasons = ELIGIBLE, [why for verdict, why in found if verdict == ELIGIBLE]
    return Verdict(verdict, tuple(reasons), tuple(warnings_for(profile, listing)))


def annotate(hits: Sequence[Mapping[str, Any]], profile: Profile, year: int
             ) -> list[dict[str, Any]]:
    """Copies of the hits with `eligibility` and `warnings` added (search results may be
    cached and shared, so the hits themselves are never changed)."""
    return [{**hit, **assess(profile, hit, year).as_dict()} for hit in hits]
