"""Secrets in the OS keyring, tested against a real one: Debian's gnome-keyring (the Secret Service)
in a D-Bus session of this module (tests/keyring_session.py). With it, servers.json
holds no key and no token; API keys written before (or by rsconnect-python) move over on first use;
`rsconnect login` keeps its tokens there, refreshes them there, and `logout` removes them."""

import json
import subprocess
import sys

import pytest

from tests.cli.test_cli_login import device_login, env_for, saved
from tests.cli.test_cli_publish import ok
from tests.keyring_session import in_keyring, unlocked_keyring
from tests.localserver.oauth_helpers import Browser


@pytest.fixture(scope="module")
def dbus(tmp_path_factory):
    """A D-Bus session with an unlocked gnome-keyring; its address."""
    with unlocked_keyring(tmp_path_factory.mktemp("keyring-home")) as bus:
        yield bus


def keyring_env(config, bus):
    env = dict(env_for(config), DBUS_SESSION_BUS_ADDRESS=bus)
    env.pop("RSCONNECT_KEYRING", None)  # tests/conftest.py keeps every other test off keyrings
    return env


def run(config, bus, *args):
    return subprocess.run(
        [sys.executable, "-m", "rsconnect_jupyter", *map(str, args)],
        capture_output=True,
        text=True,
        env=keyring_env(config, bus),
        timeout=300,
    )


def test_an_api_key_goes_to_the_keyring_not_servers_json(local_server, dbus, tmp_path):
    config = tmp_path / "config"
    out = ok(run(config, dbus, "add", "-n", "kr", "-s", local_server.url, "-k", local_server.api_key)).stdout
    assert "Its API key is kept in the system keyring." in out
    text = (config / "rsconnect-python" / "servers.json").read_text()
    assert local_server.api_key not in text and json.loads(text)["kr"]["api_key"] is None
    assert in_keyring(dbus, "%s:api_key:kr" % local_server.url) == local_server.api_key
    assert "kr  %s  [API key in the system keyring]" % local_server.url in ok(run(config, dbus, "list")).stdout
    assert "admin" in ok(run(config, dbus, "details", "-n", "kr")).stdout
    ok(run(config, dbus, "remove", "-n", "kr"))
    assert in_keyring(dbus, "%s:api_key:kr" % local_server.url) == ""


def test_keys_saved_in_the_file_move_to_the_keyring_on_first_use(local_server, dbus, tmp_path):
    config = tmp_path / "config"
    ok(
        subprocess.run(  # saved without a keyring: the key is in the file, as today
            [
                sys.executable,
                "-m",
                "rsconnect_jupyter",
                "add",
                "-n",
                "old",
                "-s",
                local_server.url,
                "-k",
                local_server.api_key,
            ],
            capture_output=True,
            text=True,
            env=env_for(config),
            timeout=300,
        )
    )
    assert local_server.api_key in (config / "rsconnect-python" / "servers.json").read_text()
    assert "[API key in the system keyring]" in ok(run(config, dbus, "list")).stdout
    text = (config / "rsconnect-python" / "servers.json").read_text()
    assert local_server.api_key not in text
    assert in_keyring(dbus, "%s:api_key:old" % local_server.url) == local_server.api_key
    assert "admin" in ok(run(config, dbus, "details", "-n", "old")).stdout


def test_login_keeps_tokens_in_the_keyring_refreshes_and_logs_out(local_server, dbus, tmp_path):
    local_server.add_user("keyring-kai", "publisher", password="kai-password-1")
    person = Browser(local_server, "keyring-kai", "kai-password-1")
    config = tmp_path / "config"
    out = device_login(local_server, person, config, "kr-oauth", env=keyring_env(config, dbus))
    assert "Its tokens are kept in the system keyring." in out
    entry = saved(config)["kr-oauth"]
    assert entry["oauth_client_id"] and "oauth_access_token" not in entry and "oauth_refresh_token" not in entry
    access = in_keyring(dbus, "%s:access_token" % local_server.url)
    refresh = in_keyring(dbus, "%s:refresh_token" % local_server.url)
    assert access and refresh
    assert "[OAuth in the system keyring]" in ok(run(config, dbus, "list")).stdout

    servers = saved(config)
    servers["kr-oauth"]["oauth_token_expiry"] = 0
    (config / "rsconnect-python" / "servers.json").write_text(json.dumps(servers))
    assert "keyring-kai" in ok(run(config, dbus, "details", "-n", "kr-oauth")).stdout
    assert in_keyring(dbus, "%s:refresh_token" % local_server.url) not in ("", refresh)  # rotated, in place
    text = (config / "rsconnect-python" / "servers.json").read_text()
    assert access not in text and refresh not in text

    ok(run(config, dbus, "logout", "kr-oauth"))
    assert in_keyring(dbus, "%s:access_token" % local_server.url) == ""
    assert in_keyring(dbus, "%s:refresh_token" % local_server.url) == ""
