"""Helpers for the OAuth tests: a person signed in on the server's own pages (over plain HTTP, as a
browser sends the forms), a registered client, PKCE, and the server's OAuth endpoints."""

import base64
import hashlib
import html
import re
import secrets
import urllib.parse

import requests

DEVICE_GRANT = "urn:ietf:params:oauth:grant-type:device_code"


def hidden_fields(page_html):
    """The hidden inputs of a page's forms, as {name: value} (the sign-in form's and CSRF tokens)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*>", page_html):
        if 'type="hidden"' in tag:
            name = re.search(r'name="([^"]*)"', tag)
            value = re.search(r'value="([^"]*)"', tag)
            if name:
                fields[html.unescape(name.group(1))] = html.unescape(value.group(1)) if value else ""
    return fields


class Browser:
    """A person's browser: a cookie jar, signed in with a user name and password on /__login__."""

    def __init__(self, server, username, password):
        self.server = server
        self.http = requests.Session()
        self.http.headers["Origin"] = server.url.rstrip("/")  # forms from the server's own pages
        login = self.http.get(server.url + "__login__", timeout=60)
        fields = dict(hidden_fields(login.text), username=username, password=password, next="/connect/")
        r = self.http.post(server.url + "__login__", data=fields, allow_redirects=False, timeout=60)
        assert r.status_code == 302, r.text[:500]

    def get(self, path, **kwargs):
        return self.http.get(self.server.url + path.lstrip("/"), allow_redirects=False, timeout=60, **kwargs)

    def post_form(self, page, action, **fields):
        """Send the form of `page` (a response) to `action` with its hidden fields and `fields`."""
        data = dict(hidden_fields(page.text), **fields)
        return self.http.post(self.server.url + action.lstrip("/"), data=data, allow_redirects=False, timeout=60)


def metadata(server):
    r = requests.get(server.url + ".well-known/oauth-authorization-server", timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def register(server, name="Test client", redirect_uris=("http://127.0.0.1/callback",)):
    r = requests.post(
        metadata(server)["registration_endpoint"],
        json={
            "client_name": name,
            "redirect_uris": list(redirect_uris),
            "token_endpoint_auth_method": "none",
            "grant_types": ["authorization_code", "refresh_token", DEVICE_GRANT],
            "response_types": ["code"],
        },
        timeout=60,
    )
    assert r.status_code == 201, r.text
    return r.json()["client_id"]


def token(server, **form):
    return requests.post(metadata(server)["token_endpoint"], data=form, timeout=60)


def pkce():
    verifier = secrets.token_urlsafe(64)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def authorize_query(client_id, challenge, redirect_uri="http://127.0.0.1:4567/callback", state="st4te"):
    return urllib.parse.urlencode(
        {
            "response_type": "code",
            "client_id": client_id,
            "redirect_uri": redirect_uri,
            "code_challenge": challenge,
            "code_challenge_method": "S256",
            "state": state,
        }
    )


def approve_code(browser, client_id, challenge, redirect_uri="http://127.0.0.1:4567/callback"):
    """The person approves on the consent page; returns the redirect's query as a dict."""
    page = browser.get("__oauth__/authorize?" + authorize_query(client_id, challenge, redirect_uri))
    assert page.status_code == 200, page.text[:500]
    r = browser.post_form(page, "__oauth__/authorize", decision="approve")
    assert r.status_code == 302 and r.headers["Location"].startswith(redirect_uri + "?"), r.headers
    return dict(urllib.parse.parse_qsl(urllib.parse.urlsplit(r.headers["Location"]).query))


def code_flow_tokens(server, browser, client_id):
    """A whole authorization code flow; the token answer."""
    verifier, challenge = pkce()
    answer = approve_code(browser, client_id, challenge)
    r = token(
        server,
        grant_type="authorization_code",
        client_id=client_id,
        code=answer["code"],
        code_verifier=verifier,
        redirect_uri="http://127.0.0.1:4567/callback",
    )
    assert r.status_code == 200, r.text
    return r.json()


def start_device(server, client_id):
    r = requests.post(metadata(server)["device_authorization_endpoint"], data={"client_id": client_id}, timeout=60)
    assert r.status_code == 200, r.text
    return r.json()


def approve_device(browser, user_code, decision="approve"):
    page = browser.get("__oauth__/device?" + urllib.parse.urlencode({"user_code": user_code}))
    assert page.status_code == 200, page.text[:500]
    r = browser.post_form(page, "__oauth__/device", decision=decision)
    assert r.status_code == 200, r.text[:500]
    return page, r


def me(server, access_token):
    return requests.get(server.url + "__api__/v1/user", headers={"Authorization": "Bearer " + access_token}, timeout=60)
