"""The guides: every file has its front matter (title, last reviewed, sources at the public
bodies), is information not advice, and every link other modules make into a guide (visa
warnings, red flags) lands on a heading anchor that exists."""

from __future__ import annotations

import re

import pytest

from board.browse.eligibility import VISA_GUIDE, Profile, warnings_for
from board.core.markdown import heading_slug, render_document
from board.guides.library import GuideError, guides, parse
from board.listings.red_flags import GUIDE_SECTIONS, guide_href, red_flags

PUBLIC_BODIES = ("ecfmg.org", "ama-assn.org", "fsmb.org", "usmle.org", "nrmp.org", "state.gov")


def _resolves(href: str) -> bool:
    path, _, anchor = href.partition("#")
    slug = path.removeprefix("/guides/")
    found = guides().get(slug)
    return found is not None and path.startswith("/guides/") and anchor in found.anchors


def test_every_guide_is_dated_sourced_and_not_advice():
    assert set(guides()) == {"ecfmg-and-the-match", "visas-for-observerships",
                             "judging-an-observership", "clinical-experience-vs-observation"}
    cited = set()
    for g in guides().values():
        assert g.title and g.summary and g.last_reviewed.year >= 2026
        assert g.sources and all(url.startswith("https://") for _, url in g.sources)
        cited |= {b for b in PUBLIC_BODIES for _, url in g.sources if b in url}
        assert "information" in g.html and re.search(r"not\s(legal\s|legal\sor\s\w+\s)?advice", g.html)
        assert 'id="' in g.html and "<script" not in g.html
    assert cited == set(PUBLIC_BODIES)


def test_visa_warnings_link_to_existing_sections():
    listing = {"kind": "research", "hands_on_level": 3}
    codes = set()
    for visa in ("b1b2", "j1"):
        for w in warnings_for(Profile(visa=visa), listing):
            codes.add(w["code"])
            assert _resolves(w["href"]), w["href"]
    assert codes == set(VISA_GUIDE)


def test_red_flags_link_to_existing_sections():
    flagged = red_flags({"description": "A guaranteed letter! Pay the deposit before any contact; "
                         "non-refundable.", "fee_usd": 9000, "payee": "intermediary",
                         "total_cost_usd": 9000, "apply_url": "https://bit.ly/x"})
    assert len(flagged) >= 6
    hrefs = {guide_href(f) for f in flagged}
    assert len(hrefs) >= 4 and all(_resolves(h) for h in hrefs)
    assert all(_resolves(f"/guides/judging-an-observership#{a}") for _, a in GUIDE_SECTIONS)
    assert _resolves(guide_href("something new"))


def test_headings_get_unique_anchors_and_html_is_sanitized():
    html, outline = render_document("## B-1/B-2 visa\n\ntext <script>x</script>\n\n## B-1/B-2 visa\n"
                                    "\n### Sub *part*\n\n[x](javascript:alert(1))")
    assert [a for _, a, _ in outline] == ["b-1-b-2-visa", "b-1-b-2-visa-2", "sub-part"]
    assert '<h2 id="b-1-b-2-visa">' in html and '<h3 id="sub-part">' in html
    assert "<script>" not in html and "href=\"javascript" not in html
    assert heading_slug("US clinical experience vs. observation") == (
        "us-clinical-experience-vs-observation")


def test_a_guide_without_front_matter_is_refused():
    with pytest.raises(GuideError):
        parse("x", "# no front matter\n")
    with pytest.raises(GuideError):
        parse("x", "---\ntitle: T\n---\nbody\n")  # no last_reviewed, no source
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", parse(
        "x", "---\ntitle: T\nlast_reviewed: 2026-01-02\nsource: A | https://a.gov\n---\nb\n"
    ).last_reviewed.isoformat())
