"""Hostile input on the sign-in page and the session cookie, over plain HTTP on the real server.

Forged, altered, expired, signed-out and other servers' cookies are refused; a session planted
before sign-in is never carried over; `next=` never leads to another site; the forms refuse other
origins; passwords are checked by the CLI and never written anywhere but as a hash.
"""

import hashlib
import hmac
import os
import re
import secrets
import stat
import subprocess
import sys
import time
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest
import requests
import tornado.web

from tests.localserver.signin_helpers import (
    Person,
    add_user_cli,
    cookie_name,
    login,
    published,
    session_of,
    set_password_cli,
)

MARKER = "signed-in-only-text-4e1b"
PASSWORDS = {"ann": "ann-password-31ac", "bob": "bob-password-77d2", "mallory": "mallory-pass-c03f"}


@pytest.fixture(scope="module")
def people(local_server):
    return {
        "ann": Person(local_server, "si-ann", "viewer", PASSWORDS["ann"]),
        "bob": Person(local_server, "si-bob", "viewer", PASSWORDS["bob"]),
        "mallory": Person(local_server, "si-mallory", "publisher", PASSWORDS["mallory"]),
    }


@pytest.fixture(scope="module")
def members_page(local_server):
    """A page for any signed-in user: it shows whether a cookie is a live session."""
    return published(local_server, "signin-members-page", "logged_in", MARKER)


def signed_in(server, item, value):
    """Whether the server takes `value` as a live session (the page answers instead of the sign-in)."""
    r = requests.get(item["content_url"], cookies={cookie_name(server): value}, allow_redirects=False, timeout=60)
    if r.status_code == 200:
        assert MARKER in r.text
        return True
    assert r.status_code == 302 and r.headers["Location"].startswith("/__login__?"), (r.status_code, r.text[:300])
    assert MARKER not in r.text
    return False


def session_value(server, person):
    r = login(server, person.name, person.password)
    assert r.status_code == 302, r.text[:500]
    value = session_of(r, server)
    assert value
    return value


def secret_of(server):
    return (server.data_dir / "secret").read_bytes().strip()


def session_id_in(server, value):
    """The session id inside a cookie value (checked with the server's secret, as the server does)."""
    # The value travels quoted (base64 padding has "="), as http.cookies writes it.
    found = tornado.web.decode_signed_value(secret_of(server), cookie_name(server), value.strip('"'), min_version=2)
    assert found is not None
    return found.decode()


def csrf_for(server, value):
    """The sign-out form's token for this session (the server's pages put it in the form)."""
    session_id = session_id_in(server, value)
    return hmac.new(secret_of(server), b"csrf:" + session_id.encode(), hashlib.sha256).hexdigest()


# -- the login form ------------------------------------------------------------------------------
def test_wrong_password_and_unknown_user_get_the_same_answer_and_no_cookie(local_server, people):
    wrong = login(local_server, "si-ann", "not-the-password")
    unknown = login(local_server, "si-nobody", "not-the-password")
    empty = login(local_server, "si-ann", "")
    for r in (wrong, unknown, empty):
        assert r.status_code == 403
        assert "The user name or password is not right." in r.text
        assert not any(c.startswith("rsconnect_local_session_") for c in r.cookies.keys())
        assert "Set-Cookie" not in r.headers

    # The same page but for the name typed back into the form (and the form's token, which is each
    # browser's own): nothing tells whether the user exists.
    def same(r, name):
        return re.sub(r'name="signin" value="[0-9a-f]+"', "", r.text.replace(name, "NAME"))

    assert same(wrong, "si-ann") == same(unknown, "si-nobody")


