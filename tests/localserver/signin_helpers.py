"""Helpers for the sign-in and access tests: people with passwords, content with an access type,
sign-in over plain HTTP, and the session cookie the server sets."""

import re

import requests

from tests.localserver.localserver_helpers import APPS as APPS  # the access tests import it from here
from tests.localserver.localserver_helpers import Client, app_bundle, static_bundle

COOKIE_PREFIX = "rsconnect_local_session_"


def port_of(server):
    return int(server.url.rstrip("/").rsplit(":", 1)[1])


def cookie_name(server):
    """Over HTTPS the server's cookies take the `__Host-` prefix."""
    prefix = "__Host-" if server.url.startswith("https://") else ""
    return prefix + COOKIE_PREFIX + str(port_of(server))


class Person:
    """A user created with `add-user --password`: name, password, API key and guid."""

    def __init__(self, server, name, role, password):
        self.name, self.role, self.password = name, role, password
        self.key = server.add_user(name, role, password=password)
        r = server.api("GET", "v1/user", key=self.key)
        assert r.status_code == 200, r.text
        self.guid = r.json()["guid"]


def published(server, name, access, text, title=None, key=None):
    """A static page holding `text`, published by the key's user (the administrator's by default),
    with the given access type."""
    client = Client(server, key)
    item = client.create(name, title)
    task, lines = client.publish(item["guid"], static_bundle("<h1>%s</h1><p>%s</p>" % (title or name, text)))
    assert task["code"] == 0, "\n".join(lines)
    set_access(server, item["guid"], access, key)
    return item


def set_access(server, guid, access, key=None):
    r = server.api("PATCH", "v1/content/" + guid, key=key, json={"access_type": access})
    assert r.status_code == 200 and r.json()["access_type"] == access, r.text


def add_viewer(server, guid, person, key=None):
    r = server.api(
        "POST",
        "v1/content/%s/permissions" % guid,
        key=key,
        json={"principal_guid": person.guid, "principal_type": "user", "role": "viewer"},
    )
    assert r.status_code == 200, r.text


def signin_form(server, session):
    """Open the sign-in page in `session` (a requests.Session, as a browser keeps cookies): the
    browser cookie it sets and the form's token bound to it."""
    return signin_token(server.url, session)


def signin_token(url, session, verify=True):
    page = session.get(url + "__login__", allow_redirects=False, timeout=60, verify=verify)
    assert page.status_code == 200, page.text[:300]
    found = re.search(r'name="signin" value="([0-9a-f]+)"', page.text)
    assert found, page.text[:1000]
    return found.group(1)


def sign_in_at(url, username, password, next_path="/connect/", cookies=None, headers=None, verify=True):
    """Open the sign-in page at the server's `url`, then POST its form as a browser would (no
    redirects followed)."""
    session = requests.Session()
    session.cookies.update(cookies or {})
    token = signin_token(url, session, verify)
    return session.post(
        url + "__login__",
        data={"username": username, "password": password, "next": next_path, "signin": token},
        headers=headers,
        allow_redirects=False,
        timeout=60,
        verify=verify,  # per request: REQUESTS_CA_BUNDLE would win over a session's
    )


def login(server, username, password, next_path="/connect/", cookies=None, headers=None, verify=True):
    return sign_in_at(server.url, username, password, next_path, cookies, headers, verify)


def set_cookies(response):
    """Every Set-Cookie line of a response (requests joins them into one header)."""
    return response.raw.headers.getlist("Set-Cookie")


def session_of(response, server):
    """The session cookie's value a response set (None when it set none)."""
    return response.cookies.get(cookie_name(server))


def set_password_cli(server, name, password):
    """`rsconnect local-server set-password NAME` with the password on standard input (twice)."""
    return server.cli("set-password", name, password=password)


def add_user_cli(server, name, role, password):
    return server.cli("add-user", name, "--role", role, "--password", password=password)


# -- apps from tests/apps ------------------------------------------------------------------------
def published_app(server, name, folder, appmode, entrypoint, access, replace=None):
    client = Client(server)
    item = client.create(name)
    task, lines = client.publish(item["guid"], app_bundle(folder, appmode, entrypoint, replace))
    assert task["code"] == 0, "\n".join(lines)
    set_access(server, item["guid"], access)
    return item


# -- Chromium ------------------------------------------------------------------------------------
class Visit:
    """A browser context of its own (a person's browser) that keeps every response it received."""

    def __init__(self, browser, **options):
        self.context = browser.new_context(**options)
        self.received = []  # (url, status, body) of every response, read as it arrives
        self.context.on("requestfinished", lambda request: self.keep(request))
        self.page = self.context.new_page()
        self.page.set_default_timeout(60000)

    def keep(self, request):
        response = request.response()
        if response is None or 300 <= response.status < 400:
            return  # redirects have no body
        try:
            body = response.body().decode("utf-8", "replace")
        except Exception as e:  # a page navigated away before its body was read
            body = "<not read: %s>" % e
        self.received.append((response.url, response.status, body))

    def settle(self):
        """Wait until the page is loaded and the network quiet, so every response's body has been
        read (a body is gone once the page navigates away)."""
        self.page.wait_for_load_state("networkidle")

    def goto(self, url):
        response = self.page.goto(url)
        self.settle()
        return response

    def close(self):
        self.context.close()

    def bodies(self):
        """The bodies of all responses so far (redirects have none); every one was read."""
        unread = [(url, body) for url, _, body in self.received if body.startswith("<not read: ")]
        assert not unread, unread
        return [body for _, _, body in self.received]

    def type_sign_in(self, name, password):
        """On the sign-in page, type the name and password into the form and send it."""
        page = self.page
        assert "/__login__" in page.url, page.url
        page.locator('input[name="username"]').press_sequentially(name)
        page.locator('input[name="password"]').press_sequentially(password)
        with page.expect_navigation():
            page.locator('button[type="submit"]').click()
        self.settle()

    def session(self, server):
        """This browser's session cookie for the server (None when signed out)."""
        for cookie in self.context.cookies(server.url):
            if cookie["name"] == cookie_name(server):
                return cookie["value"]
        return None
