"""The Litestar application: templates, static files, sessions, CSRF, error pages, security
headers, and the runtime (store, search, mail, outbox drainer, scheduler) in its lifespan."""

from __future__ import annotations

import gc
import logging
import sqlite3
from contextlib import asynccontextmanager

import aiosmtplib
import asyncpg
from litestar import Litestar, Request, Response
from litestar.config.allowed_hosts import AllowedHostsConfig
from litestar.config.csrf import CSRFConfig
from litestar.contrib.jinja import JinjaTemplateEngine
from litestar.datastructures import State
from litestar.exceptions import HTTPException, NotFoundException
from litestar.openapi.config import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin, YamlRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.static_files import create_static_files_router
from litestar.template.config import TemplateConfig

from board.browse.params import ParamError
from board.core.templating import environment
from board.core.validation import ValidationErrors
from board.listings.services import LifecycleError, NotFound
from board.planner.profile_sync import remember_profile
from board.routes import routers
from board.runtime import Runtime
from board.settings import ROOT, Settings, load_settings
from board.web.access_log import observe_requests, route_of
from board.web.api_json import require_json_writes
from board.web.ratelimit import throttle_forms
from board.web.security import security_headers
from board.web.sessions import RotatingSessionConfig
from search.errors import MeiliError, SearchUnavailable

log = logging.getLogger("board")
STATIC = ROOT / "static"
GC_YOUNG_THRESHOLD = 10_000


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/api/") or request.url.path in {"/healthz"} or (
        "application/json" in request.headers.get("accept", "")
        and "text/html" not in request.headers.get("accept", ""))


def _error(request: Request, status: int, detail: str, headers: dict | None = None,
           **extra) -> Response:
    if _wants_json(request):
        return Response({"status_code": status, "detail": detail, **extra}, status_code=status,
                        headers=headers)
    from litestar.response import Template

    return Template("pages/error.html", context={
        "status_code": status, "message": detail, "csrf_input": "", "current_member": None,
    }, status_code=status, headers=headers)


def _is_lock_error(exc: sqlite3.OperationalError) -> bool:
    text = str(exc).lower()
    return "locked" in text or "busy" in text


