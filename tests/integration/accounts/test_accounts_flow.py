"""Sign-up, email verification, login/logout, password reset and invitations, through the
real app, the real store and the mails the app wrote under var/mail."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from board.core import signing
from board.store.tables import Institution, Member
from tests.support.factories import make_institution
from tests.support.mail import link_in, mails, text_of
from tests.support.members import PASSWORD, login, make_member, post_form

SIGNUP = {
    "institution_name": "Mercy General Hospital", "institution_kind": "hospital",
    "website": "mercy-general.example.org", "city": "Houston", "state": "TX",
    "name": "Dr Ann Lee", "email": "Ann@Mercy-General.example.org", "password": PASSWORD,
}


async def _logged_in_as(client) -> str | None:
    page = await client.get("/dashboard", follow_redirects=False)
    return None if page.status_code != 200 else page.text


async def test_signup_verify_login_logout(client, settings):
    page = await post_form(client, "/signup", SIGNUP)
    assert page.status_code == 200 and page.url.path == "/signup/sent"
    assert "Check your inbox" in page.text and "ann@mercy-general.example.org" in page.text
    inst = await Institution.select().where(Institution.name == SIGNUP["institution_name"]).first().run()
    assert inst["verified"] is False and inst["website"] == "https://mercy-general.example.org"
    member = await Member.select().where(Member.email == "ann@mercy-general.example.org").first().run()
    assert member["institution"] == inst["id"] and member["email_verified_at"] is None
    assert member["password_hash"].startswith("$argon2id$") and PASSWORD not in member["password_hash"]

    # Not verified yet: login refused, and a fresh link is mailed.
    refused = await login(client, "ann@mercy-general.example.org")
    assert refused.status_code == 403 and "confirm your email" in refused.text
    sent = mails(settings)
    assert len(sent) == 2 and sent[0]["To"] == "ann@mercy-general.example.org"
    assert "Confirm" in sent[0]["Subject"]

    # Following the link (as a mail scanner does) only shows the button.
    link = link_in(sent[0], "/verify/")
    page = await client.get(link)
    assert page.status_code == 200 and f'action="{link}"' in page.text
    assert (await Member.select(Member.email_verified_at).where(Member.id == member["id"])
            .first().run())["email_verified_at"] is None
    confirmed = await post_form(client, link)  # confirming signs in
    assert confirmed.url.path == "/dashboard" and "signed in" in confirmed.text
    await post_form(client, "/logout")
    again = await post_form(client, link)  # a used link only confirms, never signs in again
    assert again.url.path == "/login" and "already confirmed" in again.text
    done = await login(client, "ann@mercy-general.example.org")
    assert done.status_code == 200 and done.url.path == "/dashboard"
    assert "Mercy General Hospital" in done.text

    await post_form(client, "/logout")
    assert await _logged_in_as(client) is None


async def test_signup_errors_are_shown_per_field_and_values_kept(client):
    bad = {**SIGNUP, "institution_kind": "spaceship", "state": "ZZ", "password": "short",
           "email": "not-an-email", "website": "nope"}
    page = await post_form(client, "/signup", bad)
    assert page.status_code == 400
    for field in ("institution_kind", "state", "password", "email", "website"):
        assert f'id="{field}-error"' in page.text, field
        assert re.search(f'aria-describedby="[^"]*{field}-error', page.text), field
    assert "at least 10 characters" in page.text
    assert 'value="Mercy General Hospital"' in page.text   # kept
    assert "short" not in page.text.split("<main", 1)[1]   # the password is never echoed
    assert await Member.count().run() == 0 and await Institution.count().run() == 0


async def test_signup_refuses_a_taken_email_or_institution(client):
    assert (await post_form(client, "/signup", SIGNUP)).url.path == "/signup/sent"
    again = await post_form(client, "/signup", {**SIGNUP, "institution_name": "Other Clinic"})
    assert again.status_code == 400 and 'id="email-error"' in again.text
    same_inst = await post_form(client, "/signup", {**SIGNUP, "email": "bob@mercy-general.example.org"})
    assert same_inst.status_code == 400 and 'id="institution_name-error"' in same_inst.text
    assert "invite" in same_inst.text
    assert await Member.count().run() == 1


async def test_bad_or_expired_verification_links(client, settings):
    inst = await make_institution(verified=False)
    member_id = (await make_member(inst, "eve@example.org", verified=False))["id"]
    expired = signing.sign("verify-email", {"m": member_id, "e": "eve@example.org"}, -1,
                           key=settings.secret_key)
    page = await client.get(f"/verify/{expired}")
    assert "expired" in page.text
    forged = signing.sign("verify-email", {"m": member_id, "e": "eve@example.org"}, 60, key="x" * 40)
    page = await client.get(f"/verify/{forged}")
    assert "not valid" in page.text
    page = await post_form(client, f"/verify/{forged}")
    assert "not valid" in page.text
    assert (await Member.select(Member.email_verified_at).where(Member.id == member_id).first().run()
            )["email_verified_at"] is None


async def test_wrong_password_and_inactive_accounts_cannot_log_in(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    await make_member(inst, "old@example.org", active=False)
    wrong = await login(client, "ann@example.org", "wrong password!")
    assert wrong.status_code == 400 and "not correct" in wrong.text
    unknown = await login(client, "nobody@example.org")
    assert unknown.status_code == 400 and "not correct" in unknown.text
    inactive = await login(client, "old@example.org")
    assert inactive.status_code == 400 and "not correct" in inactive.text
    assert await _logged_in_as(client) is None


async def test_login_only_redirects_within_the_site(client):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    page = await post_form(client, "/login", {"email": "ann@example.org", "password": PASSWORD,
                                              "next": "//evil.example/x"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"] == "/dashboard"
    await post_form(client, "/logout")
    page = await post_form(client, "/login", {"email": "ann@example.org", "password": PASSWORD,
                                              "next": "/dashboard/opportunities/new"},
                           follow_redirects=False)
    assert page.headers["location"] == "/dashboard/opportunities/new"


async def test_password_reset_same_answer_and_single_use_link(client, settings):
    inst = await make_institution()
    await make_member(inst, "ann@example.org")
    unknown = await post_form(client, "/password-reset", {"email": "nobody@example.org"})
    known = await post_form(client, "/password-reset", {"email": "ANN@example.org"})
    assert unknown.status_code == known.status_code == 200

    def main_of(page):
        return page.text.split("<main", 1)[1].split("</main>")[0].split("_csrf_token")[0]

    assert main_of(unknown) == main_of(known)
    sent = mails(settings)
    assert len(sent) == 1 and sent[0]["To"] == "ann@example.org"
    path = link_in(sent[0], "/password-reset/")

    short = await post_form(client, path, {"password": "short"})
    assert short.status_code == 400 and 'id="password-error"' in short.text
    done = await post_form(client, path, {"password": "a brand new secret"})
    assert done.url.path == "/login" and "changed" in done.text
    assert (await login(client, "ann@example.org")).status_code == 400
    await post_form(client, "/logout")
    # The link died with the old password.
    reused = await post_form(client, path, {"password": "yet another secret"})
    assert reused.url.path == "/password-reset" and "already been used" in reused.text
    assert (await login(client, "ann@example.org", "a brand new secret")).url.path == "/dashboard"


async def test_invited_colleague_joins_the_same_institution(client, settings):
    inst = await make_institution(name="Lakeside Clinic")
    await make_member(inst, "ann@lakeside.example.org", name="Ann")
    await login(client, "ann@lakeside.example.org")
    page = await post_form(client, "/dashboard/invite", {"email": "bob@lakeside.example.org"})
    assert "Invitation sent" in page.text
    invite = mails(settings)[-1]
    assert invite["To"] == "bob@lakeside.example.org" and "Lakeside Clinic" in invite["Subject"]
    assert "Ann" in text_of(invite)
    path = link_in(invite, "/invite/")
    await post_form(client, "/logout")

    form = await client.get(path)
    assert "Join Lakeside Clinic" in form.text and "bob@lakeside.example.org" in form.text
    missing = await post_form(client, path, {"name": "", "password": "x"})
    assert missing.status_code == 400 and 'id="name-error"' in missing.text
    done = await post_form(client, path, {"name": "Bob", "password": "bobs long password"})
    assert done.url.path == "/login"
    bob = await Member.select().where(Member.email == "bob@lakeside.example.org").first().run()
    assert bob["institution"] == inst and bob["email_verified_at"] is not None
    assert (await login(client, "bob@lakeside.example.org", "bobs long password")).url.path == "/dashboard"
    # Used once: the same link cannot create a second account.
    await post_form(client, "/logout")
    again = await post_form(client, path, {"name": "Mallory", "password": "mallorys password"})
    assert "already been used" in again.text
    assert await Member.count().where(Member.institution == inst).run() == 2


async def test_tampered_invitation_cannot_pick_another_institution(client, settings):
    victim = await make_institution(name="Victim Hospital")
    token = signing.sign("invite", {"i": victim, "e": "m@evil.example", "by": 1}, 600, key="y" * 40)
    page = await client.get(f"/invite/{token}")
    assert page.status_code == 400 and "not valid" in page.text
    await post_form(client, f"/invite/{token}", {"name": "M", "password": "a long password"})
    assert await Member.count().run() == 0


async def test_create_admin_cli_makes_a_staff_account_that_can_log_in(client, settings):
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "BOARD_ADMIN_PASSWORD": "admin password 123"}
    board = os.path.join(os.path.dirname(sys.executable), "board")
    done = subprocess.run([board, "create-admin", "Mod@Example.org"], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    staff = await Member.select().where(Member.email == "mod@example.org").first().run()
    assert staff["is_staff"] is True
    page = await login(client, "mod@example.org", "admin password 123")
    assert page.url.path == "/staff" and "Moderation" in page.text

    short = subprocess.run([board, "create-admin", "x@example.org"], capture_output=True, text=True,
                           env={**env, "BOARD_ADMIN_PASSWORD": "short"}, timeout=120)
    assert short.returncode == 2 and "at least 10" in short.stderr


async def test_create_admin_refuses_to_promote_an_institution_member_silently(client, settings):
    inst = await make_institution()
    poster = await make_member(inst, "poster@example.org")
    env = {**os.environ, "DATABASE_URL": settings.database_url,
           "BOARD_ADMIN_PASSWORD": "admin password 123"}
    board = os.path.join(os.path.dirname(sys.executable), "board")
    refused = subprocess.run([board, "create-admin", "poster@example.org"], env=env,
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1, refused.stderr
    assert refused.stderr.startswith("error: ") and "--promote-member" in refused.stderr
    row = await Member.select().where(Member.id == poster["id"]).first().run()
    assert row["is_staff"] is False
    assert (await login(client, "poster@example.org")).url.path == "/dashboard"  # old password

    done = subprocess.run([board, "create-admin", "--promote-member", "poster@example.org"],
                          env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert (await Member.select(Member.is_staff).where(Member.id == poster["id"]).first().run()
            )["is_staff"] is True