def test_sign_in_sets_an_httponly_samesite_cookie_for_eight_hours(local_server, people):
    r = login(local_server, "si-ann", PASSWORDS["ann"], next_path="/connect/")
    assert r.status_code == 302 and r.headers["Location"] == "/connect/"
    header = r.headers["Set-Cookie"]
    assert header.startswith(cookie_name(local_server) + "=")
    attributes = [part.strip().lower() for part in header.split(";")[1:]]
    assert "httponly" in attributes and "samesite=lax" in attributes and "path=/" in attributes
    assert "secure" not in attributes  # plain HTTP here; tests/localserver/test_server_tls.py checks HTTPS
    expires = next(a for a in header.split(";") if a.strip().lower().startswith("expires="))
    hours = (parsedate_to_datetime(expires.split("=", 1)[1]).timestamp() - time.time()) / 3600
    assert 7.5 < hours <= 8.01, header
    assert PASSWORDS["ann"] not in header


def test_a_password_is_needed_to_sign_in_and_a_session_works(local_server, people, members_page):
    value = session_value(local_server, people["ann"])
    assert signed_in(local_server, members_page, value)
    assert not signed_in(local_server, members_page, "")


# -- forged and altered cookies ------------------------------------------------------------------
def test_forged_and_altered_cookies_are_refused(local_server, people, members_page):
    assert not signed_in(local_server, members_page, secrets.token_urlsafe(32))
    # A well-formed cookie for a random session id, signed with a guessed secret.
    forged = tornado.web.create_signed_value(
        b"x" * 64, cookie_name(local_server), secrets.token_urlsafe(32), version=2
    ).decode()
    assert not signed_in(local_server, members_page, forged)

    value = session_value(local_server, people["ann"])
    assert signed_in(local_server, members_page, value)
    # tornado's v2 format: 2|1:0|10:<timestamp>|<name>|<len>:<base64 id>|<signature>
    fields = value.split("|")
    payload_at = value.index(fields[4].split(":", 1)[1])
    for position in (payload_at + 3, len(value) - 5, value.index(fields[2]) + 5):
        altered = value[:position] + ("A" if value[position] != "A" else "B") + value[position + 1 :]
        assert altered != value
        assert not signed_in(local_server, members_page, altered), position
    # A session id put in a cookie without the signature
    assert not signed_in(local_server, members_page, session_id_in(local_server, value))
    assert signed_in(local_server, members_page, value)  # the real one still works


def test_a_cookie_past_its_max_age_is_refused_even_with_a_live_session(local_server, people, members_page):
    """The signature's timestamp counts: a cookie signed with the real secret 9 hours ago is refused
    although its session is still in the server's table."""
    value = session_value(local_server, people["ann"])
    session_id = session_id_in(local_server, value)
    name = cookie_name(local_server)
    old = tornado.web.create_signed_value(
        secret_of(local_server), name, session_id, version=2, clock=lambda: time.time() - 9 * 3600
    ).decode()
    fresh = tornado.web.create_signed_value(secret_of(local_server), name, session_id, version=2).decode()
    assert not signed_in(local_server, members_page, old)
    assert signed_in(local_server, members_page, fresh)  # the same session, signed now, is taken
    assert signed_in(local_server, members_page, value)


def test_another_servers_cookie_is_refused(local_server, local_servers, tmp_path, people, members_page):
    other = local_servers.start(tmp_path / "other-server")
    try:
        r = login(other, "admin", other.admin_password)
        assert r.status_code == 302
        theirs = session_of(r, other)
        assert theirs and cookie_name(other) != cookie_name(local_server)
        # Sent under this server's name (as a browser would if the names matched): the signature
        # is made with the other server's secret and for the other name.
        assert not signed_in(local_server, members_page, theirs)
        # Even signed for this server's cookie name with the other server's secret.
        session_id = session_id_in(other, theirs)
        renamed = tornado.web.create_signed_value(
            secret_of(other), cookie_name(local_server), session_id, version=2
        ).decode()
        assert not signed_in(local_server, members_page, renamed)
        assert secret_of(other) != secret_of(local_server)
    finally:
        local_servers.stop(other)


