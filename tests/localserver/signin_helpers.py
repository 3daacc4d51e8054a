"""Helpers for the sign-in and access tests: people with passwords, content with an access type,
sign-in over plain HTTP, and the session cookie the server sets."""

import subprocess
import sys

import requests

from tests.localserver.localserver_helpers import Client, static_bundle

COOKIE_PREFIX = "rsconnect_local_session_"


def port_of(server):
    return int(server.url.rstrip("/").rsplit(":", 1)[1])


def cookie_name(server):
    return COOKIE_PREFIX + str(port_of(server))


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


def login(server, username, password, next_path="/connect/", cookies=None, headers=None):
    """POST the login form as a browser would (no redirects followed)."""
    return requests.post(
        server.url + "__login__",
        data={"username": username, "password": password, "next": next_path},
        cookies=cookies,
        headers=headers,
        allow_redirects=False,
        timeout=60,
    )


def session_of(response, server):
    """The session cookie's value a response set (None when it set none)."""
    return response.cookies.get(cookie_name(server))


def set_password_cli(server, name, password):
    """`rsconnect local-server set-password NAME` with the password on standard input (twice)."""
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "rsconnect_jupyter",
            "local-server",
            "set-password",
            name,
            "--data-dir",
            str(server.data_dir),
        ],
        capture_output=True,
        text=True,
        input="%s\n%s\n" % (password, password),
        timeout=120,
    )


def add_user_cli(server, name, role, password):
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "rsconnect_jupyter",
            "local-server",
            "add-user",
            name,
            "--role",
            role,
            "--password",
            "--data-dir",
            str(server.data_dir),
        ],
        capture_output=True,
        text=True,
        input="%s\n%s\n" % (password, password),
        timeout=120,
    )
