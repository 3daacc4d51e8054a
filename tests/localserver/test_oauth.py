"""The local server's OAuth authorization server (localconnect/oauth.py) over real HTTP: discovery,
registration, the authorization code with PKCE and its consent page, refresh-token rotation, the
device grant and its approval page, bearer tokens with the user's rights, codes that expire, and
what ends tokens (a new password, signing the client out, revocation, removing the user)."""

import sqlite3
import urllib.parse

import pytest
import requests

from tests.localserver.oauth_helpers import (
    DEVICE_GRANT,
    Browser,
    approve_code,
    approve_device,
    authorize_query,
    code_flow_tokens,
    me,
    metadata,
    pkce,
    register,
    start_device,
    token,
)
from tests.localserver.signin_helpers import set_password_cli

XSS_NAME = '<img src=x onerror="alert(1)">Evil CLI'


@pytest.fixture(scope="module")
def people(local_server):
    """A publisher and a viewer with passwords, on the session's server."""
    local_server.add_user("oauth-pia", "publisher", password="pia-password-1")
    local_server.add_user("oauth-vel", "viewer", password="vel-password-1")
    return {
        "publisher": Browser(local_server, "oauth-pia", "pia-password-1"),
        "viewer": Browser(local_server, "oauth-vel", "vel-password-1"),
    }


def db(server):
    return sqlite3.connect(str(server.data_dir / "connect.db"), isolation_level=None)


def test_discovery_names_every_endpoint_on_this_server(local_server):
    data = metadata(local_server)
    base = local_server.url
    assert data["issuer"] == base.rstrip("/")
    for key in ("authorization_endpoint", "token_endpoint", "registration_endpoint", "device_authorization_endpoint"):
        assert data[key].startswith(base + "__oauth__/"), data
    assert data["code_challenge_methods_supported"] == ["S256"]
    assert set(data["grant_types_supported"]) == {"authorization_code", "refresh_token", DEVICE_GRANT}


@pytest.mark.parametrize(
    "body,error",
    [
        ({"client_name": "x", "redirect_uris": ["http://evil.example/cb"]}, "invalid_redirect_uri"),
        ({"client_name": "x", "redirect_uris": ["http://127.0.0.1/cb#frag"]}, "invalid_redirect_uri"),
        ({"client_name": "", "redirect_uris": ["http://127.0.0.1/cb"]}, "invalid_client_metadata"),
        ({"client_name": "x", "redirect_uris": [], "grant_types": ["authorization_code"]}, "invalid_redirect_uri"),
        (
            {"client_name": "x", "redirect_uris": ["https://a/cb"], "grant_types": ["password"]},
            "invalid_client_metadata",
        ),
        (["not", "an object"], "invalid_client_metadata"),
    ],
)
def test_registration_refuses_bad_metadata(local_server, body, error):
    r = requests.post(metadata(local_server)["registration_endpoint"], json=body, timeout=60)
    assert r.status_code == 400 and r.json()["error"] == error, r.text
    assert r.json()["error_description"].endswith(".")


def test_authorize_sends_a_signed_out_person_to_the_sign_in_page_and_back(local_server):
    client_id = register(local_server)
    _, challenge = pkce()
    query = authorize_query(client_id, challenge)
    r = requests.get(local_server.url + "__oauth__/authorize?" + query, allow_redirects=False, timeout=60)
    assert r.status_code == 302
    location = urllib.parse.urlsplit(r.headers["Location"])
    assert location.path == "/__login__"
    assert urllib.parse.parse_qs(location.query)["next"] == ["/__oauth__/authorize?" + query]


def test_code_flow_names_the_client_and_gives_tokens_with_the_users_rights(local_server, people):
    client_id = register(local_server, XSS_NAME)
    browser = people["publisher"]
    verifier, challenge = pkce()
    page = browser.get("__oauth__/authorize?" + authorize_query(client_id, challenge))
    assert page.status_code == 200
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;Evil CLI" in page.text and XSS_NAME not in page.text
    assert "oauth-pia" in page.text
    # The answer is a redirect to the client's loopback port: the page's CSP allows that form target.
    assert "form-action 'self' http://127.0.0.1:4567" in page.headers["Content-Security-Policy"]
    answer = approve_code(browser, client_id, challenge)
    assert answer["state"] == "st4te"

    form = dict(grant_type="authorization_code", client_id=client_id, redirect_uri="http://127.0.0.1:4567/callback")
    wrong = token(local_server, code=answer["code"], code_verifier="x" * 64, **form)
    assert wrong.status_code == 400 and wrong.json()["error"] == "invalid_grant", wrong.text
    again = token(local_server, code=answer["code"], code_verifier=verifier, **form)  # a code is good once
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant", again.text

    tokens = code_flow_tokens(local_server, browser, client_id)
    assert tokens["token_type"] == "Bearer" and tokens["expires_in"] > 0 and tokens["refresh_token"]
    assert me(local_server, tokens["access_token"]).json()["username"] == "oauth-pia"
    r = requests.post(
        local_server.url + "__api__/v1/content",
        headers={"Authorization": "Bearer " + tokens["access_token"]},
        json={"name": "oauth-made-this"},
        timeout=60,
    )
    assert r.status_code == 200 and r.json()["owner_guid"] == me(local_server, tokens["access_token"]).json()["guid"]


