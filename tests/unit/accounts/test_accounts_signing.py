"""Signed, expiring tokens (board.signing) and the pure helpers of accounts/ratelimit."""

from __future__ import annotations

import pytest

from board.accounts.services import clean_website, domain_matches
from board.core import signing
from board.web.ratelimit import _is_trusted

KEY = "k" * 40


def test_round_trip_keeps_the_payload():
    token = signing.sign("invite", {"i": 3, "e": "a@b.org"}, 60, key=KEY)
    assert signing.unsign("invite", token, key=KEY) == {"i": 3, "e": "a@b.org"}


def test_a_token_is_url_safe():
    token = signing.sign("reset-password", {"m": 1, "f": "+/=="}, 60, key=KEY)
    assert all(c.isalnum() or c in "-_." for c in token)


def test_another_purpose_is_refused():
    token = signing.sign("invite", {"i": 3}, 60, key=KEY)
    with pytest.raises(signing.BadToken):
        signing.unsign("reset-password", token, key=KEY)


def test_another_key_is_refused():
    token = signing.sign("invite", {"i": 3}, 60, key=KEY)
    with pytest.raises(signing.BadToken):
        signing.unsign("invite", token, key="x" * 40)


@pytest.mark.parametrize("mutate", [
    lambda t: t[:-2] + ("AA" if not t.endswith("AA") else "BB"),       # signature changed
    lambda t: "eyJwIjp7ImkiOjR9LCJlIjo5OTk5OTk5OTk5fQ" + t[t.index("."):],  # payload swapped
    lambda t: t.replace(".", ""),                                       # malformed
    lambda t: t + ".x",
    lambda t: "",
])
def test_tampered_tokens_are_refused(mutate):
    token = signing.sign("invite", {"i": 3}, 60, key=KEY)
    with pytest.raises(signing.BadToken):
        signing.unsign("invite", mutate(token), key=KEY)


def test_expired_token_raises_expired():
    token = signing.sign("verify-email", {"m": 1}, 60, key=KEY, now=1_000_000)
    assert signing.unsign("verify-email", token, key=KEY, now=1_000_059) == {"m": 1}
    with pytest.raises(signing.ExpiredToken):
        signing.unsign("verify-email", token, key=KEY, now=1_000_060)


def test_default_key_is_the_settings_secret(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "s" * 40)
    token = signing.sign("x", 1, 60)
    assert signing.unsign("x", token, key="s" * 40) == 1


@pytest.mark.parametrize(("email", "website", "expected"), [
    ("ann@mercy.org", "https://www.mercy.org/", True),
    ("ann@med.mercy.org", "https://mercy.org", True),
    ("ann@mercy.org", "https://careers.mercy.org", True),
    ("ann@gmail.com", "https://mercy.org", False),
    ("ann@notmercy.org", "https://mercy.org", False),
    ("ann@mercy.org", "", False),
])
def test_domain_hint(email, website, expected):
    assert domain_matches(email, website) is expected


def test_website_gets_a_scheme_and_must_look_like_one():
    assert clean_website("mercy.org") == "https://mercy.org"
    for bad in ("", "mercy", "javascript:alert(1)", "ftp://mercy.org", "https://a b.org"):
        with pytest.raises(ValueError):
            clean_website(bad)


def test_trusted_proxy_matching():
    assert _is_trusted("10.0.0.7", ("10.0.0.0/8",))
    assert _is_trusted("127.0.0.1", ("127.0.0.1",))
    assert not _is_trusted("11.0.0.1", ("10.0.0.0/8",))
    assert not _is_trusted("not-an-ip", ("10.0.0.0/8",))
    assert not _is_trusted("10.0.0.7", ())


def test_rotation_signs_with_the_first_key_and_accepts_the_fallbacks():
    old = signing.sign("manage", {"s": 1}, 60, key="old-key-" + "o" * 32)
    keys = ("new-key-" + "n" * 32, "old-key-" + "o" * 32)
    assert signing.unsign("manage", old, key=keys) == {"s": 1}
    with pytest.raises(signing.BadToken):
        signing.unsign("manage", old, key=keys[0])
    fresh = signing.sign("manage", {"s": 2}, 60, key=keys, now=0)
    assert fresh == signing.sign("manage", {"s": 2}, 60, key=keys[0], now=0)


def test_fallback_keys_come_from_the_environment(tmp_path):
    from board.settings import load_settings

    s = load_settings(environ={"SECRET_KEY": "a" * 40, "SECRET_KEY_FALLBACKS": " b1, c2 ,"},
                      env_file=tmp_path / "none.env")
    assert s.signing_keys == ("a" * 40, "b1", "c2")


