"""The oracle: for many random filter combinations over a seeded set of listings, the API's
total and EVERY facet count equal what Python computes from the stored rows with the same
rules (disjunctive facets: a facet's counts ignore that facet's own selection; a list
facet counts each of its values; "not stated" counts nowhere and never matches a filter,
whether "free", "no letter", a maximum cost or a minimum hands-on level)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

from board.core import vocab
from board.core.derived import as_list
from board.core.fields import BY_NAME
from board.core.search_spec import BOOLEAN_FACETS, FACETS
from board.indexing.gateway import load_rows, utcnow
from board.listings import services as listings
from board.listings.visibility import is_listed
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

PLACES = [("Houston", "TX"), ("Dallas", "TX"), ("Chicago", "IL"), ("Boston", "MA"),
          ("Miami", "FL"), ("Cleveland", "OH"), ("Seattle", "WA"), ("New York", "NY")]
SPECIALTIES = ["Internal medicine", "Pediatrics", "Family medicine", "Psychiatry",
               "Neurology", "Cardiovascular disease", "Pathology-anatomic and clinical",
               "Radiology-diagnostic"]
KINDS = ["observership", "externship", "clerkship", "research", "mentorship"]
FEES = [0, 0, 0, 150, 500, 1200, 2500, None]
YEAR_LIMITS = [None, None, 2, 5, 10]
SEED = 20261125
CHOICE_FACETS = {f: BY_NAME[f].vocabulary for f in FACETS if BY_NAME[f].vocabulary in vocab.CHOICES}


def maybe(rng: random.Random, values, none_share: float = 0.3):
    return None if rng.random() < none_share else rng.choice(list(values))


def some(rng: random.Random, values) -> list[str] | None:
    return None if rng.random() < 0.3 else rng.sample(list(values), rng.randint(1, 2))


def depth(rng: random.Random) -> dict[str, Any]:
    """The issue-14 facts, each not stated about a third of the time."""
    payee = maybe(rng, vocab.CHOICES["payees"])
    return {
        "application_fee_usd": maybe(rng, [0, 50, 100]), "deposit_usd": maybe(rng, [0, 500, 899]),
        "refund_policy": maybe(rng, vocab.CHOICES["refund_policies"]), "payee": payee,
        "intermediary_name": "Agency LLC" if payee == "intermediary" else "",
        "lor_policy": maybe(rng, vocab.CHOICES["lor_policies"]),
        "hands_on_level": maybe(rng, range(5)), "setting": maybe(rng, vocab.CHOICES["settings"]),
        "open_to": some(rng, vocab.CHOICES["open_to"]),
        "visa_statuses": some(rng, vocab.CHOICES["visa_statuses"]),
    }


async def seed_listings(rng: random.Random, count: int) -> None:
    insts = [await make_institution(f"Oracle Hospital {i}") for i in range(4)]
    for n in range(count):
        city, state = rng.choice(PLACES)
        # Some were published (and last confirmed) past the reconfirm grace, with an expiry
        # still ahead: only the confirmed_at clause keeps them out of search.
        stale = rng.random() < 0.08
        opp = await make_listing(
            rng.choice(insts), publish=rng.random() > 0.08,
            now=utcnow() - dt.timedelta(days=50) if stale else None,
            expires_at=(utcnow() + dt.timedelta(days=30)).date().isoformat() if stale else None,
            title=f"Oracle listing number {n}", kind=rng.choice(KINDS),
            specialty=rng.choice(SPECIALTIES), state=state, city=city,
            fee_usd=rng.choice(FEES), max_years_since_graduation=rng.choice(YEAR_LIMITS),
            **depth(rng),
            **{name: rng.random() < 0.5 for name in (
                *BOOLEAN_FACETS, "ecfmg_required", "usmle_step1_required",
                "usmle_step2ck_required")},
        )
        if rng.random() < 0.05:
            await listings.close(opp)


def random_params(rng: random.Random, this_year: int) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for name, pool in (("state", sorted({s for _, s in PLACES})), ("specialty", SPECIALTIES),
                       ("kind", KINDS)):
        if rng.random() < 0.5:
            params[name] = rng.sample(pool, rng.randint(1, 2))
    for name in BOOLEAN_FACETS:
        if rng.random() < 0.3:
            params[name] = rng.choice([["true"], ["false"], ["true", "false"]])
    for name, vocabulary in CHOICE_FACETS.items():
        if rng.random() < 0.25:
            params[name] = rng.sample(list(vocab.CHOICES[vocabulary]), rng.randint(1, 2))
    if rng.random() < 0.4:
        params["fee_max"] = rng.choice([0, 150, 600, 2000])
    if rng.random() < 0.25:
        params["cost_max"] = rng.choice([0, 150, 1000, 3000])
    if rng.random() < 0.25:
        params["hands_on_min"] = rng.randint(0, 4)
    if rng.random() < 0.4:
        params["graduation_year"] = this_year - rng.choice([0, 1, 3, 6, 12])
    if rng.random() < 0.4:
        params["usmle"] = rng.choice([["none"], ["step1"], ["step2ck"], ["step1", "step2ck"]])
    if rng.random() < 0.3:
        params["ecfmg_certified"] = rng.choice(["true", "false"])
    return params


def eligible(row: dict[str, Any], params: dict[str, Any], this_year: int) -> bool:
    # Not stated (None) never matches a maximum or a minimum.
    if "fee_max" in params and (row["fee_usd"] is None or row["fee_usd"] > params["fee_max"]):
        return False
    if "cost_max" in params and (row["total_cost_usd"] is None
                                 or row["total_cost_usd"] > params["cost_max"]):
        return False
    if "hands_on_min" in params and (row["hands_on_level"] is None
                                     or row["hands_on_level"] < params["hands_on_min"]):
        return False
    if "graduation_year" in params:
        years_since = max(0, this_year - params["graduation_year"])
        limit = row["max_years_since_graduation"]
        if limit is not None and limit < years_since:
            return False
    if "usmle" in params:
        passed = set(params["usmle"]) - {"none"}
        if row["usmle_step1_required"] and "step1" not in passed:
            return False
        if row["usmle_step2ck_required"] and "step2ck" not in passed:
            return False
    if params.get("ecfmg_certified") == "false" and row["ecfmg_required"]:
        return False
    return True


def facet_values(row: dict[str, Any], facet: str) -> list[str]:
    """A stored row's values of a facet; [] when not stated."""
    if facet == "lor_offered":  # "No letter" is a stated "none" policy, never a silence
        if row["lor_offered"]:
            return ["true"]
        return ["false"] if row.get("lor_policy") == "none" else []
    if facet in BOOLEAN_FACETS:
        return ["true" if row[facet] else "false"]
    if BY_NAME[facet].is_list:
        return as_list(row[facet]) or []
    return [] if row[facet] in (None, "") else [row[facet]]


