"""A password reset ends every other session of the account: before, a session opened with
the old password (a stolen laptop, a shared computer) stayed logged in for its two weeks."""

from __future__ import annotations

from board.store.tables import KeyValue
from tests.support.app import app_client
from tests.support.factories import make_institution
from tests.support.mail import link_in, mails
from tests.support.members import PASSWORD, login, make_member, post_form


async def _dashboard_status(client) -> int:
    return (await client.get("/dashboard", follow_redirects=False)).status_code


async def test_a_password_reset_logs_out_the_other_sessions(client, settings):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    async with app_client(client.app) as other:
        assert (await login(other, "ann@example.org")).url.path == "/dashboard"
        stale = other.cookies.get("session")
        assert await _dashboard_status(other) == 200

        await post_form(client, "/password-reset", {"email": "ann@example.org"})
        path = link_in(mails(settings)[-1], "/password-reset/")
        done = await post_form(client, path, {"password": "a brand new secret"})
        assert done.url.path == "/login"

        # The session opened with the old password is refused, and its row is gone.
        assert await _dashboard_status(other) == 303
        assert not await KeyValue.exists().where(KeyValue.key == f"sessions:{stale}").run()
        assert (await login(other, "ann@example.org", PASSWORD)).status_code == 400
        assert (await login(other, "ann@example.org", "a brand new secret")).url.path == "/dashboard"
        assert await _dashboard_status(other) == 200