# Links mailed before the switch to itsdangerous: `base64url(json) . base64url(hmac-sha256(key,
# purpose NUL body))`. Made by the previous board.core.signing.sign("unsubscribe", {"s": 42},
# ttl=365 days, key=OLD, now=4_000_000_000): a year-long link still in someone's inbox.
OLD = "old-key-" + "o" * 32
MAILED = ("eyJlIjo0MDMxNTM2MDAwLCJwIjp7InMiOjQyfX0."
          "oDBX0ywaTJCkQBa_p-t9QO_0a8LL3NsORoJURC65vOE")


def legacy_token(purpose: str, payload, expires: int, key: str) -> str:
    """The pre-itsdangerous format, built by hand (independent of the module)."""
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    body = b64(json.dumps({"p": payload, "e": expires}, separators=(",", ":"),
                          sort_keys=True).encode())
    mac = b64(hmac.new(key.encode(), purpose.encode() + b"\x00" + body.encode(),
                       hashlib.sha256).digest())
    return f"{body}.{mac}"


def test_a_mailed_legacy_link_still_verifies():
    assert MAILED == legacy_token("unsubscribe", {"s": 42}, 4_031_536_000, OLD)
    assert signing.unsign("unsubscribe", MAILED, key=OLD, now=4_000_000_100) == {"s": 42}


def test_a_legacy_link_verifies_through_the_fallback_list_and_not_without_it():
    keys = ("new-key-" + "n" * 32, OLD)
    assert signing.unsign("unsubscribe", MAILED, key=keys, now=4_000_000_100) == {"s": 42}
    with pytest.raises(signing.BadToken):
        signing.unsign("unsubscribe", MAILED, key=keys[0], now=4_000_000_100)


def test_a_legacy_link_keeps_its_purpose_and_expiry():
    with pytest.raises(signing.BadToken):
        signing.unsign("manage", MAILED, key=OLD, now=4_000_000_100)
    with pytest.raises(signing.ExpiredToken):
        signing.unsign("unsubscribe", MAILED, key=OLD, now=4_031_536_000)
    token = legacy_token("invite", ["a", 1], 2_000_000_000, KEY)
    assert signing.unsign("invite", token, key=KEY, now=1_000_000_000) == ["a", 1]


def test_new_tokens_are_itsdangerous_tokens_with_the_purpose_as_salt():
    import hashlib

    from itsdangerous import URLSafeSerializer

    token = signing.sign("invite", {"i": 3}, 60, key=KEY, now=1_000)
    reader = URLSafeSerializer(KEY, salt="invite", signer_kwargs={"digest_method": hashlib.sha256})
    assert reader.loads(token) == {"p": {"i": 3}, "e": 1_060}
    assert token != legacy_token("invite", {"i": 3}, 1_060, KEY)


def stock_serializer(purpose: str, keys: tuple[str, ...]):
    """itsdangerous as it stands, without the board's speed-ups (what signed links until now)."""
    import hashlib

    from itsdangerous import URLSafeSerializer

    return URLSafeSerializer(list(reversed(keys)), salt=purpose,
                             signer_kwargs={"digest_method": hashlib.sha256})


def test_a_short_token_is_byte_for_byte_the_stock_itsdangerous_token():
    # The digest's links skip zlib (it never shortens so little JSON): still the same format.
    keys = ("new-key-" + "n" * 32, OLD)
    token = signing.sign("manage", [12345, "0123456789abcdef"], 60, key=keys, now=1_000)
    assert token == stock_serializer("manage", keys).dumps(
        {"p": [12345, "0123456789abcdef"], "e": 1_060})
    assert signing.unsign("manage", token, key=keys, now=1_000) == [12345, "0123456789abcdef"]
    with pytest.raises(signing.BadToken):
        signing.unsign("unsubscribe", token, key=keys, now=1_000)


def test_stock_tokens_already_mailed_still_verify_compressed_or_not():
    keys = ("new-key-" + "n" * 32, OLD)
    long_payload = {"note": "a" * 300}
    compressed = stock_serializer("manage", (OLD,)).dumps({"p": long_payload, "e": 2_000_000_000})
    plain = stock_serializer("manage", (OLD,)).dumps({"p": [7, "abcd"], "e": 2_000_000_000})
    assert compressed.startswith(".") and not plain.startswith(".")
    assert signing.unsign("manage", compressed, key=keys, now=1_000) == long_payload
    assert signing.unsign("manage", plain, key=keys, now=1_000) == [7, "abcd"]
    with pytest.raises(signing.BadToken):
        signing.unsign("manage", compressed[:-2] + ("AA" if not compressed.endswith("AA") else "BB"),
                       key=keys, now=1_000)
    # A long payload is still compressed, as the stock serializer does.
    assert signing.sign("manage", long_payload, 60, key=keys).startswith(".")
