"""plain_text: the words a reader sees, from markdown-it's tokens. The adversarial inputs
(unclosed markers that made the old regular expressions quadratic) must come out right; no
timing is asserted, the parser is linear by construction."""

from __future__ import annotations

import pytest

from board.core.markdown import plain_summary, plain_text


@pytest.mark.parametrize("source, expected", [
    ("Hello *world* and **bold** [link](https://x.org) `code`\n\n- item\n- two",
     "Hello world and bold link code item two"),
    ("# Title\nline one\nline two  \nthree", "Title line one line two three"),
    ("![alt text](x.png) **_both_** ~~kept~~", "alt text both ~~kept~~"),
    ("```\ncode block\n```\n\n---\n\n> quote", "code block quote"),
    ("<b>raw</b> html stays text & <https://a.org>", "<b>raw</b> html stays text & https://a.org"),
    ("snake_case_word", "snake_case_word"),
    ("", ""),
])
def test_plain_text_reads_as_the_rendered_page(source, expected):
    assert plain_text(source) == expected


@pytest.mark.parametrize("unit", ["*a ", "_a ", "**a ", "<https://a", "[a]("])
def test_unclosed_markers_in_20k_characters_come_out_as_written(unit):
    source = unit * (20_000 // len(unit))
    assert plain_text(source) == " ".join(source.split())


def test_unclosed_brackets_come_out_as_written():
    assert plain_text("[" * 20_000) == "[" * 20_000


def test_the_same_text_is_parsed_once():
    source = "Cached *description* " + "x" * 50
    plain_text(source)
    hits = plain_text.cache_info().hits
    assert plain_text(source) == "Cached description " + "x" * 50
    assert plain_text.cache_info().hits == hits + 1
    assert plain_summary(source, 15) == "Cached…"
