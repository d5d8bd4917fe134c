"""SENTRY_DSN: sentry-sdk is loaded only when it is set, then with the Litestar integration
and the scrubber that keeps URLs (mailed tokens), cookies and headers out of events. Each
check in a fresh interpreter: sentry-sdk's set-up is process-wide."""

from __future__ import annotations

import os
import subprocess
import sys

from board.observability.sentry import scrub

PROBE = """
import sys
from board.app import create_app
from board.settings import load_settings
create_app(load_settings())
if 'sentry_sdk' not in sys.modules:
    print('not loaded')
else:
    import sentry_sdk
    from board.observability.sentry import scrub
    options = sentry_sdk.get_client().options
    names = sorted(type(i).__name__ for i in options['integrations'])
    print(options['before_send'] is scrub, options['send_default_pii'],
          'LitestarIntegration' in names)
"""


def _probe(tmp_path, **env: str) -> str:
    base = {"DATABASE_URL": f"sqlite:///{tmp_path / 'x.sqlite'}", "BOARD_VAR_DIR": str(tmp_path),
            "MEILI_URL": "http://127.0.0.1:9", "PATH": "/usr/bin:/bin",
            **{k: v for k, v in os.environ.items() if k == "PYTHONPATH"}}
    result = subprocess.run([sys.executable, "-c", PROBE], env={**base, **env},
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_sentry_is_not_loaded_without_a_dsn(tmp_path):
    assert _probe(tmp_path) == "not loaded"


def test_sentry_is_set_up_with_the_litestar_integration_and_the_scrubber(tmp_path):
    assert _probe(tmp_path, SENTRY_DSN="http://public@127.0.0.1:9/1") == "True False True"


def test_scrub_drops_the_url_query_cookies_and_headers():
    event = {"transaction": "/unsubscribe/{token}", "request": {
        "url": "http://x/unsubscribe/SECRET", "query_string": "email=a@b.c", "method": "GET",
        "cookies": {"session": "s"}, "headers": {"Authorization": "Bearer t"}}}
    assert scrub(event) == {"transaction": "/unsubscribe/{token}", "request": {"method": "GET"}}
