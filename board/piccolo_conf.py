"""Piccolo's configuration module (PICCOLO_CONF=board.piccolo_conf).

`DB` is built from the settings; `board.db.configure` replaces it when the app or the
tests choose another database, so migrations and tables always share one engine."""

from piccolo.conf.apps import AppRegistry

from board.settings import load_settings
from board.store.drivers import engine_from_url

DB = engine_from_url(load_settings().database_url)

APP_REGISTRY = AppRegistry(apps=["board.piccolo_app"])