# -- sessions that ended -------------------------------------------------------------------------
def test_sign_out_needs_a_post_with_the_csrf_token_and_ends_the_session(local_server, people, members_page):
    value = session_value(local_server, people["bob"])
    cookies = {cookie_name(local_server): value}
    other_value = session_value(local_server, people["ann"])
    own = local_server.url.rstrip("/")

    def logout(data, headers=None):
        return requests.post(
            local_server.url + "__logout__",
            data=data,
            cookies=cookies,
            headers=headers or {"Origin": own},
            allow_redirects=False,
            timeout=60,
        )

    assert requests.get(local_server.url + "__logout__", cookies=cookies, timeout=60).status_code == 405
    assert logout({}).status_code == 403
    assert logout({"csrf": "0" * 64}).status_code == 403
    assert logout({"csrf": csrf_for(local_server, other_value)}).status_code == 403  # another session's
    foreign = logout({"csrf": csrf_for(local_server, value)}, {"Origin": "http://evil.example"})
    assert foreign.status_code == 403
    cross_site = logout({"csrf": csrf_for(local_server, value)}, {"Sec-Fetch-Site": "cross-site"})
    assert cross_site.status_code == 403
    assert signed_in(local_server, members_page, value)  # nothing above signed bob out

    done = logout({"csrf": csrf_for(local_server, value)})
    assert done.status_code == 302 and done.headers["Location"] == "/__login__"
    assert not signed_in(local_server, members_page, value)  # replaying the old cookie does not work
    assert signed_in(local_server, members_page, other_value)  # ann's session is hers


def test_set_password_ends_the_users_sessions(local_server, people, members_page):
    person = people["mallory"]
    before = session_value(local_server, person)
    assert signed_in(local_server, members_page, before)
    new_password = "mallory-new-pass-9a7e"
    out = set_password_cli(local_server, person.name, new_password)
    assert out.returncode == 0, out.stderr
    assert new_password not in out.stdout + out.stderr
    assert not signed_in(local_server, members_page, before)
    assert login(local_server, person.name, person.password).status_code == 403
    person.password = new_password
    assert signed_in(local_server, members_page, session_value(local_server, person))


def test_a_session_planted_before_sign_in_is_not_carried_over(local_server, people, members_page):
    """Fixation: mallory puts her own session (or a made-up value) in ann's browser; ann signs in
    and gets a new session, and mallory's ends."""
    name = cookie_name(local_server)
    planted = session_value(local_server, people["mallory"])
    r = login(local_server, "si-ann", PASSWORDS["ann"], cookies={name: planted})
    assert r.status_code == 302
    after = session_of(r, local_server)
    assert after and after != planted
    assert session_id_in(local_server, after) != session_id_in(local_server, planted)
    assert signed_in(local_server, members_page, after)
    assert not signed_in(local_server, members_page, planted)

    made_up = secrets.token_urlsafe(32)
    r = login(local_server, "si-ann", PASSWORDS["ann"], cookies={name: made_up})
    assert session_of(r, local_server) not in (None, made_up)
    assert not signed_in(local_server, members_page, made_up)


def test_a_browser_signed_in_is_not_switched_to_another_user(local_server, people, members_page):
    """Login CSRF: published content runs on this origin, so its script can post the sign-in form
    (from our own Origin). A browser signed in as someone else keeps its session; the person signs
    out first. Signing in again as the same person works."""
    name, own = cookie_name(local_server), {"Origin": local_server.url.rstrip("/")}
    ann = session_value(local_server, people["ann"])
    r = login(local_server, "si-mallory", people["mallory"].password, cookies={name: ann}, headers=own)
    assert r.status_code == 403 and session_of(r, local_server) is None
    assert "You are signed in as si-ann: sign out first, then sign in as another user." in r.text
    assert signed_in(local_server, members_page, ann)
    again = login(local_server, "si-ann", PASSWORDS["ann"], cookies={name: ann}, headers=own)
    assert again.status_code == 302
    assert session_of(again, local_server) not in (None, ann)
    assert not signed_in(local_server, members_page, ann)  # the old session ended


