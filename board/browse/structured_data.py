"""schema.org JSON-LD of a listing page (search engines' rich results)."""

from __future__ import annotations

import json
from typing import Any

from board.core.markdown import plain_text
from board.indexing.gateway import as_utc


def json_ld(row: dict[str, Any], base_url: str) -> str:
    """schema.org data for crawlers: a paid position (a stipend) is a JobPosting; a program
    the IMG pays for is an EducationalOccupationalProgram (JobPosting.baseSalary would mean
    pay to the worker)."""
    paid_by_imgs = not row.get("stipend_usd") and bool(row.get("total_cost_usd") or
                                                        row.get("fee_usd"))
    data = _program_ld(row, base_url) if paid_by_imgs else _job_ld(row, base_url)
    # Escape "<" so no text can close the script element.
    return json.dumps(data).replace("<", "\\u003c")


def _place(row: dict[str, Any]) -> dict[str, Any]:
    return {"@type": "Place", "address": {
        "@type": "PostalAddress", "addressLocality": row.get("city") or "",
        "addressRegion": row["state"], "addressCountry": "US"}}


def _job_ld(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    data = {
        "@context": "https://schema.org", "@type": "JobPosting",
        # Plain text: the Markdown source is for our renderer, not for crawlers.
        "title": row["title"], "description": plain_text(row["description"] or "") or row["title"],
        "datePosted": str((row.get("published_at") or row["created_at"]).date()),
        "hiringOrganization": {"@type": "Organization", "name": row.get("institution_name")},
        "employmentType": "INTERN",
        "url": f"{base_url}/opportunities/{row['id']}",
    }
    if row.get("stipend_usd"):
        data["baseSalary"] = {"@type": "MonetaryAmount", "currency": "USD",
                              "value": {"@type": "QuantitativeValue",
                                        "value": row["stipend_usd"], "unitText": "TOTAL"}}
    if row.get("expires_at"):
        data["validThrough"] = as_utc(row["expires_at"]).isoformat()
    if row.get("remote"):
        data["jobLocationType"] = "TELECOMMUTE"
    if row.get("state"):
        data["jobLocation"] = _place(row)
    return data


def _program_ld(row: dict[str, Any], base_url: str) -> dict[str, Any]:
    url = f"{base_url}/opportunities/{row['id']}"
    price = row.get("total_cost_usd") if row.get("total_cost_usd") is not None else row["fee_usd"]
    offer: dict[str, Any] = {"@type": "Offer", "price": price, "priceCurrency": "USD",
                             "url": url, "category": "Tuition"}
    if row.get("expires_at"):
        offer["validThrough"] = as_utc(row["expires_at"]).isoformat()
    data: dict[str, Any] = {
        "@context": "https://schema.org", "@type": "EducationalOccupationalProgram",
        "name": row["title"], "url": url,
        "description": plain_text(row["description"] or "") or row["title"],
        "provider": {"@type": "Organization", "name": row.get("institution_name")},
        "offers": offer,
        "educationalProgramMode": "online" if row.get("remote") else "onsite",
    }
    if row.get("duration_weeks"):
        data["timeToComplete"] = f"P{int(row['duration_weeks'])}W"
    prerequisites = [text for flag, text in (
        ("ecfmg_required", "ECFMG certificate"), ("usmle_step1_required", "USMLE Step 1"),
        ("usmle_step2ck_required", "USMLE Step 2 CK")) if row.get(flag)]
    if row.get("max_years_since_graduation") is not None:
        prerequisites.append(f"Graduated within {row['max_years_since_graduation']} years")
    if prerequisites:
        data["programPrerequisites"] = "; ".join(prerequisites)
    if row.get("application_deadline"):
        data["applicationDeadline"] = str(row["application_deadline"])
    if row.get("start_date"):
        data["startDate"] = str(row["start_date"])
    if row.get("state"):
        data["location"] = _place(row)
    return data
