"""Hostile text (NUL bytes, huge strings, unicode, quotes, markup, SQL and filter syntax) in
every search parameter of the API and the pages, and in every field of the forms: subscribe,
report, sign-up, login, the listing form and import rows. Only 2xx/3xx/4xx answers, a 400
names the bad field, and nothing is stored from a rejected request."""

from __future__ import annotations

import dataclasses
import itertools
import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from board.app import create_app
from board.browse.params import FILTER_PARAMS
from board.core.validation import FIELDS, INT_RANGES
from board.imports.formats import ImportFileError, read_rows
from board.imports.services import ImportRejected, validate_rows
from board.store.tables import Institution, Member, Opportunity, Report, Subscriber
from tests.support.app import Borrowed, app_client
from tests.support.factories import make_institution, make_listing
from tests.support.members import csrf_token, log_in_as, make_member

PIECES = ["\x00", "'", '"', "\\", "`", "; DROP TABLE opportunity; --", "' OR '1'='1", "%", "_",
          "<script>alert(1)</script>", "{{ 7*7 }}", "${x}", " AND ", " OR ", "\n", "\r\n", "\t",
          "😀", "🇺🇸", "é", "ß", "\u202e", "\ufeff", "\u0301", "NY", "Cardiology", "2027-01-31",
          "true", "-1", "99999999999999999999999", "1e309", "NaN", "https://", "@", "a@b.c",
          "../../etc/passwd", "%00", "&", "=", "#", "?", "[]", "{}",
          # Digits int() or str.isdigit() take but nobody types: superscripts, Arabic-Indic,
          # full-width, fractions; floats and exponents; past int()'s 4300-digit limit.
          "²", "٣", "１２", "½", "1.5", "1e3", "-0", "+7", "9" * 5000]
hostile = st.one_of(
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6).map("".join),
    st.text(max_size=40),
    st.sampled_from(["x" * 5000, "é" * 20_000, "\x00" * 300, " " * 1000]),
)
# Text a number parser meets: mixed into PIECES it is too rare to reach a number parameter
# alone, so the number parameters and fields also draw from this strategy directly.
ODD_NUMBERS = ["²", "٣", "１２", "½", "1.5", "1e3", "-0", "+7", "0x10", "9" * 5000, "7 ", "NaN"]
number_text = st.one_of(st.sampled_from(ODD_NUMBERS), st.integers().map(str),
                        st.text(alphabet=st.characters(categories=["Nd", "No"]), min_size=1,
                                max_size=4))
NUMBER_PARAMS = ["fee_max", "graduation_year", "radius_miles", "page", "per_page"]
# JSON-typed values (the subscription API, JSON imports): floats, objects, nesting, huge ints,
# as often alone as inside lists and objects.
json_scalar = st.one_of(hostile, number_text, st.floats(), st.integers(), st.booleans(),
                        st.none(), st.sampled_from([10 ** 40, -(10 ** 40), 1e308, 0.5, 50.0]))
json_hostile = st.one_of(json_scalar, st.recursive(
    json_scalar, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                         st.dictionaries(st.text(max_size=5), inner, max_size=3)),
    max_leaves=8))
# httpx refuses URLs over 64 KiB before sending: 6000 characters (up to 6 bytes each encoded)
# are still far past any limit of ours.
hostile_query = hostile.map(lambda text: text[:6000])
SEARCH_PARAMS = sorted({*FILTER_PARAMS, "q", "sort", "page", "per_page", "radius_miles", "near"})
SEARCH_SURFACES = ["/api/v1/opportunities", "/", "/feed.atom", "/subscribe"]
EXAMPLES = settings(max_examples=60, deadline=None, database=None, derandomize=True,
                    suppress_health_check=list(HealthCheck))
_addresses = itertools.count(1)


@pytest.fixture
async def app(runtime, settings):
    # Behind a trusted proxy each example comes from its own address, so the per-client rate
    # limits (tested in test_abuse_limits) do not turn the rest of the run into 429s.
    borrowed = Borrowed(runtime)
    borrowed.settings = dataclasses.replace(settings, trusted_proxies=("127.0.0.1/32",))
    app = create_app(borrowed.settings, runtime=borrowed)
    inst = await make_institution()
    listing = await make_listing(inst, title="Cardiology Observership Hostile")
    member = await make_member(inst)
    async with app_client(app) as member_client:  # logged in once: logins are rate limited
        await log_in_as(member_client, member)
        member_client.follow_redirects = False
        yield app, listing, member_client