def matches_facets(row: dict[str, Any], params: dict[str, Any], without: str | None) -> bool:
    return all(set(facet_values(row, f)) & set(params[f])
               for f in FACETS if f in params and f != without)


def expected(rows: list[dict[str, Any]], params: dict[str, Any], this_year: int
             ) -> tuple[int, dict[str, dict[str, int]]]:
    base = [r for r in rows if eligible(r, params, this_year)]
    total = sum(1 for r in base if matches_facets(r, params, None))
    facets = {f: dict(Counter(v for r in base if matches_facets(r, params, f)
                              for v in facet_values(r, f)))
              for f in FACETS}
    return total, facets


async def test_totals_and_every_facet_count_match_the_store(client, runtime):
    rng = random.Random(SEED)
    await seed_listings(rng, 150)
    await drain_all(runtime.gateway)
    now = utcnow()
    rows = [r for r in await load_rows()
            if is_listed(r, now, runtime.settings.unlisted_after_days)]
    assert 100 < len(rows) < 150  # drafts and closed listings are part of the seed
    this_year = now.year
    checked_nonzero = 0
    seen_choice_filters: Counter[str] = Counter()
    for _ in range(60):
        params = random_params(rng, this_year)
        for facet in CHOICE_FACETS:
            seen_choice_filters[facet] += facet in params
        resp = await client.get("/api/v1/opportunities", params={**params, "per_page": 50})
        assert resp.status_code == 200, resp.text
        body = resp.json()
        total, facets = expected(rows, params, this_year)
        assert body["total"] == total, params
        for facet in FACETS:
            assert body["facets"][facet] == facets[facet], (facet, params)
        visible_ids = {r["id"] for r in rows if eligible(r, params, this_year)
                       and matches_facets(r, params, None)}
        assert {h["id"] for h in body["hits"]} <= visible_ids
        assert len(body["hits"]) == min(total, 50)
        checked_nonzero += total > 0
    assert checked_nonzero >= 20  # the combinations are not all trivially empty
    assert all(seen_choice_filters[f] >= 3 for f in CHOICE_FACETS), seen_choice_filters


def test_oracle_rules_are_disjunctive():
    rows = [
        {"id": 1, "state": "TX", "specialty": "Psychiatry", "kind": "research", "fee_usd": 0,
         "max_years_since_graduation": None, "usmle_step1_required": False,
         "usmle_step2ck_required": False, "ecfmg_required": False,
         **{b: False for b in BOOLEAN_FACETS}, **{c: None for c in CHOICE_FACETS},
         "total_cost_usd": 0, "hands_on_level": None, "lor_policy": "none",
         "open_to": '["student"]'},
        {"id": 2, "state": "NY", "specialty": "Psychiatry", "kind": "research", "fee_usd": 500,
         "max_years_since_graduation": 3, "usmle_step1_required": True,
         "usmle_step2ck_required": False, "ecfmg_required": True,
         **{b: True for b in BOOLEAN_FACETS}, **{c: None for c in CHOICE_FACETS},
         "total_cost_usd": 500, "hands_on_level": 3, "open_to": ["student", "graduate"]},
        {"id": 3, "state": "NY", "specialty": "Psychiatry", "kind": "research", "fee_usd": None,
         "max_years_since_graduation": None, "usmle_step1_required": False,
         "usmle_step2ck_required": False, "ecfmg_required": False,
         **{b: False for b in BOOLEAN_FACETS}, **{c: None for c in CHOICE_FACETS},
         "total_cost_usd": None, "hands_on_level": None},
    ]
    total, facets = expected(rows, {"state": ["TX"]}, 2026)
    assert total == 1
    assert facets["state"] == {"TX": 1, "NY": 2}  # own selection ignored
    assert facets["kind"] == {"research": 1}
    total, _ = expected(rows, {"usmle": ["none"], "graduation_year": 2020}, 2026)
    assert total == 2
    total, _ = expected(rows, {"ecfmg_certified": "true", "fee_max": 500}, 2026)
    assert total == 2  # the fee that is not stated is not "at most 500"
    total, facets = expected(rows, {}, 2026)
    assert facets["open_to"] == {"student": 2, "graduate": 1}  # a list counts each value
    assert facets["lor_offered"] == {"false": 1, "true": 1}  # row 3 states no policy
    assert expected(rows, {"cost_max": 0}, 2026)[0] == 1
    assert expected(rows, {"hands_on_min": 0}, 2026)[0] == 1
    assert expected(rows, {"open_to": ["graduate"]}, 2026)[0] == 1
