"""/guides and /guides/{slug} served by the app: sources, last reviewed, anchors, the nav."""

from __future__ import annotations


async def test_guides_render_with_sources_and_last_reviewed(client):
    index = await client.get("/guides")
    assert index.status_code == 200
    assert 'href="/guides/visas-for-observerships"' in index.text and "Last reviewed" in index.text
    page = await client.get("/guides/visas-for-observerships")
    assert page.status_code == 200
    text = page.text
    assert "<h1>Which visa allows what during an observership</h1>" in text
    assert "Last reviewed" in text and 'datetime="2026-11-29"' in text
    assert "not legal advice" in text
    assert 'id="b-1-b-2-visitor-visa"' in text and 'href="#j-1-exchange-visitor"' in text
    assert 'href="https://travel.state.gov/' in text and ">Sources</h2>" in text
    assert 'href="/guides"' in text  # the footer link (and "All guides")
    assert (await client.get("/guides/no-such-guide")).status_code == 404