def _fresh_address() -> dict[str, str]:
    n = next(_addresses)
    return {"X-Forwarded-For": f"10.{n // 65536 % 256}.{n // 256 % 256}.{n % 256}"}


@EXAMPLES
@given(param=st.sampled_from(SEARCH_PARAMS), value=hostile_query, surface=st.sampled_from(SEARCH_SURFACES))
async def test_search_parameters_answer_200_or_a_400_naming_the_parameter(app, param, value, surface):
    app_, _, _ = app
    async with app_client(app_) as client:
        resp = await client.get(surface, params={param: value})
    assert resp.status_code in {200, 400}, (surface, param, value, resp.status_code, resp.text[:300])
    if resp.status_code == 400 and surface.startswith("/api/"):
        assert resp.json()["detail"].startswith(f"{param}:"), resp.json()
    elif resp.status_code == 400:
        assert param in resp.text, resp.text[:500]


@EXAMPLES
@given(param=st.sampled_from(sorted(FILTER_PARAMS)), value=json_hostile)
async def test_subscription_api_filters_of_any_json_type_answer_202_or_400_naming_them(
        app, param, value):
    app_, _, _ = app
    async with app_client(app_) as client:
        resp = await client.post("/api/v1/subscriptions", headers=_fresh_address(),
                                 json={"email": f"ann{next(_addresses)}@example.org",
                                       "filters": {param: value}})
    assert resp.status_code in {202, 400, 503}, (param, value, resp.status_code, resp.text[:300])
    if resp.status_code == 400:
        assert resp.json()["field"] == f"filters.{param}", resp.json()


@pytest.mark.parametrize("body", [b"[" * 100_000, b'{"a":' * 50_000, b"9" * 5000])
async def test_json_bodies_too_deep_or_too_big_answer_400(app, body):
    app_, _, _ = app
    async with app_client(app_) as client:
        resp = await client.post("/api/v1/subscriptions", content=body,
                                 headers={"content-type": "application/json", **_fresh_address()})
    assert resp.status_code == 400, resp.text[:300]


NUMBER_EXAMPLES = settings(EXAMPLES, max_examples=15)


@pytest.mark.parametrize("surface", SEARCH_SURFACES)
@pytest.mark.parametrize("param", NUMBER_PARAMS)
@NUMBER_EXAMPLES
@given(value=number_text)
async def test_number_parameters_answer_200_or_a_400_naming_the_parameter(app, param, surface,
                                                                          value):
    """Every number parameter on every surface: drawn at random among all the other
    parameters, "²" on fee_max of the search page was too rare to be met."""
    app_, _, _ = app
    async with app_client(app_) as client:
        resp = await client.get(surface, params={param: value})
    assert resp.status_code in {200, 400}, (surface, param, value, resp.status_code)
    if resp.status_code == 400:
        assert param in resp.text, resp.text[:500]


@pytest.mark.parametrize("param", ["fee_max", "graduation_year", "radius_miles"])
@NUMBER_EXAMPLES
@given(value=number_text)
async def test_number_filters_of_the_subscribe_form_answer_400_naming_them(app, param, value):
    app_, _, _ = app
    async with app_client(app_) as client:
        token = await csrf_token(client, "/login")
        resp = await client.post("/subscribe", headers=_fresh_address(), data={
            "email": f"ann{next(_addresses)}@example.org", "near": "Austin, TX", param: value,
            "_csrf_token": token})
    assert resp.status_code in {200, 400}, (param, value, resp.status_code, resp.text[:300])
    if resp.status_code == 400:
        assert param in resp.text, resp.text[:500]


async def _counts() -> dict[str, int]:
    return {t.__name__: await t.count().run() for t in (Institution, Member, Opportunity, Report,
                                                        Subscriber)}


def _forms(listing: int) -> dict[str, tuple[str, dict[str, str], str]]:
    """form -> (URL, a valid submission, the table a success adds to)."""
    return {
        "subscribe": ("/subscribe", {"email": "ann@example.org", "state": "TX"}, "Subscriber"),
        "report": (f"/opportunities/{listing}/report",
                   {"reason": "The fee they ask for is not mentioned.", "email": ""}, "Report"),
        "signup": ("/signup", {"institution_name": "Mercy General", "institution_kind": "hospital",
                               "website": "https://mercy.example.org", "city": "Austin",
                               "state": "TX", "name": "Dr Ann", "email": "ann@mercy.example.org",
                               "password": "correct horse battery"}, "Member"),
        "login": ("/login", {"email": "nobody@example.org", "password": "wrong password"}, ""),
        "listing": ("/dashboard/opportunities/new", {
            "title": "Surgery Observership", "kind": "observership",
            "specialty": "Anesthesiology", "state": "TX", "city": "Austin", "fee_usd": "0",
            "apply_url": "https://hospital.example.org/apply"}, "Opportunity"),
    }


