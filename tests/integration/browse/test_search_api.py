"""GET /api/v1/opportunities against the real Meilisearch: bad parameters (400 naming the
parameter), distance, sort orders, exact pagination and HTML-safe highlighting."""

from __future__ import annotations

import datetime as dt

from board.indexing.gateway import utcnow
from tests.support.factories import make_institution, make_listing
from tests.support.outbox import drain_all

API = "/api/v1/opportunities"


BAD = [
    ("per_page=0", "per_page"), ("per_page=51", "per_page"), ("per_page=ten", "per_page"),
    ("page=0", "page"), ("page=-3", "page"), ("fee_max=abc", "fee_max"), ("fee_max=-1", "fee_max"),
    ("graduation_year=1800", "graduation_year"), ("graduation_year=3000", "graduation_year"),
    ("usmle=step3", "usmle"), ("usmle=none&usmle=step1", "usmle"),
    ("ecfmg_certified=maybe", "ecfmg_certified"), ("state=ZZ", "state"),
    ("specialty=Astrology", "specialty"), ("kind=internship", "kind"),
    ("hands_on=sometimes", "hands_on"), ("sort=cheapest", "sort"), ("sort=distance", "sort"),
    ("near=Atlantis", "near"), ("near=Nowhere%2C%20ZZ", "near"), ("near=00000", "near"),
    ("radius_miles=0", "radius_miles"), ("radius_miles=9999", "radius_miles"),
    ("q=" + "x" * 201, "q"), ("colour=red", "colour"),
]


async def test_bad_parameters_answer_400_naming_the_parameter(client, runtime):
    for query, param in BAD:
        resp = await client.get(f"{API}?{query}")
        assert resp.status_code == 400, (query, resp.text)
        body = resp.json()
        assert body["field"] == param, query
        assert body["detail"].startswith(f"{param}: "), query
        # The page drops a radius without a place (canonical URL): give it one.
        page = await client.get(f"/?{query}" + ("&near=Chicago" if param == "radius_miles" else ""))
        assert page.status_code == 400, query
        # The page says it in people's words at the field; data-param names what was wrong.
        assert f'data-param="{param}"' in page.text and 'role="alert"' in page.text, query


async def test_distance_radius_and_sort(client, runtime):
    inst = await make_institution()
    houston = await make_listing(inst, title="Houston internal medicine", city="Houston", state="TX")
    pasadena = await make_listing(inst, title="Pasadena internal medicine", city="Pasadena",
                                  state="TX")
    austin = await make_listing(inst, title="Austin internal medicine", city="Austin", state="TX")
    dallas = await make_listing(inst, title="Dallas internal medicine", city="Dallas", state="TX")
    remote = await make_listing(inst, title="Remote research mentorship", kind="mentorship",
                                remote=True, city="", state="")
    await drain_all(runtime.gateway)

    body = (await client.get(API, params={"near": "Houston, TX", "radius_miles": 25})).json()
    assert {h["id"] for h in body["hits"]} == {houston, pasadena}
    assert all(h["distance_miles"] is not None and h["distance_miles"] <= 25 for h in body["hits"])

    body = (await client.get(API, params={"near": "77002", "radius_miles": 500,
                                          "sort": "distance"})).json()
    assert [h["id"] for h in body["hits"]][:1] == [houston]
    assert {h["id"] for h in body["hits"]} == {houston, pasadena, austin, dallas}
    distances = [h["distance_miles"] for h in body["hits"]]
    assert distances == sorted(distances) and distances[-1] > 200  # Dallas, ~225 miles
    assert remote not in {h["id"] for h in body["hits"]}  # no coordinates, no radius match

    plain = (await client.get(API)).json()
    assert plain["total"] == 5 and all(h["distance_miles"] is None for h in plain["hits"])


async def test_sort_orders_and_exact_pages(client, runtime):
    inst = await make_institution()
    start = utcnow() - dt.timedelta(days=10)
    today = dt.date.today()
    made = []
    for n, (fee, deadline_days) in enumerate([(900, 40), (0, 5), (300, 90), (50, 20), (1500, 1),
                                              (0, 60), (700, 30)]):
        made.append(await make_listing(
            inst, now=start + dt.timedelta(days=n), title=f"Research fellowship number {n}",
            kind="research", fee_usd=fee,
            application_deadline=(today + dt.timedelta(days=deadline_days)).isoformat()))
    await drain_all(runtime.gateway)

    newest = (await client.get(API, params={"sort": "newest"})).json()
    assert [h["id"] for h in newest["hits"]] == list(reversed(made))
    stamps = [h["published_at"] for h in newest["hits"]]
    assert stamps == sorted(stamps, reverse=True)
    deadline = (await client.get(API, params={"sort": "deadline"})).json()
    dates = [h["application_deadline"] for h in deadline["hits"]]
    assert dates == sorted(dates) and len(dates) == 7
    fee = (await client.get(API, params={"sort": "fee"})).json()
    fees = [h["fee_usd"] for h in fee["hits"]]
    assert fees == sorted(fees) == [0, 0, 50, 300, 700, 900, 1500]

    seen: list[int] = []
    for page in (1, 2, 3):
        body = (await client.get(API, params={"sort": "newest", "per_page": 3, "page": page})).json()
        assert (body["total"], body["pages"], body["page"], body["per_page"]) == (7, 3, page, 3)
        seen += [h["id"] for h in body["hits"]]
    assert seen == list(reversed(made))
    past = (await client.get(API, params={"per_page": 3, "page": 4})).json()
    assert past["hits"] == [] and past["total"] == 7 and past["pages"] == 3
    far = await client.get(API, params={"per_page": 50, "page": 10000})
    assert far.status_code == 200 and far.json()["hits"] == [] and far.json()["total"] == 7
    one = (await client.get(API, params={"per_page": 1})).json()
    assert len(one["hits"]) == 1 and one["pages"] == 7
    most = (await client.get(API, params={"per_page": 50})).json()
    assert len(most["hits"]) == 7 and most["pages"] == 1
    default = (await client.get(API)).json()
    assert default["per_page"] == 20


async def test_highlight_is_html_safe(client, runtime):
    inst = await make_institution(name="St. <b>Bold</b> Hospital")
    opp = await make_listing(
        inst, title="Cardiology <script>alert(1)</script> observership",
        specialty="Cardiovascular disease", city="Houston",
        description="Cardiology clinic <img src=x onerror=alert(2)> & rounds")
    await drain_all(runtime.gateway)
    body = (await client.get(API, params={"q": "cardiology"})).json()
    hit = body["hits"][0]
    assert hit["id"] == opp and hit["title"] == "Cardiology <script>alert(1)</script> observership"
    title = hit["highlight"]["title"]
    assert title.startswith("<mark>Cardiology</mark>")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in title and "<script" not in title
    for text in hit["highlight"].values():
        stripped = text.replace("<mark>", "").replace("</mark>", "")
        assert "<" not in stripped and ">" not in stripped, text
    page = await client.get("/?q=cardiology")
    assert "<script>alert(1)" not in page.text and "<img src=x" not in page.text
    assert "<b>Bold</b>" not in page.text
    assert "<mark>Cardiology</mark> &lt;script&gt;" in page.text