def test_a_viewers_token_has_a_viewers_rights(local_server, people):
    tokens = code_flow_tokens(local_server, people["viewer"], register(local_server))
    r = requests.post(
        local_server.url + "__api__/v1/content",
        headers={"Authorization": "Bearer " + tokens["access_token"]},
        json={"name": "viewer-may-not"},
        timeout=60,
    )
    assert r.status_code == 403 and r.json()["code"] == 19, r.text


def test_authorize_refuses_without_pkce_and_never_redirects_to_an_unregistered_uri(local_server, people):
    client_id = register(local_server)
    browser = people["publisher"]
    no_pkce = urllib.parse.urlencode(
        {"response_type": "code", "client_id": client_id, "redirect_uri": "http://127.0.0.1:5/callback", "state": "s"}
    )
    r = browser.get("__oauth__/authorize?" + no_pkce)
    assert r.status_code == 302
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)
    assert sent["error"] == ["invalid_request"] and sent["state"] == ["s"] and "code" not in sent
    _, challenge = pkce()
    r = browser.get("__oauth__/authorize?" + authorize_query(client_id, challenge, "https://evil.example/callback"))
    assert r.status_code == 400 and "Location" not in r.headers and "not one this client registered" in r.text


def test_denying_sends_access_denied(local_server, people):
    client_id = register(local_server)
    _, challenge = pkce()
    page = people["publisher"].get("__oauth__/authorize?" + authorize_query(client_id, challenge))
    r = people["publisher"].post_form(page, "__oauth__/authorize", decision="deny")
    sent = urllib.parse.parse_qs(urllib.parse.urlsplit(r.headers["Location"]).query)
    assert sent["error"] == ["access_denied"] and "code" not in sent