NUMBER_FIELDS = {"fee_max", "graduation_year", "radius_miles", *INT_RANGES}
FORM_FIELDS = {
    "subscribe": ["email", *sorted(FILTER_PARAMS)], "report": ["reason", "email"],
    "signup": ["institution_name", "institution_kind", "website", "city", "state", "name",
               "email", "password"],
    "login": ["email", "password"], "listing": list(FIELDS),
}


@EXAMPLES
@given(data=st.data())
async def test_form_fields_answer_4xx_with_a_message_and_store_nothing_when_rejected(app, data):
    app_, listing, member_client = app
    form = data.draw(st.sampled_from(sorted(FORM_FIELDS)), label="form")
    fields = data.draw(st.lists(st.sampled_from(FORM_FIELDS[form]), min_size=1, max_size=3,
                                unique=True), label="fields")
    url, valid, table = _forms(listing)[form]
    submitted = {**valid, **{f: data.draw(number_text if f in NUMBER_FIELDS else hostile,
                                          label=f) for f in fields}}
    before = await _counts()
    async with app_client(app_) as anonymous:
        client = member_client if form == "listing" else anonymous
        client.follow_redirects = False
        token = await csrf_token(client, "/login")
        resp = await client.post(url, data={**submitted, "_csrf_token": token},
                                 headers=_fresh_address())
    assert resp.status_code < 500, (form, submitted, resp.status_code, resp.text[:300])
    after = await _counts()
    if resp.status_code >= 400:
        assert after == before, (form, submitted, resp.status_code)  # nothing half-stored
        assert resp.status_code != 400 or "field__error" in resp.text or "error" in resp.text
    elif table:
        # Accepted: at most one row more, in the form's own table (and its institution).
        grown = {k for k in after if after[k] != before[k]}
        assert grown <= {table, "Institution"}, (form, grown)
    if form == "listing" and after["Opportunity"] > before["Opportunity"]:
        row = await Opportunity.select().order_by(Opportunity.id, ascending=False).first().run()
        assert "\x00" not in row["title"] and 5 <= len(row["title"]) <= 200


IMPORT_FIELDS = ("title", "kind", "specialty", "state", "fee_usd", "apply_url", "apply_email",
                 "start_date", "remote", "duration_weeks")


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(st.fixed_dictionaries({}, optional={
    name: json_hostile for name in IMPORT_FIELDS}), min_size=1, max_size=4))
def test_import_rows_are_all_valid_or_all_rejected_with_the_row_and_field(rows):
    try:
        cleaned = validate_rows(rows)
    except ImportRejected as exc:
        assert str(exc) and exc.args, exc  # a message naming what is wrong
        assert all(p.field in IMPORT_FIELDS for p in exc.problems), exc.problems
        return
    assert len(cleaned) == len(rows)
    for clean in cleaned:
        title = clean["title"] if isinstance(clean, dict) else clean
        assert "\x00" not in str(title)


def _document(rows: list[dict], shape: str) -> tuple[str, bytes]:
    if shape == "csv":
        header = sorted({k for row in rows for k in row})
        lines = [",".join(header)] + [",".join('"' + str(row.get(k, "")).replace('"', '""') + '"'
                                               for k in header) for row in rows]
        return "x.csv", "\n".join(lines).encode("utf-8", "surrogatepass")
    text = json.dumps(rows, allow_nan=True)
    if shape == "deep":
        text = "[" * 50_000 + text + "]" * 50_000
    elif shape == "huge":
        text = text.replace("[{", '[{"fee_usd": ' + "9" * 5000 + ", ", 1)
    return "x.json", text.encode("utf-8", "surrogatepass")


@settings(max_examples=60, deadline=None, database=None, derandomize=True)
@given(rows=st.lists(st.fixed_dictionaries({"title": hostile}, optional={
    name: json_hostile for name in IMPORT_FIELDS if name != "title"}), min_size=1, max_size=4),
    shape=st.sampled_from(["csv", "json", "deep", "huge"]))
def test_import_files_are_read_or_refused_with_a_message(rows, shape):
    """Whole files, not only rows: deep nesting and huge integers are file or row errors."""
    name, data = _document(rows, shape)
    try:
        validate_rows(read_rows(name, data))
    except (ImportFileError, ImportRejected) as exc:
        assert str(exc)