def _handlers():
    def param_error(request: Request, exc: ParamError) -> Response:
        return _error(request, 400, f"{exc.param}: {exc.message}", field=exc.param)

    def validation_error(request: Request, exc: ValidationErrors) -> Response:
        first = next(iter(exc.errors))
        return _error(request, 400, f"{first}: {exc.errors[first]}", field=first,
                      errors=exc.errors)

    def unavailable(request: Request, exc: SearchUnavailable) -> Response:
        log.warning("search unavailable: %s", exc)
        return _error(request, 503, "Search is temporarily unavailable; please retry shortly.")

    def meili_error(request: Request, exc: MeiliError) -> Response:
        # An engine error for a query we built is our bug: log loudly, never "0 results".
        log.error("Meilisearch rejected a request: %s", exc)
        return _error(request, 503, "Search failed; the problem has been logged.")

    def not_found(request: Request, exc: Exception) -> Response:
        detail = exc.detail if isinstance(exc, HTTPException) else "Not found."
        return _error(request, 404, detail)

    def lifecycle(request: Request, exc: LifecycleError) -> Response:
        return _error(request, 409, str(exc))

    def http_error(request: Request, exc: HTTPException) -> Response:
        extra = exc.extra if isinstance(exc.extra, dict) else {}
        # Keep the exception's headers (WWW-Authenticate on 401, Retry-After on 429).
        return _error(request, exc.status_code, exc.detail, headers=exc.headers or None, **extra)

    def store_unavailable(request: Request, exc: Exception) -> Response:
        # A locked SQLite file (past the busy timeout) or a PostgreSQL connection lost to a
        # restart: the transaction rolled back, so nothing half-written; the caller retries.
        if isinstance(exc, sqlite3.OperationalError) and not _is_lock_error(exc):
            return internal(request, exc)
        log.warning("store unavailable on %s %s: %s", request.method, route_of(request.scope), exc)
        response = _error(request, 503, "The database is temporarily unavailable; please retry "
                          "shortly.")
        response.headers["Retry-After"] = "5"
        return response

    def mail_unavailable(request: Request, exc: Exception) -> Response:
        # SMTP refused, dropped or timed out while a request sent its one mail (a confirmation):
        # what was stored stays valid, and sending again is the retry.
        log.warning("mail unavailable on %s %s: %s", request.method, route_of(request.scope), exc)
        refused = exc.recipients if isinstance(exc, aiosmtplib.SMTPRecipientsRefused) else []
        if refused and all(r.code >= 500 for r in refused):
            # A permanent refusal (550 no such user): retrying cannot help, the address is wrong.
            return _error(request, 400, "email: the mail server refused this address; check it",
                          field="email")
        response = _error(request, 503, "Email cannot be sent right now; nothing was lost, "
                          "please try again in a few minutes.")
        response.headers["Retry-After"] = "60"
        return response

    def out_of_range(request: Request, exc: Exception) -> Response:
        # A number in the URL or query too large for the database's integers (the driver
        # refuses to send it): the client's mistake, not a server error.
        if isinstance(exc, asyncpg.DataError) and "out of" not in str(exc):
            return internal(request, exc)
        return _error(request, 400, "A number in the request is out of range.")

    def unstorable_text(request: Request, exc: Exception) -> Response:
        # PostgreSQL refuses NUL in text; every form strips it, this is the safety net.
        log.warning("text the database cannot store reached a query: %s", exc)
        return _error(request, 400, "The request contains characters that cannot be stored "
                      "(such as NUL); remove them and try again.")

    def too_deep(request: Request, exc: RecursionError) -> Response:
        # msgspec recurses per nesting level of a JSON body ('[' * 100000): the client's
        # document, not our bug. Any other recursion is ours and stays a logged 500.
        if "deserializing" not in str(exc):
            return internal(request, exc)
        return _error(request, 400, "body: the JSON is nested too deeply", field="body")

    def internal(request: Request, exc: Exception) -> Response:
        # The route template: the raw path may carry a mailed link's token.
        log.exception("unhandled error on %s %s", request.method, route_of(request.scope))
        return _error(request, 500, "Something went wrong on our side; it has been logged.")

    return {
        ParamError: param_error, ValidationErrors: validation_error,
        SearchUnavailable: unavailable, MeiliError: meili_error, NotFound: not_found,
        NotFoundException: not_found, LifecycleError: lifecycle, HTTPException: http_error,
        sqlite3.OperationalError: store_unavailable, asyncpg.PostgresConnectionError: store_unavailable,
        asyncpg.exceptions.OperatorInterventionError: store_unavailable,
        asyncpg.InterfaceError: store_unavailable, ConnectionRefusedError: store_unavailable,
        # What asyncpg raises when a connection dies under a statement ("cannot switch to state").
        asyncpg.InternalClientError: store_unavailable,
        aiosmtplib.SMTPException: mail_unavailable,
        RecursionError: too_deep, OverflowError: out_of_range, asyncpg.DataError: out_of_range,
        asyncpg.exceptions.CharacterNotInRepertoireError: unstorable_text,
        asyncpg.exceptions.UntranslatableCharacterError: unstorable_text,
        Exception: internal,
    }


def _job_schedule():
    # The staff job page shows each job's next run; board itself never imports jobs.
    from jobs.table import schedule

    return schedule


def _template_globals() -> None:
    # The inline subscribe box reads the search request itself (board.digests.inline).
    from board.digests.inline import box_state

    environment().globals.setdefault("subscribe_box", box_state)


