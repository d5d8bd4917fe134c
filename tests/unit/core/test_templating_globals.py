"""Globals of the Jinja environment that replace per-page macros (board.core.templating)."""

from __future__ import annotations

from board.core.templating import aria_for, environment


def test_aria_for_names_the_hint_then_the_error() -> None:
    assert aria_for({}, "near") == ""
    assert aria_for({}, "fee_max", "fee-hint") == ' aria-describedby="fee-hint"'
    assert aria_for({"fee_max": {"human": "x"}}, "fee_max", "fee-hint") == (
        ' aria-describedby="fee-hint fee_max-error" aria-invalid="true"')


def test_output_is_escaped_text_and_safe_fragments_pass_unchanged() -> None:
    html = environment().from_string("{{ a }}|{{ b }}|{{ n }}|{{ none }}").render(
        a='<b>"x" & \'y\'</b>', b=aria_for({}, "q", "h"), n=3, none=None)
    assert html == ('&lt;b&gt;&#34;x&#34; &amp; &#39;y&#39;&lt;/b&gt;| aria-describedby="h"|3|None')
