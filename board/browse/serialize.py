"""Turning rows and search hits into API structs (and template-friendly dicts)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from board.browse.schemas import Hit, InstitutionRef, OpportunityOut


def iso(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def listing_url(base_url: str, opportunity_id: int) -> str:
    return f"{base_url}/opportunities/{opportunity_id}"


def hit_struct(hit: dict[str, Any], base_url: str) -> Hit:
    return Hit(
        id=hit["id"], title=hit["title"], kind=hit["kind"], specialty=hit["specialty"],
        state=hit.get("state") or "", city=hit.get("city") or "",
        institution=InstitutionRef(**hit["institution"]),
        fee_usd=hit.get("fee_usd") or 0, hands_on=bool(hit.get("hands_on")),
        lor_offered=bool(hit.get("lor_offered")), b1b2_accepted=bool(hit.get("b1b2_accepted")),
        j1_sponsored=bool(hit.get("j1_sponsored")), remote=bool(hit.get("remote")),
        duration_weeks=hit.get("duration_weeks"),
        application_deadline=hit.get("application_deadline"),
        published_at=hit.get("published_at"), expires_at=hit.get("expires_at"),
        url=listing_url(base_url, hit["id"]), highlight=hit.get("highlight") or {},
        distance_miles=hit.get("distance_miles"), stipend_usd=hit.get("stipend_usd"),
        start_date=hit.get("start_date"), ecfmg_required=bool(hit.get("ecfmg_required")),
        usmle_step1_required=bool(hit.get("usmle_step1_required")),
        usmle_step2ck_required=bool(hit.get("usmle_step2ck_required")),
        max_years_since_graduation=hit.get("max_years_since_graduation"),
    )


def opportunity_struct(row: dict[str, Any], base_url: str) -> OpportunityOut:
    return OpportunityOut(
        id=row["id"], title=row["title"], kind=row["kind"], specialty=row["specialty"],
        state=row["state"] or "", city=row["city"] or "",
        institution=InstitutionRef(name=row.get("institution_name"),
                                   verified=bool(row.get("institution_verified"))),
        remote=row["remote"], hands_on=row["hands_on"], description=row["description"] or "",
        duration_weeks=row["duration_weeks"], start_date=iso(row["start_date"]),
        application_deadline=iso(row["application_deadline"]), fee_usd=row["fee_usd"] or 0,
        stipend_usd=row["stipend_usd"], lor_offered=row["lor_offered"],
        ecfmg_required=row["ecfmg_required"], usmle_step1_required=row["usmle_step1_required"],
        usmle_step2ck_required=row["usmle_step2ck_required"],
        max_years_since_graduation=row["max_years_since_graduation"],
        b1b2_accepted=row["b1b2_accepted"], j1_sponsored=row["j1_sponsored"],
        visa_notes=row["visa_notes"] or "", apply_url=row["apply_url"] or "",
        apply_email=row["apply_email"] or "", status=row["status"],
        published_at=iso(row["published_at"]), expires_at=iso(row["expires_at"]),
        url=listing_url(base_url, row["id"]),
    )