def test_refresh_tokens_rotate_and_a_replayed_one_ends_the_grant(local_server, people):
    client_id = register(local_server)
    first = code_flow_tokens(local_server, people["publisher"], client_id)
    r = token(local_server, grant_type="refresh_token", client_id=client_id, refresh_token=first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"] and second["access_token"] != first["access_token"]
    assert me(local_server, second["access_token"]).status_code == 200
    # The old refresh token again: someone holds a copy, so the whole grant ends.
    replay = token(local_server, grant_type="refresh_token", client_id=client_id, refresh_token=first["refresh_token"])
    assert replay.status_code == 400 and replay.json()["error"] == "invalid_grant"
    assert me(local_server, second["access_token"]).status_code == 401
    r = token(local_server, grant_type="refresh_token", client_id=client_id, refresh_token=second["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_another_clients_refresh_token_is_refused(local_server, people):
    tokens = code_flow_tokens(local_server, people["publisher"], register(local_server))
    r = token(
        local_server,
        grant_type="refresh_token",
        client_id=register(local_server),
        refresh_token=tokens["refresh_token"],
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"


def test_device_flow_pending_slow_down_then_approved_on_the_page(local_server, people):
    client_id = register(local_server, "Device CLI")
    started = start_device(local_server, client_id)
    assert started["verification_uri"] == local_server.url + "__oauth__/device"
    assert started["verification_uri_complete"].startswith(started["verification_uri"] + "?user_code=")
    assert len(started["user_code"]) == 9 and started["user_code"][4] == "-"
    poll = dict(grant_type=DEVICE_GRANT, client_id=client_id, device_code=started["device_code"])
    r = token(local_server, **poll)
    assert r.status_code == 400 and r.json()["error"] == "authorization_pending", r.text
    r = token(local_server, **poll)  # at once again: faster than the interval
    assert r.status_code == 400 and r.json()["error"] == "slow_down", r.text

    page, done = approve_device(people["publisher"], started["user_code"].lower().replace("-", ""))
    assert "Device CLI" in page.text and started["user_code"] in page.text
    assert "signed in as oauth-pia" in done.text
    r = token(local_server, **poll)
    assert r.status_code == 200, r.text
    assert me(local_server, r.json()["access_token"]).json()["username"] == "oauth-pia"
    again = token(local_server, **poll)  # the device code gives tokens once
    assert again.status_code == 400 and again.json()["error"] == "invalid_grant"
    # The user code is spent too.
    r = people["viewer"].get("__oauth__/device?user_code=" + started["user_code"])
    assert r.status_code == 400 and "not valid or has expired" in r.text


def test_device_flow_denied(local_server, people):
    client_id = register(local_server)
    started = start_device(local_server, client_id)
    approve_device(people["viewer"], started["user_code"], decision="deny")
    r = token(local_server, grant_type=DEVICE_GRANT, client_id=client_id, device_code=started["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "access_denied", r.text


def test_codes_expire(local_server, people):
    """An authorization code and a device code past their time (set in the database: the server's
    own clock would take minutes) give no tokens."""
    client_id = register(local_server)
    verifier, challenge = pkce()
    answer = approve_code(people["publisher"], client_id, challenge)
    started = start_device(local_server, client_id)
    with db(local_server) as conn:
        conn.execute("UPDATE oauth_codes SET expires = 1")
        conn.execute("UPDATE oauth_devices SET expires = 1")
    r = token(
        local_server,
        grant_type="authorization_code",
        client_id=client_id,
        code=answer["code"],
        code_verifier=verifier,
        redirect_uri="http://127.0.0.1:4567/callback",
    )
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant", r.text
    r = token(local_server, grant_type=DEVICE_GRANT, client_id=client_id, device_code=started["device_code"])
    assert r.status_code == 400 and r.json()["error"] == "expired_token", r.text
    page = people["publisher"].get("__oauth__/device?user_code=" + started["user_code"])
    assert page.status_code == 400


def test_the_dashboard_lists_signed_in_clients_and_signs_one_out(local_server, people):
    browser = people["viewer"]
    kept_client, ended_client = register(local_server, "Kept CLI"), register(local_server, "Ended CLI")
    kept = code_flow_tokens(local_server, browser, kept_client)
    ended = code_flow_tokens(local_server, browser, ended_client)
    page = browser.get("connect/clients")
    assert page.status_code == 200 and "Kept CLI" in page.text and "Ended CLI" in page.text
    assert kept["access_token"] not in page.text and ended["refresh_token"] not in page.text
    # Another person's page does not list them, and cannot sign them out.
    other = people["publisher"].get("connect/clients")
    assert "Kept CLI" not in other.text
    row = page.text[page.text.index("Ended CLI") :]
    action = row[row.index('action="') + 8 :].split('"', 1)[0]
    r = people["publisher"].post_form(other, action)
    assert r.status_code == 404 and me(local_server, ended["access_token"]).status_code == 200
    r = browser.post_form(page, action)
    assert r.status_code == 302
    assert me(local_server, ended["access_token"]).status_code == 401
    r = token(local_server, grant_type="refresh_token", client_id=ended_client, refresh_token=ended["refresh_token"])
    assert r.status_code == 400
    assert me(local_server, kept["access_token"]).status_code == 200
    assert "Ended CLI" not in browser.get("connect/clients").text


def test_revocation_ends_the_grant(local_server, people):
    client_id = register(local_server)
    tokens = code_flow_tokens(local_server, people["publisher"], client_id)
    r = requests.post(
        metadata(local_server)["revocation_endpoint"],
        data={"token": tokens["refresh_token"], "client_id": client_id},
        timeout=60,
    )
    assert r.status_code == 200
    assert me(local_server, tokens["access_token"]).status_code == 401


def test_a_new_password_and_removing_the_user_end_their_tokens(local_server):
    local_server.add_user("oauth-ned", "publisher", password="ned-password-1")
    browser = Browser(local_server, "oauth-ned", "ned-password-1")
    client_id = register(local_server)
    tokens = code_flow_tokens(local_server, browser, client_id)
    assert me(local_server, tokens["access_token"]).status_code == 200
    assert set_password_cli(local_server, "oauth-ned", "ned-password-2").returncode == 0
    r = me(local_server, tokens["access_token"])
    assert r.status_code == 401 and r.json()["code"] == 30
    r = token(local_server, grant_type="refresh_token", client_id=client_id, refresh_token=tokens["refresh_token"])
    assert r.status_code == 400 and r.json()["error"] == "invalid_grant"

    browser = Browser(local_server, "oauth-ned", "ned-password-2")
    tokens = code_flow_tokens(local_server, browser, client_id)
    assert me(local_server, tokens["access_token"]).status_code == 200
    with db(local_server) as conn:  # the local server has no remove-user command: remove the row
        conn.execute("DELETE FROM users WHERE username = 'oauth-ned'")
    assert me(local_server, tokens["access_token"]).status_code == 401
