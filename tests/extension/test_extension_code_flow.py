"""The authorization code flow through the extension's handlers over real HTTP, as a browser behind
JupyterHub drives it: a Jupyter server under a /user/NAME/ base URL, the local server's OAuth, and
a person who signs in and approves on the local server's pages (tests/localserver/oauth_helpers).

The Jupyter server answers the authorization URL only; its redirect URI is its own callback under
its base URL; the callback (for the signed-in Jupyter user only, once per sign-in) exchanges the
code with the verifier it kept, and no answer holds a token."""

import json
import stat
import urllib.parse
import uuid

import pytest
import requests

from tests.extension.jupyter_servers import JupyterServer, command, start_jupyter, stop_jupyter, wait_job
from tests.localserver.oauth_helpers import Browser, hidden_fields
from tests.reliability.secrets_helpers import Secrets

PREFIX = "user/ann/"


class PrefixedServer(JupyterServer):
    """A Jupyter server whose base URL is /user/ann/, as JupyterHub starts a person's server."""

    def __init__(self, kind, url, *args):
        super().__init__(kind, url + PREFIX, *args)


def prefixed_command(kind, port, token, root):
    return command(kind, port, token, root) + ["--ServerApp.base_url=/" + PREFIX]


@pytest.fixture(scope="module")
def hubbed(tmp_path_factory):
    server = start_jupyter("nbclassic", tmp_path_factory.mktemp("hubbed"), command=prefixed_command,
                           server_class=PrefixedServer)  # fmt: skip
    yield server
    stop_jupyter(server)


def test_the_code_flow_answers_at_the_servers_own_callback_under_its_base_url(hubbed, local_server, isolated_config):
    who, password = "cb-" + uuid.uuid4().hex[:6], "callback-password-1"
    local_server.add_user(who, "publisher", password=password)
    name = "coded-" + uuid.uuid4().hex[:6]
    asked = {"url": local_server.url, "name": name}

    offered = hubbed.api("POST", "servers/signin/methods", json=asked)
    assert offered.status_code == 200 and offered.json() == {"browser": True, "device": True}, offered.text
    started = hubbed.api("POST", "servers/signin/browser", json=asked)
    assert started.status_code == 202, started.text
    assert set(started.json()) == {"job_id", "authorize_url"}
    authorize = urllib.parse.urlsplit(started.json()["authorize_url"])
    query = dict(urllib.parse.parse_qsl(authorize.query))
    callback = hubbed.url + "rsconnect_jupyter/oauth/callback"
    assert callback.startswith("http://127.0.0.1:") and "/user/ann/rsconnect_jupyter/" in callback
    assert query["redirect_uri"] == callback and query["code_challenge_method"] == "S256"
    assert "code_verifier" not in query and len(query["state"]) >= 32

    person = Browser(local_server, who, password)
    consent = person.get("__oauth__/authorize?" + authorize.query)
    assert consent.status_code == 200 and "rsconnect-jupyter" in consent.text
    assert hidden_fields(consent.text)["redirect_uri"] == callback
    approved = person.post_form(consent, "__oauth__/authorize", decision="approve")
    assert approved.status_code == 302 and approved.headers["Location"].startswith(callback + "?")
    back = approved.headers["Location"]

    # the answer reaches only the Jupyter user: without Jupyter's login it is not taken
    stranger = requests.get(back, allow_redirects=False, timeout=60)
    assert stranger.status_code in (302, 403) and "Signed in" not in stranger.text
    page = requests.get(back, headers={"Authorization": "token " + hubbed.token}, timeout=120)
    assert page.status_code == 200, page.text
    assert "Signed in to %s. You may close this tab." % name in page.text
    state = wait_job(hubbed.api, started.json()["job_id"], timeout=120)
    assert state["error"] is None and state["result"]["server"]["signs_in_with"] == "OAuth", state
    # the same answer again finds no sign-in under way (its state is used once)
    again = requests.get(back, headers={"Authorization": "token " + hubbed.token}, timeout=60)
    assert again.status_code == 400 and "start it again from the dialog" in again.text

    # No keyring in this session (no D-Bus): the tokens are in servers.json, mode 0600, as before
    # (with one: test_extension_keyring.py).
    path = isolated_config / "rsconnect-python" / "servers.json"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    saved = json.loads(path.read_text())[name]
    assert saved["url"] == local_server.url and not saved["api_key"]
    tokens = Secrets(access=saved["oauth_access_token"], refresh=saved["oauth_refresh_token"])
    for answer in (started, page, again, stranger):
        assert tokens.find(answer.content) == [] and tokens.find(repr(answer.headers)) == []
    assert tokens.find(json.dumps(state)) == [] and tokens.find(hubbed.log()) == []
    me = requests.get(local_server.url + "__api__/v1/user", timeout=60,
                      headers={"Authorization": "Bearer " + saved["oauth_access_token"]})  # fmt: skip
    assert me.json()["username"] == who
    assert hubbed.api("POST", "servers/remove", json={"server": name}).status_code == 200


def test_a_denied_sign_in_says_so_in_the_tab_and_the_dialog(hubbed, local_server):
    who, password = "cbd-" + uuid.uuid4().hex[:6], "callback-password-2"
    local_server.add_user(who, "publisher", password=password)
    started = hubbed.api("POST", "servers/signin/browser", json={"url": local_server.url, "name": "denied"})
    assert started.status_code == 202, started.text
    person = Browser(local_server, who, password)
    consent = person.get("__oauth__/authorize?" + urllib.parse.urlsplit(started.json()["authorize_url"]).query)
    denied = person.post_form(consent, "__oauth__/authorize", decision="deny")
    page = requests.get(denied.headers["Location"], headers={"Authorization": "token " + hubbed.token}, timeout=120)
    assert page.status_code == 400 and "denied" in page.text
    state = wait_job(hubbed.api, started.json()["job_id"], timeout=120)
    assert state["error"] == "The sign-in was denied on the server's page: run the sign-in again."


def test_a_server_without_oauth_offers_no_sign_in(hubbed):
    r = hubbed.api("POST", "servers/signin/methods", json={"url": hubbed.url})  # Jupyter has no OAuth
    assert r.status_code == 400 and r.json()["message"].endswith("use an API key instead."), r.text
