"""The oracle: for many random filter combinations over a seeded set of listings, the API's
total and EVERY facet count equal what Python computes from the stored rows with the same
rules (disjunctive facets: a facet's counts ignore that facet's own selection)."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

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
FEES = [0, 0, 0, 150, 500, 1200, 2500]
YEAR_LIMITS = [None, None, 2, 5, 10]
SEED = 20261125


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
    if rng.random() < 0.4:
        params["fee_max"] = rng.choice([0, 150, 600, 2000])
    if rng.random() < 0.4:
        params["graduation_year"] = this_year - rng.choice([0, 1, 3, 6, 12])
    if rng.random() < 0.4:
        params["usmle"] = rng.choice([["none"], ["step1"], ["step2ck"], ["step1", "step2ck"]])
    if rng.random() < 0.3:
        params["ecfmg_certified"] = rng.choice(["true", "false"])
    return params


def eligible(row: dict[str, Any], params: dict[str, Any], this_year: int) -> bool:
    if "fee_max" in params and row["fee_usd"] > params["fee_max"]:
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


def facet_value(row: dict[str, Any], facet: str) -> str:
    return ("true" if row[facet] else "false") if facet in BOOLEAN_FACETS else row[facet]


def matches_facets(row: dict[str, Any], params: dict[str, Any], without: str | None) -> bool:
    return all(facet_value(row, f) in params[f] for f in FACETS if f in params and f != without)


def expected(rows: list[dict[str, Any]], params: dict[str, Any], this_year: int
             ) -> tuple[int, dict[str, dict[str, int]]]:
    base = [r for r in rows if eligible(r, params, this_year)]
    total = sum(1 for r in base if matches_facets(r, params, None))
    facets = {f: dict(Counter(facet_value(r, f) for r in base if matches_facets(r, params, f)))
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
    for _ in range(60):
        params = random_params(rng, this_year)
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


def test_oracle_rules_are_disjunctive():
    rows = [
        {"id": 1, "state": "TX", "specialty": "Psychiatry", "kind": "research", "fee_usd": 0,
         "max_years_since_graduation": None, "usmle_step1_required": False,
         "usmle_step2ck_required": False, "ecfmg_required": False,
         **{b: False for b in BOOLEAN_FACETS}},
        {"id": 2, "state": "NY", "specialty": "Psychiatry", "kind": "research", "fee_usd": 500,
         "max_years_since_graduation": 3, "usmle_step1_required": True,
         "usmle_step2ck_required": False, "ecfmg_required": True,
         **{b: True for b in BOOLEAN_FACETS}},
    ]
    total, facets = expected(rows, {"state": ["TX"]}, 2026)
    assert total == 1
    assert facets["state"] == {"TX": 1, "NY": 1}  # own selection ignored
    assert facets["kind"] == {"research": 1}
    total, _ = expected(rows, {"usmle": ["none"], "graduation_year": 2020}, 2026)
    assert total == 1
    total, _ = expected(rows, {"ecfmg_certified": "true", "fee_max": 500}, 2026)
    assert total == 2
