"""Rate limits kept in the shared store ("rate_limit"), so every web worker counts together.

Two layers: Litestar's RateLimitMiddleware limits POSTs to the account forms per client
address (`rate_limit_config`), and `hit` counts per account / email inside the handlers, so
an attacker rotating addresses still cannot hammer one account. The client address comes
from the socket; X-Forwarded-For is believed only when the peer is a trusted proxy.

Reusable by other endpoints (subscribe, report):

    if not await hit(request, "report", client_address(request, settings), 5, 3600):
        raise TooManyRequestsException(detail=TOO_MANY)
"""

from __future__ import annotations

import ipaddress
import json
import time
from typing import Any

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.middleware.rate_limit import RateLimitConfig, RateLimitMiddleware
from litestar.stores.base import Store

from board.settings import Settings

STORE = "rate_limit"
TOO_MANY = "Too many attempts. Please wait a few minutes and try again."
# POSTs limited per client address by the middleware (each path counts separately).
THROTTLED_PATHS = frozenset({"/login", "/signup", "/password-reset"})
PER_CLIENT_PER_MINUTE = 10


def _is_trusted(address: str, trusted: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in trusted:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_address(request: Request, settings: Settings) -> str:
    """The caller's address: the socket peer, or, when that peer is a trusted proxy, the
    right-most X-Forwarded-For entry that is not itself a trusted proxy."""
    peer = request.client.host if request.client else "unknown"
    if not settings.trusted_proxies or not _is_trusted(peer, settings.trusted_proxies):
        return peer
    forwarded = [p.strip() for p in request.headers.get("x-forwarded-for", "").split(",") if p.strip()]
    for address in reversed(forwarded):
        if not _is_trusted(address, settings.trusted_proxies):
            try:
                return str(ipaddress.ip_address(address))
            except ValueError:
                return peer  # a garbage header from behind the proxy: fall back to the proxy
    return peer


def _store(request_or_store: Request | Store) -> Store:
    if isinstance(request_or_store, Store):
        return request_or_store
    return request_or_store.app.stores.get(STORE)


async def hit(request_or_store: Request | Store, bucket: str, key: str, limit: int,
              window_s: int) -> bool:
    """Count one attempt for `key` in `bucket`; False once more than `limit` attempts fell
    in the current fixed window of `window_s` seconds."""
    store = _store(request_or_store)
    name = f"{bucket}:{key.strip().lower()}"
    now = int(time.time())
    raw = await store.get(name)
    state: dict[str, Any] = {"count": 0, "reset": now + window_s}
    if raw:
        try:
            loaded = json.loads(raw)
            if int(loaded["reset"]) > now:
                state = {"count": int(loaded["count"]), "reset": int(loaded["reset"])}
        except (ValueError, KeyError, TypeError):
            pass
    state["count"] += 1
    await store.set(name, json.dumps(state), expires_in=max(1, state["reset"] - now))
    return state["count"] <= limit


async def exceeded(request_or_store: Request | Store, bucket: str, key: str, limit: int) -> bool:
    """True when `key` already used up `limit` attempts in its current window (no count)."""
    raw = await _store(request_or_store).get(f"{bucket}:{key.strip().lower()}")
    if not raw:
        return False
    try:
        state = json.loads(raw)
        return int(state["reset"]) > int(time.time()) and int(state["count"]) >= limit
    except (ValueError, KeyError, TypeError):
        return False


async def reset(request_or_store: Request | Store, bucket: str, key: str) -> None:
    await _store(request_or_store).delete(f"{bucket}:{key.strip().lower()}")


def _identifier(request: Request) -> str:
    settings = request.app.state.runtime.settings
    return f"{request.url.path}:{client_address(request, settings)}"


async def _throttled(request: Request) -> bool:
    return request.method == "POST" and request.url.path in THROTTLED_PATHS


class _ClearMessageRateLimit(RateLimitMiddleware):
    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except TooManyRequestsException as exc:
            raise TooManyRequestsException(detail=TOO_MANY, headers=exc.headers) from None


def rate_limit_config(per_minute: int = PER_CLIENT_PER_MINUTE) -> RateLimitConfig:
    return RateLimitConfig(
        rate_limit=("minute", per_minute), store=STORE, identifier_for_request=_identifier,
        check_throttle_handler=_throttled, middleware_class=_ClearMessageRateLimit,
        exclude=["^/static/", "^/healthz"],
    )
