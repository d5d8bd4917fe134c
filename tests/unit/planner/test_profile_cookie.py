"""profile_sync.profile_cookie reads the profile cookie a response sets or deletes, exactly as
Litestar writes the Set-Cookie header (set_cookie / delete_cookie), and ignores others."""

from __future__ import annotations

from litestar.datastructures import Cookie

from board.browse import profile as saved_profile
from board.planner.profile_sync import profile_cookie


def _message(*cookies: Cookie) -> dict:
    headers = [(b"content-type", b"text/html")]
    headers += [(b"set-cookie", c.to_header(header="").encode("latin-1")) for c in cookies]
    return {"type": "http.response.start", "status": 200, "headers": headers}


def test_a_set_profile_cookie_is_read_back():
    value = saved_profile.encode({"graduation_year": ["2019"], "visa": ["j1"]})
    message = _message(Cookie(key="csrftoken", value="abc"),
                       Cookie(key=saved_profile.COOKIE, value=value, max_age=100, path="/"))
    assert profile_cookie(message) == value


def test_a_deleted_profile_cookie_reads_as_empty():
    deleted = Cookie(key=saved_profile.COOKIE, path="/", expires=0, max_age=0)  # delete_cookie
    assert profile_cookie(_message(deleted)) == ""


def test_responses_without_the_profile_cookie_are_untouched():
    assert profile_cookie(_message(Cookie(key="session", value="x"))) is None
    assert profile_cookie({"type": "http.response.start", "headers": []}) is None
