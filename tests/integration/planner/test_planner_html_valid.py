"""The planner's pages (compare, its error, the tracker with field errors, the guides) and
its mails (follow-up, completion request) are valid HTML for the Nu HTML Checker."""

from __future__ import annotations

from board.mail.render import render
from tests.support.factories import make_institution, make_listing
from tests.support.members import post_form
from tests.support.vnu import vnu_errors


async def test_planner_pages_and_mails_are_valid_html(client):
    inst = await make_institution(name="Valid Markup Hospital")
    one = await make_listing(inst, title="Valid one", visa_statuses=["b1b2"], hands_on_level=3)
    two = await make_listing(inst, title="Valid two")
    pages: dict[str, str] = {}
    for name, path, status in [
            ("compare", f"/compare?ids={one},{two},{one}&visa=b1b2", 200),
            ("compare-error", "/compare?ids=1", 400), ("guides", "/guides", 200),
            ("guide", "/guides/judging-an-observership", 200)]:
        resp = await client.get(path)
        assert resp.status_code == status, path
        pages[name] = resp.text
    await post_form(client, f"/shortlist/{one}")
    await post_form(client, "/tracker/entries", {"program_name": "Kept", "status": "contacted",
                                                 "notes": "a note"})
    resp = await post_form(client, "/tracker/entries", {"program_name": "", "status": "x",
                                                        "url": "nope"})
    assert resp.status_code == 400
    pages["tracker-errors"] = resp.text
    context = {"base_url": "https://board.example", "name": "Lakeside", "contact": "dr@x.example",
               "url": "https://x.example", "days": 14, "due_on": "2026-12-01",
               "tracker_url": "https://board.example/tracker"}
    pages["mail-follow-up"] = render("follow_up", context).html
    pages["mail-completion-request"] = render("completion_request", {
        "base_url": "https://board.example", "participant_email": "img@example.org",
        "listing": {"title": "Valid one", "institution_name": "Valid Markup Hospital"},
        "confirm_url": "https://board.example/dashboard/completions?opportunity_id=1"}).html
    assert vnu_errors(pages) == []