def test_with_two_session_cookies_the_servers_own_counts_and_the_other_is_cleared(local_server, people, members_page):
    """A published script can add a second cookie of the session's name for a longer path, which the
    browser sends first. The last copy (the server's own, for path /) counts, so the person is
    neither signed out nor in as the script's author, and the answer drops the other copies.
    (Chromium: tests/localserver/test_signin_attacks.py.)"""
    name = cookie_name(local_server)
    ann, mallory = session_value(local_server, people["ann"]), session_value(local_server, people["mallory"])
    for planted, own in ((mallory, ann), ("garbage", ann), (ann, ann)):
        header = "%s=%s; %s=%s" % (name, planted, name, own)
        r = requests.get(members_page["content_url"], headers={"Cookie": header}, allow_redirects=False, timeout=60)
        assert r.status_code == 200 and MARKER in r.text, planted
        cleared = [h for h in r.raw.headers.getlist("Set-Cookie") if h.startswith(name + "=;")]
        paths = {part.strip()[5:] for h in cleared for part in h.split(";") if part.strip().startswith("Path=")}
        guid = members_page["guid"]
        assert {"/content", "/content/", "/content/" + guid, "/content/%s/" % guid} <= paths, cleared
        assert "/" not in paths  # the server's own copy stays
    # a planted copy alone (no session of one's own) is a session like any: only the signature counts
    assert signed_in(local_server, members_page, ann) and signed_in(local_server, members_page, mallory)


# -- next= and the forms' origin -----------------------------------------------------------------
@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "//evil.example/connect/",
        "https://evil.example",
        "http://evil.example/",
        "/\\evil.example",
        "\\\\evil.example",
        "/\t/evil.example",
        "/\n/evil.example",
        " //evil.example",
        "javascript:alert(1)",
        "evil.example",
        "",
    ],
)
def test_next_never_leads_to_another_site(local_server, people, target):
    r = login(local_server, "si-bob", PASSWORDS["bob"], next_path=target)
    assert r.status_code == 302, (target, r.status_code, r.text[:300])
    assert r.headers["Location"] == "/connect/", target
    page = requests.get(local_server.url + "__login__", params={"next": target}, timeout=60)
    assert page.status_code == 200
    assert re.search(r'name="next" value="/connect/"', page.text), target


def test_next_keeps_a_path_of_this_server(local_server, people, members_page):
    path = "/content/%s/?a=1&b=two" % members_page["guid"]
    r = login(local_server, "si-bob", PASSWORDS["bob"], next_path=path)
    assert r.status_code == 302 and r.headers["Location"] == path


def test_login_from_another_origin_is_refused(local_server, people):
    for headers in ({"Origin": "http://evil.example"}, {"Origin": "null"}, {"Sec-Fetch-Site": "cross-site"}):
        r = login(local_server, "si-ann", PASSWORDS["ann"], headers=headers)
        assert r.status_code == 403, headers
        assert session_of(r, local_server) is None and "Set-Cookie" not in r.headers
    own = login(local_server, "si-ann", PASSWORDS["ann"], headers={"Origin": local_server.url.rstrip("/")})
    assert own.status_code == 302 and session_of(own, local_server)


# -- markup in what the pages show ---------------------------------------------------------------
def test_markup_in_next_username_and_titles_is_escaped(local_server, people):
    script = '"><script>alert(1)</script>'
    page = requests.get(local_server.url + "__login__", params={"next": "/content/x/" + script}, timeout=60)
    assert page.status_code == 200
    assert "<script>" not in page.text and "&quot;&gt;&lt;script&gt;" in page.text
    failed = login(local_server, script, "wrong-password", next_path="/x" + script)
    assert failed.status_code == 403
    assert "<script>" not in failed.text and "&lt;script&gt;" in failed.text

    title = '<img src=x onerror="alert(2)"><script>alert(3)</script>'
    item = published(local_server, "signin-markup-title", "acl", "acl-only-text-5d", title=title)
    bob = session_value(local_server, people["bob"])
    forbidden = requests.get(item["content_url"], cookies={cookie_name(local_server): bob}, timeout=60)
    assert forbidden.status_code == 403
    # A visitor is sent to the sign-in page (followed by hand, to look at both answers).
    visitor = requests.get(item["content_url"], allow_redirects=False, timeout=60)
    assert visitor.status_code == 302
    sign_in = requests.get(local_server.url.rstrip("/") + visitor.headers["Location"], timeout=60)
    assert sign_in.status_code == 200
    for r in (forbidden, visitor, sign_in):
        assert "<script>" not in r.text and "<img" not in r.text and "acl-only-text-5d" not in r.text


