"""Import files for the import tests: realistic rows in CSV or JSON."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

COLUMNS = ["title", "kind", "specialty", "state", "city", "remote", "hands_on", "description",
           "duration_weeks", "fee_usd", "lor_offered", "b1b2_accepted", "apply_url",
           "apply_email"]
_KINDS = ["observership", "research", "externship", "clerkship", "mentorship"]
_PLACES = [("TX", "Houston"), ("NY", "New York"), ("IL", "Chicago"), ("OH", "Cleveland"),
           ("MN", "Rochester")]
_SPECIALTIES = ["Internal medicine", "Neurology", "Pediatrics", "Psychiatry", "Surgery"]


def sample_rows(n: int, marker: str = "Imported") -> list[dict[str, Any]]:
    rows = []
    for i in range(n):
        state, city = _PLACES[i % len(_PLACES)]
        rows.append({
            "title": f"{marker} {_SPECIALTIES[i % 5]} Opportunity {i + 1}",
            "kind": _KINDS[i % 5], "specialty": _SPECIALTIES[i % 5], "state": state,
            "city": city, "remote": "no", "hands_on": "yes" if i % 3 == 0 else "no",
            "description": "Rounds, clinic and a weekly case conference.",
            "duration_weeks": str(4 + i % 8), "fee_usd": str((i % 4) * 250),
            "lor_offered": ["true", "false", "1", "0", ""][i % 5],
            "b1b2_accepted": "yes", "apply_url": f"https://hospital.example.org/apply/{i + 1}",
            "apply_email": "gme@hospital.example.org" if i % 2 else "",
        })
    return rows


def csv_bytes(rows: list[dict[str, Any]], columns: list[str] | None = None) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns or COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def json_bytes(rows: list[dict[str, Any]]) -> bytes:
    return json.dumps(rows).encode()