def _settle_heap() -> None:
    """Everything loaded at start-up (modules, the app, the compiled pages) lives as long as
    the process: moved out of the garbage collector's reach, the collections that requests
    trigger stop re-walking it (on the search benchmark they were 8% of a page's CPU, 3% after)."""
    for name in ("pages/search.html", "partials/search_body.html"):
        environment().get_template(name)  # compiled now, not by the first visitor
    gc.collect()
    gc.freeze()
    # A search allocates thousands of short-lived containers; at the default threshold (700)
    # the youngest generation was collected every few requests, and the older ones (which
    # walk the hit memos) every few hundred: 7.5% of the web process's CPU under the distinct
    # search benchmark, 2.5% at 10,000 (each young collection then takes ~10 ms).
    gc.set_threshold(GC_YOUNG_THRESHOLD, *gc.get_threshold()[1:])


def create_app(settings: Settings | None = None, *, runtime: Runtime | None = None,
               with_scheduler: bool = False, settle_heap: bool = False) -> Litestar:
    """The app; `settle_heap` (a served process, never a test building many apps in one
    process) freezes what start-up loaded out of the garbage collector's reach."""
    settings = settings or load_settings()
    rt = runtime or Runtime.build(settings)
    _template_globals()
    if settings.sentry_dsn:
        from board.observability.sentry import init_sentry

        init_sentry(settings)  # before Litestar(): the integration hooks into its construction

    @asynccontextmanager
    async def lifespan(app: Litestar):
        await rt.start()
        scheduler = None
        if with_scheduler:
            from jobs.runner import start_in_process

            scheduler = start_in_process(rt)
        if settle_heap:
            _settle_heap()
        try:
            yield
        finally:
            if scheduler is not None:
                await scheduler.stop()  # lets a running job finish (bounded), then stops
            await rt.stop()

    app = Litestar(
        route_handlers=[*routers(), create_static_files_router(
            path="/static", directories=[STATIC], include_in_schema=False)],
        lifespan=[lifespan],
        state=State({"runtime": rt, "job_schedule": _job_schedule()}),
        # The same Environment renders the emails: one set of filters, globals and escaping.
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(environment())),
        csrf_config=CSRFConfig(
            secret=settings.secret_key, cookie_secure=settings.production,
            cookie_httponly=False, cookie_samesite="lax",
            exclude=["^/api/", "^/unsubscribe/", "^/healthz"],
        ),
        middleware=[require_json_writes, throttle_forms, RotatingSessionConfig(
            store="sessions", secure=settings.production, httponly=True, samesite="lax",
            max_age=14 * 24 * 3600, exclude=["^/static/", "^/api/", "^/healthz", "^/metrics"],
        ).middleware],
        stores=rt.stores(),
        exception_handlers=_handlers(),
        # Production answers only for its own host names (a forged Host header gets a 400);
        # /healthz stays reachable for load balancers that probe by address.
        allowed_hosts=AllowedHostsConfig(allowed_hosts=list(settings.allowed_hosts),
                                         exclude=["^/healthz", "^/metrics"])
        if settings.production and settings.allowed_hosts else None,
        before_send=[security_headers(settings), remember_profile],
        openapi_config=OpenAPIConfig(
            title="IMG Opportunity Board API", version="1.0.0", path="/schema",
            render_plugins=[JsonRenderPlugin(), YamlRenderPlugin()],  # no CDN-hosted UIs
            components=Components(security_schemes={"BearerToken": SecurityScheme(
                type="http", scheme="bearer",
                description="An institution API token, created on /dashboard/tokens")}),
        ),
        debug=False,
        # Logging is set up by board.observability.logs (LOG_FORMAT); Litestar's default
        # would replace the root handler with its own format.
        logging_config=None,
    )
    # Outside routing and the exception handlers, so 404s and 500s are timed, logged and
    # counted too (Litestar's own middleware runs only for matched routes).
    app.asgi_handler = observe_requests(app.asgi_handler)
    return app
