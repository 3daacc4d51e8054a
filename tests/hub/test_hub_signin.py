"""The classic UI behind JupyterHub signs in with Connect, no API key, by both flows, though the
browser cannot reach the single-user server's loopback: "Sign in with a code" runs the device flow
(the single-user server polls), and "Sign in with Connect" the authorization code flow, answered at
the single-user server's own callback under the hub's /user/NAME/ prefix. A person approves on the
Connect server's pages in a new tab, the single-user server saves the server in their home, and the
notebook publishes. No token reaches a page, a response the browser received, the notebook or the
hub's log."""

import json
import uuid

import pytest

from tests.extension import extension_ui as classic
from tests.extension.extension_notebooks import write_notebook
from tests.hub.conftest import Recorder
from tests.hub.hub_servers import HubClassic, give_file, sign_in
from tests.hub.test_hub_publish import signed_in
from tests.reliability.secrets_helpers import Secrets
from tests.ui.adapter import approve_in_browser, approve_sign_in

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(1500)]


@pytest.mark.parametrize("flow", ["device", "code"])
def test_the_classic_dialog_behind_the_hub_signs_in_and_publishes(
    flow, hub, hub_users, local_server, browsers, tmp_path
):
    user = hub_users.add("signer" if flow == "device" else "coder")
    who, password = "hub-signer-%s" % uuid.uuid4().hex[:6], "hub-signer-password-1"
    local_server.add_user(who, "publisher", password=password)
    path = "reports/signed.ipynb"
    give_file(user, tmp_path / write_notebook(tmp_path, "signed.ipynb", heading="Signed in"), path)
    signed_in(hub, user)
    seen = Recorder()
    page = browsers(seen)
    page.set_viewport_size({"width": 1280, "height": 800})  # the check: a laptop's screen
    sign_in(page, hub, user)
    seen.settle(page)

    classic.open_notebook(page, HubClassic(hub.user_url(user), user.home), path)
    classic.click_publish_button(page)
    page.wait_for_selector(".rsc-modal.rsc-ready #rsc-server-url", state="visible")
    page.fill("#rsc-server-url", local_server.url)
    page.fill("#rsc-nickname", "signed-connect")
    if flow == "device":
        seen.settle(approve_sign_in(page, who, password))
    else:
        tab = approve_in_browser(page, hub.user_url(user), who, password)
        assert "/user/%s/rsconnect_jupyter/oauth/callback?" % user.name in tab.url
        seen.settle(tab)

    classic.wait_publish_dialog(page)
    classic.choose_mode(page, source=False)
    classic.submit_publish(page)
    url = classic.wait_published(page)
    assert url.startswith(local_server.url)
    item = [c for c in local_server.api("GET", "v1/content").json() if url.startswith(c["content_url"])][0]
    assert local_server.api("GET", "v1/users/" + item["owner_guid"]).json()["username"] == who

    saved = json.loads((user.home / ".rsconnect-python" / "servers.json").read_text())["signed-connect"]
    assert saved["oauth_client_id"] and not saved["api_key"]
    tokens = Secrets(access=saved["oauth_access_token"], refresh=saved["oauth_refresh_token"])
    seen.settle(page)
    leaks = {address: tokens.find(body) for address, body in seen.seen() if tokens.find(body)}
    assert leaks == {}
    assert tokens.find(page.content()) == [] and tokens.find((user.home / path).read_bytes()) == []
    log = hub.log()
    route = "servers/signin" if flow == "device" else "servers/signin/browser"
    assert "/user/%s/rsconnect_jupyter/%s" % (user.name, route) in log
    assert tokens.find(log) == []
