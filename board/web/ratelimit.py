"""Rate limits kept in the shared store ("rate_limit"), so every web worker counts together.

Two layers: `throttle_forms` limits POSTs to the account forms per client address, and
`hit` counts per account / email inside the handlers, so an attacker rotating addresses
still cannot hammer one account. Both go through the store's `incr` (DatabaseStore: one
atomic statement; with REDIS_URL, CountingRedisStore: one MULTI):
40 parallel requests count 40, where reading a count and writing it back let them all read
the same number. The client address comes from the socket; X-Forwarded-For is believed only
when the peer is a trusted proxy. IPv6 clients count per /64, the block one subscriber gets.

Reusable by other endpoints (subscribe, report):

    if not await hit(request, "report", client_address(request, settings), 5, 3600):
        raise TooManyRequestsException(detail=TOO_MANY)
"""

from __future__ import annotations

import ipaddress
import time

from litestar import Request
from litestar.exceptions import TooManyRequestsException
from litestar.types import ASGIApp, Receive, Scope, Send

from board.observability import metrics
from board.settings import Settings
from board.store.kv import DatabaseStore
from board.store.redis_store import CountingRedisStore

Counting = DatabaseStore | CountingRedisStore

STORE = "rate_limit"
TOO_MANY = "Too many attempts. Please wait a few minutes and try again."
# POSTs limited per client address by the middleware (each path counts separately).
THROTTLED_PATHS = frozenset({"/login", "/signup", "/password-reset", "/signin"})
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


def bucket_of(address: str) -> str:
    """The unit a limit counts: an IPv4 address, or the /64 of an IPv6 one (a single
    subscriber holds a whole /64, so counting per address would let it rotate freely)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped:
            return str(ip.ipv4_mapped)
        return str(ipaddress.ip_network(f"{ip}/64", strict=False))
    return str(ip)


def client_address(request: Request, settings: Settings) -> str:
    """The caller's rate-limit bucket (see `bucket_of`) for the socket peer, or, when that
    peer is a trusted proxy, the right-most X-Forwarded-For entry that is not itself one."""
    return bucket_of(_client_ip(request, settings))


def _client_ip(request: Request, settings: Settings) -> str:
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


def _store(request_or_store: Request | Counting) -> Counting:
    if isinstance(request_or_store, DatabaseStore | CountingRedisStore):
        return request_or_store
    return request_or_store.app.stores.get(STORE)


def _window_key(bucket: str, key: str, window_s: int, now: int) -> str:
    # The window's number is part of the key: a new window is a new counter, so the store
    # never compares clocks and an old counter simply expires.
    return f"{bucket}:{window_s}:{now // window_s}:{key.strip().lower()}"


async def hit(request_or_store: Request | Counting, bucket: str, key: str, limit: int,
              window_s: int) -> bool:
    """Count one attempt for `key` in `bucket`; False once more than `limit` attempts fell
    in the current fixed window of `window_s` seconds."""
    now = int(time.time())
    ends = (now // window_s + 1) * window_s
    count = await _store(request_or_store).incr(_window_key(bucket, key, window_s, now),
                                                expires_in=max(1, ends - now))
    if count > limit:
        metrics.count_refusal(bucket)
        return False
    return True


async def reset(request_or_store: Request | Counting, bucket: str, key: str,
                window_s: int) -> None:
    """Forget the current window's attempts (a successful login)."""
    await _store(request_or_store).delete(_window_key(bucket, key, window_s, int(time.time())))


def throttle_forms(app: ASGIApp) -> ASGIApp:
    """Per client address, at most PER_CLIENT_PER_MINUTE POSTs a minute to each account form."""
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "POST" \
                and scope["path"] in THROTTLED_PATHS:
            request: Request = Request(scope)
            address = client_address(request, request.app.state.runtime.settings)
            if not await hit(request, "client" + scope["path"], address,
                             PER_CLIENT_PER_MINUTE, 60):
                raise TooManyRequestsException(
                    detail=TOO_MANY, headers={"Retry-After": str(60 - int(time.time()) % 60)})
        await app(scope, receive, send)

    return middleware
