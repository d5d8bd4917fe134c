"""One settings object, read from the environment and an optional `.env` file."""

from __future__ import annotations

import io
import math
import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from dotenv import dotenv_values

# The project directory (templates/, static/, .env, var/). BOARD_ROOT names it when the
# package is installed non-editable (the Docker image): site-packages holds only the code.
ROOT = Path(os.environ.get("BOARD_ROOT") or Path(__file__).resolve().parent.parent).resolve()
# How long a listing runs when nobody says otherwise (LISTING_DAYS); the lifecycle rules in
# board/listings/status.py read it from here so settings stay a leaf.
DEFAULT_LISTING_DAYS = 60
# Reconfirmation: ask after RECONFIRM_DAYS, unlist after RECONFIRM_DAYS + RECONFIRM_GRACE_DAYS.
DEFAULT_RECONFIRM_DAYS, DEFAULT_RECONFIRM_GRACE_DAYS = 30, 14
DEFAULT_SECRET = "dev-secret-change-me"
# Keys that were ever printed in the repository: anyone who read it could sign sessions.
PUBLISHED_SECRETS = frozenset({DEFAULT_SECRET, "change-me-to-32-or-more-random-characters"})
# Files a SECRET_KEY could be copied from; a key found in any of them is public.
_PUBLIC_FILES = (".env.example", "README.md", "docker-compose.yml", "Makefile")
# Estimated from the key's own characters: secrets.token_urlsafe(32) scores ~200 bits,
# a word or a repeated pattern far less.
MIN_SECRET_BITS = 128
SECRET_HINT = 'python -c "import secrets; print(secrets.token_urlsafe(32))"'


class SettingsError(Exception):
    """A setting is missing or unsafe; the message says which and what to do."""


def _bool(value: str | None, default: bool = False) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    var_dir: Path = ROOT / "var"
    database_url: str = ""
    meili_url: str = ""
    meili_master_key: str = ""
    meili_bin: str = ""
    meili_index: str = "opportunities"
    smtp_url: str = ""
    mail_from: str = "IMG Opportunity Board <no-reply@imgboard.example>"
    unsubscribe_mailto: str = ""
    secret_key: str = DEFAULT_SECRET
    # Old keys still accepted on signed links (SECRET_KEY_FALLBACKS), newest first.
    secret_key_fallbacks: tuple[str, ...] = ()
    base_url: str = "http://127.0.0.1:8000"
    host: str = "127.0.0.1"
    port: int = 8000
    trusted_proxies: tuple[str, ...] = ()
    allowed_hosts: tuple[str, ...] = ()
    remind_days: int = 7
    listing_days: int = DEFAULT_LISTING_DAYS
    # Reconfirmation (board.listings.reconfirm): ask the host after RECONFIRM_DAYS without a
    # confirmation; after RECONFIRM_GRACE_DAYS more the listing leaves search.
    reconfirm_days: int = DEFAULT_RECONFIRM_DAYS
    reconfirm_grace_days: int = DEFAULT_RECONFIRM_GRACE_DAYS
    search_timeout: float = 2.0
    # Once this many searches are at the engine, later ones wait and leave together, as one
    # multi-search (search.coalesce): two per engine core keeps it busy. 0: never shared.
    search_share_after: int = 4
    # What institutions are told to expect while a listing waits for a moderator.
    review_time_hours: int = 48
    # Observability and the shared store (README "Settings"): empty = off.
    metrics_token: str = ""
    log_format: str = "console"
    redis_url: str = ""
    sentry_dsn: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def signing_keys(self) -> tuple[str, ...]:
        """The key that signs new links, then the old ones still accepted."""
        return (self.secret_key, *self.secret_key_fallbacks)

    @property
    def unlisted_after_days(self) -> int:
        """Days without a confirmation after which a listing leaves search."""
        return self.reconfirm_days + self.reconfirm_grace_days

    @property
    def embedded_meili(self) -> bool:
        return not self.meili_url

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite")

    def check_production(self) -> None:
        """Refuse unsafe defaults in production: each problem named with its fix."""
        if not self.production:
            return
        problems = []
        secret_problem = _secret_problem(self.secret_key)
        if secret_problem:
            problems.append(f"SECRET_KEY {secret_problem}; generate one with {SECRET_HINT}")
        smtp = urlparse(self.smtp_url)
        if smtp.scheme == "smtp" and (smtp.username or smtp.password):
            # Plain smtp:// may fall back to no TLS at all: the password would cross the
            # network in clear text.
            problems.append("SMTP_URL carries credentials without TLS: use smtps:// or "
                            "smtp+starttls://")
        if urlparse(self.base_url).scheme != "https":
            problems.append("BASE_URL must be an https:// URL in production")
        if not self.meili_master_key:
            problems.append("MEILI_MASTER_KEY must be set in production")
        if problems:
            raise SettingsError("; ".join(problems))


def estimated_bits(key: str) -> float:
    """Shannon entropy of the key's character distribution times its length."""
    counts = Counter(key)
    return -sum(n * math.log2(n / len(key)) for n in counts.values()) if key else 0.0


def _published_in_repository(key: str) -> bool:
    for name in _PUBLIC_FILES:
        path = ROOT / name
        try:
            if key in path.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue  # not shipped (a container image may lack it): nothing to compare
    docs = ROOT / "docs"
    return docs.is_dir() and any(key in p.read_text(encoding="utf-8", errors="replace")
                                 for p in docs.rglob("*.md"))


