"""An unreachable or silent search engine: the API answers 503 with a message, the page says
search is temporarily unavailable with 503; never a 500 and never a hang (the client has a
short timeout)."""

from __future__ import annotations

import dataclasses
import socket

import pytest

from board.app import create_app
from board.runtime import Runtime
from tests.support.app import Borrowed, app_client


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(params=["refused", "silent"])
async def broken(request, settings):
    silent = None
    if request.param == "refused":
        url = f"http://127.0.0.1:{_closed_port()}"
    else:
        # Accepts connections (the kernel completes the handshake) but never answers.
        silent = socket.socket()
        silent.bind(("127.0.0.1", 0))
        silent.listen(64)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    rt = Runtime.build(dataclasses.replace(settings, meili_url=url, search_timeout=0.5))
    app = create_app(rt.settings, runtime=Borrowed(rt))
    async with app_client(app) as c:
        yield c
    await rt.client.aclose()
    if silent is not None:
        silent.close()


async def test_api_and_pages_answer_503(broken):
    resp = await broken.get("/api/v1/opportunities", params={"q": "cardiology"})
    assert resp.status_code == 503
    assert "temporarily unavailable" in resp.json()["detail"]

    page = await broken.get("/", params={"state": "TX"})
    assert page.status_code == 503
    assert "Search is temporarily unavailable" in page.text and "<html" in page.text
    part = await broken.get("/", headers={"HX-Request": "true"})
    assert part.status_code == 503 and "temporarily unavailable" in part.text

    feed = await broken.get("/feed.atom")
    assert feed.status_code == 503
    facets = await broken.get("/partials/facet-search", params={"facet": "specialty",
                                                                 "facet_q": "card"})
    assert facets.status_code == 503

    # Bad parameters are still the visitor's to fix: 400, before the engine is asked.
    bad = await broken.get("/api/v1/opportunities", params={"per_page": 99})
    assert bad.status_code == 400 and bad.json()["field"] == "per_page"
