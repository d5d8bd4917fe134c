"""Realistic demo data: real hospitals and cities from the CMS list, ACGME specialties,
plausible fees, durations and requirements. Deterministic for a given seed."""

from __future__ import annotations

import csv
import datetime as dt
import random
from collections.abc import Callable
from zoneinfo import ZoneInfo

from board.core import vocab
from board.core.derived import derived_values
from board.core.geo import locate_city
from board.indexing.outbox import record
from board.listings.status import Status
from board.settings import DEFAULT_LISTING_DAYS
from board.store.engine import write_transaction
from board.store.tables import Institution, Member, Opportunity

TITLES = {
    "observership": ["{spec} Observership", "Clinical Observership in {spec}",
                     "{spec} Outpatient Observership for IMGs"],
    "externship": ["{spec} Externship (hands-on)", "Clinical Externship: {spec}"],
    "clerkship": ["{spec} Elective Clerkship", "Visiting Clerkship in {spec}"],
    "research": ["{spec} Clinical Research Fellowship", "Research Assistant, {spec}",
                 "Outcomes Research Position ({spec})"],
    "mentorship": ["{spec} Mentorship for IMGs", "One-to-one Mentoring with a {spec} Attending"],
}
DESCRIPTIONS = [
    "Join our **{spec}** team at {inst} for a structured {kind}. You will attend morning "
    "report, rounds and clinic, and present one case at the weekly conference.\n\n"
    "- Orientation on the first day\n- Weekly feedback with the program coordinator\n"
    "- Certificate of completion",
    "{inst} offers International Medical Graduates a {kind} in {spec}. Participants follow "
    "attending physicians in the inpatient and outpatient settings and learn US documentation "
    "standards.\n\nApplicants should have basic clinical English and proof of vaccination.",
    "A {kind} for IMGs interested in {spec}. You will join a research group working on "
    "quality-improvement projects, help with chart review and data analysis, and may be "
    "listed as a co-author when a project is published.",
]


def _load_hospitals() -> list[dict[str, str]]:
    with (vocab.DATA / "cms_hospitals.csv").open(newline="", encoding="utf-8") as f:
        return [r for r in csv.DictReader(f) if r["hospital_type"] == "Acute Care Hospitals"]


def _title_case(name: str) -> str:
    small = {"of", "and", "the", "at", "for", "in"}
    words = name.lower().split()
    return " ".join(w if (i and w in small) else w.capitalize() for i, w in enumerate(words))


def _listing(rng: random.Random, inst: dict, today: dt.date) -> dict:
    kind = rng.choices(list(TITLES), weights=[40, 12, 10, 30, 8])[0]
    spec = rng.choice(vocab.main_specialties())
    fee = rng.choice([0, 0, 0, 250, 500, 750, 1000, 1500, 2000, 2500, 3500])
    if kind in {"research", "mentorship"}:
        fee = rng.choice([0, 0, 0, 100, 300])
    deadline = today + dt.timedelta(days=rng.randint(5, 150)) if rng.random() < 0.7 else None
    start = (deadline + dt.timedelta(days=rng.randint(14, 60))) if deadline else None
    remote = kind in {"research", "mentorship"} and rng.random() < 0.25
    listing = {
        "kind": kind,
        "title": rng.choice(TITLES[kind]).format(spec=spec),
        "description": rng.choice(DESCRIPTIONS).format(spec=spec, inst=inst["name"], kind=kind),
        "specialty": spec,
        "state": inst["state"], "city": inst["city"], "remote": remote,
        "hands_on": kind in {"externship", "clerkship"} and rng.random() < 0.8,
        "duration_weeks": rng.choice([2, 4, 4, 4, 6, 8, 12, 26, 52]),
        "start_date": start, "application_deadline": deadline,
        "fee_usd": fee if rng.random() < 0.9 else None,  # some hosts do not say
        "stipend_usd": rng.choice([None, None, 1500, 2500]) if kind == "research" else None,
        "lor_offered": rng.random() < 0.6,
        "ecfmg_required": rng.random() < 0.3,
        "usmle_step1_required": rng.random() < 0.45,
        "usmle_step2ck_required": rng.random() < 0.2,
        "max_years_since_graduation": rng.choice([None, None, 3, 5, 7, 10]),
        "b1b2_accepted": rng.random() < 0.7,
        "j1_sponsored": kind == "research" and rng.random() < 0.3,
        "apply_url": f"https://{inst['domain']}/gme/observerships",
        "apply_email": f"gme@{inst['domain']}" if rng.random() < 0.4 else "",
    }
    listing.update(_depth(rng, kind, fee))
    if listing["participants_last_year"] is not None and listing["lor_policy"] != "none":
        listing["letters_last_year"] = rng.randint(0, listing["participants_last_year"])
    listing.update(derived_values(listing))
    return listing


