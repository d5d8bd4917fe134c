"""Every route of the app, listed explicitly: a feature's router is mounted here or it does
not exist (no package scanning, so a renamed module cannot silently lose its pages).

Each views/api module exposes one `router` that declares, once for all its handlers, who may
see them (a `member` or `staff` dependency), the login redirect and how a refused lifecycle
move is shown; the app mounts them in this order."""

from __future__ import annotations

from litestar import Router

from board.accounts import token_views as account_tokens
from board.accounts import views as accounts
from board.browse import api as browse_api
from board.browse import facet_views
from board.browse import views as browse
from board.digests import views as digests
from board.guides import views as guides
from board.imports import views as imports
from board.listings import api as listings_api
from board.listings import reconfirm_views, renew_views
from board.listings import views as listings
from board.moderation import report_views
from board.moderation import views as moderation
from board.planner import calendar_views, compare_views, event_views, tracker_views
from board.planner import shortlist_views as planner_shortlist
from board.planner import views as planner
from board.reviews import api as reviews_api
from board.reviews import host_views as review_host_views
from board.reviews import staff_views as review_staff_views
from board.reviews import views as reviews
from board.web import health, metrics, pages


def routers() -> list[Router]:
    return [
        browse.router,            # /, /opportunities/{id}, /feed.atom, /opportunities/{id}/apply
        facet_views.router,       # /partials/facet-search
        browse_api.router,        # GET /api/v1/opportunities[/{id}]
        listings.router,          # /dashboard, /dashboard/opportunities/...
        renew_views.router,       # /renew/{token}
        reconfirm_views.router,   # /reconfirm/{token}
        listings_api.router,      # POST/PATCH/DELETE /api/v1/opportunities
        accounts.router,          # /signup, /login, /password-reset, /invite, /dashboard/invite
        account_tokens.router,    # /dashboard/tokens
        imports.router,           # /dashboard/import
        moderation.router,        # /staff...
        report_views.router,      # /opportunities/{id}/report
        reviews.router,           # /review/{token}, /institutions/{id}
        review_host_views.router,  # /dashboard/completions, /dashboard/reviews/{id}/reply
        review_staff_views.router,  # /staff/reviews
        reviews_api.router,       # GET /api/v1/opportunities/{id}/reviews
        digests.router,           # /subscribe, /manage, /unsubscribe, /api/v1/subscriptions
        health.router,            # /healthz
        metrics.router,           # /metrics (only with METRICS_TOKEN)
        pages.router,             # /about, /privacy, /contact
        guides.router,            # /guides, /guides/{slug}
        compare_views.router,     # /compare
        tracker_views.router,     # /tracker, /tracker/entries..., /tracker/listings/{id}
        planner.router,           # /signin, /signin/{token}, /signout, /me, /me/export.json, /me/delete
        planner_shortlist.router,  # /shortlist, POST /shortlist/{id}[/remove]
        calendar_views.router,    # /feed.ics, /calendar.ics
        event_views.router,       # /opportunities/{id}/join (an event's join link)
    ]
