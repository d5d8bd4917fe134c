"""What a moderator weighs on a pending listing: who the institution is (its website, whether
a member writes from that website's domain, how many members, what else it has listed) and
which words of the description raised a red flag (highlighted)."""

from __future__ import annotations

from typing import Any

from markupsafe import Markup, escape

from board.accounts.services import domain_matches
from board.listings.red_flags import flagged_spans
from board.store.tables import Institution, Member, Opportunity

# Anyone can have an address here: a member writing from one proves nothing about the
# website, so it never counts as a domain match.
WEBMAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "ymail.com", "aol.com", "icloud.com", "me.com", "mac.com",
    "proton.me", "protonmail.com", "gmx.com", "gmx.net", "mail.com", "zoho.com", "yandex.com",
    "yandex.ru", "qq.com", "163.com", "126.com", "rediffmail.com", "hey.com", "fastmail.com",
})


def is_webmail(email: str) -> bool:
    return email.rpartition("@")[2].lower().strip() in WEBMAIL_DOMAINS


def domain_match(email: str, website: str) -> bool:
    """The member's address is on the website's domain, and that domain is not webmail."""
    return bool(website) and not is_webmail(email) and domain_matches(email, website)


def highlight(text: str) -> Markup:
    """The text, escaped, with each phrase a red flag matched wrapped in <mark>."""
    text = text or ""
    out: list[str] = []
    at = 0
    for start, end in flagged_spans(text):
        out += [str(escape(text[at:start])), "<mark>", str(escape(text[start:end])), "</mark>"]
        at = end
    out.append(str(escape(text[at:])))
    return Markup("".join(out))


async def institution_evidence(institution_ids: list[int]) -> dict[int, dict[str, Any]]:
    """Per institution: website, domain_match, webmail_only, members, listings (status ->
    count), suspended."""
    if not institution_ids:
        return {}
    insts = await Institution.select(Institution.id, Institution.website,
                                     Institution.suspended_at).where(
        Institution.id.is_in(institution_ids)).run()
    members = await Member.select(Member.institution, Member.email).where(
        Member.institution.is_in(institution_ids)).run()
    listings = await Opportunity.select(Opportunity.institution, Opportunity.status).where(
        Opportunity.institution.is_in(institution_ids)).run()
    out: dict[int, dict[str, Any]] = {}
    for inst in insts:
        emails = [m["email"] for m in members if m["institution"] == inst["id"]]
        counts: dict[str, int] = {}
        for row in listings:
            if row["institution"] == inst["id"]:
                counts[row["status"]] = counts.get(row["status"], 0) + 1
        out[inst["id"]] = {
            "website": inst["website"],
            "domain_match": any(domain_match(e, inst["website"]) for e in emails),
            "webmail_only": bool(emails) and all(is_webmail(e) for e in emails),
            "members": len(emails),
            "listings": dict(sorted(counts.items())),
            "suspended": inst["suspended_at"] is not None,
        }
    return out