_BROKERS = ("Global Clinical Rotations LLC", "US Observerships Direct", "MedBridge Placements")


def _maybe(rng: random.Random, value, stated: float = 0.75):
    """`value`, or None ("not stated") in about a quarter of the listings."""
    return value if rng.random() < stated else None


def _depth(rng: random.Random, kind: str, fee: int) -> dict:
    """The facts IMGs decide on (issue 14), realistic and sometimes not stated: brokers take
    deposits with refunds only on visa denial; hospitals are paid directly and state letters
    and levels more often."""
    broker = fee >= 1500 and rng.random() < 0.35
    payee = "intermediary" if broker else rng.choice(["institution", "institution", "physician"])
    level = {"observership": [0, 0, 1], "externship": [2, 3, 4], "clerkship": [2, 3, 4],
             "research": [0], "mentorship": [0]}[kind]
    participants = rng.randint(4, 30)
    return {
        "application_fee_usd": _maybe(rng, rng.choice([0, 50, 100, 150]) if fee else 0),
        "deposit_usd": _maybe(rng, rng.choice([899, 1000, 1500]) if broker else 0),
        "refund_policy": _maybe(rng, "visa_denial_only" if broker else rng.choice(
            ["full", "partial", "none"]), 0.6) if fee else None,
        "refund_terms": ("Refundable only if the visa is denied; $250 cancellation fee."
                         if broker and rng.random() < 0.5 else ""),
        "payee": _maybe(rng, payee, 0.8) if fee else None,
        "intermediary_name": rng.choice(_BROKERS) if broker else "",
        "lor_policy": _maybe(rng, rng.choice(["none", "on_request", "on_request", "standard"]), 0.7),
        "participants_last_year": _maybe(rng, participants, 0.4),
        "letters_last_year": None,
        "hands_on_level": _maybe(rng, rng.choice(level), 0.7),
        "ehr_access": _maybe(rng, rng.choice(["none", "read", "write"]), 0.5),
        "setting": _maybe(rng, rng.choice(["inpatient", "outpatient", "both"]), 0.7),
        "hours_per_week": _maybe(rng, rng.choice([20, 30, 40, 50]), 0.6),
        "seats": _maybe(rng, rng.choice([1, 2, 2, 4, 6]), 0.5),
        "open_to": _maybe(rng, rng.choice([["graduate"], ["student", "graduate"], ["student"]])),
        "visa_statuses": _maybe(rng, rng.choice([["b1b2", "j1", "permanent_resident", "citizen"],
                                                 ["j1", "h1b", "ead", "permanent_resident",
                                                  "citizen"], ["b1b2", "f1", "ead"]]), 0.6),
        "remote_from_abroad": (_maybe(rng, rng.random() < 0.5, 0.6)
                               if kind in {"research", "mentorship"} else None),
    }