# -- passwords -----------------------------------------------------------------------------------
def test_short_passwords_are_refused_by_the_cli_and_nothing_is_stored(local_server, people):
    out = add_user_cli(local_server, "si-short", "viewer", "short7!")
    assert out.returncode != 0
    assert out.stderr == "Error: The password must have at least 8 characters.\n", out.stderr
    assert "short7!" not in out.stdout + out.stderr
    # No user was made: the name is still free.
    again = add_user_cli(local_server, "si-short", "viewer", "long-enough-pass")
    assert again.returncode == 0, again.stderr
    assert "long-enough-pass" not in again.stdout + again.stderr

    out = set_password_cli(local_server, "si-short", "1234567")
    assert out.returncode != 0
    assert out.stderr == "Error: The password must have at least 8 characters.\n", out.stderr
    assert login(local_server, "si-short", "long-enough-pass").status_code == 302  # unchanged
    assert login(local_server, "si-short", "1234567").status_code == 403


def test_a_piped_password_is_read_quietly_and_must_be_given_twice(local_server, people):
    made = add_user_cli(local_server, "si-piped", "viewer", "first-password-0")
    assert made.returncode == 0 and made.stderr == "", made.stderr
    out = set_password_cli(local_server, "si-piped", "piped-password-1")
    assert out.returncode == 0, out.stderr
    assert out.stderr == "" and "piped-password-1" not in out.stdout  # no getpass warning, no echo
    assert login(local_server, "si-piped", "piped-password-1").status_code == 302
    differ = subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", "local-server", "set-password", "si-piped"]
        + ["--data-dir", str(local_server.data_dir)],
        input="other-password-1\nother-password-2\n",
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert differ.returncode == 1
    assert differ.stderr == "Error: The two passwords differ: give the same password on two lines.\n"
    assert login(local_server, "si-piped", "piped-password-1").status_code == 302  # unchanged


def data_folder_files(folder):
    """The bytes of every regular file under the server's data folder, by path."""
    found = {}
    for root, _, names in os.walk(folder):
        for name in names:
            path = Path(root, name)
            if path.is_file() and not path.is_symlink():
                found[path] = path.read_bytes()
    return found


def test_passwords_stay_out_of_the_log_and_secrets_are_private(local_server, people):
    for person in people.values():
        login(local_server, person.name, person.password)
        login(local_server, person.name, person.password + "-wrong")
    log = local_server.log()
    for password in list(PASSWORDS.values()) + ["mallory-new-pass-9a7e", "long-enough-pass", "short7!"]:
        assert password not in log
    assert local_server.admin_password not in log
    # Every file of the data folder: the database runs in WAL mode, so fresh rows sit in
    # connect.db-wal (and -shm) until a checkpoint, not in connect.db.
    stored = data_folder_files(local_server.data_dir)
    assert {"connect.db", "connect.db-wal"} <= {path.name for path in stored}, sorted(stored)
    for person in people.values():  # the rows are among what was read: the check can see them
        assert any(person.name.encode() in data for data in stored.values()), person.name
    for password in list(PASSWORDS.values()) + ["mallory-new-pass-9a7e", "long-enough-pass", "piped-password-1"]:
        holding = [str(path) for path, data in stored.items() if password.encode() in data]
        assert holding == [], holding  # only scrypt hashes are stored
    for name in ("secret", "admin-password", "admin-api-key"):
        mode = stat.S_IMODE(os.stat(local_server.data_dir / name).st_mode)
        assert mode == 0o600, (name, oct(mode))
    assert stat.S_IMODE(os.stat(local_server.data_dir).st_mode) & 0o077 == 0
