"""Values derived from other fields of a listing: the legacy yes/no facts (`lor_offered`,
`hands_on`, `b1b2_accepted`) follow their detailed source when the host states it, and
`total_cost_usd` is what the IMG actually pays.

"Not stated" is never "no": a derived value is only overwritten when its source is stated,
so old rows and old API clients keep the boolean they gave, and a cost whose program fee is
not stated is itself not stated (NULL), never 0. Pure functions: validation applies them on
every write, the search document on every index."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import msgspec

_decode = msgspec.json.Decoder().decode
LOR_GIVING = frozenset({"on_request", "standard"})


def as_list(value: Any) -> list[str] | None:
    """A stored list field as a list (JSON columns come back as text unless loaded); None
    and the empty list both mean "not stated"."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        # msgspec decodes a few times faster than json (a reindex decodes every row's lists);
        # text it rejects goes to json so a bad value raises the same error as before.
        try:
            value = _decode(value)
        except msgspec.DecodeError:
            value = json.loads(value)
    values = [str(v) for v in value]
    return values or None


def total_cost(values: Mapping[str, Any]) -> int | None:
    """Application fee (not stated counts 0) + program fee + deposit unless fully refundable;
    None when the program fee is not stated (an unknown total must not read as cheap)."""
    fee = values.get("fee_usd")
    if fee is None:
        return None
    total = int(values.get("application_fee_usd") or 0) + int(fee)
    if values.get("refund_policy") != "full":
        total += int(values.get("deposit_usd") or 0)
    return total


def derived_values(merged: Mapping[str, Any]) -> dict[str, Any]:
    """The derived fields of a listing whose fields (after the change) are `merged`."""
    out: dict[str, Any] = {"total_cost_usd": total_cost(merged)}
    policy = merged.get("lor_policy")
    if policy:
        out["lor_offered"] = policy in LOR_GIVING
    level = merged.get("hands_on_level")
    if level is not None:
        out["hands_on"] = int(level) >= 1
    statuses = as_list(merged.get("visa_statuses"))
    if statuses is not None:
        out["b1b2_accepted"] = "b1b2" in statuses
    return out


def search_letter_fact(row: Mapping[str, Any]) -> bool | None:
    """`lor_offered` as search filters on it: a letter (true) or a stated "no letters"
    (false); None when the host states no policy and gave no letter, so the filter
    "No letter" never matches a listing that simply does not say."""
    if row.get("lor_offered"):
        return True
    return False if row.get("lor_policy") == "none" else None