async def seed_demo(count: int = 300, seed: int = 20261125,
                    progress: Callable[[int], None] | None = None) -> dict[str, int]:
    rng = random.Random(seed)
    now = dt.datetime.now(dt.UTC)
    hospitals = rng.sample(_load_hospitals(), k=min(max(count // 3, 10), 400))
    institutions = []
    async with write_transaction():
        for h in hospitals:
            name = _title_case(h["name"])
            existing = await Institution.select(Institution.id).where(
                Institution.name == name).first().run()
            domain = "".join(ch for ch in name.lower() if ch.isalnum())[:24] + ".example.org"
            if existing:
                iid = existing["id"]
            else:
                row = Institution(name=name, kind="hospital", city=_title_case(h["city"]),
                                  state=h["state"], website=f"https://{domain}",
                                  verified=rng.random() < 0.8)
                await row.save().run()
                iid = row.id
            institutions.append({"id": iid, "name": name, "city": _title_case(h["city"]),
                                 "state": h["state"], "domain": domain})
        ids = []
        events = _demo_events(institutions, now) if count >= 20 else []
        for n in range(count):
            inst = rng.choice(institutions)
            data = _listing(rng, inst, now.date())
            if n >= count - len(events):  # the last few of the count are events
                inst, data = events[n - (count - len(events))]
            lat_lng = locate_city(data["city"], data["state"])
            published = now - dt.timedelta(days=rng.randint(0, 40), hours=rng.randint(0, 23))
            row = Opportunity(
                institution=inst["id"], status=Status.PUBLISHED, published_at=published,
                submitted_at=published, created_at=published, updated_at=published,
                expires_at=published + dt.timedelta(days=DEFAULT_LISTING_DAYS),
                latitude=lat_lng[0] if lat_lng else None,
                longitude=lat_lng[1] if lat_lng else None, **data,
            )
            await row.save().run()
            ids.append(row.id)
            if progress:
                progress(n + 1)
        await record(ids, "seed")
    return {"institutions": len(institutions), "opportunities": len(ids)}


_EASTERN = {"NY", "NJ", "PA", "MA", "CT", "FL", "GA", "OH", "MI", "NC", "VA", "MD", "SC"}


def _demo_events(institutions: list[dict], now: dt.datetime) -> list[tuple[dict, dict]]:
    """Two events (issue 18): a bimonthly online coffee chat (its first date is past, the
    rule brings the next) and a one-off workshop in three weeks."""
    host = institutions[0]
    chat = {
        "kind": "event", "title": "IMG coffee chat: matching as an IMG",
        "description": "An informal hour with residents who matched as IMGs: questions about "
                       "observerships, letters and the Match. Free; bring your questions.",
        "specialty": "Internal medicine", "state": "", "city": "", "remote": True,
        "online": True, "fee_usd": 0, "timezone": "America/New_York",
        "starts_at": dt.datetime(2026, 1, 28, 20, 0, tzinfo=ZoneInfo("America/New_York")),
        "ends_at": dt.datetime(2026, 1, 28, 21, 0, tzinfo=ZoneInfo("America/New_York")),
        "recurrence": "FREQ=MONTHLY;INTERVAL=2;BYDAY=4WE",
        "join_url": f"https://{host['domain']}/coffee-chat/join", "join_url_public": False,
        "apply_url": f"https://{host['domain']}/coffee-chat",
    }
    eastern = next((i for i in institutions if i["state"] in _EASTERN), None)
    day = (now + dt.timedelta(days=21)).astimezone(ZoneInfo("America/New_York")).date()
    start = dt.datetime(day.year, day.month, day.day, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    workshop = {
        "kind": "event", "title": "Medical communications workshop for IMGs",
        "description": "A morning on presenting on rounds, writing notes and talking with "
                       "patients in US clinical settings.",
        "specialty": "Family medicine", "fee_usd": 50, "timezone": "America/New_York",
        "starts_at": start, "ends_at": start + dt.timedelta(hours=3), "recurrence": "",
        "state": eastern["state"] if eastern else "", "city": eastern["city"] if eastern else "",
        "online": eastern is None, "remote": eastern is None,
        "join_url": "", "join_url_public": False,
        "apply_url": f"https://{(eastern or host)['domain']}/workshops",
    }
    out = [(host, chat), (eastern or host, workshop)]
    for _, data in out:
        data.update(derived_values(data))
    return out


async def store_is_empty() -> bool:
    return not await Opportunity.exists().run()


class MemberOfInstitution(Exception):
    """create-admin named an institution's member: promoting it must be asked for."""


async def create_admin(email: str, password_hash: str, promote_member: bool = False) -> int:
    """Create a staff account, or make an existing one staff with this password. An
    institution's member is promoted only with `promote_member`: staff see and moderate
    every institution, and a typo in the email must not hand that to a poster silently."""
    existing = await Member.select(Member.id, Member.institution, Member.is_staff).where(
        Member.email == email).first().run()
    if existing and existing["institution"] is not None and not existing["is_staff"] \
            and not promote_member:
        raise MemberOfInstitution(email)
    if existing:
        await Member.update({Member.is_staff: True, Member.password_hash: password_hash,
                             Member.is_active: True}).where(Member.id == existing["id"]).run()
        # The operator vouches for the address: a promoted, unconfirmed account can log in.
        await Member.update({Member.email_verified_at: dt.datetime.now(dt.UTC)}).where(
            (Member.id == existing["id"]) & Member.email_verified_at.is_null()).run()
        return existing["id"]
    row = Member(email=email, name="Moderator", password_hash=password_hash, is_staff=True,
                 email_verified_at=dt.datetime.now(dt.UTC))
    await row.save().run()
    return row.id
