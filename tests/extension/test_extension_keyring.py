"""The dialogs' saved servers with a real OS keyring: a Jupyter server (nbclassic, with the extension)
started inside a D-Bus session where gnome-keyring is unlocked (tests/keyring_session.py), driven
over HTTP as the dialogs drive it, against the session's local server on 127.0.0.1.

A server added with an API key, or signed in with Connect (the device flow, "Sign in with a code",
and the authorization code flow at the Jupyter server's own callback), keeps its secret in the
keyring: servers.json (mode 0600) holds none, no handler answer or log line holds one, and
publishing reads it back, also after the Jupyter server restarts. Without a keyring the secrets stay
in servers.json, as tests/reliability/test_secrets.py and test_extension_code_flow.py check."""

import json
import stat
import urllib.parse
import uuid

import pytest
import requests

from tests.extension.extension_notebooks import write_notebook
from tests.extension.jupyter_servers import jupyter_home, start_jupyter, stop_jupyter, wait_job
from tests.keyring_session import in_keyring, unlocked_keyring
from tests.localserver.oauth_helpers import Browser, approve_device
from tests.reliability.secrets_helpers import Secrets


class Dialogs:
    """The Jupyter server the dialogs talk to, in the keyring's D-Bus session, with a config folder
    (servers.json) of its own; `restart()` starts it again with the same folders and session."""

    def __init__(self, base, bus):
        self.base, self.bus = base, bus
        self.config = base / "config"
        self.answers = []  # every handler answer's body and headers, for the leak checks
        self.server = self._start()

    def _home(self, base):
        env = jupyter_home(base)
        env.update(XDG_CONFIG_HOME=str(self.config), DBUS_SESSION_BUS_ADDRESS=self.bus)
        env.pop("RSCONNECT_KEYRING", None)
        return env

    def _start(self):
        return start_jupyter("nbclassic", self.base / "jupyter", home=self._home)

    def restart(self):
        stop_jupyter(self.server)
        self.server = self._start()

    def api(self, method, route, **kwargs):
        r = self.server.api(method, route, **kwargs)
        self.answers.append(r.text + repr(r.headers))
        return r

    def wait_job(self, job_id):
        return wait_job(self.api, job_id)

    def servers_json(self):
        path = self.config / "rsconnect-python" / "servers.json"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
        return path.read_text()

    def publish(self, name, notebook, title, guid=None):
        """Publish the notebook (static) to the saved server `name`: new content, or an update of `guid`."""
        body = {"server": name, "notebook_path": notebook, "mode": "static", "title": title}
        body.update({"app_id": guid} if guid else {"new": True})
        r = self.api("POST", "publish", json=body)
        assert r.status_code == 202, r.text
        state = self.wait_job(r.json()["job_id"])
        assert state["error"] is None, state
        return state["result"]

    def leaks(self, secrets):
        return sorted({name for text in self.answers + [self.server.log()] for name in secrets.find(text)})


@pytest.fixture(scope="module")
def dialogs(tmp_path_factory):
    base = tmp_path_factory.mktemp("keyring-dialogs")
    with unlocked_keyring(tmp_path_factory.mktemp("keyring-home")) as bus:
        dialogs = Dialogs(base, bus)
        try:
            yield dialogs
        finally:
            stop_jupyter(dialogs.server)


def person(local_server, prefix):
    who, password = "%s-%s" % (prefix, uuid.uuid4().hex[:6]), "keyring-password-1"
    key = local_server.add_user(who, "publisher", password=password)
    return who, key, Browser(local_server, who, password)


def owner(local_server, guid):
    item = local_server.api("GET", "v1/content/" + guid).json()
    return local_server.api("GET", "v1/users/" + item["owner_guid"]).json()["username"]


def test_a_key_added_in_the_dialog_goes_to_the_keyring_not_servers_json(dialogs, local_server):
    name = "keyed-" + uuid.uuid4().hex[:6]
    asked = {"url": local_server.url, "name": name, "api_key": local_server.api_key}
    r = dialogs.api("POST", "servers/add", json=asked)
    assert r.status_code == 200, r.text
    assert r.json()["server"]["has_api_key"] is True

    assert in_keyring(dialogs.bus, "%s:api_key:%s" % (local_server.url, name)) == local_server.api_key
    entry = json.loads(dialogs.servers_json())[name]
    assert entry["url"] == local_server.url and entry["api_key"] is None
    assert local_server.api_key not in dialogs.servers_json()
    # read back from the keyring: listed with a credential, and it works
    listed = {s["name"]: s for s in dialogs.api("GET", "servers").json()["servers"]}
    assert listed[name]["has_api_key"] is True and listed[name]["signs_in_with"] == "API key"
    verified = dialogs.api("POST", "servers/verify", json={"server": name})
    assert verified.status_code == 200 and verified.json()["user"]["user_role"] == "administrator", verified.text
    assert dialogs.leaks(Secrets(api_key=local_server.api_key)) == []
    # the server's log said where they go, in one line (the dialog has no such line)
    assert "saved servers' keys and tokens go to the system keyring" in dialogs.server.log()


