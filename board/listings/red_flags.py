"""Red flags that send a submitted listing to a moderator instead of publishing it:
promises that scam IMGs, unusually high fees, and broker-style apply links."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlparse

HIGH_FEE_USD = 5000
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


def red_flags(row: dict[str, Any]) -> list[str]:
    flags: list[str] = []
    text = " ".join(str(row.get(k) or "") for k in ("title", "description", "visa_notes"))
    if _PROMISES.search(text):
        flags.append("promises a guaranteed letter of recommendation, interview or match")
    if int(row.get("fee_usd") or 0) > HIGH_FEE_USD:
        flags.append(f"fee above ${HIGH_FEE_USD:,}")
    url = str(row.get("apply_url") or "")
    if url and _BROKER_HOSTS.search(urlparse(url).netloc + urlparse(url).path):
        flags.append("apply link looks like a broker, shortener or messaging app")
    return flags