def _secret_problem(key: str) -> str:
    if len(key) < 32:
        return "must be set to a random value of at least 32 characters"
    if key in PUBLISHED_SECRETS or _published_in_repository(key):
        return "is printed in the repository, so it is public"
    if estimated_bits(key) < MIN_SECRET_BITS:
        return "has too little entropy (a word or a repeated pattern)"
    return ""


def _read_env_file(path: Path) -> dict[str, str]:
    if not path.exists():
        return {}
    try:
        # Read it ourselves: python-dotenv silently ignores a file it cannot open.
        values = dotenv_values(stream=io.StringIO(path.read_text(encoding="utf-8")))
    except (OSError, UnicodeDecodeError) as exc:
        raise SettingsError(f"cannot read {path}: {exc}") from exc
    return {k: v for k, v in values.items() if v is not None}


def load_settings(environ: dict[str, str] | None = None, env_file: Path | None = None) -> Settings:
    """Environment variables win over `.env`; `.env` wins over defaults."""
    source = dict(_read_env_file(env_file or ROOT / ".env"))
    source.update(os.environ if environ is None else environ)
    env = source.get("BOARD_ENV", "development").strip() or "development"
    if env not in {"development", "production"}:
        raise SettingsError(f"BOARD_ENV must be 'development' or 'production', not {env!r}")
    var_dir = Path(source.get("BOARD_VAR_DIR") or ROOT / "var").resolve()
    database_url = source.get("DATABASE_URL") or f"sqlite:///{var_dir / 'board.sqlite'}"
    _check_database_url(database_url)
    try:
        port = int(source.get("PORT") or 8000)
        remind_days = int(source.get("REMIND_DAYS") or 7)
        listing_days = int(source.get("LISTING_DAYS") or DEFAULT_LISTING_DAYS)
        reconfirm_days = int(source.get("RECONFIRM_DAYS") or DEFAULT_RECONFIRM_DAYS)
        reconfirm_grace_days = int(source.get("RECONFIRM_GRACE_DAYS") or DEFAULT_RECONFIRM_GRACE_DAYS)
        review_time_hours = int(source.get("REVIEW_TIME_HOURS") or 48)
    except ValueError as exc:
        raise SettingsError("PORT, REMIND_DAYS, LISTING_DAYS, RECONFIRM_DAYS and "
                            f"RECONFIRM_GRACE_DAYS must be whole numbers: {exc}") from exc
    if reconfirm_days < 1 or reconfirm_grace_days < 0:
        raise SettingsError("RECONFIRM_DAYS must be at least 1 and RECONFIRM_GRACE_DAYS at least 0")
    log_format = (source.get("LOG_FORMAT") or "console").strip().lower()
    if log_format not in {"console", "json"}:
        raise SettingsError(f"LOG_FORMAT must be 'console' or 'json', not {log_format!r}")
    redis_url = (source.get("REDIS_URL") or "").strip()
    if redis_url and urlparse(redis_url).scheme not in {"redis", "rediss", "unix"}:
        raise SettingsError("REDIS_URL must look like redis://host:6379/0 (or rediss://, unix://)")
    settings = Settings(
        env=env,
        var_dir=var_dir,
        database_url=database_url,
        meili_url=(source.get("MEILI_URL") or "").rstrip("/"),
        meili_master_key=source.get("MEILI_MASTER_KEY") or "",
        meili_bin=source.get("MEILI_BIN") or "",
        meili_index=source.get("MEILI_INDEX") or "opportunities",
        smtp_url=source.get("SMTP_URL") or "",
        mail_from=source.get("MAIL_FROM") or Settings.mail_from,
        unsubscribe_mailto=source.get("UNSUBSCRIBE_MAILTO") or "",
        secret_key=source.get("SECRET_KEY") or DEFAULT_SECRET,
        secret_key_fallbacks=_list(source.get("SECRET_KEY_FALLBACKS")),
        base_url=(source.get("BASE_URL") or "http://127.0.0.1:8000").rstrip("/"),
        host=source.get("HOST") or "127.0.0.1",
        port=port,
        trusted_proxies=_list(source.get("TRUSTED_PROXIES")),
        allowed_hosts=_list(source.get("ALLOWED_HOSTS")),
        remind_days=remind_days,
        listing_days=listing_days,
        reconfirm_days=reconfirm_days,
        reconfirm_grace_days=reconfirm_grace_days,
        review_time_hours=review_time_hours,
        metrics_token=(source.get("METRICS_TOKEN") or "").strip(),
        log_format=log_format,
        redis_url=redis_url,
        sentry_dsn=(source.get("SENTRY_DSN") or "").strip(),
    )
    settings.check_production()
    return settings


def _list(value: str | None) -> tuple[str, ...]:
    return tuple(v.strip() for v in (value or "").split(",") if v.strip())


def _check_database_url(url: str) -> None:
    parsed = urlparse(url)
    if parsed.scheme == "sqlite":
        if not parsed.path or parsed.path == "/":
            raise SettingsError("DATABASE_URL sqlite:/// needs an absolute file path")
        return
    if parsed.scheme in {"postgresql", "postgres"}:
        if not parsed.hostname or not parsed.path.strip("/"):
            raise SettingsError(
                "DATABASE_URL must look like postgresql://user:password@host:port/dbname"
            )
        return
    raise SettingsError(
        f"DATABASE_URL scheme {parsed.scheme!r} is not supported: use sqlite:///path or postgresql://"
    )


def generated_secret() -> str:
    return secrets.token_urlsafe(32)
