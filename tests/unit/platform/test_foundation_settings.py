"""Settings: environment over .env over defaults; production refuses unsafe values."""

from __future__ import annotations

import secrets
from pathlib import Path

import pytest

from board.settings import DEFAULT_SECRET, ROOT, SettingsError, load_settings

SAFE_PROD = {
    "BOARD_ENV": "production",
    "SECRET_KEY": secrets.token_urlsafe(32),
    "BASE_URL": "https://imgboard.example",
    "MEILI_MASTER_KEY": "a-master-key-of-some-length",
    "MEILI_URL": "http://meili:7700",
}


def test_defaults_are_embedded(tmp_path: Path):
    s = load_settings(environ={"BOARD_VAR_DIR": str(tmp_path)}, env_file=tmp_path / "none")
    assert s.database_url == f"sqlite:///{tmp_path / 'board.sqlite'}"
    assert s.embedded_meili and not s.smtp_url and s.secret_key == DEFAULT_SECRET
    assert (s.host, s.port) == ("127.0.0.1", 8000)


def test_env_file_is_read_and_environment_wins(tmp_path: Path):
    env = tmp_path / ".env"
    env.write_text("PORT=9001\nBASE_URL=http://from-file\n")
    s = load_settings(environ={"PORT": "9002"}, env_file=env)
    assert s.port == 9002 and s.base_url == "http://from-file"


def test_unreadable_env_file_is_a_clear_error(tmp_path: Path):
    folder = tmp_path / "dir.env"
    folder.mkdir()
    with pytest.raises(SettingsError, match="cannot read"):
        load_settings(environ={}, env_file=folder)


def test_production_accepts_safe_settings(tmp_path: Path):
    s = load_settings(environ=SAFE_PROD, env_file=tmp_path / "none")
    assert s.production


@pytest.mark.parametrize("change, message", [
    ({"SECRET_KEY": ""}, "SECRET_KEY"),
    ({"SECRET_KEY": "short"}, "SECRET_KEY"),
    ({"SECRET_KEY": "x" * 40}, "SECRET_KEY has too little entropy"),
    ({"SECRET_KEY": "correcthorsebatterystaplecorrecthorse"}, "too little entropy"),
    ({"SECRET_KEY": "change-me-to-32-or-more-random-characters"}, "printed in the repository"),
    ({"SMTP_URL": "smtp://user:secret@smtp.example.org:587"}, "SMTP_URL carries credentials"),
    ({"BASE_URL": "http://imgboard.example"}, "BASE_URL"),
    ({"MEILI_MASTER_KEY": ""}, "MEILI_MASTER_KEY"),
])
def test_production_refuses_unsafe_defaults(tmp_path: Path, change, message):
    with pytest.raises(SettingsError, match=message):
        load_settings(environ={**SAFE_PROD, **change}, env_file=tmp_path / "none")


@pytest.mark.parametrize("url", ["mysql://x/y", "postgresql://", "sqlite://", "nonsense"])
def test_bad_database_url_is_named(tmp_path: Path, url: str):
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings(environ={"DATABASE_URL": url}, env_file=tmp_path / "none")


def test_bad_board_env_and_port(tmp_path: Path):
    with pytest.raises(SettingsError, match="BOARD_ENV"):
        load_settings(environ={"BOARD_ENV": "staging"}, env_file=tmp_path / "none")
    with pytest.raises(SettingsError, match="PORT"):
        load_settings(environ={"PORT": "eighty"}, env_file=tmp_path / "none")


def test_env_example_carries_no_usable_secret(tmp_path: Path):
    example = (ROOT / ".env.example").read_text()
    assert "\nSECRET_KEY=\n" in example
    with pytest.raises(SettingsError, match="SECRET_KEY"):
        load_settings(environ={**SAFE_PROD, "SECRET_KEY": ""}, env_file=ROOT / ".env.example")


def test_production_refuses_a_key_copied_from_the_readme(tmp_path: Path):
    readme_key = "0123456789abcdefghijklmnopqrstuvWXYZ"  # not in the README: accepted
    assert load_settings(environ={**SAFE_PROD, "SECRET_KEY": readme_key},
                         env_file=tmp_path / "none").production
    with pytest.raises(SettingsError, match="printed in the repository"):
        load_settings(environ={**SAFE_PROD, "SECRET_KEY": "signs sessions, CSRF and email links"
                               + "; production"}, env_file=tmp_path / "none")


@pytest.mark.parametrize("url", ["smtps://user:pw@smtp.example.org",
                                 "smtp+starttls://user:pw@smtp.example.org:587",
                                 "smtp://mailpit:1025"])
def test_production_accepts_smtp_with_tls_or_without_credentials(tmp_path: Path, url: str):
    assert load_settings(environ={**SAFE_PROD, "SMTP_URL": url}, env_file=tmp_path / "none")