def test_signing_in_with_a_code_keeps_the_tokens_in_the_keyring_and_publishes_after_a_restart(dialogs, local_server):
    who, key, browser = person(local_server, "kr-device")
    name, keyed = "signed-" + uuid.uuid4().hex[:6], "keyed-" + uuid.uuid4().hex[:6]
    added = dialogs.api("POST", "servers/add", json={"url": local_server.url, "name": keyed, "api_key": key})
    assert added.status_code == 200, added.text
    started = dialogs.api("POST", "servers/signin", json={"url": local_server.url, "name": name})
    assert started.status_code == 202, started.text
    assert set(started.json()) == {"job_id", "user_code", "verification_uri"}
    approve_device(browser, started.json()["user_code"])
    state = dialogs.wait_job(started.json()["job_id"])
    assert state["error"] is None and state["result"]["server"]["signs_in_with"] == "OAuth", state
    assert state["result"]["user"]["username"] == who

    access = in_keyring(dialogs.bus, "%s:access_token" % local_server.url)
    refresh = in_keyring(dialogs.bus, "%s:refresh_token" % local_server.url)
    assert access and refresh
    entry = json.loads(dialogs.servers_json())[name]
    assert entry["oauth_client_id"] and not entry["api_key"]
    assert "oauth_access_token" not in entry and "oauth_refresh_token" not in entry
    tokens = Secrets(access=access, refresh=refresh, api_key=key)
    assert tokens.find(dialogs.servers_json()) == []
    assert in_keyring(dialogs.bus, "%s:api_key:%s" % (local_server.url, keyed)) == key

    notebook = write_notebook(dialogs.server.root, "keyring/%s.ipynb" % name, heading="Kept in the keyring")
    title = "Keyring report " + name
    first = dialogs.publish(name, notebook, title)
    assert owner(local_server, first["content_guid"]) == who

    dialogs.restart()  # a new process: nothing in memory, the secret only in the keyring
    listed = {s["name"]: s for s in dialogs.api("GET", "servers").json()["servers"]}
    assert listed[name]["has_api_key"] is True and listed[name]["signs_in_with"] == "OAuth"
    assert listed[keyed]["has_api_key"] is True and listed[keyed]["signs_in_with"] == "API key"
    verified = dialogs.api("POST", "servers/verify", json={"server": keyed})  # the key, read back
    assert verified.status_code == 200 and verified.json()["user"]["username"] == who, verified.text
    again = dialogs.publish(name, notebook, title, guid=first["content_guid"])
    assert again["content_guid"] == first["content_guid"] and again["bundle_id"] != first["bundle_id"]
    assert "Kept in the keyring" in local_server.get(again["content_url"], timeout=60).text
    assert tokens.find(dialogs.servers_json()) == [] and dialogs.leaks(tokens) == []


def test_a_sign_in_at_the_jupyter_servers_callback_keeps_its_tokens_in_the_keyring(dialogs, local_server):
    who, _, browser = person(local_server, "kr-code")
    name = "coded-" + uuid.uuid4().hex[:6]
    started = dialogs.api("POST", "servers/signin/browser", json={"url": local_server.url, "name": name})
    assert started.status_code == 202, started.text
    query = urllib.parse.urlsplit(started.json()["authorize_url"]).query
    consent = browser.get("__oauth__/authorize?" + query)
    approved = browser.post_form(consent, "__oauth__/authorize", decision="approve")
    callback = dialogs.server.url + "rsconnect_jupyter/oauth/callback"
    assert approved.status_code == 302 and approved.headers["Location"].startswith(callback + "?")
    page = requests.get(
        approved.headers["Location"], headers={"Authorization": "token " + dialogs.server.token}, timeout=120
    )
    dialogs.answers.append(page.text + repr(page.headers))
    assert page.status_code == 200 and "Signed in to %s." % name in page.text, page.text
    state = dialogs.wait_job(started.json()["job_id"])
    assert state["error"] is None and state["result"]["user"]["username"] == who, state

    access = in_keyring(dialogs.bus, "%s:access_token" % local_server.url)
    refresh = in_keyring(dialogs.bus, "%s:refresh_token" % local_server.url)
    assert access and refresh
    entry = json.loads(dialogs.servers_json())[name]
    assert entry["oauth_client_id"] and "oauth_access_token" not in entry and "oauth_refresh_token" not in entry
    tokens = Secrets(access=access, refresh=refresh)
    assert tokens.find(dialogs.servers_json()) == []
    verified = dialogs.api("POST", "servers/verify", json={"server": name})  # the tokens read back
    assert verified.status_code == 200 and verified.json()["user"]["username"] == who, verified.text
    assert dialogs.leaks(tokens) == []
