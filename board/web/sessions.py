"""Server-side sessions (in the shared DatabaseStore) whose id is rotated at login.

Litestar's ServerSideSessionBackend keeps whatever id the request's cookie carried, so a
session id planted before login (session fixation) would stay valid after it. A handler
calls `rotate_session(request)` after authenticating: the response then carries a fresh id
and the old id is deleted from the store. `request.clear_session()` (logout) deletes the
stored session and blanks the cookie, so the old cookie is anonymous afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass

from litestar.connection import ASGIConnection
from litestar.datastructures import Cookie, MutableScopeHeaders
from litestar.middleware.session.server_side import ServerSideSessionBackend, ServerSideSessionConfig
from litestar.types import Empty, Message, ScopeSession
from litestar.utils.dataclass import extract_dataclass_items

_ROTATE = "board.rotate_session"


def rotate_session(connection: ASGIConnection) -> None:
    """Give this session a new id when the response is sent (call at login)."""
    connection.scope[_ROTATE] = True  # type: ignore[literal-required]


class RotatingSessionBackend(ServerSideSessionBackend):
    async def store_in_message(self, scope_session: ScopeSession, message: Message,
                               connection: ASGIConnection) -> None:
        scope = connection.scope
        store = self.config.get_store_from_app(scope["app"])
        headers = MutableScopeHeaders.from_message(message)
        cookie_id = connection.cookies.get(self.config.key)
        has_cookie = bool(cookie_id) and cookie_id != "null"
        cookie_params = dict(extract_dataclass_items(self.config, exclude_none=True,
                                                     include=Cookie.__dict__.keys()))
        if scope_session is Empty or not scope_session:
            # Nothing to keep: no store row for anonymous visitors who never used the session.
            if has_cookie:
                await self.delete(cookie_id, store=store)
                headers.add("Set-Cookie", Cookie(value="null", key=self.config.key, expires=0,
                                                 **cookie_params).to_header(header=""))
            return
        session_id = self.get_session_id(connection)
        if scope.get(_ROTATE):
            if has_cookie:
                await self.delete(cookie_id, store=store)
            session_id = self.generate_session_id()
        await self.set(session_id=session_id, data=self.serialize_data(scope_session, scope),
                       store=store)
        headers.add("Set-Cookie", Cookie(value=session_id, key=self.config.key,
                                         **cookie_params).to_header(header=""))


@dataclass
class RotatingSessionConfig(ServerSideSessionConfig):
    _backend_class = RotatingSessionBackend
