"""Every route of the app, listed explicitly: a feature's router is mounted here or it does
not exist (no package scanning, so a renamed module cannot silently lose its pages)."""

from __future__ import annotations

from typing import Any

from board.accounts import token_views as account_tokens
from board.accounts import views as accounts
from board.browse import api as browse_api
from board.browse import facet_views
from board.browse import views as browse
from board.digests import views as digests
from board.imports import views as imports
from board.listings import api as listings_api
from board.listings import renew_views
from board.listings import views as listings
from board.moderation import report_views
from board.moderation import views as moderation
from board.web import health, pages

FEATURES = (browse, facet_views, browse_api, listings, renew_views, listings_api, accounts,
            account_tokens, imports, moderation, report_views, digests, health, pages)


def route_handlers() -> list[Any]:
    return [handler for module in FEATURES for handler in module.HANDLERS]
