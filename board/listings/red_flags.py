"""Red flags that send a submitted listing to a moderator instead of publishing it:
promises that scam IMGs, unusually high fees, broker-style apply links, and the money
patterns IMGs report about brokers (pay before any contact, non-refundable money to a
company in between, a large total without refund terms, an unnamed intermediary)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

HIGH_FEE_USD = 5000
# A total this high with no written refund terms is where deposits are lost.
HIGH_TOTAL_WITHOUT_TERMS_USD = 3000
# Money demanded before the participant has been in touch with the physician.
_PAY_BEFORE_CONTACT = re.compile(
    r"\b(pay|paid|payment|deposit|fees?)\b.{0,60}\b(before|prior to)\b.{0,40}"
    r"\b(any\s+)?(contact|speak\w*|talk\w*|meet\w*|interview\w*|introduc\w*|connect\w*)",
    re.IGNORECASE | re.DOTALL,
)
_NON_REFUNDABLE = re.compile(r"\bnon[-\s]?refundable\b|\bno refunds?\b", re.IGNORECASE)
_PROMISES = re.compile(
    r"\bguarantee[ds]?\b.{0,60}\b(letters?|lors?|recommendations?|match|residency|interview)"
    r"|\b(letters?|lors?|recommendations?|match|residency)\b.{0,60}\bguarantee[ds]?\b"
    r"|\b100\s*%\s*(match|lor|letter)",
    re.IGNORECASE | re.DOTALL,
)
_BROKER_HOSTS = re.compile(
    r"(bit\.ly|tinyurl\.com|t\.me|wa\.me|whatsapp|telegram|forms\.gle|linktr\.ee|"
    r"rotation|usce|observership(s)?-?(broker|agency|placement))",
    re.IGNORECASE,
)


# Each flag's explanation: a section of the guide on judging an observership (board/guides),
# found by the start of the flag's text (the texts above are the stored `review_flags`).
GUIDE = "/guides/judging-an-observership"
GUIDE_SECTIONS = (
    ("promises a guaranteed", "guaranteed-letters-or-a-guaranteed-match"),
    ("fee above", "high-fees"),
    ("asks for payment before", "payment-before-any-contact"),
    ("non-refundable money", "intermediaries-and-refunds"),
    ("intermediary payee", "intermediaries-and-refunds"),
    ("total cost above", "intermediaries-and-refunds"),
    ("apply link looks like", "broker-links"),
)


def guide_href(flag: str) -> str:
    """The guide section that explains a red flag (the list of red flags for any other)."""
    for start, anchor in GUIDE_SECTIONS:
        if str(flag).startswith(start):
            return f"{GUIDE}#{anchor}"
    return f"{GUIDE}#red-flags"


def red_flags(row: dict[str, Any]) -> list[str]:
    flags: list[str] = []
    text = " ".join(str(row.get(k) or "") for k in ("title", "description", "visa_notes",
                                                     "refund_terms"))
    if _PROMISES.search(text):
        flags.append("promises a guaranteed letter of recommendation, interview or match")
    if int(row.get("fee_usd") or 0) > HIGH_FEE_USD:
        flags.append(f"fee above ${HIGH_FEE_USD:,}")
    flags += _money_flags(row, text)
    url = str(row.get("apply_url") or "")
    if url and _BROKER_HOSTS.search(urlparse(url).netloc + urlparse(url).path):
        flags.append("apply link looks like a broker, shortener or messaging app")
    return flags


def _money_flags(row: dict[str, Any], text: str) -> list[str]:
    flags: list[str] = []
    if _PAY_BEFORE_CONTACT.search(text):
        flags.append("asks for payment before any contact with the physician")
    intermediary = row.get("payee") == "intermediary"
    if intermediary and (row.get("refund_policy") == "none" or _NON_REFUNDABLE.search(text)):
        flags.append("non-refundable money paid to an intermediary")
    if intermediary and not str(row.get("intermediary_name") or "").strip():
        flags.append("intermediary payee without a name")
    total = row.get("total_cost_usd")
    if (total is not None and int(total) > HIGH_TOTAL_WITHOUT_TERMS_USD
            and not str(row.get("refund_terms") or "").strip()):
        flags.append(f"total cost above ${HIGH_TOTAL_WITHOUT_TERMS_USD:,} without refund terms")
    return flags


# The text patterns above, for showing a moderator which words raised a flag.
_TEXT_PATTERNS = (_PROMISES, _PAY_BEFORE_CONTACT, _NON_REFUNDABLE)


def flagged_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of every phrase in `text` that a text red flag matched, sorted and merged
    where they overlap."""
    spans = sorted(m.span() for p in _TEXT_PATTERNS for m in p.finditer(text or "") if m.end() > m.start())
    merged: list[tuple[int, int]] = []
    for start, end in spans:
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return merged
